"""The `export-pdf` command: a canvas JSON document to a PDF poster or report.

    flask --app canvas export-pdf INPUT.json OUTPUT.pdf [--size A4|A3|letter]
                                                        [--what canvas|report]

Renders a canvas JSON document (docs/canvas-format.md) in this process, with the same code
and templates as the web app's render worker. `--what report` renders the document's first
`customer-relationships` worksheet (or, when it has none, its first worksheet).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..interchange import FormatError
from ..library import get_definitions, get_library, load_document
from .pdf import RenderError, make_environment
from .poster import render_poster
from .report import first_worksheet, render_report
from .worker import font_config


@click.command("export-pdf")
@click.argument("input_path", metavar="INPUT.json",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("output_path", metavar="OUTPUT.pdf", type=click.Path(dir_okay=False,
                                                                     path_type=Path))
@click.option("--size", type=click.Choice(["A4", "A3", "letter"], case_sensitive=False),
              default="A4", show_default=True, help="Paper size (landscape for the poster).")
@click.option("--what", type=click.Choice(["canvas", "report"]), default="canvas",
              show_default=True,
              help="canvas: the poster; report: the first customer-relationships worksheet.")
@with_appcontext
def export_pdf(input_path: Path, output_path: Path, size: str, what: str) -> None:
    """Render a canvas JSON document as a PDF poster or worksheet report."""
    try:
        data = json.loads(input_path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{input_path}: not UTF-8 text ({exc.reason})") from exc
    except json.JSONDecodeError as exc:
        raise click.ClickException(
            f"{input_path}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg})") from exc
    definitions = get_definitions()
    try:
        document = load_document(data)
    except FormatError as exc:
        raise click.ClickException(f"{input_path}: not a canvas document: {exc}") from exc
    config = current_app.config
    env = make_environment(config["TEMPLATES_DIR"])
    static_dir = config["STATIC_DIR"]
    when = datetime.now(UTC)
    size = size.lower()
    try:
        if what == "canvas":
            pdf = render_poster(document, get_library(), definitions, env, size, static_dir,
                                font_config(), when)
        else:
            index = first_worksheet(document)
            if index < 0:
                raise click.ClickException(
                    f"{input_path}: the document has no worksheet to report on")
            pdf = render_report(document, index, get_library(), definitions, env, size,
                                static_dir, font_config(), when)
    except RenderError as exc:
        raise click.ClickException(f"{input_path}: {exc}") from exc
    try:
        output_path.write_bytes(pdf)
    except OSError as exc:
        raise click.ClickException(f"cannot write {output_path}: {exc.strerror}") from exc
    click.echo(f"Wrote {output_path} ({len(pdf) // 1024} KB, {what}, {size}).")
