"""Who may do what: every route of the app's URL map x every role x every method, with the
expected answer in one table (ACCESS). A route without a row fails the test, so a new route
must say who may use it.

The objects are a student's: a canvas with one note, a worksheet, a saved version, the
student's own session and user row; and a class: the student is in a class taught by
`teacher`, whose assignment they have started and handed in (attempt 1, not yet marked);
`other_student` and `other_teacher` are a student and the teacher of another class. Each
(route, method) runs on fresh users and fresh objects, the owner last (their POSTs may change
things: delete, sign out).

To add a role (e.g. "another class's teacher" when classes come): add it to ROLES with how
to make it, and give it a value in the rows where it differs from `others`; `row` fills in
`others` for every role not named.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import pytest
from flask import Flask

from canvas import create_app
from canvas.accounts import create_user
from canvas.extensions import db
from canvas.library import get_definitions
from canvas.models import Canvas, User, UserSession
from tests.conftest import PASSWORD, Session, csrf_from, migrated_app

# role -> the account's role in the app (None: not signed in). "student" owns the objects.
ROLES: dict[str, str | None] = {
    "anonymous": None,
    "student": "student",
    "other_student": "student",  # a student of another class
    "teacher": "teacher",  # teaches the student's class
    "other_teacher": "teacher",  # teaches another class
    "admin": "admin",
}


def row(anonymous: int, student: int, others: int, **exceptions: int) -> dict[str, int]:
    """Expected statuses: for a signed-out visitor, the owner, everyone else unless named."""
    statuses = {role: others for role in ROLES}
    statuses.update(anonymous=anonymous, student=student, **exceptions)
    assert set(statuses) == set(ROLES), f"unknown role in {exceptions}"
    return statuses


SIGN_IN = 302  # login_required sends a signed-out visitor to the sign-in page
EVERYONE_OK = row(200, 200, 200)
OWN_ONLY_PAGE = row(SIGN_IN, 200, 404)  # someone else's object does not exist for them
ADMIN_PAGE = row(SIGN_IN, 403, 403, admin=200)
# Teachers' pages of the class: its teacher and admins; 403 for students (the teaching
# decorator), 404 for another class's teacher (the class does not exist for them).
CLASS_PAGE = row(SIGN_IN, 403, 403, teacher=200, other_teacher=404, admin=200)
CLASS_FORM = row(SIGN_IN, 403, 403, teacher=422, other_teacher=404, admin=422)
TEACHERS_ONLY = row(SIGN_IN, 403, 403, teacher=200, other_teacher=200, admin=200)
TEACHERS_JOB = row(SIGN_IN, 403, 403, teacher=200, other_teacher=404, admin=404)
# A student's assignment pages: the student; its teacher and admins are sent to theirs.
MY_ASSIGNMENT = row(SIGN_IN, 200, 404, teacher=302, admin=302)

# (endpoint, method) -> statuses. POSTs carry the CSRF token and an empty form (or, for the
# JSON endpoints, a body naming a stale version): an owner's is 422, 409 or a redirect, never
# a 500; anyone else's is refused before the form is read.
ACCESS: dict[tuple[str, str], dict[str, int]] = {
    ("static", "GET"): EVERYONE_OK,
    ("site.favicon", "GET"): EVERYONE_OK,
    ("health.check", "GET"): EVERYONE_OK,  # the load balancer's check: no sign-in
    ("learn.index", "GET"): row(302, 302, 302),  # to the reader's language
    ("learn.pages", "GET"): EVERYONE_OK,
    ("learn.page", "GET"): EVERYONE_OK,
    # A self-check posted with no answer chosen: the page again, asking for one. Visitors may
    # check themselves too; only signed-in answers are kept (tests/test_learn.py).
    ("learn.check", "POST"): row(422, 422, 422),
    ("auth.register", "GET"): EVERYONE_OK,
    ("auth.register", "POST"): row(422, 422, 422),
    ("auth.login", "GET"): EVERYONE_OK,
    ("auth.login", "POST"): row(422, 422, 422),
    ("auth.logout", "POST"): row(SIGN_IN, 302, 302),
    ("auth.reset_request", "GET"): EVERYONE_OK,
    ("auth.reset_request", "POST"): EVERYONE_OK,  # without mail: the "ask a teacher" page
    ("auth.reset", "GET"): row(404, 404, 404),  # a made-up token
    ("auth.reset", "POST"): row(404, 404, 404),
    ("canvases.home", "GET"): EVERYONE_OK,  # the welcome page when signed out
    ("canvases.new", "GET"): row(SIGN_IN, 200, 200),
    ("canvases.new", "POST"): row(SIGN_IN, 422, 422),
    ("canvases.recycle_bin", "GET"): row(SIGN_IN, 200, 200),
    ("canvases.show", "GET"): OWN_ONLY_PAGE,
    ("canvases.rename", "GET"): OWN_ONLY_PAGE,
    ("canvases.rename", "POST"): row(SIGN_IN, 302, 404),  # no title sent: the old one stays
    ("canvases.duplicate", "POST"): row(SIGN_IN, 302, 404),
    ("canvases.delete", "GET"): OWN_ONLY_PAGE,
    ("canvases.delete", "POST"): row(SIGN_IN, 302, 404),
    ("canvases.restore", "POST"): row(SIGN_IN, 404, 404),  # not in the bin
    ("canvases.purge", "POST"): row(SIGN_IN, 404, 404),  # not in the bin
    ("canvases.add_worksheet", "POST"): row(SIGN_IN, 302, 404),
    # The JSON endpoints tell a signed-out page 401 (never a redirect a script would follow).
    ("canvases.save_blocks", "POST"): row(401, 409, 404),  # version 0 is stale
    ("canvases.add_item", "POST"): row(SIGN_IN, 302, 404),
    ("canvases.change_item", "POST"): row(SIGN_IN, 302, 404),
    ("canvases.versions", "GET"): OWN_ONLY_PAGE,
    ("canvases.versions", "POST"): row(SIGN_IN, 302, 404),
    ("canvases.compare", "GET"): OWN_ONLY_PAGE,
    ("canvases.restore_version", "POST"): row(SIGN_IN, 302, 404),
    ("worksheets.edit", "GET"): row(SIGN_IN, 302, 404),  # on to the current step
    ("worksheets.step", "GET"): OWN_ONLY_PAGE,
    # An empty post changes nothing, so its stale (missing) version does not matter: on to
    # the step. test_worksheets covers stale posts that would change something (409).
    ("worksheets.step", "POST"): row(SIGN_IN, 302, 404),
    ("worksheets.not_saved", "GET"): OWN_ONLY_PAGE,
    ("worksheets.deal_with", "POST"): row(SIGN_IN, 404, 404),  # no such refused save
    ("auth.session_state", "GET"): EVERYONE_OK,  # says who is signed in, to the scripts
    ("language.switch", "POST"): row(400, 400, 400),  # no language named
    ("auth.signed_in", "GET"): row(SIGN_IN, 200, 200),
    ("worksheets.autosave", "POST"): row(401, 409, 404),
    ("exports.export_page", "GET"): OWN_ONLY_PAGE,
    ("exports.poster", "GET"): OWN_ONLY_PAGE,
    ("exports.report", "GET"): OWN_ONLY_PAGE,
    ("account.settings", "GET"): row(SIGN_IN, 200, 200),
    ("account.password", "POST"): row(SIGN_IN, 422, 422),
    ("account.end_session", "POST"): row(SIGN_IN, 302, 404),  # the student's own session
    ("account.end_other_sessions", "POST"): row(SIGN_IN, 302, 302),
    ("account.data", "GET"): row(SIGN_IN, 200, 200),
    ("account.delete", "GET"): row(SIGN_IN, 200, 200),
    ("account.delete", "POST"): row(SIGN_IN, 422, 422),
    ("admin.audit_log", "GET"): ADMIN_PAGE,
    ("admin.users", "GET"): ADMIN_PAGE,
    ("admin.user", "GET"): ADMIN_PAGE,
    ("admin.set_password", "POST"): row(SIGN_IN, 403, 403, admin=422),
    ("admin.change_role", "POST"): row(SIGN_IN, 403, 403, admin=422),
    # The student is the user signed out, by the admin who tried just before them.
    ("admin.end_sessions", "POST"): row(SIGN_IN, SIGN_IN, 403, admin=302),
    # --- classes: teachers ------------------------------------------------------------------
    ("classroom.class_list", "GET"): TEACHERS_ONLY,
    ("classroom.new_class", "GET"): TEACHERS_ONLY,
    ("classroom.new_class", "POST"): row(SIGN_IN, 403, 403, teacher=422, other_teacher=422,
                                         admin=422),
    ("classroom.show_class", "GET"): CLASS_PAGE,
    ("classroom.class_settings", "POST"): CLASS_FORM,
    ("classroom.join_code", "POST"): row(SIGN_IN, 403, 403, teacher=400, other_teacher=404,
                                         admin=400),  # no action sent
    ("classroom.qr_code", "GET"): CLASS_PAGE,
    ("classroom.projector", "GET"): CLASS_PAGE,
    ("classroom.add_student", "POST"): CLASS_FORM,
    ("classroom.import_students", "POST"): CLASS_FORM,
    ("classroom.add_teacher", "POST"): CLASS_FORM,
    # The student is in the class already, not asking to join.
    ("classroom.approve_member", "POST"): row(SIGN_IN, 403, 403, teacher=404, other_teacher=404,
                                              admin=404),
    # The teacher removes the student; for the admin after them there is no one to remove.
    ("classroom.remove_member", "POST"): row(SIGN_IN, 403, 403, teacher=302,
                                             other_teacher=404, admin=404),
    # The teacher (then the admin) gives the student a new password, which signs them out.
    ("classroom.new_password", "POST"): row(SIGN_IN, SIGN_IN, 403, teacher=200,
                                            other_teacher=404, admin=200),
    ("classroom.delete_class", "GET"): CLASS_PAGE,
    # The teacher deletes the class; it is gone for the admin after them.
    ("classroom.delete_class", "POST"): row(SIGN_IN, 403, 403, teacher=302, other_teacher=404,
                                            admin=404),
    ("classroom.approve_teacher", "POST"): row(SIGN_IN, 403, 403, admin=404),  # not a teacher
    ("classroom.new_assignment", "GET"): CLASS_PAGE,
    ("classroom.new_assignment", "POST"): CLASS_FORM,
    ("classroom.assignment", "GET"): CLASS_PAGE,
    ("classroom.edit_assignment", "GET"): CLASS_PAGE,
    ("classroom.edit_assignment", "POST"): CLASS_FORM,
    ("classroom.extension", "POST"): CLASS_FORM,
    ("classroom.release_all", "POST"): row(SIGN_IN, 403, 403, teacher=302, other_teacher=404,
                                           admin=302),
    ("classroom.review_student", "GET"): CLASS_PAGE,
    # No version or attempt: not a body the page sends (400), once access is settled.
    ("classroom.review_student", "POST"): row(SIGN_IN, 403, 403, teacher=400,
                                              other_teacher=404, admin=400),
    ("classroom.review_autosave", "POST"): row(401, 403, 403, teacher=409, other_teacher=404,
                                               admin=409),  # version 0 is stale
    # No version: not the marking on the page, so nothing is released (409).
    ("classroom.release_one", "POST"): row(SIGN_IN, 403, 403, teacher=409, other_teacher=404,
                                           admin=409),
    ("classroom.review_changes", "GET"): CLASS_PAGE,
    # --- classes: the class at a glance -------------------------------------------------------
    ("classroom.progress_table", "GET"): CLASS_PAGE,
    ("classroom.self_check_results", "GET"): CLASS_PAGE,
    ("classroom.progress_table", "POST"): CLASS_FORM,  # nobody ticked
    ("classroom.progress_csv", "GET"): CLASS_PAGE,
    ("classroom.roster_csv", "GET"): CLASS_PAGE,
    ("classroom.moodle_grades", "POST"): CLASS_FORM,  # no file
    ("classroom.canvas_grades", "GET"): CLASS_PAGE,
    ("classroom.class_picture", "GET"): CLASS_PAGE,
    ("classroom.picture_projector", "GET"): CLASS_PAGE,
    ("classroom.start_zip", "POST"): CLASS_FORM,  # no paper size chosen
    # The teacher's ZIP: a job's id is a secret of whoever started it, so an admin (who may
    # see the class) gets 404 for it like everyone else.
    ("classroom.zip_job", "GET"): TEACHERS_JOB,
    ("classroom.zip_status", "GET"): TEACHERS_JOB,
    ("classroom.zip_download", "GET"): TEACHERS_JOB,
    # --- classes: students ------------------------------------------------------------------
    ("classroom.join", "GET"): row(SIGN_IN, 200, 200),
    ("classroom.join", "POST"): row(SIGN_IN, 422, 422),  # no code
    ("classroom.join_link", "GET"): EVERYONE_OK,  # a visitor is asked to sign in first
    ("classroom.join_link", "POST"): row(SIGN_IN, 302, 302),  # joined, or told why not
    ("classroom.answer_invitation", "POST"): row(SIGN_IN, 400, 400),  # no answer sent
    ("classroom.my_assignments", "GET"): row(SIGN_IN, 200, 200),
    ("classroom.student_assignment_page", "GET"): MY_ASSIGNMENT,
    ("classroom.start", "POST"): row(SIGN_IN, 302, 404, teacher=302, admin=302),
    ("classroom.submit", "POST"): row(SIGN_IN, 409, 404, teacher=302, admin=302),  # handed in
    ("classroom.take_back", "POST"): row(SIGN_IN, 302, 404, teacher=302, admin=302),
    ("classroom.student_changes", "GET"): MY_ASSIGNMENT,
}
# The JSON endpoints get a well-formed body naming an old version, so the answer is about
# access (and the version), not the body's shape.
JSON_BODIES = {
    "canvases.save_blocks": lambda values: {"version": 0, "blocks": {}},
    "worksheets.autosave": lambda values: {"version": 0, "step": values["step_id"],
                                           "fields": {"segment": "From an old tab"}},
    "classroom.review_autosave": lambda values: {"version": 0, "attempt": 1,
                                                 "fields": {"overall": "From an old tab"}},
}
# Roles try first, the owner last: the owner's POST may delete or sign out.
ORDER = [role for role in ROLES if role != "student"] + ["student"]
WORLDS = count()


def routes(app: Flask) -> list[tuple[str, str]]:
    """Every (endpoint, method) of the app's URL map (HEAD and OPTIONS are Flask's own)."""
    return sorted({(rule.endpoint, method) for rule in app.url_map.iter_rules()
                   for method in rule.methods - {"HEAD", "OPTIONS"}})


def _url_map_app() -> Flask:
    return create_app({"TESTING": True, "SECRET_KEY": "access",
                       "SQLALCHEMY_DATABASE_URI": "sqlite://"})


ROUTES = routes(_url_map_app())


def test_every_route_has_a_row_and_every_row_a_route():
    missing = [r for r in ROUTES if r not in ACCESS]
    stale = [r for r in ACCESS if r not in ROUTES]
    assert missing == [], f"routes without a row in ACCESS: {missing}"
    assert stale == [], f"rows for routes that are gone: {stale}"


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = migrated_app(Path(tmp_path_factory.mktemp("access")) / "access.sqlite3")
    for key in ("RATELIMIT_SIGN_IN", "RATELIMIT_REGISTER", "RATELIMIT_PASSWORD_RESET",
                "RATELIMIT_PDF"):
        app.config[key] = "100000 per minute"
    yield app
    from canvas.exports import worker

    worker.shutdown()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@dataclass
class World:
    """The student's objects, and a client per role."""

    values: dict[str, object]
    clients: dict[str, Callable[[str, str], object]]


