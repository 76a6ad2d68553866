"""Whether a canvas is locked: its work is handed in and waits for the teacher.

Asked by every editor that writes to a canvas (the worksheet steps, the board, restoring a
version) through the save protocol's `locked` hook, so a handed-in attempt stays exactly what
the teacher marks. Only models here, so the editors can import it without cycles.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import Assignment, ClassMember, Submission

# Handed in and not yet released back: the work must not change under the teacher.
HANDED_IN = ("submitted", "resubmitted")

LOCKED = _l("This work is handed in, so it cannot be changed now. If your teacher returns it "
            "for revision, you can change it again; until marking starts you can take it "
            "back on the assignment's page.")


def canvas_lock(canvas_id: int) -> str | None:
    """Why the canvas cannot be changed now, or None. A student who left the class (or was
    removed) has their canvas back."""
    found = db.session.scalar(
        select(Submission.id).join(Assignment, Assignment.id == Submission.assignment_id)
        .join(ClassMember, (ClassMember.class_id == Assignment.class_id)
              & (ClassMember.user_id == Submission.student_id))
        .where(Submission.canvas_id == canvas_id, Submission.status.in_(HANDED_IN),
               ClassMember.status == "active", ClassMember.role == "student")
        .limit(1))
    return str(LOCKED) if found is not None else None
