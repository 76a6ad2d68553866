"""Fixtures around the app factory: a fresh app and a temporary SQLite file per test."""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import event

from canvas import create_app
from canvas.accounts import create_user
from canvas.canvases.service import create_canvas
from canvas.extensions import db
from canvas.library import get_definitions
from canvas.models import Canvas, User
from tests.databases import database_uri
from tests.dom import html_of

PASSWORD = "correct horse battery"
ROOT = Path(__file__).resolve().parent.parent


_made: list[Flask] = []  # apps made during the current test


def migrated_app(database: Path, **config: object) -> Flask:
    """An app on the SQLite file `database` (or a fresh PostgreSQL schema, under
    `make test-postgres`), migrated with the real Alembic migrations. Its connections are
    closed after the test (close_made_apps), whoever made it."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": database_uri(database), **config})
    with app.app_context():
        upgrade()
    _made.append(app)
    return app


@pytest.fixture(autouse=True)
def close_made_apps() -> Iterator[None]:
    """Close the pooled connections of every app a test made: left to the garbage collector,
    a PostgreSQL connection warns (ResourceWarning) in whichever later test it is collected."""
    yield
    while _made:
        made = _made.pop()
        with made.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """An app on its own SQLite file."""
    app = migrated_app(tmp_path / "test.sqlite3")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create a user: make_user("a@b.test", role="teacher", language="da")."""
    counter = iter(range(10_000))

    def make(email: str | None = None, role: str = "student", language: str = "en") -> User:
        with app.app_context():
            user = create_user(email or f"user{next(counter)}@example.test", PASSWORD,
                               role=role, language=language)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


@pytest.fixture
def make_canvas(app: Flask) -> Callable[..., tuple[int, list[int]]]:
    """Create a canvas with worksheets; returns (canvas id, [worksheet ids])."""

    def make(user: User, title: str = "My business", language: str = "en",
             worksheets: tuple[str, ...] = ("customer-relationships",)) -> tuple[int, list[int]]:
        with app.app_context():
            owner = db.session.get(User, user.id)
            definitions = get_definitions()
            canvas = create_canvas(owner, title, language, [definitions[w] for w in worksheets])
            db.session.commit()
            return canvas.id, [ws.id for ws in canvas.worksheets]

    return make


def field_error(page: str, input_id: str) -> str:
    """The text of the error paragraph beside an input ('' when there is none)."""
    match = re.search(rf'id="{re.escape(input_id)}-error"[^>]*>(.*?)</p>', page, re.S)
    assert match, f"no error slot for {input_id!r} on the page"
    return html.unescape(match.group(1)).strip()


def input_value(page: str, name: str) -> str | None:
    """What an <input> or <textarea> named `name` shows (None when it is not on the page)."""
    for tag in re.findall(r"<input\b[^>]*>", page):
        if re.search(rf'\bname="{re.escape(name)}"', tag):
            value = re.search(r'\bvalue="([^"]*)"', tag)
            return html.unescape(value.group(1)) if value else ""
    area = re.search(rf'<textarea\b[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</textarea>',
                     page, re.S)
    if area:
        return html.unescape(area.group(1)).removeprefix("\r\n").removeprefix("\n")
    return None


def csrf_from(page: str) -> str:
    """The CSRF token rendered into a page."""
    match = re.search(r'name="csrf-token" content="([^"]+)"', page) or re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Session:
    """A signed-in test client that knows its CSRF token."""

    def __init__(self, client: FlaskClient, user: User) -> None:
        self.client, self.user = client, user
        page = client.get("/auth/login")
        response = client.post("/auth/login", data={
            "email": user.email, "password": PASSWORD, "csrf_token": csrf_from(page.text)})
        assert response.status_code == 302, response.text
        self.csrf = csrf_from(client.get("/").text)

    def get(self, url: str, **kw):
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict | None = None, **kw):
        return self.client.post(url, data={"csrf_token": self.csrf, **(data or {})}, **kw)

    def autosave(self, worksheet_id: int, step: str, version: int, fields: dict, **kw):
        import json

        return self.client.post(
            f"/worksheets/{worksheet_id}/steps/{step}/autosave",
            data=json.dumps({"version": version, "step": step, "fields": fields}),
            headers={"X-CSRFToken": self.csrf, "Content-Type": "application/json"}, **kw)


@pytest.fixture
def login(app: Flask) -> Callable[[User], Session]:
    """Sign a user in on a fresh client: session = login(user)."""

    def sign_in(user: User) -> Session:
        return Session(app.test_client(), user)

    return sign_in


def stored_answers(app: Flask, worksheet_id: int) -> tuple[int, dict]:
    """(version, answers) as stored in the database."""
    from canvas.models import Worksheet

    with app.app_context():
        ws = db.session.get(Worksheet, worksheet_id)
        return ws.version, copy.deepcopy(ws.answers)


def path_of(response) -> str:
    """The path a redirect points to."""
    return urlsplit(response.headers["Location"]).path


def assert_not_found(response, *hidden: str) -> None:
    """The response is the app's 404, as a page or (for the scripts) as JSON, and none of the
    `hidden` words appear in it."""
    assert response.status_code == 404, (response.request.path, response.status_code)
    if response.is_json:
        error = response.get_json()
        assert (error["status"], error["code"]) == ("error", 404) and error["message"], error
        body = response.get_data(as_text=True)
        assert not [words for words in hidden if words in body], body
    else:
        page = html_of(response)
        assert page.heading() == "Not found"
        assert not [words for words in hidden if page.mentions(words)], page.text("main")


__all__ = ["PASSWORD", "ROOT", "Canvas", "Session", "assert_not_found", "csrf_from",
           "field_error", "input_value", "migrated_app", "path_of", "stored_answers"]


@pytest.fixture(scope="session")
def kit() -> dict:
    """What the PDF renderer takes besides the document: the content library, the worksheet
    definitions, the Jinja environment and the process's one FontConfiguration."""
    from canvas.exports.pdf import make_environment
    from canvas.exports.worker import font_config
    from canvas.library import load

    library, definitions = load(ROOT / "content")
    return {"library": library, "definitions": definitions,
            "env": make_environment(ROOT / "templates"), "fonts": font_config()}


def text_of(pdf: bytes) -> str:
    """The text of every page of a PDF (which it checks is one)."""
    import io

    from pypdf import PdfReader

    assert pdf.startswith(b"%PDF-")
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def squash(text: str) -> str:
    """Text without any whitespace: lines wrap anywhere in narrow blocks."""
    return re.sub(r"\s+", "", text)


@contextmanager
def sql_statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app's engine runs inside the block (BEGIN included: it is a
    round trip too), for tests that hold a page's query count flat as the data grows."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