def make_world(app: Flask, n: int) -> World:
    from canvas.canvases.service import create_canvas, take_snapshot
    from canvas.library import get_library

    users: dict[str, User] = {}
    with app.app_context():
        for role, app_role in ROLES.items():
            if app_role is not None:
                users[role] = create_user(f"{role}-{n}@example.test", PASSWORD, role=app_role)
        db.session.flush()
        owner = users["student"]
        canvas = create_canvas(owner, "Access", "en", [get_definitions()["customer-relationships"]])
        canvas.blocks = {"channels": [{"id": "c1", "text": "A shop", "segment": None}]}
        db.session.flush()
        take_snapshot(canvas, "first", get_definitions(), get_library())
        db.session.commit()
        worksheet = canvas.worksheets[0]
        school_class, assignment = _classes(users)
        job_id = _zip_job(users["teacher"], assignment)
        values = {"canvas_id": canvas.id, "worksheet_id": worksheet.id,
                  "step_id": worksheet.current_step, "number": 1, "block": "channels",
                  "item_id": "c1", "language": "en", "page_id": "customer-relationships",
                  "token": "made-up", "filename": "css/app.css", "user_id": owner.id,
                  "refused_id": 1, "class_id": school_class.id,
                  "assignment_id": assignment.id, "student_id": owner.id,
                  "code": school_class.join_code, "job_id": job_id}
        for user in users.values():
            db.session.refresh(user)
            db.session.expunge(user)
    sessions = {role: Session(app.test_client(), user) for role, user in users.items()}
    with app.app_context():
        values["session_id"] = db.session.scalar(
            db.select(UserSession.id).where(UserSession.user_id == users["student"].id))
    anonymous = app.test_client()
    anonymous_token = csrf_from(anonymous.get("/auth/login").text)

    def client_of(role: str) -> Callable[[str, str], object]:
        session = sessions.get(role)
        client = session.client if session else anonymous
        token = session.csrf if session else anonymous_token

        def call(method: str, url: str, json_body: dict | None = None):
            if method == "GET":
                return client.get(url)
            if json_body is not None:
                return client.post(url, data=json.dumps(json_body), headers={
                    "X-CSRFToken": token, "Content-Type": "application/json"})
            return client.post(url, data={"csrf_token": token})

        return call

    return World(values, {role: client_of(role) for role in ROLES})


