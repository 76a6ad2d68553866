"""Sign-up, sign-in, sign-out and the create-user command, through the Flask test client."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from canvas.extensions import db
from canvas.models import User
from tests.conftest import PASSWORD, csrf_from, field_error, input_value
from tests.dom import html_of

GOOD_PASSWORD = "a sound password"


# --- helpers ---------------------------------------------------------------------------------

def register_data(client, **overrides) -> dict:
    page = client.get("/auth/register")
    assert page.status_code == 200
    data = {"name": "Ann Andersen", "email": "ann@example.com", "role": "student",
            "language": "da", "password": GOOD_PASSWORD, "confirm": GOOD_PASSWORD,
            "csrf_token": csrf_from(page.text)}
    data.update(overrides)
    return data


def login_token(client) -> str:
    page = client.get("/auth/login")
    assert page.status_code == 200
    return csrf_from(page.text)


def is_signed_in(client) -> bool:
    """Home shows the user's canvases when signed in and the welcome page when not."""
    page = client.get("/")
    assert page.status_code == 200
    heading = html_of(page).heading()
    assert heading in ("My canvases", "Plan the relationships that keep your customers"), heading
    return heading == "My canvases"


def users_with_email(app, email: str) -> list[User]:
    with app.app_context():
        return list(db.session.scalars(select(User).where(User.email == email)))


# --- register --------------------------------------------------------------------------------

def test_register_page_renders(client):
    page = client.get("/auth/register")
    assert page.status_code == 200
    assert "Create an account" in page.text
    for name in ("name", "email", "password", "confirm", "csrf_token"):
        assert f'name="{name}"' in page.text


def test_register_creates_account_signs_in_and_goes_home(app, client):
    response = client.post("/auth/register", data=register_data(client))
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/"

    (user,) = users_with_email(app, "ann@example.com")
    assert user.name == "Ann Andersen"
    assert user.role == "student"
    assert user.language == "da"
    # Stored as an argon2 hash of the password, never the password itself.
    assert user.password_hash.startswith("$argon2")
    assert GOOD_PASSWORD not in user.password_hash
    assert PasswordHasher().verify(user.password_hash, GOOD_PASSWORD)

    home = client.get("/")
    assert home.status_code == 200
    assert html_of(home).heading() == "Mine canvasser"  # the language chosen at sign-up
    assert "Velkommen! Din konto er klar." in html_of(home).text(".flashes")
    assert "Ann Andersen" in home.text


def test_register_duplicate_email_is_refused_and_keeps_typed_name(app, client, make_user):
    make_user("ann@example.com")
    response = client.post("/auth/register", data=register_data(
        client, name="Another Ann", email="ANN@example.com"))
    assert response.status_code == 422
    assert "already exists" in field_error(response.text, "email")
    assert input_value(response.text, "name") == "Another Ann"
    assert input_value(response.text, "email") == "ANN@example.com"
    assert len(users_with_email(app, "ann@example.com")) == 1
    assert not is_signed_in(client)


def test_register_short_password_shows_message_beside_field(app, client):
    response = client.post("/auth/register", data=register_data(
        client, password="short", confirm="short"))
    assert response.status_code == 422
    assert "at least 10 characters" in field_error(response.text, "password")
    assert field_error(response.text, "confirm") == ""
    assert input_value(response.text, "name") == "Ann Andersen"
    assert users_with_email(app, "ann@example.com") == []


def test_register_mismatched_confirm_shows_message_beside_field(app, client):
    response = client.post("/auth/register", data=register_data(
        client, confirm="a different password"))
    assert response.status_code == 422
    assert "passwords differ" in field_error(response.text, "confirm")
    assert field_error(response.text, "password") == ""
    assert users_with_email(app, "ann@example.com") == []


def test_register_cannot_choose_admin_role(app, client):
    response = client.post("/auth/register", data=register_data(client, role="admin"))
    assert response.status_code == 422
    assert users_with_email(app, "ann@example.com") == []


# --- login -----------------------------------------------------------------------------------

def test_login_page_renders(client):
    page = client.get("/auth/login")
    assert page.status_code == 200
    assert 'name="email"' in page.text and 'name="password"' in page.text


def test_login_with_good_password_redirects_home(client, make_user):
    user = make_user("bo@example.test")
    response = client.post("/auth/login", data={
        "email": "Bo@Example.test", "password": PASSWORD, "csrf_token": login_token(client)})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/"
    assert is_signed_in(client)
    assert f'Sign out <span class="muted">({user.name})</span>' in client.get("/").text


def test_login_with_bad_password_is_refused_and_keeps_email(client, make_user):
    make_user("bo@example.test")
    response = client.post("/auth/login", data={
        "email": "bo@example.test", "password": "not the password",
        "csrf_token": login_token(client)})
    assert response.status_code == 422
    assert "The e-mail or the password is not right." in field_error(response.text, "password")
    assert input_value(response.text, "email") == "bo@example.test"
    # The password is never echoed back.
    page = html_of(response)
    assert page.heading() == "Sign in"
    assert page.one('input[name="password"]').get("value", "") == ""
    assert not page.mentions("not the password")
    assert not is_signed_in(client)


