"""Assignments and submissions: setting work, dates and extensions, a student starting it,
handing it in (a snapshot with a receipt), taking it back, and the lists both sides see.

A submission moves draft -> submitted -> (released) returned -> resubmitted -> ... ->
approved; "not started" is the absence of a row. Handing in stores exactly what was handed
in as an attempt; every attempt is kept. Plain functions; the caller commits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import markdown
import nh3
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..canvases.service import create_canvas
from ..content.loader import Library
from ..extensions import db
from ..interchange import canvas_document
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
)
from ..worksheets.definition import WorksheetDefinition
from .classes import ACTIVE, STUDENT, ClassroomError, active_students, aware
from .locks import HANDED_IN

WORKSHEET, CANVAS = "worksheet", "canvas"
KINDS = (WORKSHEET, CANVAS)
NOT_STARTED, DRAFT, SUBMITTED, RETURNED, RESUBMITTED, APPROVED = (
    "not_started", "draft", "submitted", "returned", "resubmitted", "approved")
STATUSES = (NOT_STARTED, DRAFT, SUBMITTED, RETURNED, RESUBMITTED, APPROVED)
MAX_TITLE = 120
MAX_INSTRUCTIONS = 10_000
# What a teacher's list can show: everyone, or those a teacher is looking for.
FILTERS = ("all", "needs-marking", "late", "not-submitted")


# --- setting work ----------------------------------------------------------------------------

def check_dates(opens_at: datetime, due_at: datetime, closes_at: datetime | None) -> None:
    if aware(due_at) < aware(opens_at):
        raise ClassroomError(_l("The due date comes before the assignment opens."))
    if closes_at is not None and aware(closes_at) < aware(due_at):
        raise ClassroomError(_l("The cut-off comes before the due date. Leave it empty for "
                                "no cut-off."))


def _check(title: str, kind: str, definition_id: str | None, instructions: str,
           definitions: Mapping[str, WorksheetDefinition]) -> tuple[str, str | None, str]:
    title = " ".join((title or "").split())
    if not title or len(title) > MAX_TITLE:
        raise ClassroomError(_l("Give the assignment a title of 1 to %(max)d characters.",
                                max=MAX_TITLE))
    if kind not in KINDS:
        raise ClassroomError(_l("Choose a worksheet or the whole canvas."))
    if kind == WORKSHEET and definition_id not in definitions:
        raise ClassroomError(_l("Choose one of the worksheets on the list."))
    instructions = (instructions or "").replace("\r\n", "\n")
    if len(instructions) > MAX_INSTRUCTIONS:
        raise ClassroomError(_l("The instructions are %(length)d characters; the limit is "
                                "%(max)d.", length=len(instructions), max=MAX_INSTRUCTIONS))
    return title, definition_id if kind == WORKSHEET else None, instructions


def create_assignment(school_class: SchoolClass, title: str, kind: str,
                      definition_id: str | None, instructions: str, opens_at: datetime,
                      due_at: datetime, closes_at: datetime | None,
                      definitions: Mapping[str, WorksheetDefinition]) -> Assignment:
    title, definition_id, instructions = _check(title, kind, definition_id, instructions,
                                                definitions)
    check_dates(opens_at, due_at, closes_at)
    assignment = Assignment(school_class=school_class, title=title, kind=kind,
                            definition_id=definition_id, instructions=instructions,
                            opens_at=opens_at, due_at=due_at, closes_at=closes_at)
    db.session.add(assignment)
    return assignment


def update_assignment(assignment: Assignment, title: str, kind: str, definition_id: str | None,
                      instructions: str, opens_at: datetime, due_at: datetime,
                      closes_at: datetime | None,
                      definitions: Mapping[str, WorksheetDefinition]) -> None:
    """Change an assignment; what is set once students have started (the worksheet) stays."""
    title, definition_id, instructions = _check(title, kind, definition_id, instructions,
                                                definitions)
    check_dates(opens_at, due_at, closes_at)
    started = db.session.scalar(select(Submission.id).where(
        Submission.assignment_id == assignment.id).limit(1)) is not None
    if started and (kind, definition_id) != (assignment.kind, assignment.definition_id):
        raise ClassroomError(_l("Students have started this assignment, so its worksheet "
                                "stays as it is. Make a new assignment for another one."), 409)
    assignment.title, assignment.kind, assignment.definition_id = title, kind, definition_id
    assignment.instructions = instructions
    assignment.opens_at, assignment.due_at, assignment.closes_at = opens_at, due_at, closes_at


def render_instructions(text: str) -> Markup:
    """A teacher's Markdown as HTML, cleaned with nh3 like every text from users: no
    scripts, styles, handlers or images from elsewhere survive (the CSP would block them,
    but the page must not even ask)."""
    # A Markdown object per call: they keep state and are not safe across server threads.
    html = nh3.clean(markdown.markdown(text or "", extensions=["sane_lists", "smarty"]), tags={
        "p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote",
        "code", "pre", "hr"}, attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return Markup(html)


def kind_title(assignment: Assignment, definitions: Mapping[str, WorksheetDefinition],
               language: str) -> str:
    """What the assignment asks for, in the class's language: the worksheet's title, or ''
    for the whole canvas (the page words that itself)."""
    definition = definitions.get(assignment.definition_id or "")
    return definition.title.get(language) if definition else ""


# --- dates and extensions --------------------------------------------------------------------

@dataclass(frozen=True)
class Dates:
    """One student's dates for an assignment, extensions applied."""

    opens_at: datetime
    due_at: datetime
    closes_at: datetime | None
    extended: bool = False


