"""The database per dialect: write transactions that cannot interleave their checks.

SQLite (one file, one writer at a time): WAL, a busy timeout, and write transactions that
take the database's write lock at BEGIN (BEGIN IMMEDIATE), so a read-check-write inside one
is never interleaved with another writer.

PostgreSQL (many writers at once): a write transaction is a plain one, and what must not
interleave takes a lock: the loaders lock the row they check (`SELECT ... FOR UPDATE`, see
`lock_rows`) and code that counts before it inserts takes a lock on a key (`serialize`).
Sessions speak UTC, because the columns are `timestamp without time zone` holding UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from .extensions import db

IMMEDIATE = "canvas_begin_immediate"
# Set in the session's info while a write_transaction() runs.
WRITING = "canvas_writing"


SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")


def tune_sqlite(engine: Engine, busy_timeout_ms: int, immediate_writes: bool = True,
                synchronous: str = "FULL") -> None:
    """Make pysqlite leave transactions to us, so writes can say BEGIN IMMEDIATE.

    Measured here: with plain BEGIN, 176 of 200 concurrent saves failed with "database is
    locked" despite the busy timeout, because two readers upgrading to writers deadlock and
    SQLite gives up on one at once. Taking the write lock at BEGIN makes them queue instead.
    """
    if engine.dialect.name != "sqlite":
        return
    if synchronous not in SYNCHRONOUS:
        raise ValueError(f"SQLITE_SYNCHRONOUS must be one of {', '.join(SYNCHRONOUS)}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # FULL: an acknowledged save survives a power cut (NORMAL in WAL mode can lose the
        # last ones). bench/autosave.py measures what it costs.
        cursor.execute(f"PRAGMA synchronous = {synchronous}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = immediate_writes and conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def tune_postgres(engine: Engine) -> None:
    """Every PostgreSQL session speaks UTC.

    The columns are `timestamp without time zone` and the app writes aware UTC datetimes:
    psycopg sends those as timestamptz, which PostgreSQL turns into the session's local time
    before dropping the zone. In a server set to Europe/Oslo a sign-in would be stored an
    hour off, and session timeouts and locks would be an hour wrong."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
        dbapi_connection.commit()


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run a block of writes in one transaction in which checks cannot interleave.

    Any read transaction the request already opened is closed first: SQLite cannot upgrade
    it safely, and a PostgreSQL row read before it would not be locked. Commits on success,
    rolls back on error.
    """
    db.session.commit()
    db.session.connection(execution_options={IMMEDIATE: True})
    db.session.info[WRITING] = True
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        db.session.info.pop(WRITING, None)


def lock_rows() -> bool:
    """Whether a loader should lock the row it reads (`SELECT ... FOR UPDATE`): inside a
    write_transaction() on a database that locks rows. SQLite has no row locks and needs
    none: BEGIN IMMEDIATE already keeps every other writer out."""
    return bool(db.session.info.get(WRITING)) and db.session.get_bind().dialect.name != "sqlite"


def serialize(key: str) -> None:
    """Hold a lock on `key` until the write transaction ends, so two transactions that count
    rows and then insert one (sign-in failures, jobs in flight) run one after the other.
    PostgreSQL: a transaction-level advisory lock; SQLite: BEGIN IMMEDIATE already does."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                           {"key": key})


def init_app(app: Flask) -> None:
    """Tune the engine once the app's database is configured."""
    with app.app_context():
        tune_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"],
                    app.config["SQLITE_IMMEDIATE_WRITES"], app.config["SQLITE_SYNCHRONOUS"])
        tune_postgres(db.engine)