def _classes(users: dict[str, User]):
    """The student's class (taught by `teacher`) with an assignment they handed in, and
    another class (`other_teacher`, `other_student`)."""
    from canvas.classroom import assignments as work
    from canvas.classroom import classes
    from canvas.library import get_library
    from canvas.models import ClassMember, utcnow

    now = utcnow()
    mine = classes.create_class(users["teacher"], "Access class", "en")
    theirs = classes.create_class(users["other_teacher"], "Another class", "en")
    db.session.flush()
    db.session.add_all([
        ClassMember(class_id=mine.id, user_id=users["student"].id, role="student"),
        ClassMember(class_id=theirs.id, user_id=users["other_student"].id, role="student")])
    assignment = work.create_assignment(mine, "Access work", "worksheet",
                                        "customer-relationships", "", now, now, None,
                                        get_definitions())
    db.session.flush()
    submission = work.start(users["student"], assignment, get_definitions(), now)
    db.session.flush()
    work.submit(submission, assignment, None, work.snapshot_of(
        work.live_canvas(submission), get_definitions(), get_library()), now)
    db.session.commit()
    return mine, assignment


def _zip_job(teacher: User, assignment) -> str:
    """A finished ZIP of the class's PDFs that `teacher` asked for."""
    import secrets
    from datetime import timedelta

    from canvas.models import Job, utcnow

    now = utcnow()
    job = Job(id=secrets.token_hex(16), kind="class-zip", owner_id=teacher.id, state="done",
              params={"assignment_id": assignment.id, "class_id": assignment.class_id,
                      "when": now.isoformat()},  # as class_zip.start writes them
              timeout_seconds=60, max_bytes=10**6, deadline=now + timedelta(hours=1),
              finished_at=now, result=b"PK\x05\x06" + b"\x00" * 18,
              result_name="class.zip", result_type="application/zip")
    db.session.add(job)
    db.session.commit()
    return job.id


