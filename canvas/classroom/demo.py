"""The demo's class (`flask demo load`): the demo teacher's class with the two demo students,
an assignment of the Customer Relationships worksheet, one hand-in waiting for marking and
one returned for revision with comments on its fields."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from ..content.loader import Library
from ..extensions import db
from ..interchange import read_document
from ..models import ClassMember, Submission, User, Worksheet, utcnow
from ..worksheets.definition import WorksheetDefinition
from . import assignments as work
from . import classes, review

CLASS_NAME = "2B Business"
ASSIGNMENT = "Plan the customer relationships of your business"
INSTRUCTIONS = """Work through **every step** of the worksheet for one customer segment.

- Use the learning content beside each step.
- Hand in when the summary says what you mean; you can take it back until I start marking.
"""
WORKSHEET = "customer-relationships"


def _answers(examples: Path, name: str, definitions: dict[str, WorksheetDefinition],
             library: Library) -> dict:
    data = json.loads((examples / f"{name}.json").read_text(encoding="utf-8"))
    document = read_document(data, definitions, library)
    return next(dict(ws.answers) for ws in document.worksheets if ws.definition == WORKSHEET)


def load_demo_class(teacher: User, students: list[User], examples: Path,
                    definitions: dict[str, WorksheetDefinition], library: Library) -> bool:
    """Make the class unless the teacher already has one; returns whether it did. Not
    committed."""
    if classes.classes_taught(teacher):
        return False
    now = utcnow()
    school_class = classes.create_class(teacher, CLASS_NAME, "en")
    db.session.flush()
    for student in students:
        db.session.add(ClassMember(class_id=school_class.id, user_id=student.id,
                                   role=classes.STUDENT, status=classes.ACTIVE))
    assignment = work.create_assignment(
        school_class, ASSIGNMENT, work.WORKSHEET, WORKSHEET, INSTRUCTIONS,
        now - timedelta(days=7), now + timedelta(days=7), None, definitions)
    db.session.flush()
    waiting, returned = students[0], students[1]
    for student, example in ((waiting, "cleaning-copenhagen.en"),
                             (returned, "football-boots.en")):
        submission = work.start(student, assignment, definitions, now - timedelta(days=3))
        db.session.flush()
        worksheet = db.session.get(Worksheet, submission.worksheet_id)
        worksheet.answers = _answers(examples, example, definitions, library)
        worksheet.version += 1
        db.session.flush()
        canvas = work.live_canvas(submission)
        work.submit(submission, assignment, None,
                    work.snapshot_of(canvas, definitions, library), now - timedelta(days=1))
    db.session.flush()
    submission = db.session.scalar(db.select(Submission).where(
        Submission.assignment_id == assignment.id, Submission.student_id == returned.id))
    attempt = work.current_attempt(submission)
    feedback = attempt.feedback
    feedback.comments = {
        "segment": "Which football players? Say who they are (age, level, where they play), "
                   "so every later choice can be judged against them.",
        "tactics_retention": "Good choice. How often will the club visits happen, and who "
                             "pays for them?",
        "cost_to_keep": "Check this against the cost of the tactics you chose in step 4.",
    }
    feedback.overall = ("A clear plan with real numbers. Sharpen the segment and tie the "
                        "costs to your tactics, then hand it in again.")
    feedback.scores = {"segment-and-value": "developing", "goals-and-types": "solid",
                       "tactics": "solid", "ladder": "excellent", "after-purchase": "solid",
                       "economics": "developing", "reflection": "solid"}
    feedback.outcome = review.RETURN
    feedback.version += 1
    feedback.marked_at = feedback.updated_at = now - timedelta(hours=5)
    feedback.updated_by_id = teacher.id
    review.release(submission, attempt, None, now - timedelta(hours=4))
    return True