def test_login_with_unknown_email_gives_the_same_message(client):
    response = client.post("/auth/login", data={
        "email": "nobody@example.test", "password": PASSWORD, "csrf_token": login_token(client)})
    assert response.status_code == 422
    assert "The e-mail or the password is not right." in field_error(response.text, "password")


def test_login_follows_a_local_next(client, make_user):
    make_user("bo@example.test")
    response = client.post("/auth/login?next=/canvases/new", data={
        "email": "bo@example.test", "password": PASSWORD, "csrf_token": login_token(client)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/canvases/new"


def test_login_required_page_sends_back_after_login(client, make_user):
    make_user("bo@example.test")
    first = client.get("/bin")
    assert first.status_code == 302
    login_url = first.headers["Location"]
    assert urlsplit(login_url).path == "/auth/login"
    response = client.post(login_url, data={
        "email": "bo@example.test", "password": PASSWORD, "csrf_token": login_token(client)})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/bin"


OFF_SITE = ["//evil.test", "//evil.test/canvases", "http://evil.test", "https://evil.test/x",
            "/\\evil.test", "\\\\evil.test", "///evil.test", "javascript:alert(1)", "evil.test",
            "/\tevil.test", " //evil.test"]


def test_login_never_follows_next_off_site(app, make_user):
    make_user("bo@example.test")
    followed = {}
    for target in OFF_SITE:
        client = app.test_client()
        response = client.post("/auth/login", query_string={"next": target}, data={
            "email": "bo@example.test", "password": PASSWORD, "csrf_token": login_token(client)})
        assert response.status_code == 302, target
        location = response.headers["Location"]
        # Resolve it the way a browser does (browsers treat a backslash as a slash and drop
        # tabs and newlines).
        cleaned = re.sub(r"[\t\n\r]", "", location.replace("\\", "/")).strip()
        resolved = urlsplit(urljoin("http://localhost/auth/login", cleaned))
        if resolved.scheme not in ("http", "https") or resolved.netloc not in ("", "localhost"):
            followed[target] = location
    assert followed == {}


# --- logout ----------------------------------------------------------------------------------

def test_logout_is_post_only(login, make_user):
    session = login(make_user())
    response = session.get("/auth/logout")
    assert response.status_code == 405
    assert is_signed_in(session.client)


def test_logout_without_csrf_token_is_refused(login, make_user):
    session = login(make_user())
    response = session.client.post("/auth/logout")
    assert response.status_code == 400
    assert is_signed_in(session.client)


def test_logout_with_token_signs_out(login, make_user):
    session = login(make_user())
    response = session.post("/auth/logout")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/login"
    assert not is_signed_in(session.client)
    assert session.get("/canvases/new").status_code == 302


def test_login_without_csrf_token_is_refused(client, make_user):
    make_user("bo@example.test")
    response = client.post("/auth/login", data={"email": "bo@example.test",
                                                "password": PASSWORD})
    assert response.status_code == 400
    assert not is_signed_in(client)


def test_register_without_csrf_token_is_refused(app, client):
    data = register_data(client)
    del data["csrf_token"]
    response = client.post("/auth/register", data=data)
    assert response.status_code == 400
    assert users_with_email(app, "ann@example.com") == []


# --- the create-user command -----------------------------------------------------------------

def cli(app, runner, *args: str):
    """Run a command as `flask --app canvas ...` does: FlaskGroup pushes the app context."""
    with app.app_context():
        return runner.invoke(args=list(args))


def test_cli_create_user_makes_an_admin_who_can_sign_in(app, runner, client):
    result = cli(app, runner, "create-user", "Boss@Example.test",
                 "--role", "admin", "--password", GOOD_PASSWORD)
    assert result.exit_code == 0, result.output
    assert "Created the account Boss@Example.test (role: admin)." in result.output
    (user,) = users_with_email(app, "boss@example.test")
    assert user.role == "admin"

    response = client.post("/auth/login", data={
        "email": "boss@example.test", "password": GOOD_PASSWORD,
        "csrf_token": login_token(client)})
    assert response.status_code == 302
    assert is_signed_in(client)


def test_cli_create_user_refuses_a_duplicate(app, runner):
    first = cli(app, runner, "create-user", "boss@example.test",
                "--role", "admin", "--password", GOOD_PASSWORD)
    assert first.exit_code == 0, first.output
    again = cli(app, runner, "create-user", "BOSS@example.test",
                "--role", "teacher", "--password", "another sound password")
    assert again.exit_code != 0
    assert "already exists" in again.output
    (user,) = users_with_email(app, "boss@example.test")
    assert user.role == "admin"


def test_cli_create_user_refuses_an_unknown_role(app, runner):
    result = cli(app, runner, "create-user", "x@example.test",
                 "--role", "wizard", "--password", GOOD_PASSWORD)
    assert result.exit_code != 0
    assert users_with_email(app, "x@example.test") == []


@pytest.mark.parametrize("role", ["student", "teacher", "entrepreneur", "admin"])
def test_every_role_signs_in_and_reaches_home(login, make_user, make_canvas, role):
    user = make_user(role=role)
    make_canvas(user, title=f"Canvas of a {role}")
    session = login(user)  # asserts the 302 of a good sign-in
    home = session.get("/")
    assert home.status_code == 200
    assert "My canvases</h1>" in home.text
    assert f"Canvas of a {role}" in home.text
