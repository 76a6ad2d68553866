"""Builders for classroom tests: a class with students, an assignment, work started, handed
in and marked, made through the service modules (the pages are tested on top of these)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask

from canvas.classroom import assignments as work
from canvas.classroom import classes, review
from canvas.extensions import db
from canvas.library import get_definitions, get_library
from canvas.models import (
    Assignment,
    Attempt,
    ClassMember,
    Feedback,
    SchoolClass,
    Submission,
    User,
    Worksheet,
    utcnow,
)

ANSWERS = {"segment": "Small offices in Aarhus", "value_proposition": "Evening cleaning",
           "weights_why": "We are new, so winning customers matters most."}


@dataclass
class Room:
    """A class as the tests use it: ids only (rows belong to a session)."""

    class_id: int
    teacher: User
    students: list[User]
    assignment_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def url(self, tail: str = "") -> str:
        return f"/classes/{self.class_id}{tail}"

    def assignment_url(self, tail: str = "") -> str:
        return f"/classes/{self.class_id}/assignments/{self.assignment_id}{tail}"

    def review_url(self, student: User, tail: str = "") -> str:
        return self.assignment_url(f"/students/{student.id}{tail}")


def rename(app: Flask, user: User, name: str) -> User:
    """The user with another name (make_user gives every user the same one)."""
    with app.app_context():
        db.session.get(User, user.id).name = name
        db.session.commit()
    user.name = name
    return user


def make_class(app: Flask, teacher: User, students: list[User], name: str = "2B Business",
               language: str = "en", needs_approval: bool = False) -> Room:
    with app.app_context():
        school_class = classes.create_class(db.session.get(User, teacher.id), name, language,
                                            needs_approval)
        db.session.flush()
        for student in students:
            db.session.add(ClassMember(class_id=school_class.id, user_id=student.id,
                                       role="student", status="active"))
        db.session.commit()
        return Room(school_class.id, teacher, students)


def add_assignment(app: Flask, room: Room, *, definition: str = "customer-relationships",
                   kind: str = "worksheet", due_in: timedelta = timedelta(days=7),
                   opens_in: timedelta = timedelta(days=-1), closes_in: timedelta | None = None,
                   title: str = "Plan your customer relationships",
                   instructions: str = "Work through **every** step.") -> Room:
    with app.app_context():
        now = utcnow()
        assignment = work.create_assignment(
            db.session.get(SchoolClass, room.class_id), title, kind,
            definition if kind == "worksheet" else None, instructions, now + opens_in,
            now + due_in, now + closes_in if closes_in is not None else None, get_definitions())
        db.session.commit()
        room.assignment_id = assignment.id
    return room


def start(app: Flask, room: Room, student: User, answers: dict | None = None) -> int:
    """The student starts the assignment and (for a worksheet) answers; returns the
    submission id."""
    with app.app_context():
        assignment = db.session.get(Assignment, room.assignment_id)
        submission = work.start(db.session.get(User, student.id), assignment, get_definitions(),
                                utcnow())
        db.session.flush()
        if answers and submission.worksheet_id:
            worksheet = db.session.get(Worksheet, submission.worksheet_id)
            worksheet.answers = {**(worksheet.answers or {}), **answers}
            worksheet.version += 1
        db.session.commit()
        return submission.id


def hand_in(app: Flask, room: Room, student: User, when: datetime | None = None) -> int:
    """Hand in the student's work now (or `when`); returns the attempt number."""
    with app.app_context():
        assignment = db.session.get(Assignment, room.assignment_id)
        submission = work.submission_of(assignment.id, student.id)
        canvas = work.live_canvas(submission)
        attempt = work.submit(submission, assignment, work.extension_of(assignment.id,
                                                                        student.id),
                              work.snapshot_of(canvas, get_definitions(), get_library()),
                              when or utcnow())
        db.session.commit()
        return attempt.number


def mark(app: Flask, room: Room, student: User, *, comments: dict | None = None,
         overall: str = "", scores: dict | None = None, outcome: str = "",
         release: bool = False) -> None:
    """Mark the student's current attempt directly (and release it)."""
    with app.app_context():
        submission = work.submission_of(room.assignment_id, student.id)
        attempt = work.current_attempt(submission)
        feedback = attempt.feedback
        feedback.comments = dict(comments or {})
        feedback.overall, feedback.scores, feedback.outcome = overall, dict(scores or {}), outcome
        feedback.version += 1
        feedback.marked_at = utcnow()
        if release:
            review.release(submission, attempt, None, utcnow())
        db.session.commit()


def submission_row(app: Flask, room: Room, student: User) -> dict[str, Any] | None:
    with app.app_context():
        submission = work.submission_of(room.assignment_id, student.id)
        if submission is None:
            return None
        return {"id": submission.id, "status": submission.status,
                "canvas_id": submission.canvas_id, "worksheet_id": submission.worksheet_id,
                "attempts": [(a.number, a.late, a.withdrawn_at is not None)
                             for a in submission.attempts]}


def feedback_row(app: Flask, room: Room, student: User, number: int | None = None
                 ) -> dict[str, Any]:
    with app.app_context():
        submission = work.submission_of(room.assignment_id, student.id)
        attempt = (next(a for a in submission.attempts if a.number == number) if number
                   else work.current_attempt(submission))
        f: Feedback = attempt.feedback
        return {"id": f.id, "version": f.version, "comments": dict(f.comments),
                "overall": f.overall, "scores": dict(f.scores), "outcome": f.outcome,
                "released": f.released_at is not None, "marked": f.marked_at is not None}


def review_body(version: int, attempt: int, fields: dict[str, Any]) -> str:
    return json.dumps({"version": version, "attempt": attempt, "fields": fields})


def post_review(session: Any, room: Room, student: User, version: int, attempt: int,
                fields: dict[str, Any]):
    return session.client.post(room.review_url(student, "/autosave"),
                               data=review_body(version, attempt, fields),
                               headers={"X-CSRFToken": session.csrf,
                                        "Content-Type": "application/json"})


__all__ = ["ANSWERS", "Attempt", "Room", "Submission", "add_assignment", "feedback_row",
           "hand_in", "make_class", "mark", "post_review", "review_body", "start",
           "submission_row"]
