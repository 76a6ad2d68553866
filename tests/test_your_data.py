"""Your data: download all of it (the account and every canvas in the canvas format), and
delete the account (password re-entered; canvases and sessions gone; local copies cleared)."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from canvas.extensions import db
from canvas.interchange import FORMAT
from canvas.library import load_document
from canvas.models import AuditEvent, Canvas, Snapshot, User, UserSession, Worksheet
from tests.conftest import PASSWORD, csrf_from, field_error


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_download_all_my_data_has_the_account_and_every_canvas(app, login, make_user,
                                                               make_canvas):
    user, other = make_user(), make_user()
    first, _ = make_canvas(user, title="Glans Rengøring", language="da")
    binned, _ = make_canvas(user, title="In the bin")
    make_canvas(other, title="Someone else's")
    session = login(user)
    assert session.post(f"/canvases/{binned}/delete").status_code == 302
    session.post(f"/canvases/{first}/versions", data={"note": "before the lesson"})

    response = session.get("/account/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.text)
    assert data["account"]["email"] == user.email
    assert "password_hash" not in json.dumps(data) and "$argon2" not in response.text
    titles = sorted(c["canvas"]["title"] for c in data["canvases"])
    assert titles == ["Glans Rengøring", "In the bin"]
    with app.app_context():
        for entry in data["canvases"]:
            assert entry["canvas"]["format"] == FORMAT
            load_document(entry["canvas"])  # raises FormatError if not loadable
    (bin_entry,) = [c for c in data["canvases"] if c["canvas"]["title"] == "In the bin"]
    assert bin_entry["in_recycle_bin_since"] is not None
    (with_version,) = [c for c in data["canvases"] if c["versions"]]
    assert with_version["versions"][0]["note"] == "before the lesson"
    assert len(data["sign_ins"]) == 1


def test_download_needs_a_sign_in(client):
    response = client.get("/account/data.json")
    assert response.status_code == 302


def delete_account(session, password: str):
    page = session.get("/account/delete")
    assert page.status_code == 200
    return session.client.post("/account/delete", data={
        "password": password, "csrf_token": csrf_from(page.text)})


def test_delete_my_account_removes_it_all_and_clears_local_copies(app, login, make_user,
                                                                  make_canvas):
    user, other = make_user(), make_user()
    canvas_id, (worksheet_id,) = make_canvas(user)
    make_canvas(other)
    session, elsewhere = login(user), login(user)
    response = delete_account(session, PASSWORD)
    assert response.status_code == 200
    assert response.headers["Clear-Site-Data"] == '"storage"'
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one("#account-deleted h1")
    assert any("/static/js/forget." in s.get("src", "") for s in page.select("script"))

    assert count(app, User, User.id == user.id) == 0
    assert count(app, Canvas, Canvas.owner_id == user.id) == 0
    assert count(app, Worksheet, Worksheet.id == worksheet_id) == 0
    assert count(app, Snapshot, Snapshot.canvas_id == canvas_id) == 0
    assert count(app, UserSession, UserSession.user_id == user.id) == 0
    assert count(app, Canvas, Canvas.owner_id == other.id) == 1  # others' work untouched
    assert count(app, AuditEvent, AuditEvent.kind == "account deleted",
                 AuditEvent.user_id == user.id) == 1
    # Both browsers are signed out.
    for client in (session.client, elsewhere.client):
        assert client.get("/account").status_code == 302
    # And the account is gone for signing in.
    fresh = app.test_client()
    assert fresh.post("/auth/login", data={
        "email": user.email, "password": PASSWORD,
        "csrf_token": csrf_from(fresh.get("/auth/login").text)}).status_code == 422


def test_delete_needs_the_password(app, login, make_user, make_canvas):
    user = make_user()
    make_canvas(user)
    session = login(user)
    response = delete_account(session, "not my password")
    assert response.status_code == 422
    assert "not your password" in field_error(response.text, "password")
    assert "Clear-Site-Data" not in response.headers
    assert count(app, User, User.id == user.id) == 1
    assert count(app, Canvas, Canvas.owner_id == user.id) == 1


@pytest.mark.parametrize("data", [{}, {"password": PASSWORD}])
def test_delete_needs_the_csrf_token(app, login, make_user, data):
    user = make_user()
    session = login(user)
    response = session.client.post("/account/delete", data=data)
    assert response.status_code == 400
    assert count(app, User, User.id == user.id) == 1


def test_delete_needs_a_sign_in(app, client, make_user):
    user = make_user()
    response = client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code in (302, 400)
    assert count(app, User, User.id == user.id) == 1


def test_the_download_has_the_classes_and_every_hand_in_with_released_feedback_only(
        app, login, make_user):
    from tests.classroom import add_assignment, hand_in, make_class, mark, start

    teacher, student, classmate = make_user(role="teacher"), make_user(), make_user()
    room = add_assignment(app, make_class(app, teacher, [student, classmate]),
                          title="Plan the relationships")
    start(app, room, student, {"segment": "Offices"})
    hand_in(app, room, student)
    mark(app, room, student, comments={"segment": "Which offices?"}, outcome="return",
         release=True)
    hand_in(app, room, student)
    mark(app, room, student, overall="Draft, not released yet")
    start(app, room, classmate, {"segment": "Not mine"})
    hand_in(app, room, classmate)

    data = json.loads(login(student).get("/account/data.json").text)
    assert data["classes"] == [{"class": "2B Business", "role": "student", "status": "active",
                                "since": data["classes"][0]["since"]}]
    (work,) = data["hand_ins"]
    assert (work["assignment"], work["class"]) == ("Plan the relationships", "2B Business")
    first, second = work["attempts"]
    assert first["canvas"]["worksheets"][0]["answers"]["segment"] == "Offices"
    assert len(first["receipt"]) == 64 and first["late"] is False
    assert first["feedback"]["comments"] == {"segment": "Which offices?"}
    assert first["feedback"]["outcome"] == "return"
    assert second["feedback"] is None  # the teacher's draft is not the student's yet
    assert "Not mine" not in json.dumps(data) and "Draft, not released" not in json.dumps(data)
    # The teacher's own download names the class they teach, and no student's work.
    theirs = json.loads(login(teacher).get("/account/data.json").text)
    assert [(c["class"], c["role"]) for c in theirs["classes"]] == [("2B Business", "teacher")]
    assert theirs["hand_ins"] == []
