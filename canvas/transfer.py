"""Copy every row of one database into another: moving an install from SQLite to
PostgreSQL (docs/deploy.md).

    flask --app canvas db upgrade                       # with DATABASE_URL = the new one
    flask --app canvas transfer copy --from sqlite:////var/lib/canvas/canvas.sqlite3

Both databases must be at the same migration (the copy refuses otherwise) and the target
must be empty (the copy refuses otherwise, so running it twice cannot mix two installs).
Tables are copied parents first, in batches, in one transaction on the target: a copy that
fails leaves the target as empty as it was. Ids are kept (pages keep unsent text under them),
and PostgreSQL's sequences are moved past the largest id so new rows never reuse one.
"""

from __future__ import annotations

from collections.abc import Callable

import click
from alembic.runtime.migration import MigrationContext
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import Engine, create_engine, func, select, text

from .config import database_uri
from .extensions import db

BATCH = 500


class TransferError(RuntimeError):
    """The copy cannot be made; the message says why."""


def _revision(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def copy_database(source: Engine, target: Engine,
                  report: Callable[[str, int], None] = lambda table, rows: None) -> dict[str, int]:
    """Copy every table of the app from `source` into the empty `target`; returns the rows
    copied per table. Raises TransferError before writing anything if the two are not at
    the same migration or the target holds rows."""
    have, want = _revision(source), _revision(target)
    if not have:
        raise TransferError("the source database has no schema (no migration applied)")
    if have != want:
        raise TransferError(
            f"the source is at migration {', '.join(sorted(have))} and the target at "
            f"{', '.join(sorted(want)) or 'none'}: upgrade both (flask db upgrade) first")
    tables = db.metadata.sorted_tables  # parents before the rows that point at them
    copied: dict[str, int] = {}
    with source.connect() as read, target.begin() as write:
        for table in tables:
            if write.scalar(select(func.count()).select_from(table)):
                raise TransferError(f"the target already holds rows in {table.name}: "
                                    "copy only into a new, empty database")
        for table in tables:
            count = 0
            rows = read.execution_options(yield_per=BATCH).execute(
                select(table).order_by(*table.primary_key.columns))
            for batch in rows.mappings().partitions(BATCH):
                write.execute(table.insert(), [dict(row) for row in batch])
                count += len(batch)
            copied[table.name] = count
            report(table.name, count)
        if write.dialect.name == "postgresql":
            for table in tables:
                key = list(table.primary_key.columns)
                if len(key) == 1 and key[0].autoincrement is not False and str(
                        key[0].type).upper() in ("INTEGER", "BIGINT"):
                    # setval(seq, max, true): the next id is max + 1 (1 for an empty table).
                    write.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', "
                        f"'{key[0].name}'), COALESCE((SELECT MAX({key[0].name}) FROM "
                        f"{table.name}), 0) + 1, false)"))
    return copied


transfer_group = AppGroup("transfer", help="Move the data to another database.")


@transfer_group.command("copy")
@click.option("--from", "source_url", required=True,
              help="The database to copy from, e.g. sqlite:////var/lib/canvas/canvas.sqlite3.")
@with_appcontext
def copy_command(source_url: str) -> None:
    """Copy every row from --from into this app's database (DATABASE_URL), which must be
    migrated and empty."""
    source = create_engine(database_uri(source_url))
    try:
        copied = copy_database(source, db.engine,
                               lambda table, rows: click.echo(f"{table}: {rows} rows"))
    except TransferError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        source.dispose()
    click.echo(f"Copied {sum(copied.values())} rows in {len(copied)} tables.")


def init_app(app: Flask) -> None:
    app.cli.add_command(transfer_group)
