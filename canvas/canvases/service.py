"""Canvas operations as plain functions over the database session (no request, no g)."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from ..content.loader import Library
from ..extensions import db
from ..interchange import CanvasDocument, canvas_document, read_document
from ..models import Canvas, Snapshot, User, Worksheet, utcnow
from ..worksheets.definition import WorksheetDefinition

MAX_SNAPSHOTS = 200  # saved versions kept per canvas


class Conflict(Exception):
    """Another tab saved first: the save named an older version."""

    def __init__(self, current_version: int) -> None:
        super().__init__(f"stored version is {current_version}")
        self.current_version = current_version


class Locked(Exception):
    """The canvas's work is handed in (canvas/classroom/locks.py); the message says so."""


class TooManyVersions(Exception):
    """A canvas holds as many saved versions as it may; nothing more is saved."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} saved versions")
        self.limit = limit



def live_canvases(user: User) -> list[Canvas]:
    return list(db.session.scalars(live_canvases_query(user)))


def live_canvases_query(user: User) -> Select:
    """The user's canvases outside the bin, the latest changed first, with their worksheets
    loaded in one more query for all of them (the home page showed one query per canvas)."""
    return (select(Canvas).where(Canvas.owner_id == user.id, Canvas.deleted_at.is_(None))
            .order_by(Canvas.updated_at.desc(), Canvas.id.desc())
            .options(selectinload(Canvas.worksheets)))


def binned_canvases(user: User) -> list[Canvas]:
    return list(db.session.scalars(
        select(Canvas).where(Canvas.owner_id == user.id, Canvas.deleted_at.is_not(None))
        .order_by(Canvas.deleted_at.desc())))


def create_canvas(user: User, title: str, language: str,
                  definitions: list[WorksheetDefinition] = ()) -> Canvas:
    """A new canvas with the given worksheets started (empty)."""
    canvas = Canvas(owner=user, title=title.strip(), language=language)
    db.session.add(canvas)
    for definition in definitions:
        add_worksheet(canvas, definition)
    return canvas


def add_worksheet(canvas: Canvas, definition: WorksheetDefinition) -> Worksheet:
    worksheet = Worksheet(canvas=canvas, definition_id=definition.id, answers={},
                          current_step=definition.steps[0].id)
    db.session.add(worksheet)
    touch(canvas)
    return worksheet


def touch(canvas: Canvas) -> None:
    canvas.updated_at = utcnow()


def rename_canvas(canvas: Canvas, title: str) -> None:
    canvas.title = title.strip()
    touch(canvas)


def import_canvas(user: User, document: CanvasDocument,
                  definitions: dict[str, WorksheetDefinition], title: str | None = None
                  ) -> Canvas:
    """Add the canvas a document describes to the user's canvases (not yet committed)."""
    canvas = create_canvas(user, title or document.title, document.language)
    canvas.blocks = {block: [dict(item) for item in items]
                     for block, items in document.blocks.items()}
    for ws in document.worksheets:
        definition = definitions[ws.definition]
        db.session.add(Worksheet(canvas=canvas, definition_id=definition.id,
                                 answers=copy.deepcopy(dict(ws.answers)),
                                 current_step=definition.steps[0].id))
    return canvas


def duplicate_canvas(canvas: Canvas, copy_title: str,
                     definitions: dict[str, WorksheetDefinition], library: Library) -> Canvas:
    """A copy of everything the canvas holds (blocks, segments, worksheets and answers),
    owned by the same user, made from the canvas's document as a version would be."""
    document = canvas_document(canvas, definitions, library)
    twin = import_canvas(canvas.owner, document, definitions, copy_title[:120])
    for original, copied in zip(canvas.worksheets, twin.worksheets, strict=False):
        copied.current_step = original.current_step
    return twin


def trash_canvas(canvas: Canvas) -> None:
    """Move to the recycle bin; nothing is deleted until the bin is emptied or it expires."""
    canvas.deleted_at = utcnow()


def restore_canvas(canvas: Canvas) -> None:
    canvas.deleted_at = None
    touch(canvas)


def purge_canvas(canvas: Canvas) -> None:
    db.session.delete(canvas)


def purge_expired(days: int) -> int:
    """Delete canvases that have been in the bin longer than `days`; returns how many."""
    limit = utcnow() - timedelta(days=days)
    old = list(db.session.scalars(select(Canvas).where(Canvas.deleted_at.is_not(None))))
    expired = [c for c in old if _aware(c.deleted_at) < limit]
    for canvas in expired:
        db.session.delete(canvas)
    return len(expired)


def _aware(moment):
    # SQLite hands back naive datetimes; they were stored as UTC.
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- blocks ---------------------------------------------------------------------------------