def url_for_route(app: Flask, endpoint: str, values: dict[str, object]) -> str:
    (rule,) = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    return rule.build({name: values[name] for name in rule.arguments})[1]


@pytest.mark.parametrize("endpoint, method", ROUTES, ids=[f"{m} {e}" for e, m in ROUTES])
def test_access(shared_app: Flask, endpoint: str, method: str):
    expected = ACCESS.get((endpoint, method))
    assert expected is not None, f"{method} {endpoint} has no row in ACCESS"
    world = make_world(shared_app, next(WORLDS))
    url = url_for_route(shared_app, endpoint, world.values)
    observed = {}
    for role in ORDER:
        body = JSON_BODIES[endpoint](world.values) if endpoint in JSON_BODIES else None
        response = world.clients[role](method, url, body)
        observed[role] = response.status_code
        response.close()
    assert observed == expected, f"{method} {url}"
    with shared_app.app_context():  # the owner's canvas is still theirs, or gone by their hand
        canvas = db.session.get(Canvas, world.values["canvas_id"])
        assert canvas is None or canvas.owner.email.startswith("student-")


# --- fields a role may not set are ignored -----------------------------------------------------

FORBIDDEN_FIELDS = {"id": "1", "user_id": "1", "owner_id": "1", "owner": "1", "role": "admin",
                    "is_admin": "1", "password_hash": "$argon2id$forged", "status": "approved",
                    "grade": "A", "class_id": "1", "deleted_at": "", "version": "99"}


