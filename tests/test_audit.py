"""The audit log: what is recorded (rows and JSON log lines), and the admin's page."""

from __future__ import annotations

import json
import logging

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from canvas import audit
from canvas.extensions import db
from canvas.models import AuditEvent, User
from tests.conftest import PASSWORD, csrf_from


def kinds(app, user_id: int | None = None) -> list[str]:
    with app.app_context():
        query = select(AuditEvent.kind).order_by(AuditEvent.id)
        if user_id is not None:
            query = query.where(AuditEvent.user_id == user_id)
        return list(db.session.scalars(query))


@pytest.fixture
def json_lines():
    """The audit logger's lines, as the JSON objects they are."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(audit.JsonFormatter().format(record))

    handler = Keep()
    audit.LOG.addHandler(handler)
    yield lines
    audit.LOG.removeHandler(handler)


def test_sign_in_sign_out_and_a_failure_are_recorded_as_rows_and_json(app, login, make_user,
                                                                     json_lines):
    user = make_user()
    session = login(user)
    session.post("/auth/logout")
    client = app.test_client()
    client.post("/auth/login", data={"email": user.email, "password": "wrong password here",
                                     "csrf_token": csrf_from(client.get("/auth/login").text)})
    assert kinds(app) == ["sign-in", "signed out", "sign-in failed"]
    events = [json.loads(line) for line in json_lines]
    assert [e["event"] for e in events] == ["sign-in", "signed out", "sign-in failed"]
    assert events[0]["user_id"] == user.id and events[0]["address"] == "127.0.0.1"
    assert events[2]["email"] == user.email
    assert all({"time", "level", "logger"} <= set(e) for e in events)
    assert PASSWORD not in "".join(json_lines)


def test_password_role_session_and_export_events_are_recorded(app, login, make_user,
                                                             make_canvas):
    admin, user = make_user(role="admin"), make_user()
    mine = login(user)
    login(user)
    mine.post("/account/sessions/end-others")
    mine.post("/account/password", data={"current": PASSWORD, "password": "a new passphrase",
                                         "confirm": "a new passphrase"})
    boss = login(admin)
    boss.post(f"/admin/users/{user.id}/role", data={"role": "teacher"})
    boss.post(f"/admin/users/{user.id}/password", data={"password": "set by the admin here"})
    assert kinds(app, user.id) == ["sign-in", "sign-in", "session ended", "password changed",
                                   "role changed", "password set by admin"]
    with app.app_context():
        role = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "role changed"))
        assert (role.actor_id, role.detail) == (admin.id, {"before": "student",
                                                           "after": "teacher"})


# --- the admin page --------------------------------------------------------------------------

def rows_of(response) -> list[list[str]]:
    page = BeautifulSoup(response.text, "html.parser")
    return [[td.get_text(" ", strip=True) for td in tr.select("td")]
            for tr in page.select("table.audit tbody tr")]


@pytest.mark.parametrize("role", ["student", "teacher", "entrepreneur"])
def test_only_admins_read_the_audit_log(login, make_user, role):
    session = login(make_user(role=role))
    for url in ("/admin/audit", "/admin/users", "/admin/users/1"):
        assert session.get(url).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/audit")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_the_admin_page_lists_filters_and_pages(app, login, make_user):
    admin, ann, bo = make_user(role="admin"), make_user("ann@example.test"), make_user()
    for _ in range(3):
        login(ann)
    login(bo)
    app.config["AUDIT_PAGE_SIZE"] = 2
    boss = login(admin)

    first = boss.get("/admin/audit")
    assert first.status_code == 200
    assert len(rows_of(first)) == 2
    page = BeautifulSoup(first.text, "html.parser")
    assert page.select_one("a[rel=next]") is not None

    by_ann = boss.get("/admin/audit", query_string={"user": "ann@example.test", "page": 2})
    rows = rows_of(by_ann)
    assert len(rows) == 1 and rows[0][2] == "ann@example.test"
    by_id = boss.get("/admin/audit", query_string={"user": str(bo.id)})
    assert [r[1] for r in rows_of(by_id)] == ["Signed in"]  # the kind "sign-in", in words
    failed = boss.get("/admin/audit", query_string={"kind": "sign-in failed"})
    assert rows_of(failed) == [["Nothing recorded that matches."]]
    nobody = boss.get("/admin/audit", query_string={"user": "nobody@example.test"})
    assert rows_of(nobody) == [["Nothing recorded that matches."]]


def test_unknown_kinds_are_refused(app):
    with app.app_context(), pytest.raises(ValueError):
        audit.record("made up")


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(query=st.dictionaries(st.sampled_from(["user", "kind", "page", "per_page", "q"]),
                             st.text(max_size=40) | st.integers().map(str)),
       page=st.sampled_from(["/admin/audit", "/admin/users"]))
def test_the_admin_pages_take_any_query(login, make_user, query, page):
    admin = make_user(role="admin")
    response = login(admin).get(page, query_string=query)
    # A NUL character is refused before any view, on every route (canvas/web.py).
    nul = any("\x00" in key + value for key, value in query.items())
    assert response.status_code == (400 if nul else 200)


def test_an_admin_changes_a_role_but_not_their_own(app, login, make_user):
    admin, user = make_user(role="admin"), make_user()
    boss = login(admin)
    assert boss.post(f"/admin/users/{user.id}/role", data={"role": "teacher"}).status_code == 302
    assert boss.post(f"/admin/users/{admin.id}/role", data={"role": "student"}).status_code \
        == 403
    assert boss.post(f"/admin/users/{user.id}/role", data={"role": "wizard"}).status_code == 422
    with app.app_context():
        assert db.session.get(User, user.id).role == "teacher"
        assert db.session.get(User, admin.id).role == "admin"


def test_every_kind_of_event_has_words_on_the_admin_page():
    from canvas import audit
    from canvas.admin.views import KIND_LABELS

    assert set(KIND_LABELS) == set(audit.KINDS)