def replace_blocks(canvas: Canvas, blocks: dict[str, Any]) -> None:
    """Put cleaned blocks (clean_blocks) on the canvas as its next version."""
    canvas.blocks = blocks
    canvas.version += 1
    touch(canvas)


def save_blocks(canvas: Canvas, based_on_version: int, blocks: dict[str, Any]) -> int:
    """Replace the blocks if nobody saved in between; returns the new version.

    Call inside write_transaction(); `blocks` must already be cleaned (clean_blocks).
    """
    if canvas.version != based_on_version:
        raise Conflict(canvas.version)
    replace_blocks(canvas, blocks)
    return canvas.version


def new_item_id(blocks: dict[str, Any]) -> str:
    """An item id not used anywhere on the canvas."""
    used = {item["id"] for items in blocks.values() for item in items}
    n = len(used) + 1
    while f"n{n}" in used:
        n += 1
    return f"n{n}"


def apply_item_action(blocks: dict[str, Any], action: str, block: str, item_id: str | None,
                      text: str = "", segment: str | None = None) -> dict[str, Any]:
    """A copy of the blocks with one change made: add, edit, delete, up or down (no-JS path)."""
    result = {k: [dict(i) for i in v] for k, v in blocks.items()}
    items = result.setdefault(block, [])
    index = next((n for n, i in enumerate(items) if i["id"] == item_id), None)
    if action == "add":
        items.append({"id": new_item_id(result), "text": text, "segment": segment or None})
    elif index is None:
        raise NotFound()
    elif action == "edit":
        items[index] = {"id": item_id, "text": text, "segment": segment or None}
    elif action == "delete":
        items.pop(index)
    elif action == "up" and index > 0:
        items[index - 1], items[index] = items[index], items[index - 1]
    elif action == "down" and index < len(items) - 1:
        items[index + 1], items[index] = items[index], items[index + 1]
    if action == "delete" and block == "customer-segments":
        for other in result.values():  # a deleted segment's tags go with it
            for item in other:
                if item.get("segment") == item_id:
                    item["segment"] = None
    return result


# --- snapshots ------------------------------------------------------------------------------

def take_snapshot(canvas: Canvas, note: str, definitions: dict[str, WorksheetDefinition],
                  library: Library) -> Snapshot:
    """Save the whole canvas as the next numbered version; raises TooManyVersions."""
    count, last = db.session.execute(
        select(func.count(Snapshot.id), func.max(Snapshot.number))
        .where(Snapshot.canvas_id == canvas.id)).one()
    if count >= MAX_SNAPSHOTS:
        raise TooManyVersions(MAX_SNAPSHOTS)
    snapshot = Snapshot(canvas=canvas, number=(last or 0) + 1, note=note.strip()[:200],
                        data=canvas_document(canvas, definitions, library).as_json())
    db.session.add(snapshot)
    return snapshot


def restore_snapshot(canvas: Canvas, snapshot: Snapshot, note: str,
                     definitions: dict[str, WorksheetDefinition], library: Library) -> Snapshot:
    """Make a saved version current again; the current state is saved as a version first."""
    kept = take_snapshot(canvas, note, definitions, library)
    document = read_document(snapshot.data, definitions, library, strict=False)
    canvas.blocks = {block: [dict(item) for item in items]
                     for block, items in document.blocks.items()}
    canvas.version += 1
    by_definition: dict[str, list[Worksheet]] = {}
    for ws in canvas.worksheets:
        by_definition.setdefault(ws.definition_id, []).append(ws)
    for saved in document.worksheets:
        matches = by_definition.get(saved.definition, [])
        if matches:
            ws = matches.pop(0)
            ws.answers = copy.deepcopy(dict(saved.answers))
            ws.version += 1
        else:
            db.session.add(Worksheet(canvas=canvas, definition_id=saved.definition,
                                     answers=copy.deepcopy(dict(saved.answers)),
                                     current_step=""))
    touch(canvas)
    return kept




def compare_blocks(a: dict[str, Any], b: dict[str, Any], block_ids: tuple[str, ...]
                   ) -> dict[str, list[dict[str, Any]]]:
    """Per block, rows pairing items by id: status same, changed, added (only in b) or removed."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for block in block_ids:
        left = {i["id"]: i for i in a.get(block, [])}
        right = {i["id"]: i for i in b.get(block, [])}
        order = [i["id"] for i in a.get(block, [])] + [
            i["id"] for i in b.get(block, []) if i["id"] not in left]
        block_rows = []
        for item_id in order:
            x, y = left.get(item_id), right.get(item_id)
            if x and y:
                status = "same" if (x["text"], x.get("segment")) == (y["text"], y.get("segment")) \
                    else "changed"
            else:
                status = "removed" if x else "added"
            block_rows.append({"status": status, "a": x, "b": y})
        rows[block] = block_rows
    return rows