def stored(app: Flask, model, **where):
    with app.app_context():
        found = db.session.scalar(db.select(model).filter_by(**where))
        if found is not None:
            db.session.expunge(found)
        return found


def test_registering_as_admin_makes_no_admin(app, client):
    page = client.get("/auth/register")
    response = client.post("/auth/register", data={
        **FORBIDDEN_FIELDS, "name": "Eve", "email": "eve@example.com", "role": "admin",
        "language": "en", "password": "a sound password", "confirm": "a sound password",
        "csrf_token": csrf_from(page.text)})
    assert response.status_code == 422
    assert stored(app, User, email="eve@example.com") is None


@pytest.mark.parametrize("role", ["student", "teacher", "entrepreneur"])
def test_registration_offers_student_teacher_and_entrepreneur_and_ignores_the_rest(app, client,
                                                                                  role):
    from bs4 import BeautifulSoup

    page = client.get("/auth/register")
    offered = [o["value"] for o in BeautifulSoup(page.text, "html.parser")
               .select("select[name=role] option")]
    assert offered == ["student", "teacher", "entrepreneur"]
    response = client.post("/auth/register", data={
        **{k: v for k, v in FORBIDDEN_FIELDS.items() if k != "role"}, "name": "Eve",
        "email": "eve@example.com", "role": role, "language": "en",
        "password": "a sound password", "confirm": "a sound password",
        "csrf_token": csrf_from(page.text)})
    assert response.status_code == 302
    user = stored(app, User, email="eve@example.com")
    assert user.role == role and user.password_hash.startswith("$argon2id$v=")
    assert user.id != 1 or stored(app, User, id=1).email == "eve@example.com"


