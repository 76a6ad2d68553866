"""The classroom's migration: it builds exactly the tables the models describe, goes down and
up again, and works on PostgreSQL as on SQLite (`make test-postgres` runs this file on a
throwaway PostgreSQL server)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from canvas import create_app
from canvas.extensions import db
from tests.conftest import migrated_app
from tests.databases import database_uri, on_postgres

REVISION, BEFORE = "7b2f7c335b64", "c8d1e3f5a7b9"
TABLES = {"classes", "class_members", "assignments", "extensions", "submissions", "attempts",
          "feedback"}


def differences(app) -> list:
    """What autogenerate would change to make the database match the models, for the
    classroom's tables and the users' new column."""
    with app.app_context(), db.engine.connect() as connection:
        found = compare_metadata(MigrationContext.configure(connection), db.metadata)
    mine = []
    for diff in found:
        text = repr(diff)
        if any(f"'{table}'" in text for table in TABLES) or "awaiting_approval" in text:
            mine.append(diff)
    return mine


def test_the_migration_builds_what_the_models_describe(tmp_path: Path):
    app = migrated_app(tmp_path / "m.sqlite3")
    assert differences(app) == []
    with app.app_context():
        names = set(inspect(db.engine).get_table_names())
        assert names >= TABLES
        # Ids are never reused (AUTOINCREMENT), as in every table of the app.
        for table in TABLES if not on_postgres() else ():
            sql = db.session.execute(db.text(
                "SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}).scalar()
            assert "AUTOINCREMENT" in sql, table
        db.engine.dispose()


def test_the_migration_goes_down_and_up_again(tmp_path: Path):
    app = migrated_app(tmp_path / "m.sqlite3")
    with app.app_context():
        downgrade(revision=BEFORE)
        names = set(inspect(db.engine).get_table_names())
        assert not TABLES & names
        assert "awaiting_approval" not in {c["name"] for c in inspect(db.engine).get_columns(
            "users")}
        upgrade()
        assert set(inspect(db.engine).get_table_names()) >= TABLES
        db.engine.dispose()


@pytest.mark.skipif(not on_postgres(), reason="runs under make test-postgres")
def test_on_postgresql_the_migration_and_a_whole_review_loop_work(tmp_path: Path):
    from canvas.accounts import create_user
    from canvas.classroom import assignments as work
    from canvas.classroom import classes, counts, review
    from canvas.library import get_definitions, get_library
    from canvas.models import ClassMember, utcnow

    app = create_app({"TESTING": True, "SECRET_KEY": "pg",
                      "SQLALCHEMY_DATABASE_URI": database_uri(tmp_path / "unused")})
    with app.app_context():
        upgrade()
        assert differences(app) == []
        downgrade(revision=BEFORE)
        upgrade()
        teacher = create_user("t@example.test", "correct horse battery", role="teacher")
        student = create_user("s@example.test", "correct horse battery")
        db.session.flush()
        school_class = classes.create_class(teacher, "PG class", "nb")
        db.session.flush()
        db.session.add(ClassMember(class_id=school_class.id, user_id=student.id,
                                   role="student"))
        now = utcnow()
        assignment = work.create_assignment(school_class, "PG work", "worksheet",
                                            "customer-relationships", "", now,
                                            now + timedelta(days=1), None, get_definitions())
        submission = work.start(student, assignment, get_definitions(), now)
        attempt = work.submit(submission, assignment, None, work.snapshot_of(
            work.live_canvas(submission), get_definitions(), get_library()), now)
        db.session.commit()
        assert counts.needs_marking(teacher.id) == 1
        feedback = attempt.feedback
        feedback.comments, feedback.outcome = {"segment": "Sharper"}, "return"
        db.session.commit()
        review.release(submission, attempt, None, utcnow())
        db.session.commit()
        assert counts.new_feedback(student.id) == 1 and counts.needs_marking(teacher.id) == 0
        assert review.report_feedback(submission.canvas_id, submission.worksheet_id)[
            "comments"] == {"segment": "Sharper"}
        db.session.remove()
        db.engine.dispose()
