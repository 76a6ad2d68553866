"""Production settings: configuration from the host's environment, the health check, and
static files under content-hashed names with long cache headers."""

from __future__ import annotations

import re

import pytest
from flask_migrate import downgrade

from canvas import create_app
from canvas.config import from_environment
from canvas.extensions import db
from tests.conftest import migrated_app
from tests.databases import on_postgres

KEY = "k" * 64


@pytest.fixture
def clean_environment(monkeypatch):
    """No variable of the host's reaches the app unless the test sets it."""
    for name in ("DATABASE_URL", "SECRET_KEY", "REDIS_URL", "HTTPS", "PROXIES", "MAIL_SERVER",
                 "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_USERNAME",
                 "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER", "CANVAS_SECRET_KEY",
                 "CANVAS_SQLALCHEMY_DATABASE_URI", "CANVAS_HTTPS"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# --- configuration from the environment ---------------------------------------------------


def test_the_hosts_variables_configure_the_app(clean_environment, tmp_path):
    env = clean_environment
    env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    env.setenv("SECRET_KEY", KEY)
    env.setenv("REDIS_URL", "redis://127.0.0.1:6390/2")
    env.setenv("HTTPS", "true")
    env.setenv("PROXIES", "1")
    env.setenv("MAIL_SERVER", "smtp.school.test")
    env.setenv("MAIL_PORT", "587")
    env.setenv("MAIL_USE_TLS", "yes")
    env.setenv("MAIL_USERNAME", "canvas")
    env.setenv("MAIL_PASSWORD", "s3cret")
    env.setenv("MAIL_DEFAULT_SENDER", "Canvas <canvas@school.test>")
    app = create_app()
    config = app.config
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'env.sqlite3'}"
    assert config["SECRET_KEY"] == KEY
    assert config["REDIS_URL"] == "redis://127.0.0.1:6390/2"
    # Rate limits go to the same Redis when it is set (several server processes share them).
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6390/2"
    assert config["HTTPS"] is True and config["SESSION_COOKIE_SECURE"] is True
    assert config["PROXIES"] == 1
    assert (config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_USE_TLS"]) == (
        "smtp.school.test", 587, True)
    assert (config["MAIL_USERNAME"], config["MAIL_PASSWORD"]) == ("canvas", "s3cret")
    assert config["MAIL_DEFAULT_SENDER"] == "Canvas <canvas@school.test>"


def test_canvas_prefixed_variables_win_over_the_plain_ones(clean_environment, tmp_path):
    env = clean_environment
    env.setenv("SECRET_KEY", KEY)
    env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'plain.sqlite3'}")
    env.setenv("CANVAS_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'canvas.sqlite3'}")
    env.setenv("HTTPS", "on")
    env.setenv("CANVAS_HTTPS", "false")
    config = create_app().config
    assert config["SQLALCHEMY_DATABASE_URI"].endswith("canvas.sqlite3")
    assert config["HTTPS"] is False


@pytest.mark.parametrize(("url", "uri"), [
    ("postgres://u:p@db.school.test/canvas", "postgresql+psycopg://u:p@db.school.test/canvas"),
    ("postgresql://u@/canvas?host=/run/postgresql",
     "postgresql+psycopg://u@/canvas?host=/run/postgresql"),
    ("postgresql+psycopg://u@db/canvas", "postgresql+psycopg://u@db/canvas"),
    ("sqlite:////var/lib/canvas/canvas.sqlite3", "sqlite:////var/lib/canvas/canvas.sqlite3"),
])
def test_database_urls_as_hosts_write_them_use_the_installed_driver(url, uri):
    assert from_environment({"DATABASE_URL": url})["SQLALCHEMY_DATABASE_URI"] == uri


@pytest.mark.parametrize(("name", "value", "says"), [
    ("HTTPS", "maybe", "HTTPS='maybe'"),
    ("MAIL_USE_TLS", "tls", "MAIL_USE_TLS='tls'"),
    ("MAIL_PORT", "smtp", "MAIL_PORT='smtp': expected a whole number"),
    ("PROXIES", "1.5", "PROXIES='1.5'"),
])
def test_a_value_that_cannot_be_read_stops_start_up_naming_the_variable(
        clean_environment, name, value, says):
    clean_environment.setenv("SECRET_KEY", KEY)
    clean_environment.setenv(name, value)
    with pytest.raises(ValueError, match=re.escape(says)):
        create_app()


