"""Classes: making one, join codes and links, the QR code, approval, the roster (one at a
time and CSV), co-teachers, removal, teachers' password resets, teacher approval, admins."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
import segno

from canvas.accounts import teaches
from canvas.classroom import classes
from canvas.classroom.roster import RosterRow, add_students, new_password, read_csv
from canvas.extensions import db
from canvas.models import ClassMember, SchoolClass, User, UserSession
from tests.classroom import add_assignment, hand_in, make_class, start, submission_row
from tests.conftest import PASSWORD, Session, csrf_from, path_of
from tests.dom import html_of


def member(app, class_id: int, user_id: int) -> tuple[str, str] | None:
    with app.app_context():
        found = classes.membership(user_id, class_id)
        return (found.role, found.status) if found else None


def class_row(app, class_id: int) -> dict | None:
    with app.app_context():
        found = db.session.get(SchoolClass, class_id)
        return None if found is None else {"name": found.name, "language": found.language,
                                           "code": found.join_code,
                                           "approval": found.join_needs_approval}


# --- making a class ----------------------------------------------------------------------------

def test_a_teacher_makes_a_class_and_gets_a_code_link_and_qr(app, make_user, login):
    teacher = make_user(role="teacher")
    session = login(teacher)
    assert session.get("/classes/new").status_code == 200
    response = session.post("/classes/new", data={"name": "  2B Business ", "language": "da"})
    assert response.status_code == 302
    class_id = int(path_of(response).rsplit("/", 1)[1])
    stored = class_row(app, class_id)
    assert stored["name"] == "2B Business" and stored["language"] == "da"
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{8}", stored["code"])
    assert member(app, class_id, teacher.id) == ("teacher", "active")
    page = html_of(session.get(f"/classes/{class_id}"))
    code = stored["code"]
    assert page.one("#join-code").text == f"{code[:4]}-{code[4:]}"
    link = page.one("#join-link").get("href")
    assert link == f"http://localhost/join/{code}"
    qr = session.get(f"/classes/{class_id}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    svg = ET.fromstring(qr.data)
    assert svg.tag.endswith("svg") and "width" not in svg.attrib  # sized by the page
    # The QR code is the join link: the same matrix as segno makes for it.
    assert [p.get("d") for p in svg.iter() if p.tag.endswith("path")] == [
        p.get("d") for p in ET.fromstring(_svg(link)).iter() if p.tag.endswith("path")]
    projector = html_of(session.get(f"/classes/{class_id}/projector"))
    assert projector.one(".big-code").text == f"{code[:4]}-{code[4:]}"
    assert projector.one("img.qr").get("alt")


def _svg(link: str) -> bytes:
    import io

    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="svg", border=2, xmldecl=False, omitsize=True)
    return out.getvalue()


@pytest.mark.parametrize("form, message", [
    ({"name": "", "language": "en"}, "This field is required."),
    ({"name": "x" * 121, "language": "en"}, "Field cannot be longer than 120 characters."),
    ({"name": "Fine", "language": "fr"}, "Not a valid choice."),
])
def test_a_class_needs_a_name_and_one_of_the_languages(app, make_user, login, form, message):
    session = login(make_user(role="teacher"))
    response = session.post("/classes/new", data=form)
    assert response.status_code == 422
    assert message in html_of(response).one(".field-error:not([hidden])").text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(SchoolClass.id))) == 0


def test_students_and_entrepreneurs_are_told_classes_are_for_teachers(app, make_user, login):
    for role in ("student", "entrepreneur"):
        response = login(make_user(role=role)).post("/classes/new", data={
            "name": "Mine", "language": "en"})
        assert response.status_code == 403
        assert html_of(response).heading() == "Classes are for teachers"


def test_an_install_can_make_teachers_wait_for_an_admin(app, client, make_user, login):
    app.config["TEACHERS_NEED_APPROVAL"] = True
    page = client.get("/auth/register")
    response = client.post("/auth/register", data={
        "name": "Tove", "email": "tove@example.com", "role": "teacher", "language": "en",
        "password": PASSWORD, "confirm": PASSWORD,
        "csrf_token": csrf_from(page.text)})
    assert response.status_code == 302
    with app.app_context():
        tove = db.session.scalar(db.select(User).filter_by(email="tove@example.com"))
        assert tove.role == "teacher" and tove.awaiting_approval
        db.session.expunge(tove)
    waiting = Session(app.test_client(), tove)
    refused = waiting.post("/classes/new", data={"name": "Mine", "language": "en"})
    assert refused.status_code == 403
    assert "waiting for an administrator" in html_of(refused).one("main").text
    admin = login(make_user(role="admin"))
    listed = html_of(admin.get("/classes"))
    assert "tove@example.com" in listed.one("#pending-title").tag.parent.get_text()
    assert admin.post(f"/classes/teachers/{tove.id}/approve").status_code == 302
    assert waiting.post("/classes/new", data={"name": "Mine", "language": "en"}).status_code == 302
    # Students are not teachers to approve, and a teacher cannot approve anyone.
    student = make_user()
    assert admin.post(f"/classes/teachers/{student.id}/approve").status_code == 404
    assert login(make_user(role="teacher")).post(
        f"/classes/teachers/{tove.id}/approve").status_code == 403


def test_without_the_setting_a_teacher_signs_up_ready_to_teach(app, client):
    page = client.get("/auth/register")
    client.post("/auth/register", data={
        "name": "Tor", "email": "tor@example.com", "role": "teacher", "language": "nb",
        "password": "a sound password", "confirm": "a sound password",
        "csrf_token": csrf_from(page.text)})
    with app.app_context():
        assert not db.session.scalar(db.select(User).filter_by(
            email="tor@example.com")).awaiting_approval


def test_settings_rename_and_change_the_language_and_approval(app, make_user, login):
    teacher = make_user(role="teacher")
    room = make_class(app, teacher, [])
    session = login(teacher)
    assert session.post(room.url("/settings"), data={
        "settings-name": "3A", "settings-language": "nb",
        "settings-needs_approval": "y"}).status_code == 302
    assert class_row(app, room.class_id) | {"code": None} == {
        "name": "3A", "language": "nb", "approval": True, "code": None}
    bad = session.post(room.url("/settings"), data={"settings-name": "",
                                                     "settings-language": "nb"})
    assert bad.status_code == 422 and class_row(app, room.class_id)["name"] == "3A"


# --- joining -----------------------------------------------------------------------------------

def test_a_student_joins_with_the_code_typed_any_way(app, make_user, login):
    teacher, student = make_user(role="teacher"), make_user()
    room = make_class(app, teacher, [])
    code = class_row(app, room.class_id)["code"]
    session = login(student)
    typed = f" {code[:4].lower()} - {code[4:]} "
    response = session.post("/join", data={"code": typed})
    assert response.status_code == 302 and path_of(response) == "/"
    assert member(app, room.class_id, student.id) == ("student", "active")
    again = session.post("/join", data={"code": code}, follow_redirects=True)
    assert "already in" in html_of(again).one(".flashes").text
    assert member(app, room.class_id, student.id) == ("student", "active")


@pytest.mark.parametrize("typed", ["", "ABCD", "ABCD-EFG0", "A" * 41, "ÆØÅÆØÅÆØ", "ABCDEFGH"])
def test_a_code_that_is_no_class_is_refused_with_a_message(app, make_user, login, typed):
    make_class(app, make_user(role="teacher"), [])
    response = login(make_user()).post("/join", data={"code": typed})
    assert response.status_code == 422
    assert html_of(response).one(".field-error:not([hidden])").text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ClassMember.id)).where(
            ClassMember.role == "student")) == 0


def test_the_join_link_asks_a_visitor_to_sign_in_and_brings_them_back(app, client, make_user):
    room = make_class(app, make_user(role="teacher"), [])
    code = class_row(app, room.class_id)["code"]
    page = html_of(client.get(f"/join/{code}"))
    assert page.heading() == "Join the class “2B Business”"
    sign_in = page.one(f'a[href="/auth/login?next=/join/{code}"]')
    assert sign_in.text == "Sign in"
    assert page.has(f'a[href="/auth/register?next=/join/{code}"]')
    # Making an account from the link comes back to it.
    form = client.get(f"/auth/register?next=/join/{code}")
    made = client.post(f"/auth/register?next=/join/{code}", data={
        "name": "Nora", "email": "nora@example.com", "role": "student", "language": "nb",
        "password": "a sound password", "confirm": "a sound password",
        "csrf_token": csrf_from(form.text)})
    assert made.status_code == 302 and path_of(made) == f"/join/{code}"
    joined = client.post(f"/join/{code}", data={"csrf_token": csrf_from(client.get(
        f"/join/{code}").text)})
    assert joined.status_code == 302
    with app.app_context():
        nora = db.session.scalar(db.select(User).filter_by(email="nora@example.com"))
        assert member(app, room.class_id, nora.id) == ("student", "active")


def test_a_register_next_off_site_goes_home(app, client):
    form = client.get("/auth/register")
    made = client.post("/auth/register?next=//evil.example/x", data={
        "name": "Eve", "email": "eve@example.com", "role": "student", "language": "en",
        "password": "a sound password", "confirm": "a sound password",
        "csrf_token": csrf_from(form.text)})
    assert made.headers["Location"] == "/"


def test_a_reset_or_switched_off_code_stops_working(app, make_user, login):
    teacher = make_user(role="teacher")
    room = make_class(app, teacher, [])
    old = class_row(app, room.class_id)["code"]
    session = login(teacher)
    assert session.post(room.url("/code"), data={"action": "reset"}).status_code == 302
    new = class_row(app, room.class_id)["code"]
    assert new != old
    student = login(make_user())
    assert student.post("/join", data={"code": old}).status_code == 422
    assert student.get(f"/join/{old}").status_code == 404
    assert session.post(room.url("/code"), data={"action": "off"}).status_code == 302
    assert class_row(app, room.class_id)["code"] is None
    assert student.post("/join", data={"code": new}).status_code == 422
    assert session.get(room.url("/qr.svg")).status_code == 404
    assert session.post(room.url("/code"), data={"action": "explode"}).status_code == 400


def test_joining_a_class_that_needs_approval_waits_for_a_teacher(app, make_user, login):
    teacher, student = make_user(role="teacher"), make_user()
    room = add_assignment(app, make_class(app, teacher, [], needs_approval=True))
    session = login(student)
    session.post("/join", data={"code": class_row(app, room.class_id)["code"]})
    assert member(app, room.class_id, student.id) == ("student", "pending")
    home = html_of(session.get("/"))
    assert "You asked to join “2B Business”" in home.one(".notice").text
    assert not home.has("#my-assignments")
    assert session.get(f"/assignments/{room.assignment_id}").status_code == 404
    teacher_session = login(teacher)
    page = html_of(teacher_session.get(room.url()))
    assert student.email in page.one("#students").text
    assert teacher_session.post(room.url(f"/members/{student.id}/approve")).status_code == 302
    assert member(app, room.class_id, student.id) == ("student", "active")
    assert session.get(f"/assignments/{room.assignment_id}").status_code == 200
    # Only those who asked can be let in.
    assert teacher_session.post(room.url(f"/members/{student.id}/approve")).status_code == 404


def test_joiners_never_see_the_class_list(app, make_user, login):
    teacher = make_user(role="teacher")
    first, second = make_user("first@example.com"), make_user("second@example.com")
    with app.app_context():
        db.session.get(User, first.id).name = "Astrid Classmate"
        db.session.commit()
    room = add_assignment(app, make_class(app, teacher, [first]))
    session = login(second)
    session.post("/join", data={"code": class_row(app, room.class_id)["code"]})
    for url in ("/", "/assignments", f"/assignments/{room.assignment_id}",
                f"/join/{class_row(app, room.class_id)['code']}"):
        response = session.get(url)
        assert response.status_code == 200, url
        page = html_of(response)
        assert page.has("main h1"), url
        assert not page.mentions("Astrid") and not page.mentions("first@example.com"), url
    assert session.get(room.url()).status_code == 403
    assert session.get(room.assignment_url()).status_code == 403


# --- removal -----------------------------------------------------------------------------------

def test_a_removed_student_loses_access_at_once_and_the_code_alone_does_not_bring_them_back(
        app, make_user, login):
    teacher, student = make_user(role="teacher"), make_user()
    room = add_assignment(app, make_class(app, teacher, [student]))
    start(app, room, student, {"segment": "Offices"})
    hand_in(app, room, student)
    session = login(student)
    worksheet = submission_row(app, room, student)["worksheet_id"]
    assert session.get(f"/assignments/{room.assignment_id}").status_code == 200
    locked = session.autosave(worksheet, "focus", 2, {"segment": "Changed"})
    assert locked.status_code == 423
    teacher_session = login(teacher)
    assert teacher_session.post(room.url(f"/members/{student.id}/remove")).status_code == 302
    assert member(app, room.class_id, student.id) == ("student", "removed")
    # The same browser, the next request: the class is gone for them.
    assert session.get(f"/assignments/{room.assignment_id}").status_code == 404
    assert not html_of(session.get("/")).has("#my-assignments")
    # Their canvas is theirs again (no longer locked for a class they are not in).
    assert session.autosave(worksheet, "focus", 2, {"segment": "Changed"}).status_code == 200
    # The teacher no longer sees them on the class's pages.
    assert student.email not in html_of(teacher_session.get(room.url())).one("#students").text
    assert teacher_session.get(room.review_url(student)).status_code == 404
    session.post("/join", data={"code": class_row(app, room.class_id)["code"]})
    assert member(app, room.class_id, student.id) == ("student", "pending")


def test_the_last_teacher_cannot_leave_but_a_co_teacher_can(app, make_user, login):
    teacher, other = make_user(role="teacher"), make_user("co@example.com", role="teacher")
    room = make_class(app, teacher, [])
    session = login(teacher)
    refused = session.post(room.url(f"/members/{teacher.id}/remove"))
    assert refused.status_code == 409
    assert "at least one teacher" in html_of(refused).one("main").text
    assert session.post(room.url("/teachers"), data={
        "teacher-email": "CO@example.com"}).status_code == 302
    assert member(app, room.class_id, other.id) == ("teacher", "active")
    co = login(other)
    assert co.get(room.url()).status_code == 200
    again = session.post(room.url("/teachers"), data={"teacher-email": "co@example.com"})
    assert again.status_code == 409
    response = co.post(room.url(f"/members/{other.id}/remove"))
    assert response.status_code == 302 and path_of(response) == "/classes"
    assert co.get(room.url()).status_code == 404


@pytest.mark.parametrize("role", ["student", "entrepreneur", None])
def test_only_a_teacher_account_can_be_a_co_teacher(app, make_user, login, role):
    teacher = make_user(role="teacher")
    room = make_class(app, teacher, [])
    if role:
        make_user("someone@example.com", role=role)
    response = login(teacher).post(room.url("/teachers"), data={
        "teacher-email": "someone@example.com"})
    assert response.status_code == 422
    assert "no teacher account" in html_of(response).one("#teacher-email-error").text


# --- the roster --------------------------------------------------------------------------------

def test_adding_a_new_student_makes_an_account_with_a_password_shown_once(app, make_user,
                                                                          login):
    teacher = make_user(role="teacher")
    room = make_class(app, teacher, [], language="nb")
    session = login(teacher)
    response = session.post(room.url("/students"), data={
        "student-name": "Ola Nordmann", "student-email": "Ola@Example.com"})
    assert response.status_code == 200
    row = html_of(response).one("tr.added-created")
    password = row.one("code.password").text
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)
    with app.app_context():
        ola = db.session.scalar(db.select(User).filter_by(email="ola@example.com"))
        assert (ola.name, ola.role, ola.language) == ("Ola Nordmann", "student", "nb")
        db.session.expunge(ola)
    assert member(app, room.class_id, ola.id) == ("student", "active")
    client = app.test_client()
    page = client.get("/auth/login")
    signed_in = client.post("/auth/login", data={"email": "ola@example.com",
                                                 "password": password,
                                                 "csrf_token": csrf_from(page.text)})
    assert signed_in.status_code == 302
    # The password is not shown again anywhere.
    assert password not in session.get(room.url()).text


def test_adding_an_existing_account_invites_it_and_its_owner_answers(app, make_user, login):
    teacher = make_user(role="teacher")
    accepted, declined = make_user("yes@example.com"), make_user("no@example.com")
    room = make_class(app, teacher, [])
    session = login(teacher)
    for email in ("yes@example.com", "no@example.com"):
        page = html_of(session.post(room.url("/students"), data={"student-email": email}))
        assert page.has("tr.added-invited") and not page.has("code.password")
    assert member(app, room.class_id, accepted.id) == ("student", "invited")
    # An invitation is not membership: no access, no password reset by the teacher.
    with app.app_context():
        assert not teaches(db.session.get(User, teacher.id), db.session.get(User, accepted.id))
    yes = login(accepted)
    home = html_of(yes.get("/"))
    assert "invited to the class “2B Business”" in home.one(".notice").text
    assert yes.post(f"/invitations/{room.class_id}", data={"action": "accept"}).status_code == 302
    assert member(app, room.class_id, accepted.id) == ("student", "active")
    no = login(declined)
    assert no.post(f"/invitations/{room.class_id}", data={"action": "decline"}).status_code == 302
    assert member(app, room.class_id, declined.id) is None
    assert no.post(f"/invitations/{room.class_id}", data={"action": "accept"}).status_code == 404
    assert no.post(f"/invitations/{room.class_id}", data={"action": "maybe"}).status_code == 400


@pytest.mark.parametrize("form, message", [
    ({"student-email": ""}, "This field is required."),
    ({"student-email": "not-an-email"}, "Invalid email address."),
    ({"student-email": "a@example.com", "student-name": "n" * 121},
     "Field cannot be longer than 120 characters."),
])
def test_adding_a_student_checks_the_form(app, make_user, login, form, message):
    teacher = make_user(role="teacher")
    room = make_class(app, teacher, [])
    response = login(teacher).post(room.url("/students"), data=form)
    assert response.status_code == 422
    assert message in html_of(response).one(".field-error:not([hidden])").text


def test_a_roster_file_is_read_whatever_the_spreadsheet_did(app, make_user, login):
    teacher = make_user(role="teacher")
    existing = make_user("kari@example.com")
    room = make_class(app, teacher, [])
    text = ("Navn;E-post\n"
            "Søren Ærø;soren@example.com\n"
            "kari@example.com;Kari\n"
            "\n"
            "Nobody at all\n"
            "Ida Bø;not-an-email@\n"
            "Dup;soren@example.com\n")
    response = login(teacher).post(room.url("/students/import"), data={
        "roster-file": (__import__("io").BytesIO(text.encode("cp1252")), "klasse.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    rows = {r.all("td")[0].text: r for r in html_of(response).all("#added tbody tr")}
    assert rows["2"].get("class") == ["added-created"]
    assert rows["2"].all("td")[1].text == "Søren Ærø"
    assert rows["3"].get("class") == ["added-invited"]
    assert "No e-mail on this line." in rows["5"].text
    assert "is not an e-mail address" in rows["6"].text
    assert "earlier line" in rows["7"].text
    assert member(app, room.class_id, existing.id) == ("student", "invited")
    with app.app_context():
        assert db.session.scalar(db.select(User).filter_by(email="soren@example.com")).name \
            == "Søren Ærø"


@pytest.mark.parametrize("data, message", [
    (b"\x00\x01binary", "not a CSV file"),
    (b"Name,E-mail\n", "holds no names"),
    ("\n".join(f"S{n},s{n}@example.com" for n in range(201)).encode(), "more than 200"),
    (b"x" * (64 * 1024 + 1), "larger than 64 KB"),
])
def test_a_file_that_is_no_roster_is_refused_and_adds_no_one(app, make_user, login, data,
                                                             message):
    teacher = make_user(role="teacher")
    room = make_class(app, teacher, [])
    response = login(teacher).post(room.url("/students/import"), data={
        "roster-file": (__import__("io").BytesIO(data), "x.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in html_of(response).one("#roster-file-error").text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ClassMember.id)).where(
            ClassMember.role == "student")) == 0


def test_a_class_takes_at_most_the_configured_number_of_students(app, make_user, login):
    app.config["CLASS_MAX_STUDENTS"] = 2
    teacher = make_user(role="teacher")
    room = make_class(app, teacher, [make_user(), make_user()])
    session = login(teacher)
    response = session.post(room.url("/students"), data={"student-email": "third@example.com"})
    assert response.status_code == 422
    assert "at most 2 students" in html_of(response).one("#student-email-error").text
    joiner = login(make_user())
    refused = joiner.post("/join", data={"code": class_row(app, room.class_id)["code"]})
    assert refused.status_code == 422


def test_read_csv_and_add_students_work_without_flask_requests(app, make_user):
    rows, problems = read_csv(b"a@example.com,Anna\nBo,bo@example.com", 10)
    assert [(r.line, r.name, r.email) for r in rows] == [(1, "Anna", "a@example.com"),
                                                         (2, "Bo", "bo@example.com")]
    assert problems == []
    assert new_password() != new_password()
    teacher = make_user(role="teacher")
    room = make_class(app, teacher, [])
    with app.app_context():
        added = add_students(db.session.get(SchoolClass, room.class_id),
                             [RosterRow(1, "", "x@example.com")], 5)
        db.session.commit()
        assert added[0].outcome == "created" and added[0].name == "x"


# --- a teacher sets a student's password -------------------------------------------------------

def test_a_teacher_gives_a_class_student_a_new_password(app, make_user, login):
    teacher, student = make_user(role="teacher"), make_user()
    room = make_class(app, teacher, [student])
    student_session = login(student)
    response = login(teacher).post(room.url(f"/members/{student.id}/password"))
    assert response.status_code == 200
    password = html_of(response).one("#new-password").text
    # Every session of the student ended; the new password signs in.
    assert student_session.get("/account").status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(UserSession.id)).where(
            UserSession.user_id == student.id, UserSession.ended_at.is_(None))) == 0
    client = app.test_client()
    page = client.get("/auth/login")
    assert client.post("/auth/login", data={"email": student.email, "password": password,
                                            "csrf_token": csrf_from(page.text)}).status_code == 302


def test_teaches_is_the_rule_for_password_resets(app, make_user):
    teacher, other_teacher = make_user(role="teacher"), make_user(role="teacher")
    student, pending, removed = make_user(), make_user(), make_user()
    teacher_as_student = make_user(role="teacher")
    room = make_class(app, teacher, [student, teacher_as_student])
    make_class(app, other_teacher, [])
    with app.app_context():
        db.session.add_all([ClassMember(class_id=room.class_id, user_id=pending.id,
                                        role="student", status="pending"),
                            ClassMember(class_id=room.class_id, user_id=removed.id,
                                        role="student", status="removed")])
        db.session.commit()
        get = lambda u: db.session.get(User, u.id)  # noqa: E731
        assert teaches(get(teacher), get(student))
        assert not teaches(get(other_teacher), get(student))
        assert not teaches(get(teacher), get(pending))
        assert not teaches(get(teacher), get(removed))
        assert not teaches(get(teacher), get(teacher_as_student))  # a teacher's account
        assert not teaches(get(student), get(teacher))


@pytest.mark.parametrize("who", ["other_teacher", "pending"])
def test_no_new_password_for_someone_not_a_student_of_the_class(app, make_user, login, who):
    teacher, other = make_user(role="teacher"), make_user(role="teacher")
    student = make_user()
    room = make_class(app, teacher, [] if who == "pending" else [student])
    make_class(app, other, [])
    if who == "pending":
        with app.app_context():
            db.session.add(ClassMember(class_id=room.class_id, user_id=student.id,
                                       role="student", status="pending"))
            db.session.commit()
    actor = other if who == "other_teacher" else teacher
    assert login(actor).post(room.url(f"/members/{student.id}/password")).status_code == 404


# --- lists, deleting, admins -------------------------------------------------------------------

def test_a_teacher_sees_only_their_classes_and_an_admin_sees_all(app, make_user, login):
    teacher, other = make_user(role="teacher"), make_user(role="teacher")
    mine = make_class(app, teacher, [make_user()], name="Mine")
    theirs = make_class(app, other, [], name="Theirs")
    names = [a.text for a in html_of(login(teacher).get("/classes")).all(".card h2 a")]
    assert names == ["Mine"]
    assert login(teacher).get(theirs.url()).status_code == 404
    admin = login(make_user(role="admin"))
    assert [a.text for a in html_of(admin.get("/classes")).all(".card h2 a")] == ["Mine",
                                                                                  "Theirs"]
    assert admin.get(theirs.url()).status_code == 200
    home = html_of(login(teacher).get("/"))
    assert [a.text for a in home.all(".home-classes li a")] == ["Mine"]
    assert mine.class_id != theirs.class_id


def test_deleting_a_class_keeps_the_students_canvases(app, make_user, login):
    teacher, student = make_user(role="teacher"), make_user()
    room = add_assignment(app, make_class(app, teacher, [student]))
    start(app, room, student)
    canvas_id = submission_row(app, room, student)["canvas_id"]
    session = login(teacher)
    assert session.get(room.url("/delete")).status_code == 200
    assert session.post(room.url("/delete")).status_code == 302
    assert class_row(app, room.class_id) is None
    with app.app_context():
        from canvas.models import Assignment, Canvas, Submission

        assert db.session.get(Canvas, canvas_id) is not None
        assert db.session.scalar(db.select(db.func.count(Assignment.id))) == 0
        assert db.session.scalar(db.select(db.func.count(Submission.id))) == 0
    assert login(student).get(f"/canvases/{canvas_id}").status_code == 200


def test_class_forms_ignore_fields_nobody_may_set(app, make_user, login):
    from tests.test_access import FORBIDDEN_FIELDS

    teacher, victim = make_user(role="teacher"), make_user(role="teacher")
    session = login(teacher)
    response = session.post("/classes/new", data={**FORBIDDEN_FIELDS, "user_id": victim.id,
                                                  "name": "Planted", "language": "en"})
    class_id = int(path_of(response).rsplit("/", 1)[1])
    assert member(app, class_id, teacher.id) == ("teacher", "active")
    assert member(app, class_id, victim.id) is None
    student = make_user()
    login(student).post("/join", data={**FORBIDDEN_FIELDS, "role": "teacher",
                                       "code": class_row(app, class_id)["code"]})
    assert member(app, class_id, student.id) == ("student", "active")


def test_deleting_accounts_takes_their_class_rows_along(app, make_user, login):
    from canvas.models import Attempt, Feedback, Submission
    from tests.classroom import feedback_row, mark
    from tests.test_your_data import count, delete_account

    teacher, co, student = make_user(role="teacher"), make_user(role="teacher"), make_user()
    room = add_assignment(app, make_class(app, teacher, [student]))
    with app.app_context():
        db.session.add(ClassMember(class_id=room.class_id, user_id=co.id, role="teacher"))
        db.session.commit()
    start(app, room, student, {"segment": "Offices"})
    hand_in(app, room, student)
    mark(app, room, student, comments={"segment": "Good"})
    with app.app_context():
        from canvas.classroom.assignments import current_attempt, submission_of

        current_attempt(submission_of(room.assignment_id, student.id)).feedback \
            .updated_by_id = co.id
        db.session.commit()
    # A co-teacher who marked goes: the marking stays, no longer signed.
    assert delete_account(login(co), PASSWORD).status_code == 200
    assert feedback_row(app, room, student)["comments"] == {"segment": "Good"}
    assert member(app, room.class_id, co.id) is None
    # The student goes: their hand-ins and the feedback on them go with them.
    assert delete_account(login(student), PASSWORD).status_code == 200
    assert member(app, room.class_id, student.id) is None
    for model in (Submission, Attempt, Feedback):
        assert count(app, model) == 0
    assert login(teacher).get(room.assignment_url()).status_code == 200
