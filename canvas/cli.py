"""Command-line tools: `flask --app canvas <command>`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from .accounts import AccountError, create_user, find_user
from .content.check import check_tree
from .extensions import db
from .languages import LANGUAGES
from .models import ROLES, Canvas

DEMO_PASSWORD = "demo-password"
# (e-mail, name, role, language, example canvases to load)
DEMO_USERS = (
    ("teacher@demo.test", "Tove Teacher", "teacher", "da", ["cleaning-copenhagen.da"]),
    ("student1@demo.test", "Sam Student", "student", "en", ["cleaning-copenhagen.en"]),
    ("student2@demo.test", "Siri Elev", "student", "nb", ["football-boots.nb"]),
    ("founder@demo.test", "Frida Founder", "entrepreneur", "da", ["football-boots.da",
                                                                 "cleaning-copenhagen.da"]),
)


@click.group("content", cls=AppGroup)
def content_group() -> None:
    """Learning content tools."""


@content_group.command("check")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="Content tree to check (default: the app's CONTENT_DIR).")
def content_check(directory: Path | None) -> None:
    """Validate front matter, ids in every language, internal links and worksheets."""
    target = directory or Path(current_app.config["CONTENT_DIR"])
    problems = check_tree(target, tuple(LANGUAGES))
    if problems:
        for line in problems:
            click.echo(f"- {line}", err=True)
        raise click.ClickException(ngettext("%(num)d problem in %(tree)s",
                                            "%(num)d problems in %(tree)s", len(problems),
                                            tree=str(target)))
    click.echo(_("Content in %(tree)s is sound.", tree=str(target)))


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="student", show_default=True)
@click.option("--name", default="", help="Display name (default: the part before @).")
@click.option("--language", type=click.Choice(LANGUAGES), default="en")
@click.password_option(help="Asked for when not given.")
@with_appcontext
def create_user_command(email: str, role: str, name: str, language: str, password: str) -> None:
    """Create a user with a role, for example an admin or a teacher."""
    try:
        create_user(email, password, name, role, language)
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(_("Created the account %(email)s (role: %(role)s).", email=email, role=role))


@click.group("demo", cls=AppGroup)
def demo_group() -> None:
    """Demo data."""


@demo_group.command("load")
def demo_load() -> None:
    """Load demo users and their canvases (skips users that exist), then print the logins."""
    from .canvases.service import import_canvas
    from .library import get_definitions, load_document

    examples = Path(current_app.config["CONTENT_DIR"]) / "examples"
    for email, name, role, language, canvases in DEMO_USERS:
        if find_user(email) is not None:
            continue
        user = create_user(email, DEMO_PASSWORD, name, role, language)
        for example in canvases:
            data = json.loads((examples / f"{example}.json").read_text(encoding="utf-8"))
            import_canvas(user, load_document(data), get_definitions())
    db.session.flush()
    from .classroom.demo import load_demo_class
    from .library import get_library

    made_class = load_demo_class(find_user("teacher@demo.test"),
                                 [find_user("student1@demo.test"),
                                  find_user("student2@demo.test")],
                                 examples, get_definitions(), get_library(), DEMO_PASSWORD)
    db.session.commit()
    click.echo(_("Demo logins (password for all: %(password)s):", password=DEMO_PASSWORD))
    for email, _name, role, language, _examples in DEMO_USERS:
        count = db.session.scalar(select(db.func.count(Canvas.id)).join(Canvas.owner)
                                  .where(Canvas.owner.has(email=email)))
        canvases = ngettext("%(num)d canvas", "%(num)d canvases", count)
        click.echo(f"  {role:<12} {email:<22} ({language}, {canvases})")
    if made_class:
        click.echo(_("The teacher's class has an assignment with hand-ins waiting for marking, "
                     "work returned for revision and approved, drafts, a late hand-in and "
                     "ten classmates (password: %(password)s) whose answers fill the class "
                     "picture.", password=DEMO_PASSWORD))


@click.command("purge-bin")
@with_appcontext
def purge_bin() -> None:
    """Delete canvases that have been in the recycle bin longer than RECYCLE_BIN_DAYS."""
    from .canvases.service import purge_expired
    from .worksheets.service import purge_refused

    days = current_app.config["RECYCLE_BIN_DAYS"]
    count = purge_expired(days)
    refused = purge_refused(days)
    db.session.commit()
    click.echo(ngettext("Deleted %(num)d canvas from the recycle bin.",
                        "Deleted %(num)d canvases from the recycle bin.", count))
    age = ngettext("%(num)d day", "%(num)d days", days)
    click.echo(ngettext("Deleted %(num)d text that was not saved, older than %(age)s.",
                        "Deleted %(num)d texts that were not saved, older than %(age)s.",
                        refused, age=age))


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config()
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Copy the SQLite database to PATH while the app runs (SQLite's online backup)."""
    from .backup import BackupError, backup

    try:
        made = backup(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(_("Backed up the database to %(path)s (%(kb)d KB).", path=str(made),
                 kb=made.stat().st_size // 1024))


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database with the backup at PATH, after checking it; stop the app first."""
    from flask_migrate import upgrade

    from .backup import BackupError, check, restore

    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    known = _known_revisions()
    try:
        revision = check(path, known)
        if not yes:
            click.confirm(_("Replace the database with %(path)s (migration %(revision)s)? "
                            "Everything saved since that backup is lost.", path=str(path),
                            revision=revision), abort=True)
        db.session.remove()
        db.engine.dispose()  # no pooled connection may outlive the old file's contents
        restore(uri, path, known)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    upgrade()
    click.echo(_("Restored %(path)s (it was at migration %(revision)s; now up to date).",
                 path=str(path), revision=revision))


def init_app(app: Flask) -> None:
    from .exports.cli import export_pdf

    for command in (content_group, create_user_command, demo_group, purge_bin, export_pdf,
                    backup_command, restore_command):
        app.cli.add_command(command)
