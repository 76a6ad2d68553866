"""Binds the content library and the worksheet definitions to the app, loaded once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app

from .content import Library, load_library
from .interchange import CanvasDocument, canvas_document, read_document
from .languages import LANGUAGES
from .models import Canvas
from .worksheets.definition import WorksheetDefinition, load_definitions


def _fingerprint(content_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Every file of the tree with its size and modification time: a changed file is a
    different tree."""
    found = []
    for path in sorted(content_dir.rglob("*")):
        if path.is_file():
            stat = path.stat()
            found.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


@lru_cache(maxsize=8)
def _load(content_dir: str, fingerprint: tuple) -> tuple[Library, dict[str, WorksheetDefinition]]:
    folder = Path(content_dir)
    return (load_library(folder, LANGUAGES),
            load_definitions(folder / "worksheets", LANGUAGES))


def load(content_dir: Path | str) -> tuple[Library, dict[str, WorksheetDefinition]]:
    """The library and definitions of a content tree, rendered once per process for each
    version of the tree (both are immutable, so apps made from one tree share them)."""
    folder = Path(content_dir).resolve()
    return _load(str(folder), _fingerprint(folder))


def init_app(app: Flask) -> None:
    """Read and render all content at start-up; a bad file stops start-up with its name."""
    library, definitions = load(app.config["CONTENT_DIR"])
    app.extensions["canvas.library"] = library
    app.extensions["canvas.worksheets"] = definitions


def get_library() -> Library:
    """The content library of the running app."""
    return current_app.extensions["canvas.library"]


def get_definitions() -> dict[str, WorksheetDefinition]:
    """Worksheet definitions of the running app, by id."""
    return current_app.extensions["canvas.worksheets"]


def document_of(canvas: Canvas) -> CanvasDocument:
    """The canvas as a checked document, with the running app's content."""
    return canvas_document(canvas, get_definitions(), get_library())


def load_document(data: object, *, strict: bool = True) -> CanvasDocument:
    """Canvas JSON data as a checked document; raises interchange.FormatError."""
    return read_document(data, get_definitions(), get_library(), strict=strict)
