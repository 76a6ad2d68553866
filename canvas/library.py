"""Binds the content library and the worksheet definitions to the app, loaded once."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from .content.loader import Library, load_library
from .worksheets.definition import WorksheetDefinition, load_definitions


def _link(language: str, page: str, anchor: str | None) -> str:
    return f"/learn/{language}/{page}" + (f"#{anchor}" if anchor else "")


def init_app(app: Flask) -> None:
    """Read and render all content at start-up; a bad file stops start-up with its name."""
    content_dir = Path(app.config["CONTENT_DIR"])
    languages = tuple(app.config["LANGUAGES"])
    app.extensions["canvas.library"] = load_library(content_dir, languages, _link)
    app.extensions["canvas.worksheets"] = load_definitions(content_dir / "worksheets", languages)


def get_library() -> Library:
    """The content library of the running app."""
    return current_app.extensions["canvas.library"]


def get_definitions() -> dict[str, WorksheetDefinition]:
    """Worksheet definitions of the running app, by id."""
    return current_app.extensions["canvas.worksheets"]
