"""Canvas operations as plain functions over the database session (no request, no g)."""

from __future__ import annotations

import copy
from datetime import timedelta

from sqlalchemy import select
from werkzeug.exceptions import NotFound

from ..extensions import db
from ..models import Canvas, User, Worksheet, utcnow
from ..worksheets.definition import WorksheetDefinition


def owned_canvas(user: User, canvas_id: int, *, deleted: bool = False) -> Canvas:
    """The user's canvas, or 404 (also for someone else's: we do not reveal it exists)."""
    canvas = db.session.get(Canvas, canvas_id)
    if canvas is None or canvas.owner_id != user.id or (canvas.deleted_at is not None) != deleted:
        raise NotFound()
    return canvas


def owned_worksheet(user: User, worksheet_id: int) -> Worksheet:
    """The user's worksheet in a live canvas, or 404."""
    worksheet = db.session.get(Worksheet, worksheet_id)
    if (worksheet is None or worksheet.canvas.owner_id != user.id
            or worksheet.canvas.deleted_at is not None):
        raise NotFound()
    return worksheet


def live_canvases(user: User) -> list[Canvas]:
    return list(db.session.scalars(
        select(Canvas).where(Canvas.owner_id == user.id, Canvas.deleted_at.is_(None))
        .order_by(Canvas.updated_at.desc())))


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


def duplicate_canvas(canvas: Canvas, copy_word: str = "copy") -> Canvas:
    """A full copy, worksheets and answers included, owned by the same user."""
    twin = Canvas(owner_id=canvas.owner_id, title=f"{canvas.title} ({copy_word})"[:120],
                  language=canvas.language)
    db.session.add(twin)
    for ws in canvas.worksheets:
        db.session.add(Worksheet(canvas=twin, definition_id=ws.definition_id,
                                 answers=copy.deepcopy(ws.answers),
                                 current_step=ws.current_step))
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


def _aware(moment):  # noqa: ANN001, ANN202
    # SQLite hands back naive datetimes; they were stored as UTC.
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
