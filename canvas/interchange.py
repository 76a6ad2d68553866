"""The project's canvas JSON format (docs/canvas-format.md) and the typed document inside the
app (pure: no database writes, no request).

A document is checked once, where it comes in (a file for `flask export-pdf`, an import, a
saved version being restored), and is typed from there on: blocks cleaned, every worksheet's
answers checked against its definition by the field types. The PDF renderer, the restore
and the copy of a canvas take a `CanvasDocument` and trust it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .canvases.blocks import BLOCK_IDS, BlocksError, clean_blocks
from .content.loader import Library
from .languages import LANGUAGES
from .text import encodable
from .worksheets.definition import WorksheetDefinition
from .worksheets.fields import AnswerError, Context

if TYPE_CHECKING:
    from .models import Canvas

FORMAT = "bmc-canvas/1"
LOG = logging.getLogger(__name__)


class FormatError(ValueError):
    """The JSON is not a canvas in our format; the message says where."""


@dataclass(frozen=True)
class WorksheetAnswers:
    """One worksheet of a document: its definition's id and its checked answers."""

    definition: str
    answers: Mapping[str, Any]


@dataclass(frozen=True)
class CanvasDocument:
    """A whole canvas, checked: what a version stores, a PDF shows and a copy starts from."""

    title: str
    language: str
    author: str
    version: int | None
    blocks: Mapping[str, list[dict[str, Any]]]  # every block id, items cleaned
    worksheets: tuple[WorksheetAnswers, ...]

    def as_json(self) -> dict[str, Any]:
        """The document in the canvas JSON format."""
        out: dict[str, Any] = {"format": FORMAT, "title": self.title, "language": self.language,
                               "author": self.author}
        if self.version is not None:
            out["version"] = self.version
        out["blocks"] = {block: [dict(item) for item in self.blocks.get(block, [])]
                         for block in BLOCK_IDS}
        out["worksheets"] = [{"definition": ws.definition, "answers": dict(ws.answers)}
                             for ws in self.worksheets]
        return out


def _all_text_encodable(value: Any) -> bool:
    if isinstance(value, str):
        return encodable(value)
    if isinstance(value, dict):
        return all(_all_text_encodable(k) and _all_text_encodable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_all_text_encodable(v) for v in value)
    return True


def clean_answers(definition: WorksheetDefinition, answers: Any, library: Library,
                  language: str, *, strict: bool = True, where: str = "answers"
                  ) -> dict[str, Any]:
    """Answers checked field by field; unknown keys are dropped. A field that does not fit
    raises FormatError when `strict`, else is left out (and logged)."""
    if not isinstance(answers, Mapping):
        raise FormatError(f"{where}: expected an object")
    ctx = Context(library, language, language, answers, definition)
    out: dict[str, Any] = {}
    for _step, f in definition.all_fields():
        if f.id not in answers:
            continue
        try:
            out[f.id] = f.kind.clean(f, answers[f.id], ctx)
        except AnswerError as exc:
            if strict:
                raise FormatError(f"{where}.{f.id}: {exc}") from exc
            LOG.warning("left out %s.%s of %s: %s", where, f.id, definition.id, exc)
    return out


def read_document(data: Any, definitions: Mapping[str, WorksheetDefinition],
                  library: Library, *, strict: bool = True) -> CanvasDocument:
    """A canvas document from JSON data; raises FormatError saying where it is wrong.
    `strict=False` (the app's own saved versions) leaves out answers that no longer fit
    their worksheet instead of refusing the whole document."""
    if not isinstance(data, dict):
        raise FormatError("the document must be a JSON object")
    if data.get("format") != FORMAT:
        raise FormatError(f"format: expected {FORMAT!r}, got {data.get('format')!r}")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > 120:
        raise FormatError("title: a text of 1 to 120 characters")
    if not _all_text_encodable(data):
        raise FormatError("the document holds characters that are not valid text")
    language = data.get("language")
    if language not in LANGUAGES:
        raise FormatError(f"language: one of {', '.join(LANGUAGES)}")
    author = data.get("author", "")
    if not isinstance(author, str) or len(author) > 200:
        raise FormatError("author: a text of at most 200 characters")
    version = data.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)
                                or not 0 <= version < 2**62):
        raise FormatError("version: a whole number")
    try:
        blocks = clean_blocks(data.get("blocks", {}))
    except BlocksError as exc:
        raise FormatError(f"blocks: {exc}") from exc
    raw_worksheets = data.get("worksheets", [])
    if not isinstance(raw_worksheets, list):
        raise FormatError("worksheets: expected a list")
    worksheets = []
    for n, ws in enumerate(raw_worksheets):
        definition = definitions.get(ws.get("definition")) if isinstance(ws, dict) else None
        if definition is None:
            if strict:
                raise FormatError(f"worksheets[{n}].definition: unknown worksheet")
            continue
        worksheets.append(WorksheetAnswers(definition.id, clean_answers(
            definition, ws.get("answers", {}), library, language, strict=strict,
            where=f"worksheets[{n}].answers")))
    return CanvasDocument(title, language, author, version, blocks, tuple(worksheets))


def canvas_document(canvas: Canvas, definitions: Mapping[str, WorksheetDefinition],
                    library: Library) -> CanvasDocument:
    """The document of a canvas as stored (answers that no longer fit are left out)."""
    worksheets = tuple(
        WorksheetAnswers(ws.definition_id, clean_answers(
            definitions[ws.definition_id], ws.answers or {}, library, canvas.language,
            strict=False, where=f"worksheet {ws.id}"))
        for ws in canvas.worksheets if ws.definition_id in definitions)
    return CanvasDocument(canvas.title, canvas.language,
                          canvas.owner.name if canvas.owner else "", canvas.version,
                          clean_blocks(canvas.blocks or {}), worksheets)
