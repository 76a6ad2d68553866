"""Moving an install to another database (SQLite to PostgreSQL under make test-postgres):
every row copied with its id, sequences moved on, and refusals before anything is written."""

from __future__ import annotations

import json

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, func, select

from canvas import create_app
from canvas.accounts import create_user
from canvas.canvases.service import create_canvas, take_snapshot
from canvas.extensions import db
from canvas.library import get_definitions, get_library
from canvas.models import Canvas, Job, User, utcnow
from tests.conftest import PASSWORD, migrated_app


@pytest.fixture
def source(tmp_path):
    """A SQLite install with some of everything: users, canvases with blocks, worksheets with
    answers, a saved version, a session, audit rows, a finished job with its file."""
    app = create_app({"TESTING": True, "SECRET_KEY": "s",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with app.app_context():
        upgrade()
        teacher = create_user("tove@example.test", PASSWORD, "Tove Lærer", "teacher", "da")
        student = create_user("sam@example.test", PASSWORD, "Sam «Student»", "student", "en")
        definition = get_definitions()["customer-relationships"]
        canvas = create_canvas(student, "Glans Rengøring", "da", [definition])
        canvas.blocks = {"customer-segments": [{"id": "s1", "text": "Små kontorer æøå",
                                                "segment": None}]}
        canvas.worksheets[0].answers = {"segment": "Kontorer", "value_proposition": "Rent"}
        create_canvas(teacher, "Empty", "en", [])
        db.session.flush()
        take_snapshot(canvas, "first version", get_definitions(), get_library())
        db.session.add(Job(id="j" * 32, kind="pdf", owner_id=student.id, state="done",
                           params={"kind": "poster"}, timeout_seconds=60, max_bytes=10**6,
                           deadline=utcnow(), finished_at=utcnow(), result=b"%PDF-\x00\xff",
                           result_name="poster.pdf", result_type="application/pdf"))
        db.session.commit()
    yield app, tmp_path / "old.sqlite3"
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def rows(engine) -> dict[str, list[dict]]:
    """Every row of every table, comparable across databases."""
    out = {}
    with engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            found = conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
            out[table.name] = [json.loads(json.dumps(dict(row), default=repr)) for row in found]
    return out


def test_copy_moves_every_row_with_its_id(source, tmp_path):
    old_app, old_file = source
    target = migrated_app(tmp_path / "new.sqlite3")
    try:
        result = target.test_cli_runner().invoke(
            args=["transfer", "copy", "--from", f"sqlite:///{old_file}"])
        assert result.exit_code == 0, result.output
        assert "users: 2 rows" in result.output and "canvases: 2 rows" in result.output
        old = create_engine(f"sqlite:///{old_file}")
        with target.app_context():
            assert rows(db.engine) == rows(old)
            assert db.session.scalar(select(Job.result)) == b"%PDF-\x00\xff"
            canvas = db.session.scalar(select(Canvas).where(Canvas.title == "Glans Rengøring"))
            assert canvas.blocks["customer-segments"][0]["text"] == "Små kontorer æøå"
            assert canvas.worksheets[0].answers["segment"] == "Kontorer"
            # New rows get new ids, never one that was used (the sequences moved on).
            newest = create_user("new@example.test", PASSWORD)
            db.session.commit()
            assert newest.id > db.session.scalar(
                select(func.max(User.id)).where(User.id != newest.id))
            db.session.remove()
        old.dispose()
    finally:
        with target.app_context():
            db.session.remove()
            db.engine.dispose()


def test_copy_refuses_a_target_that_holds_rows(source, tmp_path, make_user):
    _, old_file = source
    target = migrated_app(tmp_path / "busy.sqlite3")
    try:
        with target.app_context():
            create_user("already@example.test", PASSWORD)
            db.session.commit()
        result = target.test_cli_runner().invoke(
            args=["transfer", "copy", "--from", f"sqlite:///{old_file}"])
        assert result.exit_code != 0
        assert "already holds rows in users" in result.output
        with target.app_context():
            assert db.session.scalar(select(func.count(User.id))) == 1  # nothing was added
            db.session.remove()
    finally:
        with target.app_context():
            db.engine.dispose()


def test_copy_refuses_databases_at_different_migrations(source, tmp_path):
    _, old_file = source
    target = migrated_app(tmp_path / "behind.sqlite3")
    try:
        with target.app_context():
            downgrade(revision="-1")
        result = target.test_cli_runner().invoke(
            args=["transfer", "copy", "--from", f"sqlite:///{old_file}"])
        assert result.exit_code != 0
        assert "upgrade both" in result.output
    finally:
        with target.app_context():
            db.session.remove()
            db.engine.dispose()
