"""Which database the suite runs on: a temporary SQLite file per app by default, or, when
CANVAS_TEST_DATABASE_URL names a PostgreSQL database (`make test-postgres` starts a
throwaway server), a fresh schema in it per app, so tests never see each other's rows."""

from __future__ import annotations

import atexit
import os
import secrets
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

POSTGRES_URL = os.environ.get("CANVAS_TEST_DATABASE_URL", "")
_admin: Engine | None = None
_schemas: list[str] = []


def on_postgres() -> bool:
    """Whether this run's apps use PostgreSQL."""
    return bool(POSTGRES_URL)


def _admin_engine() -> Engine:
    global _admin
    if _admin is None:
        _admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", pool_size=1)
        atexit.register(_drop_schemas)
    return _admin


def _drop_schemas() -> None:
    """Drop the schemas this process made (the server may outlive the run)."""
    if _admin is None:
        return
    with _admin.connect() as conn:
        for schema in _schemas:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    _admin.dispose()


def database_uri(sqlite_file: Path) -> str:
    """The URI for a fresh, empty database: the SQLite file given, or a new PostgreSQL
    schema (the connection's search_path) named after it."""
    if not POSTGRES_URL:
        return f"sqlite:///{sqlite_file}"
    schema = f"t_{secrets.token_hex(6)}"
    with _admin_engine().connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    _schemas.append(schema)
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options={quote(f'-csearch_path={schema}')}"
