"""Hypothesis over every classroom form: whatever is posted, the answer is a page of the app
(never a 500), and what is stored stays within the rules."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canvas.classroom.roster import read_csv
from canvas.extensions import db
from canvas.models import Assignment, ClassMember, Extension, SchoolClass
from tests.classroom import add_assignment, make_class

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
texts = st.text(max_size=60) | st.sampled_from(["", " ", "2026-12-01T08:00", "2026-13-45T25:61",
                                                "en", "da", "nb", "worksheet", "canvas", "y",
                                                "customer-relationships", "a@example.com"])
dates = st.sampled_from(["", "2026-12-01T08:00", "2030-01-01T00:00", "1999-01-01T00:00",
                         "not a date", "2026-12-01", "9999-12-31T23:59"])


@pytest.fixture
def room(app, make_user, login):
    teacher = make_user(role="teacher")
    room = add_assignment(app, make_class(app, teacher, [make_user()]))
    room.extra["session"] = login(teacher)
    return room


def _ok(response) -> None:
    assert response.status_code in (200, 302, 400, 409, 413, 422), response.status_code


@SETTINGS
@given(name=texts, language=texts, approval=texts)
def test_class_forms(app, room, name, language, approval):
    session = room.extra["session"]
    _ok(session.post("/classes/new", data={"name": name, "language": language,
                                           "needs_approval": approval}))
    _ok(session.post(room.url("/settings"), data={"settings-name": name,
                                                  "settings-language": language}))
    with app.app_context():
        for found in db.session.scalars(db.select(SchoolClass)):
            assert 0 < len(found.name) <= 120 and found.name == found.name.strip()
            assert found.language in ("en", "da", "nb")


@SETTINGS
@given(code=texts)
def test_join_form(app, make_user, login, code):
    _ok(login(make_user()).post("/join", data={"code": code}))


@SETTINGS
@given(name=texts, email=texts | st.emails())
def test_add_student_form(app, room, name, email):
    _ok(room.extra["session"].post(room.url("/students"), data={
        "student-name": name, "student-email": email}))
    with app.app_context():
        students = db.session.scalar(db.select(db.func.count(ClassMember.id)).where(
            ClassMember.role == "student"))
        assert students <= 200


@SETTINGS
@given(data=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_roster_files(app, room, data):
    _ok(room.extra["session"].post(room.url("/students/import"), data={
        "roster-file": (io.BytesIO(data), "roster.csv")}, content_type="multipart/form-data"))


@SETTINGS
@given(data=st.binary(max_size=300))
def test_read_csv_reads_or_refuses(data):
    from canvas.classroom.classes import ClassroomError

    try:
        rows, problems = read_csv(data, 50)
    except ClassroomError:
        return
    assert all("@" in row.email for row in rows)
    assert all(p.outcome == "refused" for p in problems)


@SETTINGS
@given(title=texts, kind=texts, definition=texts, instructions=st.text(max_size=200),
       opens=dates, due=dates, closes=dates)
def test_assignment_form(app, room, title, kind, definition, instructions, opens, due, closes):
    _ok(room.extra["session"].post(room.url("/assignments/new"), data={
        "title": title, "kind": kind, "definition": definition, "instructions": instructions,
        "opens_at": opens, "due_at": due, "closes_at": closes}))
    with app.app_context():
        for a in db.session.scalars(db.select(Assignment)):
            assert a.kind in ("worksheet", "canvas")
            assert a.due_at >= a.opens_at and (a.closes_at is None or a.closes_at >= a.due_at)
            assert (a.definition_id is None) == (a.kind == "canvas")


@SETTINGS
@given(student=texts | st.integers().map(str), due=dates, closes=dates)
def test_extension_form(app, room, student, due, closes):
    _ok(room.extra["session"].post(room.assignment_url("/extensions"), data={
        "student": student, "due_at": due, "closes_at": closes}))
    with app.app_context():
        for e in db.session.scalars(db.select(Extension)):
            assert e.student_id == room.students[0].id
            assert e.closes_at is None or e.closes_at >= e.due_at


@SETTINGS
@given(action=texts, code=texts)
def test_buttons_with_odd_values(app, room, action, code):
    session = room.extra["session"]
    _ok(session.post(room.url("/code"), data={"action": action}))
    _ok(session.post(f"/invitations/{room.class_id}", data={"action": action}))
    response = session.get(f"/join/{code}") if code.strip() and "/" not in code else None
    if response is not None:
        assert response.status_code in (200, 404)