def dates_for(assignment: Assignment, extension: Extension | None) -> Dates:
    if extension is None:
        return Dates(aware(assignment.opens_at), aware(assignment.due_at),
                     aware(assignment.closes_at))
    closes = aware(extension.closes_at)
    if closes is None and assignment.closes_at is not None:
        # An extension past the class's cut-off moves the cut-off with it.
        closes = max(aware(assignment.closes_at), aware(extension.due_at))
    return Dates(aware(assignment.opens_at), aware(extension.due_at), closes, True)


def extension_of(assignment_id: int, student_id: int) -> Extension | None:
    return db.session.scalar(select(Extension).where(Extension.assignment_id == assignment_id,
                                                     Extension.student_id == student_id))


def set_extension(assignment: Assignment, student_id: int, due_at: datetime | None,
                  closes_at: datetime | None) -> Extension | None:
    """Give one student a later due date (and cut-off); no due date takes it away."""
    found = extension_of(assignment.id, student_id)
    if due_at is None:
        if found is not None:
            db.session.delete(found)
        return None
    if aware(due_at) < aware(assignment.opens_at):
        raise ClassroomError(_l("The new due date comes before the assignment opens."))
    if closes_at is not None and aware(closes_at) < aware(due_at):
        raise ClassroomError(_l("The cut-off comes before the due date. Leave it empty for "
                                "no cut-off."))
    if found is None:
        found = Extension(assignment_id=assignment.id, student_id=student_id)
        db.session.add(found)
    found.due_at, found.closes_at = due_at, closes_at
    return found


# --- a student's work ------------------------------------------------------------------------

def submission_of(assignment_id: int, student_id: int) -> Submission | None:
    return db.session.scalar(select(Submission).where(
        Submission.assignment_id == assignment_id, Submission.student_id == student_id))


def current_attempt(submission: Submission | None) -> Attempt | None:
    """The attempt being marked or last marked: the latest that was not taken back."""
    if submission is None:
        return None
    live = [a for a in submission.attempts if a.withdrawn_at is None]
    return live[-1] if live else None


def live_canvas(submission: Submission | None) -> Canvas | None:
    """The student's canvas for the assignment, unless it is gone or in the recycle bin."""
    if submission is None or submission.canvas_id is None:
        return None
    canvas = db.session.get(Canvas, submission.canvas_id)
    return canvas if canvas is not None and canvas.deleted_at is None else None


