"""The user's data, all of it, as one JSON document (no Flask request here)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..content.loader import Library
from ..extensions import db
from ..interchange import canvas_document
from ..models import (
    Canvas,
    ClassMember,
    QuizAnswer,
    Snapshot,
    Submission,
    User,
    UserSession,
    utcnow,
)
from ..worksheets.definition import WorksheetDefinition

FORMAT = "canvas-account-data/1"


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def account_data(user: User, definitions: dict[str, WorksheetDefinition], library: Library,
                 now: datetime | None = None) -> dict[str, Any]:
    """The account, every canvas (also those in the recycle bin) in the canvas format
    (docs/canvas-format.md) with its saved versions, the sign-ins, the self-check answers,
    the classes and every hand-in with the feedback released on it."""
    canvases = db.session.scalars(select(Canvas).where(Canvas.owner_id == user.id)
                                  .order_by(Canvas.id))
    sign_ins = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)
                                  .order_by(UserSession.id))
    return {
        "format": FORMAT,
        "exported_at": (now or utcnow()).isoformat(),
        "account": {"email": user.email, "name": user.name, "role": user.role,
                    "language": user.language, "created_at": _when(user.created_at)},
        "canvases": [{
            "created_at": _when(canvas.created_at),
            "updated_at": _when(canvas.updated_at),
            "in_recycle_bin_since": _when(canvas.deleted_at),
            "canvas": canvas_document(canvas, definitions, library).as_json(),
            "versions": [{"number": snap.number, "note": snap.note,
                          "created_at": _when(snap.created_at), "canvas": snap.data}
                         for snap in db.session.scalars(
                             select(Snapshot).where(Snapshot.canvas_id == canvas.id)
                             .order_by(Snapshot.number))],
        } for canvas in canvases],
        "sign_ins": [{"created_at": _when(row.created_at), "last_seen_at": _when(row.last_seen_at),
                      "user_agent": row.user_agent, "address": row.address,
                      "ended_at": _when(row.ended_at), "end_reason": row.end_reason}
                     for row in sign_ins],
        "self_checks": [{"quiz": row.quiz_id, "question": row.question_id,
                         "first_choice": row.first_choice, "first_right": row.first_right,
                         "latest_choice": row.last_choice, "latest_right": row.last_right,
                         "attempts": row.attempts, "first_at": _when(row.first_at),
                         "latest_at": _when(row.last_at)}
                        for row in db.session.scalars(
                            select(QuizAnswer).where(QuizAnswer.user_id == user.id)
                            .order_by(QuizAnswer.id))],
        "classes": [{"class": member.school_class.name, "role": member.role,
                     "status": member.status, "since": _when(member.created_at)}
                    for member in db.session.scalars(
                        select(ClassMember).where(ClassMember.user_id == user.id)
                        .order_by(ClassMember.id))],
        "hand_ins": [_hand_ins(submission) for submission in db.session.scalars(
            select(Submission).where(Submission.student_id == user.id)
            .order_by(Submission.id))],
    }


def _hand_ins(submission: Submission) -> dict[str, Any]:
    """One assignment's work: each attempt as handed in, and the marking once released (a
    marking not yet released is the teacher's draft, not yet the student's)."""
    def feedback(attempt: Any) -> dict[str, Any] | None:
        marked = attempt.feedback
        if marked is None or marked.released_at is None:
            return None
        return {"comments": marked.comments, "overall": marked.overall,
                "rubric": marked.scores, "outcome": marked.outcome,
                "released_at": _when(marked.released_at)}

    return {"assignment": submission.assignment.title,
            "class": submission.assignment.school_class.name, "status": submission.status,
            "attempts": [{"number": attempt.number, "handed_in_at": _when(attempt.submitted_at),
                          "late": attempt.late, "receipt": attempt.receipt,
                          "taken_back_at": _when(attempt.withdrawn_at),
                          "canvas": attempt.snapshot, "feedback": feedback(attempt)}
                         for attempt in submission.attempts]}
