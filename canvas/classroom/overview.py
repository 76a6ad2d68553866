"""What a teacher sees of a whole class's work, read from the database in a constant number
of queries whatever the class's size, and handed on as plain data: the progress table's
rows (progress.py), the answers the class picture draws (picture.py) and the roster's lines
(spreadsheets.py).

Answers are read from the students' live worksheets (handed-in work is locked, so for it
they are what was handed in); a student whose canvas is gone shows no steps done.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..content.loader import Library
from ..extensions import db
from ..models import (
    Assignment,
    Attempt,
    Canvas,
    ClassMember,
    Extension,
    Feedback,
    SchoolClass,
    Submission,
    User,
    Worksheet,
)
from ..worksheets.analysis import step_done
from ..worksheets.definition import WorksheetDefinition
from .assignments import CANVAS, dates_for
from .classes import ACTIVE, STUDENT, active_students, aware
from .progress import DRAFT, NOT_STARTED, ProgressRow
from .review import BLOCK_PREFIX, block_name, field_keys, rubric_of
from .spreadsheets import Member


def _members(class_id: int):  # returns a Select
    member = aliased(ClassMember)
    return member, ((member.class_id == class_id) & (member.role == STUDENT)
                    & (member.status == ACTIVE))


def step_titles(assignment: Assignment, definitions: Mapping[str, WorksheetDefinition],
                library: Library) -> list[str]:
    """The columns of the progress table: the worksheet's steps, or the canvas's blocks,
    in the class's language."""
    language = assignment.school_class.language
    if assignment.kind == CANVAS:
        return [block_name(library, language, key.removeprefix(BLOCK_PREFIX))
                for key in field_keys(assignment, definitions)]
    definition = definitions.get(assignment.definition_id or "")
    return [s.title.get(language) for s in definition.steps] if definition else []


def _live_work(assignment: Assignment) -> dict[int, Any]:
    """Student id -> the live worksheet's answers (or the canvas's blocks), one query."""
    member, joined = _members(assignment.class_id)
    if assignment.kind == CANVAS:
        query = (select(Submission.student_id, Canvas.blocks)
                 .join(Canvas, Canvas.id == Submission.canvas_id))
    else:
        query = (select(Submission.student_id, Worksheet.answers)
                 .join(Worksheet, Worksheet.id == Submission.worksheet_id)
                 .join(Canvas, Canvas.id == Worksheet.canvas_id))
    query = (query.join(member, joined & (member.user_id == Submission.student_id))
             .where(Submission.assignment_id == assignment.id, Canvas.deleted_at.is_(None)))
    return {student_id: work or {} for student_id, work in db.session.execute(query)}


def _steps(assignment: Assignment, definitions: Mapping[str, WorksheetDefinition],
           work: Any) -> tuple[bool, ...]:
    if assignment.kind == CANVAS:
        blocks = work if isinstance(work, Mapping) else {}
        return tuple(any(str(item.get("text") or "").strip() for item in blocks.get(
            key.removeprefix(BLOCK_PREFIX)) or [] if isinstance(item, Mapping))
            for key in field_keys(assignment, definitions))
    definition = definitions.get(assignment.definition_id or "")
    if definition is None:
        return ()
    answers = work if isinstance(work, Mapping) else {}
    return tuple(step_done(step, dict(answers)) for step in definition.steps)


def progress_rows(assignment: Assignment, definitions: Mapping[str, WorksheetDefinition],
                  now: datetime) -> list[ProgressRow]:
    """Every current student's row, by name, in five queries: the students, their
    submissions, every attempt with its marking, the extensions, the live work."""
    students = active_students(assignment.class_id)
    member, joined = _members(assignment.class_id)
    submissions = {s.student_id: s for s in db.session.scalars(
        select(Submission).join(member, joined & (member.user_id == Submission.student_id))
        .where(Submission.assignment_id == assignment.id))}
    attempts: dict[int, list[tuple[Attempt, Feedback | None]]] = {}
    for attempt, feedback in db.session.execute(
            select(Attempt, Feedback).outerjoin(Feedback, Feedback.attempt_id == Attempt.id)
            .join(Submission, Submission.id == Attempt.submission_id)
            .where(Submission.assignment_id == assignment.id).order_by(Attempt.number)):
        attempts.setdefault(attempt.submission_id, []).append((attempt, feedback))
    extensions = {e.student_id: e for e in db.session.scalars(
        select(Extension).where(Extension.assignment_id == assignment.id))}
    work = _live_work(assignment)
    rubric = rubric_of(assignment, definitions)
    empty_steps = _steps(assignment, definitions, {})
    rows = []
    for student in students:
        submission = submissions.get(student.id)
        status = submission.status if submission else NOT_STARTED
        dates = dates_for(assignment, extensions.get(student.id))
        tries = attempts.get(submission.id, []) if submission else []
        live = [(a, f) for a, f in tries if a.withdrawn_at is None]
        current, marking = live[-1] if live else (None, None)
        released = [(a, f) for a, f in live if f is not None and f.released_at is not None]
        grade_attempt, grade = released[-1] if released else (None, None)
        overdue = status in (NOT_STARTED, DRAFT) and aware(now) > dates.due_at
        rows.append(ProgressRow(
            student_id=student.id, name=student.name, email=student.email, status=status,
            steps=_steps(assignment, definitions, work[student.id]) if student.id in work
            else tuple(False for _ in empty_steps),
            due_at=dates.due_at, extended=dates.extended,
            handed_in_at=aware(current.submitted_at) if current else None,
            late=bool(current and current.late) or overdue,
            attempt=current.number if current else None,
            points=(rubric.points(marking.scores) if rubric and marking and marking.scores
                    else None),
            marked=bool(marking and marking.outcome),
            released=bool(marking and marking.released_at),
            grade=rubric.points(grade.scores or {}) if rubric and grade else None,
            graded_at=aware(grade.released_at) if grade else None,
            comment=grade.overall or "" if grade else ""))
    return rows


def class_answers(assignment: Assignment) -> list[tuple[int, Mapping[str, Any]]]:
    """(student id, answers) of every current student who has started a worksheet
    assignment, in one query (the class picture draws them)."""
    if assignment.kind == CANVAS:
        return []
    return sorted(_live_work(assignment).items())


def roster_members(school_class: SchoolClass) -> list[Member]:
    """The class's students (those in it, not those asked or waiting) by name, one query."""
    rows = db.session.execute(
        select(User.name, User.email).join(ClassMember, ClassMember.user_id == User.id)
        .where(ClassMember.class_id == school_class.id, ClassMember.role == STUDENT,
               ClassMember.status == ACTIVE)
        .order_by(db.func.lower(User.name), User.id))
    return [Member(name, email) for name, email in rows]
