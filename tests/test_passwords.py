"""The password policy (one function for the forms and the CLI), changing a password,
resetting it by e-mail or by an admin, and the argon2id rehash when parameters change."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from canvas.accounts import (
    AccountError,
    NotAllowed,
    may_set_password,
    set_password_by,
)
from canvas.extensions import db, mail
from canvas.models import User
from canvas.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    PasswordRejected,
    check_password,
    common_passwords,
)
from tests.conftest import PASSWORD, csrf_from, field_error, migrated_app

NEW = "a brand new passphrase"


def stored_hash(app, email: str) -> str:
    with app.app_context():
        return db.session.scalar(select(User.password_hash).where(User.email == email))


def sign_in(client, email: str, password: str):
    return client.post("/auth/login", data={
        "email": email, "password": password,
        "csrf_token": csrf_from(client.get("/auth/login").text)})


def is_signed_in(client) -> bool:
    page = BeautifulSoup(client.get("/").text, "html.parser")
    return page.select_one("header form[action='/auth/logout']") is not None


# --- the policy --------------------------------------------------------------------------------

@pytest.mark.parametrize("password, words", [
    ("password", "at least 10"),
    ("12345678", "at least 10"),
    ("x", "at least 10"),
    ("1234567890", "common passwords"),
    ("qwertyuiop", "common passwords"),
    ("Password123", "common passwords"),
    ("ann.andersen@example.com", "e-mail"),
    ("ann.andersen-rocks", "e-mail"),
    ("I am Andersen!!", "name"),
    ("Canvas2026!!", "common passwords"),
    ("Adgangskode123", "common passwords"),
    ("x" * (MAX_LENGTH + 1), "at most 200"),
])
def test_the_policy_refuses(password, words):
    with pytest.raises(PasswordRejected) as refused:
        check_password(password, "ann.andersen@example.com", "Ann Andersen")
    assert words in str(refused.value)


@pytest.mark.parametrize("password", [
    "correct horse battery", "a sound password", "x" * MAX_LENGTH, "bo-peeps-sheep-2026",
])
def test_the_policy_accepts(password):
    check_password(password, "bo@example.com", "Bo")  # names of three letters or fewer


def test_the_shipped_list_is_the_common_passwords():
    common = common_passwords()
    assert len(common) > 19_000
    assert {"password", "12345678", "qwerty", "iloveyou"} <= common


@settings(max_examples=200, deadline=None)
@given(password=st.text(max_size=260), email=st.emails(), name=st.text(max_size=40))
def test_the_policy_accepts_only_what_it_should(password, email, name):
    try:
        check_password(password, email, name)
    except PasswordRejected:
        return
    assert MIN_LENGTH <= len(password) <= MAX_LENGTH
    assert password.lower() not in common_passwords()
    assert email.lower() not in password.lower()


def test_over_200_characters_is_told_at_most_200_in_the_form(client):
    too_long = "a" * 150 + " long passphrase " * 4
    page = client.get("/auth/register")
    response = client.post("/auth/register", data={
        "name": "Ann", "email": "ann@example.com", "role": "student", "language": "en",
        "password": too_long, "confirm": too_long, "csrf_token": csrf_from(page.text)})
    assert response.status_code == 422
    assert field_error(response.text, "password") == "Use at most 200 characters."


@pytest.mark.parametrize("password", ["password12", "iloveyou12", "ann@example.com!!"])
def test_registration_refuses_common_passwords_and_the_email(app, client, password):
    page = client.get("/auth/register")
    response = client.post("/auth/register", data={
        "name": "Ann", "email": "ann@example.com", "role": "student", "language": "en",
        "password": password, "confirm": password, "csrf_token": csrf_from(page.text)})
    assert response.status_code == 422
    assert field_error(response.text, "password") != ""
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "ann@example.com")) is None


@pytest.mark.parametrize("password", ["x", "password", "12345678", "boss@example.test"])
def test_the_cli_obeys_the_same_policy(app, runner, password):
    with app.app_context():
        result = runner.invoke(args=["create-user", "boss@example.test", "--role", "admin",
                                     "--password", password])
    assert result.exit_code == 1  # a ClickException, not a crash
    assert "Error: " in result.output
    assert any(why in result.output for why in ("at least 10", "common passwords", "e-mail"))
    assert stored_hash(app, "boss@example.test") is None


# --- changing it ---------------------------------------------------------------------------------

def change(session, current: str, new: str, confirm: str | None = None):
    return session.post("/account/password", data={
        "current": current, "password": new, "confirm": confirm or new})


def test_change_password_needs_the_current_one_and_ends_other_sessions(app, login, make_user):
    user = make_user()
    mine, other = login(user), login(user)
    response = change(mine, PASSWORD, NEW)
    assert response.status_code == 302
    assert PasswordHasher().verify(stored_hash(app, user.email), NEW)
    assert is_signed_in(mine.client)
    assert not is_signed_in(other.client)
    fresh = app.test_client()
    assert sign_in(fresh, user.email, PASSWORD).status_code == 422
    assert sign_in(fresh, user.email, NEW).status_code == 302


def test_change_password_with_a_wrong_current_one_changes_nothing(app, login, make_user):
    user = make_user()
    mine, other = login(user), login(user)
    before = stored_hash(app, user.email)
    response = change(mine, "not my password", NEW)
    assert response.status_code == 422
    assert "not your current password" in field_error(response.text, "current")
    assert stored_hash(app, user.email) == before
    assert is_signed_in(other.client)


@pytest.mark.parametrize("new, confirm, words", [
    ("short", None, "at least 10"), ("password123", None, "common"),
    (NEW, "something else entirely", "differ")])
def test_change_password_follows_the_policy(app, login, make_user, new, confirm, words):
    user = make_user()
    mine = login(user)
    before = stored_hash(app, user.email)
    response = change(mine, PASSWORD, new, confirm)
    assert response.status_code == 422
    errors = field_error(response.text, "password") + field_error(response.text, "confirm")
    assert words in errors
    assert stored_hash(app, user.email) == before


def test_change_password_needs_csrf_and_a_sign_in(app, login, make_user, client):
    user = make_user()
    mine = login(user)
    no_token = mine.client.post("/account/password", data={
        "current": PASSWORD, "password": NEW, "confirm": NEW})
    assert no_token.status_code == 400
    signed_out = client.post("/account/password", data={
        "current": PASSWORD, "password": NEW, "confirm": NEW})
    assert signed_out.status_code in (302, 400)
    assert PasswordHasher().verify(stored_hash(app, user.email), PASSWORD)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.sampled_from(["current", "password", "confirm", "role", "email"]),
                            st.text(max_size=300)))
def test_the_change_password_form_never_errs(login, make_user, data):
    session = login(make_user())
    response = session.post("/account/password", data=data)
    if any("\x00" in value for value in data.values()):  # refused first (canvas/web.py)
        assert response.status_code == 400
        return
    assert response.status_code in (302, 422)


# --- reset by e-mail -----------------------------------------------------------------------------

@pytest.fixture
def mail_app(tmp_path):
    app = migrated_app(tmp_path / "mail.sqlite3", MAIL_SERVER="mail.example.test",
                       MAIL_DEFAULT_SENDER="canvas@example.test")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def make(app, email: str = "ann@example.test") -> User:
    from canvas.accounts import create_user

    with app.app_context():
        user = create_user(email, PASSWORD, "Ann")
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user


def ask_for_reset(app, email: str) -> list:
    client = app.test_client()
    with app.app_context(), mail.record_messages() as outbox:
        page = client.get("/auth/reset")
        response = client.post("/auth/reset", data={
            "email": email, "csrf_token": csrf_from(page.text)})
    assert response.status_code == 302
    return outbox


def link_in(message) -> str:
    return re.search(r"http://localhost(/auth/reset/\S+)", message.body).group(1)


def set_new(app, path: str, password: str = NEW):
    client = app.test_client()
    page = client.get(path)
    if page.status_code != 200:
        return page
    return client.post(path, data={"password": password, "confirm": password,
                                   "csrf_token": csrf_from(page.text)})


def test_reset_by_email_sets_a_new_password_once(mail_app):
    user = make(mail_app)
    other = mail_app.test_client()
    assert sign_in(other, user.email, PASSWORD).status_code == 302
    (message,) = ask_for_reset(mail_app, "ANN@example.test")
    assert message.recipients == [user.email]
    path = link_in(message)
    assert set_new(mail_app, path).status_code == 302
    assert PasswordHasher().verify(stored_hash(mail_app, user.email), NEW)
    assert not is_signed_in(other)  # every session ended
    # Single use: the same link does nothing the second time.
    again = set_new(mail_app, path, "yet another passphrase")
    assert again.status_code == 404
    assert PasswordHasher().verify(stored_hash(mail_app, user.email), NEW)


def test_reset_for_an_unknown_email_sends_nothing_and_says_the_same(mail_app):
    make(mail_app)
    assert ask_for_reset(mail_app, "nobody@example.test") == []


def test_a_reset_link_expires(mail_app, monkeypatch):
    import time

    from itsdangerous.timed import TimestampSigner

    user = make(mail_app)
    hours = mail_app.config["PASSWORD_RESET_HOURS"]
    # A link asked for just over the limit ago.
    monkeypatch.setattr(TimestampSigner, "get_timestamp",
                        lambda self: int(time.time()) - hours * 3600 - 5)
    (message,) = ask_for_reset(mail_app, user.email)
    monkeypatch.undo()
    response = set_new(mail_app, link_in(message))
    assert response.status_code == 404
    assert PasswordHasher().verify(stored_hash(mail_app, user.email), PASSWORD)


@pytest.mark.parametrize("token", ["x", "a" * 5000, "eyJ1c2VyIjoxfQ.forged.sig"])
def test_a_forged_or_odd_reset_token_is_a_404(mail_app, token):
    make(mail_app)
    assert mail_app.test_client().get(f"/auth/reset/{token}").status_code == 404


def test_a_reset_link_stops_working_when_the_password_changes_otherwise(mail_app):
    user = make(mail_app)
    (message,) = ask_for_reset(mail_app, user.email)
    with mail_app.app_context():
        from canvas.accounts import set_password

        set_password(db.session.get(User, user.id), "changed some other way")
        db.session.commit()
    assert set_new(mail_app, link_in(message)).status_code == 404


def test_without_mail_the_reset_page_says_to_ask_a_teacher(client):
    page = client.get("/auth/reset")
    assert page.status_code == 200
    text = BeautifulSoup(page.text, "html.parser").select_one("#ask-someone").get_text()
    assert "ask your teacher" in text
    assert BeautifulSoup(page.text, "html.parser").select_one("main input[name=email]") is None


# --- set by an admin (and, with classes, a teacher) ----------------------------------------------

def admin_sets(session, user_id: int, password: str):
    return session.post(f"/admin/users/{user_id}/password", data={"password": password})


def test_an_admin_sets_a_users_password_and_signs_them_out(app, login, make_user):
    admin, student = make_user(role="admin"), make_user()
    theirs = login(student)
    response = admin_sets(login(admin), student.id, NEW)
    assert response.status_code == 302
    assert PasswordHasher().verify(stored_hash(app, student.email), NEW)
    assert not is_signed_in(theirs.client)


@pytest.mark.parametrize("role", ["student", "teacher", "entrepreneur"])
def test_no_one_else_sets_a_users_password(app, login, make_user, role):
    actor, student = make_user(role=role), make_user()
    response = admin_sets(login(actor), student.id, NEW)
    assert response.status_code == 403
    assert PasswordHasher().verify(stored_hash(app, student.email), PASSWORD)


def test_an_admin_signs_a_user_out_everywhere(app, login, make_user):
    admin, student = make_user(role="admin"), make_user()
    theirs = [login(student), login(student)]
    boss = login(admin)
    assert boss.post(f"/admin/users/{student.id}/sessions/end").status_code == 302
    assert not any(is_signed_in(s.client) for s in theirs)
    assert is_signed_in(boss.client)
    assert login(make_user()).post(f"/admin/users/{admin.id}/sessions/end").status_code == 403
    assert is_signed_in(boss.client)


def test_an_admin_set_password_follows_the_policy(app, login, make_user):
    admin, student = make_user(role="admin"), make_user()
    response = admin_sets(login(admin), student.id, "password1")
    assert response.status_code == 422
    assert PasswordHasher().verify(stored_hash(app, student.email), PASSWORD)


def test_set_password_by_the_rule(app, make_user):
    admin, teacher, student, other_admin = (make_user(role="admin"), make_user(role="teacher"),
                                            make_user(), make_user(role="admin"))
    email = student.email
    with app.app_context():
        admin, teacher, student, other_admin = (db.session.get(User, u.id) for u in
                                                (admin, teacher, student, other_admin))
        assert may_set_password(admin, student) and may_set_password(admin, other_admin)
        # A teacher only for students in a class they teach: none until classes exist.
        assert not may_set_password(teacher, student)
        assert not may_set_password(student, teacher)
        assert not may_set_password(admin, admin)  # one's own: change it, with the current one
        with pytest.raises(NotAllowed):
            set_password_by(teacher, student, NEW)
        with pytest.raises(AccountError):
            set_password_by(admin, student, "short")
        set_password_by(admin, student, NEW)
        db.session.commit()
    assert PasswordHasher().verify(stored_hash(app, email), NEW)


# --- argon2id parameters -------------------------------------------------------------------------

def test_sign_in_rehashes_when_the_parameters_change(app, make_user):
    user = make_user()
    before = stored_hash(app, user.email)
    assert "m=1024" in before
    app.config["PASSWORD_HASH_TEST_PARAMS"] = {"time_cost": 2, "memory_cost": 2048,
                                               "parallelism": 1}
    assert sign_in(app.test_client(), user.email, PASSWORD).status_code == 302
    after = stored_hash(app, user.email)
    assert after != before and "m=2048" in after and "t=2" in after
    assert PasswordHasher().verify(after, PASSWORD)
    # A failed sign-in rehashes nothing.
    app.config["PASSWORD_HASH_TEST_PARAMS"] = {"time_cost": 1, "memory_cost": 1024,
                                               "parallelism": 1}
    assert sign_in(app.test_client(), user.email, "wrong password here").status_code == 422
    assert stored_hash(app, user.email) == after


def test_production_parameters_are_argon2id_from_config(tmp_path):
    from canvas import create_app
    from canvas.accounts import hash_params

    app = create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert hash_params(app.config) == app.config["PASSWORD_HASH_PARAMS"]
    with app.app_context():
        from canvas.accounts import hasher

        assert hasher().hash("a sound password").startswith("$argon2id$")
