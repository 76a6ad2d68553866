"""The project's canvas JSON format (docs/canvas-format.md): read and write whole canvases."""

from __future__ import annotations

from typing import Any

from .canvases.blocks import BlocksError, clean_blocks, encodable
from .canvases.service import create_canvas
from .languages import LANGUAGES
from .models import Canvas, User, Worksheet
from .worksheets.definition import WorksheetDefinition

FORMAT = "bmc-canvas/1"


class FormatError(ValueError):
    """The JSON is not a canvas in our format; the message says where."""


def export_canvas(canvas: Canvas) -> dict[str, Any]:
    """A canvas and its worksheets as plain JSON-ready data."""
    return {
        "format": FORMAT,
        "title": canvas.title,
        "language": canvas.language,
        "author": canvas.owner.name if canvas.owner else "",
        "version": canvas.version,
        "blocks": clean_blocks(canvas.blocks or {}),
        "worksheets": [{"definition": ws.definition_id, "answers": ws.answers or {}}
                       for ws in canvas.worksheets],
    }


def _all_text_encodable(value: Any) -> bool:
    if isinstance(value, str):
        return encodable(value)
    if isinstance(value, dict):
        return all(_all_text_encodable(k) and _all_text_encodable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_all_text_encodable(v) for v in value)
    return True


def validate_canvas_data(data: Any, definitions: dict[str, WorksheetDefinition]
                         ) -> dict[str, Any]:
    """Raise FormatError unless `data` is a canvas document this app can load; returns its
    blocks, cleaned."""
    if not isinstance(data, dict):
        raise FormatError("the document must be a JSON object")
    if data.get("format") != FORMAT:
        raise FormatError(f"format: expected {FORMAT!r}, got {data.get('format')!r}")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > 120:
        raise FormatError("title: a text of 1 to 120 characters")
    if not _all_text_encodable(data):
        raise FormatError("the document holds characters that are not valid text")
    if data.get("language") not in LANGUAGES:
        raise FormatError(f"language: one of {', '.join(LANGUAGES)}")
    try:
        blocks = clean_blocks(data.get("blocks", {}))
    except BlocksError as exc:
        raise FormatError(f"blocks: {exc}") from exc
    worksheets = data.get("worksheets", [])
    if not isinstance(worksheets, list):
        raise FormatError("worksheets: expected a list")
    for n, ws in enumerate(worksheets):
        if not isinstance(ws, dict) or ws.get("definition") not in definitions:
            raise FormatError(f"worksheets[{n}].definition: unknown worksheet")
        if not isinstance(ws.get("answers", {}), dict):
            raise FormatError(f"worksheets[{n}].answers: expected an object")
    return blocks


def import_canvas(user: User, data: dict[str, Any],
                  definitions: dict[str, WorksheetDefinition]) -> Canvas:
    """Add the canvas described by `data` to the user's canvases (not yet committed)."""
    blocks = validate_canvas_data(data, definitions)
    canvas = create_canvas(user, data["title"], data["language"])
    canvas.blocks = blocks
    for ws in data.get("worksheets", []):
        definition = definitions[ws["definition"]]
        canvas.worksheets.append(Worksheet(
            definition_id=definition.id, answers=dict(ws.get("answers", {})),
            current_step=definition.steps[0].id))
    return canvas
