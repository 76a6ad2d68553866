"""The in-app counts: "needs marking" for a teacher, "new feedback" for a student. Each is
one query, whatever the number of classes and students."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Assignment, Attempt, ClassMember, Feedback, Submission
from .classes import ACTIVE, STUDENT, TEACHER
from .locks import HANDED_IN


def _handed_in_to(teacher_id: int):  # returns a Select
    """Submissions handed in, waiting for a teacher of theirs, by current students."""
    teacher, student = aliased(ClassMember), aliased(ClassMember)
    return (select(Submission.id, Assignment.id.label("assignment_id"),
                   Assignment.class_id.label("class_id"))
            .join(Assignment, Assignment.id == Submission.assignment_id)
            .join(teacher, (teacher.class_id == Assignment.class_id)
                  & (teacher.user_id == teacher_id) & (teacher.role == TEACHER))
            .join(student, (student.class_id == Assignment.class_id)
                  & (student.user_id == Submission.student_id) & (student.role == STUDENT)
                  & (student.status == ACTIVE))
            .where(Submission.status.in_(HANDED_IN)))


def needs_marking(teacher_id: int) -> int:
    """Hand-ins waiting for this teacher's marking and release, in all their classes."""
    found = _handed_in_to(teacher_id).subquery()
    return db.session.scalar(select(func.count()).select_from(found)) or 0


def needs_marking_by(teacher_id: int, key: str) -> dict[int, int]:
    """Hand-ins waiting, by class ("class_id") or by assignment ("assignment_id")."""
    found = _handed_in_to(teacher_id).subquery()
    column = found.c[key]
    return {ident: count for ident, count in db.session.execute(
        select(column, func.count()).group_by(column))}


def _unseen(student_id: int):  # returns a Select
    member = aliased(ClassMember)
    return (select(Submission.id)
            .join(Attempt, Attempt.submission_id == Submission.id)
            .join(Feedback, Feedback.attempt_id == Attempt.id)
            .join(Assignment, Assignment.id == Submission.assignment_id)
            .join(member, (member.class_id == Assignment.class_id)
                  & (member.user_id == Submission.student_id) & (member.role == STUDENT)
                  & (member.status == ACTIVE))
            .where(Submission.student_id == student_id, Feedback.released_at.is_not(None),
                   or_(Submission.feedback_seen_at.is_(None),
                       Feedback.released_at > Submission.feedback_seen_at))
            .distinct())


def unseen_feedback(student_id: int) -> set[int]:
    """The student's submissions with feedback released since they last looked."""
    return set(db.session.scalars(_unseen(student_id)))


def new_feedback(student_id: int) -> int:
    found = _unseen(student_id).subquery()
    return db.session.scalar(select(func.count()).select_from(found)) or 0


def waiting_by_assignment(class_id: int) -> dict[int, int]:
    """Assignment id -> hand-ins of current students waiting for marking, for one class."""
    member = aliased(ClassMember)
    rows = db.session.execute(
        select(Submission.assignment_id, func.count(Submission.id))
        .join(Assignment, Assignment.id == Submission.assignment_id)
        .join(member, (member.class_id == Assignment.class_id)
              & (member.user_id == Submission.student_id) & (member.role == STUDENT)
              & (member.status == ACTIVE))
        .where(Assignment.class_id == class_id, Submission.status.in_(HANDED_IN))
        .group_by(Submission.assignment_id))
    return dict(rows.all())