def start(student: User, assignment: Assignment,
          definitions: Mapping[str, WorksheetDefinition], now: datetime) -> Submission:
    """The student's own canvas (and worksheet) for the assignment, in the class's
    language, made the first time; the same one after that."""
    if aware(now) < aware(assignment.opens_at):
        raise ClassroomError(_l("This assignment has not opened yet."), 403)
    submission = submission_of(assignment.id, student.id)
    if submission is not None and submission.canvas_id is not None:
        canvas = db.session.get(Canvas, submission.canvas_id)
        if canvas is not None and canvas.deleted_at is None:
            return submission
        if canvas is not None:
            raise ClassroomError(_l("Your canvas for this assignment is in the recycle bin. "
                                    "Restore it from there to go on."), 409)
    if submission is not None and submission.status in (*HANDED_IN, APPROVED):
        raise ClassroomError(_l("This assignment is handed in."), 409)
    definition = definitions.get(assignment.definition_id or "")
    if assignment.kind == WORKSHEET and definition is None:
        raise ClassroomError(_l("The worksheet of this assignment is no longer in the app. "
                                "Tell your teacher."), 409)
    canvas = create_canvas(student, assignment.title, assignment.school_class.language,
                           [definition] if assignment.kind == WORKSHEET else [])
    db.session.flush()
    if submission is None:
        submission = Submission(assignment_id=assignment.id, student_id=student.id,
                                status=DRAFT)
        db.session.add(submission)
    submission.canvas_id = canvas.id
    submission.worksheet_id = canvas.worksheets[0].id if canvas.worksheets else None
    submission.updated_at = now
    db.session.flush()  # callers want its id
    return submission


def snapshot_of(canvas: Canvas, definitions: Mapping[str, WorksheetDefinition],
                library: Library) -> dict[str, Any]:
    """Exactly what is handed in: the whole canvas in the canvas JSON format."""
    return canvas_document(canvas, definitions, library).as_json()


def receipt_of(snapshot: Mapping[str, Any]) -> str:
    """SHA-256 of the snapshot's canonical JSON (the receipt shows its start)."""
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def submit(submission: Submission, assignment: Assignment, extension: Extension | None,
           snapshot: dict[str, Any], now: datetime) -> Attempt:
    """Hand in: a new attempt holding the snapshot, with its receipt and whether it is late;
    the canvas is locked until the teacher releases the marking (canvas/classroom/locks.py).
    A first hand-in is refused after the cut-off; a resubmission the teacher asked for is
    not, and is never late (it answers the feedback, not the due date)."""
    if submission.status not in (DRAFT, RETURNED):
        raise ClassroomError(_l("This assignment is already handed in."), 409)
    dates = dates_for(assignment, extension)
    first_round = submission.status == DRAFT
    if first_round and dates.closes_at is not None and aware(now) > dates.closes_at:
        raise ClassroomError(_l("The hand-in for this assignment has closed. Ask your "
                                "teacher for an extension."), 403)
    number = max((a.number for a in submission.attempts), default=0) + 1
    attempt = Attempt(submission=submission, number=number, submitted_at=now,
                      late=first_round and aware(now) > dates.due_at, snapshot=snapshot,
                      receipt=receipt_of(snapshot))
    attempt.feedback = Feedback(comments={}, scores={}, overall="", outcome="")
    db.session.add(attempt)
    submission.status = SUBMITTED if first_round else RESUBMITTED
    submission.updated_at = now
    return attempt


def take_back(submission: Submission, now: datetime) -> Attempt:
    """Undo a hand-in until marking starts: the attempt is kept, marked as taken back, and
    the work is open again."""
    attempt = current_attempt(submission)
    if submission.status not in HANDED_IN or attempt is None:
        raise ClassroomError(_l("There is no hand-in to take back."), 409)
    if attempt.feedback is not None and attempt.feedback.marked_at is not None:
        raise ClassroomError(_l("Your teacher has started marking this, so it can no longer "
                                "be taken back."), 409)
    attempt.withdrawn_at = now
    submission.status = DRAFT if submission.status == SUBMITTED else RETURNED
    submission.updated_at = now
    return attempt


def status_of(submission: Submission | None) -> str:
    return NOT_STARTED if submission is None else submission.status


# --- the teacher's list ----------------------------------------------------------------------