def test_a_new_canvas_and_a_rename_ignore_owner_fields(app, login, make_user, make_canvas):
    victim, eve = make_user(), make_user()
    eves = login(eve)
    fields = {**FORBIDDEN_FIELDS, "owner_id": str(victim.id), "user_id": str(victim.id)}
    response = eves.post("/canvases/new", data={**fields, "title": "Planted", "language": "en",
                                                "worksheet": ""})
    assert response.status_code == 302
    planted = stored(app, Canvas, title="Planted")
    assert planted.owner_id == eve.id and planted.deleted_at is None
    canvas_id, _ = make_canvas(eve, title="Mine")
    assert eves.post(f"/canvases/{canvas_id}/rename",
                     data={**fields, "title": "Still mine"}).status_code == 302
    assert stored(app, Canvas, id=canvas_id).owner_id == eve.id


def test_account_and_admin_forms_ignore_the_role_field(app, login, make_user):
    eve, admin, student = make_user(), make_user(role="admin"), make_user()
    eves = login(eve)
    eves.post("/account/password", data={**FORBIDDEN_FIELDS, "current": PASSWORD,
                                         "password": "a new passphrase here",
                                         "confirm": "a new passphrase here"})
    assert stored(app, User, id=eve.id).role == "student"
    login(admin).post(f"/admin/users/{student.id}/password", data={
        **FORBIDDEN_FIELDS, "password": "set by the admin here"})
    assert stored(app, User, id=student.id).role == "student"
