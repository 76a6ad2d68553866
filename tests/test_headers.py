"""Security headers on every response, no-store for signed-in users, the HTTPS setting, and
the refusal to start with the built-in secret key."""

from __future__ import annotations

import re

import pytest

from canvas import InsecureConfig, create_app
from canvas.extensions import db
from tests.conftest import migrated_app

CSP = ("default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
       "form-action 'self'")


def directives(header: str) -> dict[str, str]:
    return {part.split()[0]: " ".join(part.split()[1:])
            for part in header.split(";") if part.strip()}


def assert_security_headers(response, what: str) -> None:
    headers = response.headers
    assert directives(headers.get("Content-Security-Policy", "")) == directives(CSP), what
    assert headers.get("X-Frame-Options") == "DENY", what
    assert headers.get("X-Content-Type-Options") == "nosniff", what
    assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", what
    policy = headers.get("Permissions-Policy", "")
    assert "camera=()" in policy and "microphone=()" in policy and "geolocation=()" in policy
    # The app names no server or version (the WSGI server in front is the deployment's).
    assert not re.search(r"\d", headers.get("Server", "")), what
    assert "X-Powered-By" not in headers


def sample_urls(app, canvas_id: int, worksheet_id: int, **more: object
                ) -> list[str]:
    """A GET URL for every GET route of the app."""
    values = {"canvas_id": canvas_id, "worksheet_id": worksheet_id, "session_id": 1,
              "user_id": 1, "number": 1, "language": "en", "page_id": "x", "step_id": "x",
              "token": "x", "filename": "css/app.css", "block": "channels", "item_id": "x",
              "class_id": 1, "assignment_id": 1, "student_id": 1, "code": "x", "job_id": "x",
              **more}
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods:
            urls.append(rule.build({k: values[k] for k in rule.arguments})[1])
    return urls


@pytest.mark.parametrize("who", ["anonymous", "student", "teacher", "admin"])
def test_every_get_route_sends_the_security_headers(app, login, make_user, make_canvas, who):
    from tests.classroom import add_assignment, make_class

    owner = make_user()
    canvas_id, (worksheet_id,) = make_canvas(owner)
    teacher = make_user(role="teacher")
    room = add_assignment(app, make_class(app, teacher, [owner]))
    client = app.test_client() if who == "anonymous" else login(
        {"student": owner, "teacher": teacher}.get(who) or make_user(role="admin")).client
    for url in sample_urls(app, canvas_id, worksheet_id, class_id=room.class_id,
                           assignment_id=room.assignment_id, student_id=owner.id):
        with client.get(url) as response:
            assert_security_headers(response, f"{who} GET {url} ({response.status_code})")


def test_error_pages_and_posts_send_them_too(client):
    assert_security_headers(client.get("/no/such/page"), "404")
    assert_security_headers(client.post("/auth/login"), "400 (no CSRF token)")
    assert_security_headers(client.get("/canvases/99999999999999999999999"), "huge id")


def test_signed_in_responses_are_not_stored(app, login, make_user, make_canvas):
    user = make_user()
    canvas_id, _ = make_canvas(user)
    session = login(user)
    for url in ("/", f"/canvases/{canvas_id}/delete", "/account", "/no/such/page",
                "/canvases/123456/rename"):
        assert "no-store" in session.get(url).headers.get("Cache-Control", ""), url


def test_public_files_may_be_cached_when_signed_out(client):
    with client.get("/static/css/app.css") as response:
        assert "no-store" not in response.headers.get("Cache-Control", "")


def test_the_delete_confirmation_cannot_be_framed(login, make_user, make_canvas):
    user = make_user()
    canvas_id, _ = make_canvas(user)
    response = login(user).get(f"/canvases/{canvas_id}/delete")
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "DENY"
    assert directives(response.headers["Content-Security-Policy"])["frame-ancestors"] == "'none'"


def test_without_https_cookies_are_not_secure_and_no_hsts(client, make_user):
    user = make_user()
    page = client.get("/auth/login")
    assert "Strict-Transport-Security" not in page.headers
    from tests.conftest import PASSWORD, csrf_from

    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD,
                                                 "csrf_token": csrf_from(page.text)})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


@pytest.fixture
def https_app(tmp_path):
    app = migrated_app(tmp_path / "https.sqlite3", HTTPS=True)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_https_true_makes_cookies_secure_sends_hsts_and_redirects_http(https_app):
    from canvas.accounts import create_user
    from tests.conftest import PASSWORD, csrf_from

    with https_app.app_context():
        create_user("ann@example.test", PASSWORD)
        db.session.commit()
    client = https_app.test_client()
    plain = client.get("/auth/login", base_url="http://localhost")
    assert plain.status_code == 302
    assert plain.headers["Location"].startswith("https://")
    page = client.get("/auth/login", base_url="https://localhost")
    assert page.status_code == 200
    hsts = page.headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000
    # Over https Flask-WTF also checks that the form came from this site (Referer).
    response = client.post("/auth/login", base_url="https://localhost", data={
        "email": "ann@example.test", "password": PASSWORD, "csrf_token": csrf_from(page.text)},
        headers={"Referer": "https://localhost/auth/login"})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie


def test_behind_a_proxy_the_forwarded_scheme_and_address_are_used(tmp_path):
    app = migrated_app(tmp_path / "proxy.sqlite3", HTTPS=True, PROXIES=1)
    client = app.test_client()
    response = client.get("/auth/login", headers={"X-Forwarded-Proto": "https",
                                                  "X-Forwarded-For": "192.0.2.77"})
    assert response.status_code == 200
    assert "Strict-Transport-Security" in response.headers
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- the secret key ---------------------------------------------------------------------------

@pytest.mark.parametrize("config", [{}, {"SECRET_KEY": "dev-only-change-me"}, {"SECRET_KEY": ""}])
def test_the_app_refuses_to_start_with_the_built_in_key(config):
    with pytest.raises(InsecureConfig) as refused:
        create_app(config)
    message = str(refused.value)
    assert "make run" in message and "instance" in message and "config.py" in message
    assert "CANVAS_SECRET_KEY" in message


def test_debug_and_tests_may_use_the_built_in_key():
    assert create_app({"DEBUG": True}).config["SECRET_KEY"] == "dev-only-change-me"
    assert create_app({"TESTING": True}).config["SECRET_KEY"] == "dev-only-change-me"


def test_a_key_of_its_own_starts(tmp_path):
    app = create_app({"SECRET_KEY": "a long random key of this install",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'k.sqlite3'}"})
    assert app.config["SECRET_KEY"] == "a long random key of this install"


def test_the_environment_variable_sets_the_key(monkeypatch, tmp_path):
    monkeypatch.setenv("CANVAS_SECRET_KEY", "from the environment")
    monkeypatch.setenv("CANVAS_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'e.sqlite3'}")
    assert create_app().config["SECRET_KEY"] == "from the environment"
