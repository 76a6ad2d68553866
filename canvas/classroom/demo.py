"""The demo's class (`flask demo load`): the demo teacher's class with the two demo students,
an assignment of the Customer Relationships worksheet, one hand-in waiting for marking and
one returned for revision with comments on its fields; and ten classmates whose answers
differ enough that the class picture shows something to discuss: every state of work
(not started, drafts, hand-ins waiting, some late, approved and returned with released
grades), other relationship types, tactics, weights, ladders, goals and economics.

The classmates' answers are the worked examples varied by a seeded random generator, so
every load makes the same class."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from ..accounts import create_user, find_user
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
# The classmates: (name, e-mail, state of their work, which worked example they start from).
CLASSMATES = (
    ("Ada Ødegaard", "ada@demo.test", "approved", "cleaning-copenhagen.en"),
    ("Bo Hansen", "bo@demo.test", "submitted", "football-boots.en"),
    ("Emil Æbelø", "emil@demo.test", "returned", "cleaning-copenhagen.en"),
    ("Freja Dahl", "freja@demo.test", "draft", "football-boots.en"),
    ("Jonas Berg", "jonas@demo.test", "late", "cleaning-copenhagen.en"),
    ("Karin Lie", "karin@demo.test", "approved", "football-boots.en"),
    ("Mads Holm", "mads@demo.test", "submitted", "cleaning-copenhagen.en"),
    ("Nora Strand", "nora@demo.test", "draft", "football-boots.en"),
    ("Oskar Vik", "oskar@demo.test", "not started", ""),
    ("Sofie Krogh", "sofie@demo.test", "returned", "football-boots.en"),
)
LEVELS = ("not-yet", "developing", "solid", "excellent")
WHY = "It fits how this segment wants to be served."
HOW = ("Tried first with five customers, then for everyone.", "A few hours a month")


def _answers(examples: Path, name: str, definitions: dict[str, WorksheetDefinition],
             library: Library) -> dict:
    data = json.loads((examples / f"{name}.json").read_text(encoding="utf-8"))
    document = read_document(data, definitions, library)
    return next(dict(ws.answers) for ws in document.worksheets if ws.definition == WORKSHEET)


def load_demo_class(teacher: User, students: list[User], examples: Path,
                    definitions: dict[str, WorksheetDefinition], library: Library,
                    password: str) -> bool:
    """Make the class unless the teacher already has one; returns whether it did. The
    classmates' accounts get `password`. Not committed."""
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
        now - timedelta(days=10), now - timedelta(days=1), None, definitions)
    db.session.flush()
    _classmates(school_class, assignment, teacher, examples, definitions, library, password)
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
                    work.snapshot_of(canvas, definitions, library), now - timedelta(days=2))
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


def varied(answers: Mapping[str, Any], seed: str, library: Library) -> dict[str, Any]:
    """A worked example's answers with other choices and numbers: relationship types,
    tactics (placed on the ladder), weights adding up to 100, a ladder with goals, and
    economics that sometimes do not cover their cost."""
    rng = random.Random(seed)
    out = dict(answers)

    def pick(catalogue: str, most: int) -> list[str]:
        ids = [item.id for item in library.catalogue("en", catalogue)]
        return sorted(rng.sample(ids, rng.randint(1, most)), key=ids.index)

    out["relationship_types"] = [{"id": i, "why": WHY} for i in pick("service", 3)]
    tactics: list[str] = []
    for motivation in ("acquisition", "retention", "upselling"):
        chosen = pick(motivation, 2)
        out[f"tactics_{motivation}"] = [{"id": i, "how": HOW[0], "cost": HOW[1]} for i in chosen]
        tactics += [t for t in chosen if t not in tactics]
    win = rng.choice(range(20, 75, 5))
    keep = rng.choice(range(10, 100 - win + 1, 5))
    out["weights"] = {"acquisition": win, "retention": keep, "upselling": 100 - win - keep}
    ladder_id = rng.choice(("customer-ladder", "customer-ladder", "loyalty-ladder"))
    rungs = [item.id for item in library.catalogue("en", ladder_id)]
    count = rng.choice((5000, 12000, 20000, 40000))
    counts, goals = {}, {}
    for rung in rungs:
        counts[rung] = count
        goal = rng.choice((5, 10, 10, 15, 20, 25, 25, 30, 40, 50))
        count = max(1, round(count * goal / 100 * rng.uniform(0.6, 1.3)))
        goals[rung] = goal
    goals.pop(rungs[-1])
    ladder = {"ladder": ladder_id, "customer-ladder": {"counts": {}, "goals": {}},
              "loyalty-ladder": {"counts": {}, "goals": {}},
              "tactics": {t: f"{ladder_id}:{rng.choice(rungs[:-1])}" for t in tactics}}
    ladder[ladder_id] = {"counts": counts, "goals": goals}
    out["ladder"] = ladder
    out["cost_to_win"] = rng.choice((300, 450, 900, 1500, 2500, 4000, 6000))
    out["cost_to_keep"] = rng.choice((50, 90, 200, 400, 600, 900))
    out["average_order"] = rng.choice((150, 400, 900, 1800, 3500))
    out["orders_per_year"] = rng.choice((1, 2, 4, 6, 12))
    out["years"] = rng.choice((1, 2, 3, 4, 5))
    out["margin"] = rng.choice((15, 25, 35, 50))
    return out


def _classmates(school_class: Any, assignment: Any, teacher: User, examples: Path,
                definitions: dict[str, WorksheetDefinition], library: Library,
                password: str) -> None:
    """The ten classmates, each with their work in its state."""
    now = utcnow()
    for n, (name, email, state, example) in enumerate(CLASSMATES):
        student = find_user(email) or create_user(email, password, name, "student", "en")
        db.session.flush()
        db.session.add(ClassMember(class_id=school_class.id, user_id=student.id,
                                   role=classes.STUDENT, status=classes.ACTIVE))
        if state == "not started":
            continue
        submission = work.start(student, assignment, definitions, now - timedelta(days=6))
        db.session.flush()
        worksheet = db.session.get(Worksheet, submission.worksheet_id)
        answers = varied(_answers(examples, example, definitions, library), f"demo-{n}",
                         library)
        if state == "draft":  # half-way: the first steps only
            keep = {f.id for step in definitions[WORKSHEET].steps[:3 + n % 3]
                    for f in step.fields}
            answers = {key: value for key, value in answers.items() if key in keep}
        worksheet.answers = answers
        worksheet.version += 1
        db.session.flush()
        if state == "draft":
            continue
        # The due date was yesterday: one hand-in came in after it.
        when = now - timedelta(hours=2) if state == "late" else now - timedelta(days=2, hours=n)
        work.submit(submission, assignment, None,
                    work.snapshot_of(work.live_canvas(submission), definitions, library), when)
        db.session.flush()
        if state not in ("approved", "returned"):
            continue
        rng = random.Random(f"demo-marks-{n}")
        feedback = work.current_attempt(submission).feedback
        feedback.scores = {c.id: rng.choice(LEVELS[1:]) for c in
                           definitions[WORKSHEET].rubric.criteria}
        feedback.overall = ("Clear numbers, and the tactics fit the segment." if state ==
                            "approved" else "Tie the costs to your tactics, then hand in again.")
        feedback.outcome = review.APPROVE if state == "approved" else review.RETURN
        feedback.version += 1
        feedback.marked_at = feedback.updated_at = now - timedelta(days=1)
        feedback.updated_by_id = teacher.id
        review.release(submission, work.current_attempt(submission), None,
                       now - timedelta(hours=20))