def test_empty_variables_are_not_settings(clean_environment):
    assert from_environment({"HTTPS": "", "SECRET_KEY": "  ", "MAIL_PORT": ""}) == {}


def test_a_secret_key_from_the_environment_is_still_checked(clean_environment, tmp_path):
    from canvas import InsecureConfig
    from canvas.config import DEV_SECRET_KEY

    clean_environment.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'k.sqlite3'}")
    clean_environment.setenv("SECRET_KEY", DEV_SECRET_KEY)
    with pytest.raises(InsecureConfig):
        create_app()


# --- the health check -----------------------------------------------------------------------


def test_healthz_is_ok_when_the_database_answers_at_the_head(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers  # no session for a load balancer


def test_healthz_is_503_with_the_reason_when_migrations_are_behind(app, client):
    from alembic.script import ScriptDirectory

    from canvas.health import MIGRATIONS

    script = ScriptDirectory(str(MIGRATIONS))
    (head,) = script.get_heads()
    before = script.get_revision(head).down_revision
    with app.app_context():
        downgrade(revision="-1")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert f"schema at {before}, the app needs {head}" in response.json["reason"]
    assert "db upgrade" in response.json["reason"]  # and what to do


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_healthz_is_503_on_an_empty_database(tmp_path):
    from tests.databases import database_uri

    app = create_app({"TESTING": True, "SECRET_KEY": "t",
                      "SQLALCHEMY_DATABASE_URI": database_uri(tmp_path / "empty.sqlite3")})
    response = app.test_client().get("/healthz")
    dispose(app)
    assert response.status_code == 503
    assert "schema at none" in response.json["reason"]


@pytest.mark.skipif(on_postgres(), reason="a SQLite file that cannot be opened")
def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "t",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no/such/dir/x.db"})
    response = app.test_client().get("/healthz")
    dispose(app)
    assert response.status_code == 503
    assert response.json["reason"].startswith("database unreachable: ")


def test_healthz_answers_over_http_on_an_https_site(tmp_path):
    app = migrated_app(tmp_path / "https.sqlite3", HTTPS=True)
    try:
        client = app.test_client()
        plain = "http://localhost"
        assert client.get("/healthz", base_url=plain).status_code == 200  # not redirected
        assert client.get("/auth/login", base_url=plain).status_code == 302  # pages are
    finally:
        dispose(app)


def test_healthz_is_not_rate_limited(app, client):
    for _ in range(100):
        assert client.get("/healthz").status_code == 200


# --- static files ---------------------------------------------------------------------------


def test_pages_name_static_files_by_their_content_and_those_are_cached_for_good(client):
    page = client.get("/auth/login").text
    css = re.search(r'href="(/static/css/app\.([0-9a-f]{12})\.css)"', page)
    assert css, "the stylesheet is not linked under a hashed name"
    js = re.search(r'src="(/static/js/site\.[0-9a-f]{12}\.js)"', page)
    assert js
    import hashlib

    with client.get(css.group(1)) as response, client.get("/static/css/app.css") as plain:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
        assert response.data == plain.data
        assert hashlib.sha256(response.data).hexdigest()[:12] == css.group(2)
    with client.get(js.group(1)) as response:
        assert response.status_code == 200


def test_plain_static_names_are_revalidated_and_carry_the_security_headers(client):
    with client.get("/static/js/save-core.js") as response:  # autosave.js imports it by name
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "max-age=0, public"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        etag = response.headers["ETag"]
    with client.get("/static/js/save-core.js", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304


def test_a_stale_hash_is_not_found(client):
    assert client.get("/static/css/app.000000000000.css").status_code == 404


# --- the same on both databases ---------------------------------------------------------------


def test_a_nul_character_in_a_form_or_query_is_refused_before_any_view(app, login, make_user):
    """PostgreSQL cannot store or even compare text with NUL (a 500 there); SQLite could.
    Refused alike on both, before a view reads it, and nothing is stored."""
    from sqlalchemy import func, select

    from canvas.models import Canvas
    from tests.conftest import csrf_from

    user = make_user()
    session = login(user)
    response = session.post("/canvases/new", {"title": "Glans\x00", "language": "en",
                                              "worksheet": ""})
    assert response.status_code == 400
    client = app.test_client()
    page = client.get("/auth/login")
    response = client.post("/auth/login", data={
        "email": "a\x00@example.test", "password": "x", "csrf_token": csrf_from(page.text)})
    assert response.status_code == 400
    assert login(make_user(role="admin")).get("/admin/users?q=%00").status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Canvas.id))) == 0
        db.session.remove()
