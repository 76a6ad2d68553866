"""The health check for load balancers and process managers.

    /healthz   GET   200 {"status": "ok"} when the database answers and its schema is at the
                     migrations' head; otherwise 503 {"status": "unavailable", "reason": ...}

No session, no cookie, no rate limit and no https redirect: a load balancer asks every few
seconds, often over plain http on the private side of the proxy.
"""

from __future__ import annotations

from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from .extensions import csrf, db, limiter

bp = Blueprint("health", __name__)
MIGRATIONS = Path(__file__).parent / "migrations"


def migration_heads(directory: Path = MIGRATIONS) -> set[str]:
    """The revisions a current database is at (read from the migration files)."""
    return set(ScriptDirectory(str(directory)).get_heads())


def problem(expected: set[str]) -> str | None:
    """Why the app cannot serve (None: it can): the database does not answer, or its schema
    is not at `expected`."""
    try:
        with db.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except SQLAlchemyError as exc:
        # The driver's message names the server and the error, never the password.
        return f"database unreachable: {type(exc.orig or exc).__name__}"
    if current != expected:
        have = ", ".join(sorted(current)) or "none"
        return (f"database schema at {have}, the app needs {', '.join(sorted(expected))}: "
                "run `flask --app canvas db upgrade`")
    return None


@bp.get("/healthz")
@limiter.exempt
@csrf.exempt
def check():
    reason = problem(current_app.extensions["canvas_migration_heads"])
    if reason is None:
        response = jsonify(status="ok")
    else:
        current_app.logger.warning("health check: %s", reason)
        response = jsonify(status="unavailable", reason=reason)
        response.status_code = 503
    response.headers["Cache-Control"] = "no-store"
    return response


# Talisman's per-view options: answer over http too (a load balancer's check).
check.talisman_view_options = {"force_https": False}


def init_app(app: Flask) -> None:
    """Read the migration heads once (they cannot change while the app runs)."""
    app.extensions["canvas_migration_heads"] = migration_heads()
    app.register_blueprint(bp)
