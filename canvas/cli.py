"""Command-line tools: `flask --app canvas <command>`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
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
        raise click.ClickException(f"{len(problems)} problem(s) in {target}")
    click.echo(f"Content in {target} is sound.")


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
    click.echo(f"Created {role} {email}.")


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
                                 examples, get_definitions(), get_library())
    db.session.commit()
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, _name, role, language, _ in DEMO_USERS:
        count = db.session.scalar(select(db.func.count(Canvas.id)).join(Canvas.owner)
                                  .where(Canvas.owner.has(email=email)))
        canvases = "1 canvas" if count == 1 else f"{count} canvases"
        click.echo(f"  {role:<12} {email:<22} ({language}, {canvases})")
    if made_class:
        click.echo("The teacher's class has an assignment with one hand-in waiting for marking "
                   "and one returned for revision with comments.")


@click.command("purge-bin")
@with_appcontext
def purge_bin() -> None:
    """Delete canvases that have been in the recycle bin longer than RECYCLE_BIN_DAYS."""
    from .canvases.service import purge_expired

    count = purge_expired(current_app.config["RECYCLE_BIN_DAYS"])
    db.session.commit()
    click.echo(f"Deleted {count} canvas(es) from the recycle bin.")


def init_app(app: Flask) -> None:
    from .exports.cli import export_pdf

    for command in (content_group, create_user_command, demo_group, purge_bin, export_pdf):
        app.cli.add_command(command)
