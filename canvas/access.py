"""Who may reach which object: one helper per kind of object, used by every view.

Each returns the object or raises 404 (also for someone else's object: we never reveal that
it exists). Views call these instead of writing their own checks.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import NotFound

from .database import lock_rows
from .extensions import db
from .models import Canvas, Snapshot, User, Worksheet


def _get(model: type, object_id: int, *parents: Any):  # noqa: ANN202
    # In a write transaction on PostgreSQL the row is locked (FOR UPDATE) and read afresh, so
    # a version check made on it holds until the transaction ends (database.lock_rows).
    if lock_rows():
        return db.session.get(model, object_id, with_for_update=True, populate_existing=True)
    # Otherwise with the parent rows the access check reads, in the same query.
    return db.session.get(model, object_id,
                          options=[joinedload(parent, innerjoin=True) for parent in parents])


def owned_canvas(user: User, canvas_id: int, *, deleted: bool = False) -> Canvas:
    """The user's canvas (in the recycle bin when `deleted`), or 404."""
    canvas = _get(Canvas, canvas_id)
    if canvas is None or canvas.owner_id != user.id or (canvas.deleted_at is not None) != deleted:
        raise NotFound()
    return canvas


def owned_worksheet(user: User, worksheet_id: int) -> Worksheet:
    """The user's worksheet in a live canvas, or 404."""
    worksheet = _get(Worksheet, worksheet_id, Worksheet.canvas)
    if (worksheet is None or worksheet.canvas.owner_id != user.id
            or worksheet.canvas.deleted_at is not None):
        raise NotFound()
    return worksheet


def owned_snapshot(canvas: Canvas, number: int) -> Snapshot:
    """Version `number` of a canvas the caller already reached, or 404."""
    snapshot = db.session.scalar(select(Snapshot).where(Snapshot.canvas_id == canvas.id,
                                                         Snapshot.number == number))
    if snapshot is None:
        raise NotFound()
    return snapshot
