"""Who may reach which object: one helper per kind of object, used by every view.

Each returns the object or raises 404 (also for someone else's object: we never reveal that
it exists), or 403 where the user knows the object but may not do this (a student of a class
on its teacher's pages). Views call these instead of writing their own checks. Classes are
read from the database on every request, so a removed student loses access at once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload, undefer
from werkzeug.exceptions import Forbidden, NotFound

from .database import lock_rows
from .extensions import db
from .models import (
    Assignment,
    Canvas,
    ClassMember,
    Job,
    SchoolClass,
    Snapshot,
    User,
    Worksheet,
)


def _get(model: type, object_id: int, *parents: Any):
    # In a write transaction on PostgreSQL the row is locked (FOR UPDATE) and read afresh, so
    # a version check made on it holds until the transaction ends (database.lock_rows).
    if lock_rows():
        return db.session.get(model, object_id, with_for_update=True, populate_existing=True)
    # Otherwise with the parent rows the access check reads, in the same query.
    return db.session.get(model, object_id,
                          options=[joinedload(parent, innerjoin=True) for parent in parents])


def locked_row(row: Any) -> Any:
    """`row` read afresh and locked for the rest of the write transaction on PostgreSQL (the
    version check of an editor whose object was reached through other rows); else `row`."""
    if lock_rows():
        return db.session.get(type(row), row.id, with_for_update=True, populate_existing=True)
    return row


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


def _member(user: User, class_id: int) -> ClassMember | None:
    return db.session.scalar(select(ClassMember).where(ClassMember.class_id == class_id,
                                                       ClassMember.user_id == user.id))


def may_teach(user: User) -> bool:
    """A teacher account (approved, where the install asks for that) or an admin."""
    return user.role == "admin" or (user.role == "teacher" and not user.awaiting_approval)


def taught_class(user: User, class_id: int) -> SchoolClass:
    """A class the user teaches (admins: any class). 404 for a class they are not in, 403
    for one they are a student of (they know it exists)."""
    school_class = db.session.get(SchoolClass, class_id)
    if school_class is None:
        raise NotFound()
    if user.role == "admin":
        return school_class
    member = _member(user, class_id)
    if member is not None and member.role == "teacher" and may_teach(user):
        return school_class
    if member is not None and member.role == "student" and member.status == "active":
        raise Forbidden()
    raise NotFound()


def taught_assignment(user: User, class_id: int, assignment_id: int) -> Assignment:
    """An assignment of a class the user teaches (see `taught_class`), or 404."""
    school_class = taught_class(user, class_id)
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.class_id != school_class.id:
        raise NotFound()
    return assignment


def class_student(class_id: int, user_id: int) -> ClassMember:
    """An active student of the class (for pages about one student), or 404."""
    member = db.session.scalar(select(ClassMember).where(ClassMember.class_id == class_id,
                                                         ClassMember.user_id == user_id))
    if member is None or member.role != "student" or member.status != "active":
        raise NotFound()
    return member


def class_students(class_id: int, user_ids: list[int]) -> list[int]:
    """Several active students of the class at once (a bulk action), in one query; 404 if
    any of them is not one."""
    wanted = set(user_ids)
    if not wanted:
        return []
    found = set(db.session.scalars(select(ClassMember.user_id).where(
        ClassMember.class_id == class_id, ClassMember.user_id.in_(wanted),
        ClassMember.role == "student", ClassMember.status == "active")))
    if found != wanted:
        raise NotFound()
    return sorted(found)


def owned_job(user: User, job_id: str, kind: str) -> Job:
    """A long job of `kind` that the user started (its params loaded), or 404: a job id is
    a secret of whoever started it, so even an admin gets 404 for someone else's."""
    if not (len(job_id) == 32 and all(ch in "0123456789abcdef" for ch in job_id)):
        raise NotFound()
    job = db.session.scalar(select(Job).options(undefer(Job.params)).where(
        Job.id == job_id, Job.kind == kind, Job.owner_id == user.id))
    if job is None:
        raise NotFound()
    return job


def student_assignment(user: User, assignment_id: int) -> Assignment:
    """An assignment of a class the user is an active student of, or 404 (also for its
    teachers: their pages are elsewhere, and the view sends them there)."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound()
    member = _member(user, assignment.class_id)
    if member is None or member.role != "student" or member.status != "active":
        raise NotFound()
    return assignment