@dataclass
class StudentRow:
    """One student's line in an assignment's list."""

    student: User
    dates: Dates
    submission: Submission | None = None
    attempt: Attempt | None = None  # the current one
    extension: Extension | None = None
    now: datetime | None = None

    @property
    def status(self) -> str:
        return status_of(self.submission)

    @property
    def feedback(self) -> Feedback | None:
        return self.attempt.feedback if self.attempt else None

    @property
    def handed_in(self) -> bool:
        return self.status in HANDED_IN

    @property
    def needs_marking(self) -> bool:
        """Handed in and no outcome chosen yet."""
        return self.handed_in and not (self.feedback and self.feedback.outcome)

    @property
    def ready_to_release(self) -> bool:
        return self.handed_in and bool(self.feedback and self.feedback.outcome)

    @property
    def late(self) -> bool:
        """Handed in late, or still not handed in after the due date."""
        return bool(self.attempt and self.attempt.late) or self.overdue

    @property
    def overdue(self) -> bool:
        return (self.status in (NOT_STARTED, DRAFT) and self.now is not None
                and aware(self.now) > self.dates.due_at)

    @property
    def not_submitted(self) -> bool:
        return self.status in (NOT_STARTED, DRAFT)

    @property
    def attempts(self) -> int:
        return sum(1 for a in (self.submission.attempts if self.submission else ())
                   if a.withdrawn_at is None)

    def matches(self, filter_name: str) -> bool:
        if filter_name == "needs-marking":
            return self.needs_marking
        if filter_name == "late":
            return self.late
        if filter_name == "not-submitted":
            return self.not_submitted
        return True


def student_rows(assignment: Assignment, now: datetime) -> list[StudentRow]:
    """Every student of the class with their submission, current attempt (and its marking)
    and extension, in four queries whatever the class's size."""
    students = active_students(assignment.class_id)
    ids = [s.id for s in students]
    submissions = {s.student_id: s for s in db.session.scalars(
        select(Submission).options(selectinload(Submission.attempts)
                                   .joinedload(Attempt.feedback))
        .where(Submission.assignment_id == assignment.id, Submission.student_id.in_(ids)))}
    extensions = {e.student_id: e for e in db.session.scalars(
        select(Extension).where(Extension.assignment_id == assignment.id))}
    rows = []
    for student in students:
        submission = submissions.get(student.id)
        extension = extensions.get(student.id)
        rows.append(StudentRow(student, dates_for(assignment, extension), submission,
                               current_attempt(submission), extension, now))
    return rows


@dataclass
class Tally:
    """How many students are where, for an assignment's list."""

    students: int = 0
    handed_in: int = 0
    needs_marking: int = 0
    ready_to_release: int = 0
    late: int = 0
    not_submitted: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def tally(rows: list[StudentRow]) -> Tally:
    out = Tally(students=len(rows))
    for row in rows:
        out.handed_in += row.handed_in
        out.needs_marking += row.needs_marking
        out.ready_to_release += row.ready_to_release
        out.late += row.late
        out.not_submitted += row.not_submitted
        out.by_status[row.status] = out.by_status.get(row.status, 0) + 1
    return out


# --- the student's list ----------------------------------------------------------------------

@dataclass
class StudentAssignment:
    """One assignment as a student sees it in their list."""

    assignment: Assignment
    dates: Dates
    submission: Submission | None
    new_feedback: bool

    @property
    def status(self) -> str:
        return status_of(self.submission)


def assignments_for(student: User) -> list[StudentAssignment]:
    """The assignments of every class the student is in, the soonest due first, in four
    queries."""
    assignments = list(db.session.scalars(
        select(Assignment).options(joinedload(Assignment.school_class))
        .join(ClassMember, ClassMember.class_id == Assignment.class_id)
        .where(ClassMember.user_id == student.id, ClassMember.role == STUDENT,
               ClassMember.status == ACTIVE)))
    ids = [a.id for a in assignments]
    submissions = {s.assignment_id: s for s in db.session.scalars(
        select(Submission).where(Submission.student_id == student.id,
                                 Submission.assignment_id.in_(ids)))}
    extensions = {e.assignment_id: e for e in db.session.scalars(
        select(Extension).where(Extension.student_id == student.id,
                                Extension.assignment_id.in_(ids)))}
    from .counts import unseen_feedback

    unseen = unseen_feedback(student.id)
    out = [StudentAssignment(a, dates_for(a, extensions.get(a.id)), submissions.get(a.id),
                             submissions.get(a.id) is not None
                             and submissions[a.id].id in unseen)
           for a in assignments]
    out.sort(key=lambda item: (item.status == APPROVED, item.dates.due_at, item.assignment.id))
    return out
