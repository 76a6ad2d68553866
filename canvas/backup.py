"""Backups of an SQLite database while the app runs, and restoring one after checking it.

SQLite's online backup API copies the database page by page under its own locks, so a
backup taken while people type is a consistent snapshot (a plain file copy of a WAL database
is not). A restore checks the file first (SQLite's integrity check, and that it is this app's
database at a migration this code knows), then copies it over the live database with the
same API and brings it up to the current migration.

PostgreSQL keeps its own tools: `pg_dump --format=custom` and `pg_restore` (see
docs/deploy.md); the commands say so rather than half-doing it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why and what to do."""


POSTGRES_ADVICE = (
    "This install uses {dialect}. Back it up with its own tools, which work while the app runs: "
    "`pg_dump --format=custom --file=canvas.dump \"$DATABASE_URL\"`, and restore with "
    "`pg_restore --clean --if-exists --dbname=\"$DATABASE_URL\" canvas.dump` (docs/deploy.md)."
)


def sqlite_path(database_uri: str) -> Path:
    """The file of an SQLite database URI; BackupError for any other database."""
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite":
        raise BackupError(POSTGRES_ADVICE.format(dialect=url.get_backend_name()))
    if not url.database or url.database == ":memory:":
        raise BackupError("The database is in memory: there is nothing on disk to back up.")
    return Path(url.database)


def _copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    # Pages in steps, so writers are held up only briefly at a time.
    source.backup(target, pages=256)


def backup(database_uri: str, destination: Path) -> Path:
    """Copy the live database to `destination` (a new file); returns the path."""
    source_path = sqlite_path(database_uri)
    if not source_path.exists():
        raise BackupError(f"There is no database at {source_path}.")
    destination = Path(destination)
    if destination.exists():
        raise BackupError(f"{destination} exists already; choose a new file name.")
    destination.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(destination)
    try:
        _copy(source, target)
    finally:
        target.close()
        source.close()
    check(destination)
    return destination


def check(path: Path, known_revisions: set[str] | None = None) -> str:
    """The migration revision of a backup file; BackupError unless it is a sound SQLite
    database of this app (at a revision this code knows, when `known_revisions` is given)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no file at {path}.")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchall()
            if result != [("ok",)]:
                raise BackupError(f"{path} is damaged: {result[:3]}")
            tables = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"alembic_version", "users", "canvases"} <= tables:
                raise BackupError(f"{path} is not a database of this app.")
            (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not an SQLite database ({exc}).") from exc
    if known_revisions is not None and revision not in known_revisions:
        raise BackupError(f"{path} is at migration {revision}, which this version of the app "
                          "does not know (is it from a newer version?).")
    return revision


def restore(database_uri: str, source_file: Path, known_revisions: set[str]) -> str:
    """Replace the live database with a checked backup; returns the backup's revision.
    The caller brings the restored database up to the current migration."""
    revision = check(source_file, known_revisions)
    target_path = sqlite_path(database_uri)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{Path(source_file)}?mode=ro", uri=True)
    target = sqlite3.connect(target_path)
    try:
        _copy(source, target)
    finally:
        target.close()
        source.close()
    return revision
