"""Reviewing a submission: the answers of an attempt field by field (and what changed since
the attempt before), the teacher's marking as an editor of the save protocol, releasing it,
and the released feedback as the student sees it (on the page, in the editor, in the PDF).

Comments are keyed by field: a worksheet field's id, or `block.<id>` for a block of the
canvas when the whole canvas is assigned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import NotFound

from ..access import class_student, locked_row, taught_assignment
from ..canvases.blocks import BLOCK_IDS
from ..content.loader import Library
from ..extensions import db
from ..interchange import CanvasDocument, FormatError, read_document
from ..models import (
    Assignment,
    Attempt,
    ClassMember,
    Feedback,
    RefusedSave,
    Submission,
    User,
    utcnow,
)
from ..saving import Applied, BadPayload
from ..text import encodable
from ..worksheets.definition import Criterion, Level, Rubric, Step, WorksheetDefinition
from ..worksheets.fields import Context, Line, diff
from .assignments import APPROVED, CANVAS, RETURNED, current_attempt, submission_of
from .classes import ACTIVE, STUDENT, ClassroomError
from .locks import HANDED_IN

EDITOR = "review"
BLOCK_PREFIX = "block."
MAX_COMMENT = 2000
MAX_OVERALL = 5000
MAX_INPUTS = 500
RETURN, APPROVE = "return", "approve"
OUTCOMES = ("", RETURN, APPROVE)


# --- an attempt's answers, field by field ------------------------------------------------------

@dataclass(frozen=True)
class FieldView:
    """One field of an attempt: its lines of text, and what changed since the attempt
    before (label, before, after)."""

    key: str
    label: str
    lines: list[Line]
    changes: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.lines


@dataclass
class Section:
    """A step of the worksheet (or the canvas's blocks), with the rubric criteria about it."""

    id: str
    title: str
    fields: list[FieldView]
    step: Step | None = None
    criteria: list[Criterion] = field(default_factory=list)


def document_of(snapshot: Any, definitions: Mapping[str, WorksheetDefinition],
                library: Library) -> CanvasDocument | None:
    """A stored snapshot as a document (answers that no longer fit their field are left out)."""
    try:
        return read_document(snapshot, definitions, library, strict=False)
    except FormatError:
        return None


def _answers(document: CanvasDocument | None, definition_id: str | None) -> dict[str, Any]:
    if document is None:
        return {}
    return next((dict(ws.answers) for ws in document.worksheets
                 if ws.definition == definition_id), {})


def field_keys(assignment: Assignment, definitions: Mapping[str, WorksheetDefinition]
               ) -> list[str]:
    """Every key a comment may be about."""
    if assignment.kind == CANVAS:
        return [BLOCK_PREFIX + block for block in BLOCK_IDS]
    definition = definitions.get(assignment.definition_id or "")
    return [f.id for _, f in definition.all_fields()] if definition else []


def rubric_of(assignment: Assignment, definitions: Mapping[str, WorksheetDefinition]
              ) -> Rubric | None:
    definition = definitions.get(assignment.definition_id or "")
    return definition.rubric if definition else None


def block_name(library: Library, language: str, block: str) -> str:
    item = library.item(language, f"blocks#{block}")
    return Markup(item.name).striptags() if item else block


def _block_lines(document: CanvasDocument | None, block: str, name: str) -> list[Line]:
    items = (document.blocks.get(block, []) if document else [])
    return [Line(str(item.get("id")), name, str(item.get("text") or "")) for item in items
            if str(item.get("text") or "").strip()]


def sections(assignment: Assignment, snapshot: Any, previous: Any | None,
             definitions: Mapping[str, WorksheetDefinition], library: Library
             ) -> list[Section]:
    """The attempt's answers by step (or the canvas's blocks), each field's changes since
    `previous` (another attempt's snapshot), and each criterion beside the first step it is
    about (criteria about no step: beside the last)."""
    document = document_of(snapshot, definitions, library)
    before = document_of(previous, definitions, library) if previous is not None else None
    language = document.language if document else assignment.school_class.language
    if assignment.kind == CANVAS:
        fields = []
        for block in BLOCK_IDS:
            name = block_name(library, language, block)
            lines = _block_lines(document, block, name)
            changes = diff(_block_lines(before, block, name), lines) if before else []
            fields.append(FieldView(BLOCK_PREFIX + block, name, lines, changes))
        return [Section("canvas", "", fields)]
    definition = definitions.get(assignment.definition_id or "")
    if definition is None:
        return []
    answers = _answers(document, definition.id)
    old = _answers(before, definition.id)
    ctx = Context(library, language, language, answers, definition)
    old_ctx = Context(library, language, language, old, definition)
    placed: dict[str, list[Criterion]] = {}
    for criterion in (definition.rubric.criteria if definition.rubric else ()):
        where = next((s.id for s in definition.steps if s.id in criterion.steps),
                     definition.steps[-1].id)
        placed.setdefault(where, []).append(criterion)
    out = []
    for step in definition.steps:
        views = []
        for f in step.fields:
            lines = [line for line in f.kind.lines(f, answers.get(f.id), ctx) if line.text]
            changes = []
            if before is not None:
                changes = diff(f.kind.lines(f, old.get(f.id), old_ctx),
                               f.kind.lines(f, answers.get(f.id), ctx))
            views.append(FieldView(f.id, ctx.label(f), lines, changes))
        out.append(Section(step.id, step.title.get(language), views, step,
                           placed.get(step.id, [])))
    return out


@dataclass(frozen=True)
class Change:
    """One field that differs between two attempts."""

    section: str
    label: str
    rows: list[tuple[str, str, str]]


def changes_between(assignment: Assignment, snapshot_a: Any, snapshot_b: Any,
                    definitions: Mapping[str, WorksheetDefinition], library: Library
                    ) -> list[Change]:
    """What changed from attempt a to attempt b, field by field."""
    return [Change(section.title, view.label, view.changes)
            for section in sections(assignment, snapshot_b, snapshot_a, definitions, library)
            for view in section.fields if view.changes]


# --- the marking, as an editor of the save protocol --------------------------------------------

def _comment_name(key: str) -> str:
    return "comment__" + key


def flat_inputs(feedback: Feedback, keys: list[str], rubric: Rubric | None) -> dict[str, str]:
    """The marking as the review form's inputs (what the page shows and `theirs` sends)."""
    out = {_comment_name(key): (feedback.comments or {}).get(key, "") for key in keys}
    out["overall"] = feedback.overall or ""
    for criterion in (rubric.criteria if rubric else ()):
        out["score__" + criterion.id] = (feedback.scores or {}).get(criterion.id, "")
    out["outcome"] = feedback.outcome or ""
    return out


def parse_inputs(raw: Any) -> dict[str, str | None]:
    """The `fields` of a review save: input name -> text (or null)."""
    if not isinstance(raw, dict) or len(raw) > MAX_INPUTS:
        raise BadPayload("`fields` must be an object of input names and texts")
    for key, value in raw.items():
        if not encodable(key) or len(key) > 200:
            raise BadPayload("input names must be short, valid text")
        if value is not None and not isinstance(value, str):
            raise BadPayload(f"{key[:40]}: values must be text or null")
        if isinstance(value, str) and not encodable(value):
            raise BadPayload(f"{key[:40]}: the text holds characters that are not valid text")
    return raw


@dataclass
class Marked:
    """What the review page redraws after a save: the score so far."""

    points: int | None
    max_points: int | None
    complete: bool
    outcome: str


class Review:
    """A teacher's marking of one attempt as an editor of the save protocol (canvas/saving.py).
    The body is `{"version", "attempt", "fields": {input name: text}}` with the inputs
    `comment__<field key>`, `overall`, `score__<criterion>` (a level id or "") and `outcome`
    ("", "return", "approve"); inputs left out keep what is stored."""

    def __init__(self, user: User, class_id: int, assignment_id: int, student_id: int,
                 definitions: Mapping[str, WorksheetDefinition]) -> None:
        self.user, self.class_id = user, class_id
        self.assignment_id, self.student_id = assignment_id, student_id
        self.definitions = definitions
        self.attempt_number = 0
        self.assignment: Assignment | None = None
        self.attempt: Attempt | None = None

    def read(self, body: Mapping[str, Any]) -> dict[str, str | None]:
        number = body.get("attempt")
        if isinstance(number, bool) or not isinstance(number, int) or not 0 < number < 10**6:
            raise BadPayload("`attempt` must be the number of the attempt being marked")
        self.attempt_number = number
        return parse_inputs(body.get("fields"))

    def load(self) -> Feedback:
        # Checked again inside the write transaction: a teacher taken off the class (or a
        # student removed) stops here, whatever the page still shows.
        self.assignment = taught_assignment(self.user, self.class_id, self.assignment_id)
        class_student(self.assignment.class_id, self.student_id)
        submission = submission_of(self.assignment.id, self.student_id)
        attempt = next((a for a in (submission.attempts if submission else ())
                        if a.number == self.attempt_number), None)
        if attempt is None or attempt.feedback is None:
            raise NotFound()
        self.attempt = attempt
        return locked_row(attempt.feedback)

    def locked(self, feedback: Feedback) -> str | None:
        attempt = feedback.attempt
        if feedback.released_at is not None:
            return str(_l("This marking is released to the student, so it stays as it is."))
        if attempt.withdrawn_at is not None:
            return str(_l("The student took this hand-in back, so there is nothing to mark."))
        if current_attempt(attempt.submission) is not attempt:
            return str(_l("There is a newer attempt; mark that one."))
        return None

    def _keys(self) -> list[str]:
        return field_keys(self.assignment, self.definitions)

    def _rubric(self) -> Rubric | None:
        return rubric_of(self.assignment, self.definitions)

    def apply(self, feedback: Feedback, posted: dict[str, str | None], *,
              dry_run: bool = False) -> Applied:
        keys, rubric = set(self._keys()), self._rubric()
        comments = dict(feedback.comments or {})
        scores = dict(feedback.scores or {})
        overall, outcome = feedback.overall or "", feedback.outcome or ""
        errors: dict[str, list[str]] = {}

        def refuse(name: str, message: Any) -> None:
            errors.setdefault(name, []).append(str(message))

        for name, raw in posted.items():
            text = (raw or "").replace("\r\n", "\n")
            if name.startswith("comment__"):
                key = name.removeprefix("comment__")
                if key not in keys:
                    refuse(name, _l("This app does not know that field."))
                elif len(text) > MAX_COMMENT:
                    refuse(name, _l("This comment is %(length)d characters; the limit is "
                                    "%(max)d.", length=len(text), max=MAX_COMMENT))
                elif text.strip():
                    comments[key] = text
                else:
                    comments.pop(key, None)
            elif name == "overall":
                if len(text) > MAX_OVERALL:
                    refuse(name, _l("This comment is %(length)d characters; the limit is "
                                    "%(max)d.", length=len(text), max=MAX_OVERALL))
                else:
                    overall = text if text.strip() else ""
            elif name.startswith("score__"):
                criterion = rubric.criterion(name.removeprefix("score__")) if rubric else None
                if criterion is None:
                    refuse(name, _l("This rubric has no such criterion."))
                elif not text:
                    scores.pop(criterion.id, None)
                elif rubric.level(text) is None:
                    refuse(name, _l("That level is not on the rubric's scale."))
                else:
                    scores[criterion.id] = text
            elif name == "outcome":
                if text not in OUTCOMES:
                    refuse(name, _l("Choose return for revision or approve."))
                else:
                    outcome = text
            else:
                refuse(name, _l("This app does not know that field."))
        changed = (comments != (feedback.comments or {}) or scores != (feedback.scores or {})
                   or overall != (feedback.overall or "") or outcome != (feedback.outcome or ""))
        if changed and not dry_run:
            now = utcnow()
            feedback.comments, feedback.scores = comments, scores  # new dicts: JSON changes seen
            feedback.overall, feedback.outcome = overall, outcome
            feedback.version += 1
            feedback.updated_at, feedback.updated_by_id = now, self.user.id
            # From the first change on, the student can no longer take the attempt back.
            feedback.marked_at = feedback.marked_at or now
        return Applied(changed, errors, marked(rubric, scores, outcome))

    def refuse(self, feedback: Feedback, posted: dict[str, str | None], based_on: int) -> None:
        from ..worksheets.service import keep

        known = flat_inputs(feedback, self._keys(), self._rubric())
        keep(RefusedSave(owner_id=self.user.id, editor=EDITOR, object_id=feedback.id,
                         based_on_version=based_on, step=str(self.attempt_number),
                         payload={k: v for k, v in posted.items() if k in known}))

    def theirs(self, feedback: Feedback) -> dict[str, str]:
        return flat_inputs(feedback, self._keys(), self._rubric())

    def redraw(self, applied: Applied) -> dict[str, Any]:
        state: Marked = applied.state
        return {"points": state.points, "max_points": state.max_points,
                "complete": state.complete, "outcome": state.outcome}


def marked(rubric: Rubric | None, scores: Mapping[str, Any], outcome: str) -> Marked:
    """The score so far and the outcome chosen."""
    if rubric is None:
        return Marked(None, None, True, outcome)
    return Marked(rubric.points(scores), rubric.max_points, rubric.complete(scores), outcome)


# --- releasing -------------------------------------------------------------------------------

def release(submission: Submission, attempt: Attempt, version: int | None,
            now: datetime) -> str:
    """Let the student see the marking of their current attempt: returned for revision
    (the work opens again) or approved. Returns the new status. `version` is the marking the
    teacher saw; another teacher's later change makes it 409 (release what you have read)."""
    feedback = attempt.feedback
    current = attempt is current_attempt(submission)
    # Checked first: releasing moves the work out of "handed in", so the next check would
    # answer a second release with "nothing to release".
    if current and feedback is not None and feedback.released_at is not None:
        raise ClassroomError(_l("This marking is already released."), 409)
    if feedback is None or not current or submission.status not in HANDED_IN:
        raise ClassroomError(_l("There is nothing to release: this attempt is not waiting "
                                "for marking."), 409)
    if version is not None and feedback.version != version:
        raise ClassroomError(_l("The marking changed since this page was loaded (another "
                                "teacher?). Read it again, then release."), 409)
    if not feedback.outcome:
        raise ClassroomError(_l("Choose “Return for revision” or “Approve” before "
                                "releasing."), 422)
    feedback.released_at = now
    submission.status = RETURNED if feedback.outcome == RETURN else APPROVED
    submission.updated_at = now
    return submission.status


def release_all(assignment: Assignment, now: datetime) -> tuple[int, int]:
    """Release every marked hand-in of the assignment at once (the whole class); returns
    (released, still waiting for an outcome)."""
    member_ids = select(ClassMember.user_id).where(
        ClassMember.class_id == assignment.class_id, ClassMember.role == STUDENT,
        ClassMember.status == ACTIVE)
    submissions = list(db.session.scalars(
        select(Submission).options(selectinload(Submission.attempts)
                                   .joinedload(Attempt.feedback))
        .where(Submission.assignment_id == assignment.id, Submission.status.in_(HANDED_IN),
               Submission.student_id.in_(member_ids))))
    released = waiting = 0
    for submission in submissions:
        attempt = current_attempt(submission)
        if attempt is None or attempt.feedback is None or not attempt.feedback.outcome:
            waiting += 1
            continue
        release(submission, attempt, None, now)
        released += 1
    return released, waiting


def return_for_revision(assignment: Assignment, student_ids: list[int], teacher_id: int,
                        now: datetime) -> tuple[int, int]:
    """Return the handed-in work of these students for revision at once (a bulk action of
    the progress table): the outcome of each current attempt becomes "return", its comments
    and rubric levels stay, and the marking is released. Returns (returned, skipped: no
    hand-in waiting, because none was made or it is approved or returned already)."""
    submissions = list(db.session.scalars(
        select(Submission).options(selectinload(Submission.attempts)
                                   .joinedload(Attempt.feedback))
        .where(Submission.assignment_id == assignment.id,
               Submission.student_id.in_(student_ids))))
    returned = 0
    for submission in submissions:
        attempt = current_attempt(submission)
        feedback = attempt.feedback if attempt else None
        if submission.status not in HANDED_IN or feedback is None:
            continue
        feedback = locked_row(feedback)
        if feedback.outcome != RETURN:
            feedback.outcome = RETURN
            feedback.version += 1
            feedback.updated_at, feedback.updated_by_id = now, teacher_id
            feedback.marked_at = feedback.marked_at or now
        release(submission, attempt, None, now)
        returned += 1
    return returned, len(set(student_ids)) - returned


# --- feedback as the student sees it ---------------------------------------------------------

@dataclass(frozen=True)
class Score:
    criterion: Criterion
    level: Level


@dataclass
class FeedbackView:
    """Marking in readable form: for the student once released, for the PDF, the editor."""

    comments: dict[str, str]
    overall: str
    scores: list[Score]
    points: int | None
    max_points: int | None
    outcome: str
    released_at: datetime | None


def feedback_view(feedback: Feedback, rubric: Rubric | None) -> FeedbackView:
    scores = []
    for criterion in (rubric.criteria if rubric else ()):
        level = rubric.level((feedback.scores or {}).get(criterion.id))
        if level is not None:
            scores.append(Score(criterion, level))
    return FeedbackView(dict(feedback.comments or {}), feedback.overall or "", scores,
                        rubric.points(feedback.scores or {}) if rubric else None,
                        rubric.max_points if rubric else None, feedback.outcome or "",
                        feedback.released_at)


def released(submission: Submission) -> list[tuple[Attempt, Feedback]]:
    """The attempts whose marking the student may see, newest first."""
    return [(a, a.feedback) for a in reversed(submission.attempts)
            if a.feedback is not None and a.feedback.released_at is not None]


@dataclass
class CanvasFeedback:
    """The latest released feedback on a canvas an assignment started (for its editors)."""

    assignment: Assignment
    submission: Submission
    attempt: Attempt
    feedback: Feedback


def assignment_of_canvas(canvas_id: int) -> tuple[Assignment, Submission] | None:
    """The assignment a canvas is the work of, while its student is in the class."""
    row = db.session.execute(
        select(Assignment, Submission).join(Submission, Submission.assignment_id == Assignment.id)
        .join(ClassMember, (ClassMember.class_id == Assignment.class_id)
              & (ClassMember.user_id == Submission.student_id))
        .options(joinedload(Assignment.school_class))
        .where(Submission.canvas_id == canvas_id, ClassMember.role == STUDENT,
               ClassMember.status == ACTIVE).limit(1)).first()
    return (row[0], row[1]) if row else None


def released_on_canvas(canvas_id: int) -> CanvasFeedback | None:
    """The newest released feedback for the work a canvas holds, or None."""
    found = assignment_of_canvas(canvas_id)
    if found is None:
        return None
    assignment, submission = found
    shown = released(submission)
    if not shown:
        return None
    attempt, feedback = shown[0]
    return CanvasFeedback(assignment, submission, attempt, feedback)


def report_feedback(canvas_id: int, worksheet_id: int | None = None
                    ) -> dict[str, Any] | None:
    """What the report PDF of a worksheet shows of the released feedback on a canvas's work
    (None for another worksheet of the canvas): plain data handed to the render worker with
    the document (the renderer reads no database)."""
    found = released_on_canvas(canvas_id)
    if found is None or (worksheet_id is not None
                         and found.submission.worksheet_id != worksheet_id):
        return None
    feedback = found.feedback
    return {"assignment": found.assignment.title, "comments": dict(feedback.comments or {}),
            "overall": feedback.overall or "", "scores": dict(feedback.scores or {}),
            "outcome": feedback.outcome or "", "attempt": found.attempt.number}


@dataclass
class EditorNote:
    """What an editor of an assignment's canvas shows about it: the assignment, whether the
    work is locked, and the latest released feedback (comments by field key)."""

    assignment: Assignment
    submission: Submission
    locked: bool
    comments: dict[str, str] = field(default_factory=dict)
    overall: str = ""
    attempt: int | None = None
    outcome: str = ""


def editor_note(canvas_id: int) -> EditorNote | None:
    """The assignment a canvas belongs to, as its editors show it, or None."""
    found = assignment_of_canvas(canvas_id)
    if found is None:
        return None
    assignment, submission = found
    note = EditorNote(assignment, submission, submission.status in HANDED_IN)
    shown = released(submission)
    if shown:
        attempt, feedback = shown[0]
        note.comments, note.overall = dict(feedback.comments or {}), feedback.overall or ""
        note.attempt, note.outcome = attempt.number, feedback.outcome or ""
    return note
