"""Database models: users, their canvases, and the worksheets inside a canvas."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db

ROLES = ("student", "teacher", "entrepreneur", "admin")


def utcnow() -> datetime:
    """Timezone-aware now, stored as UTC."""
    return datetime.now(UTC)


class User(UserMixin, db.Model):
    """Someone who signs in: a student, teacher, entrepreneur or admin."""

    __tablename__ = "users"
    # Ids are never reused (SQLite AUTOINCREMENT; sequences elsewhere): pages keep unsent
    # text under the user's and the object's ids, which must not come to mean someone else.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="student")
    language: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A teacher who signed up on an install that wants an admin to approve teachers first
    # (TEACHERS_NEED_APPROVAL): a teacher in name, with no classes until approved.
    awaiting_approval: Mapped[bool] = mapped_column(default=False, server_default=false())

    canvases: Mapped[list[Canvas]] = relationship(
        back_populates="owner", cascade="all, delete-orphan", order_by="Canvas.updated_at.desc()"
    )
    sessions: Mapped[list[UserSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class Canvas(db.Model):
    """A Business Model Canvas owned by one user, written in one content language."""

    __tablename__ = "canvases"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (see User)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the canvas is moved to the recycle bin; cleared on restore.
    deleted_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    # The nine blocks' items: {block id: [{"id", "text", "segment"}]}; see docs/canvas-format.md.
    blocks: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    # Bumped on every save of the blocks; a save naming an older version is refused.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    owner: Mapped[User] = relationship(back_populates="canvases")
    worksheets: Mapped[list[Worksheet]] = relationship(
        back_populates="canvas", cascade="all, delete-orphan", order_by="Worksheet.id"
    )
    snapshots: Mapped[list[Snapshot]] = relationship(
        back_populates="canvas", cascade="all, delete-orphan", order_by="Snapshot.number.desc()"
    )


class Worksheet(db.Model):
    """One filled-in (or partly filled) worksheet: answers keyed by field id, and a version."""

    __tablename__ = "worksheets"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (see User)

    id: Mapped[int] = mapped_column(primary_key=True)
    canvas_id: Mapped[int] = mapped_column(ForeignKey("canvases.id"), index=True)
    definition_id: Mapped[str] = mapped_column(String(80))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Bumped on every save; a save that names an older version is refused (second tab).
    version: Mapped[int] = mapped_column(default=1)
    current_step: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    canvas: Mapped[Canvas] = relationship(back_populates="worksheets")


class RefusedSave(db.Model):
    """A save refused because another tab (or person) wrote first: kept, with only the
    inputs the editor knows, and listed to its owner as "texts not saved" until dealt with."""

    __tablename__ = "refused_saves"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                          index=True)
    editor: Mapped[str] = mapped_column(String(20))  # worksheet | board | ...
    object_id: Mapped[int] = mapped_column()  # the worksheet's, canvas's... id
    # The canvas it belongs to, so emptying the recycle bin takes it along.
    canvas_id: Mapped[int | None] = mapped_column(
        ForeignKey("canvases.id", ondelete="CASCADE"), index=True, default=None)
    based_on_version: Mapped[int] = mapped_column()
    step: Mapped[str] = mapped_column(String(80), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    dealt_with_at: Mapped[datetime | None] = mapped_column(default=None)


class Snapshot(db.Model):
    """A saved version of a whole canvas (blocks and worksheet answers), with a note."""

    __tablename__ = "snapshots"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (see User)

    id: Mapped[int] = mapped_column(primary_key=True)
    canvas_id: Mapped[int] = mapped_column(ForeignKey("canvases.id", ondelete="CASCADE"),
                                           index=True)
    number: Mapped[int] = mapped_column()  # 1, 2, 3... within the canvas
    note: Mapped[str] = mapped_column(String(200), default="")
    # The canvas JSON format: a whole canvas, so loaded only when read (lists need numbers).
    data: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    canvas: Mapped[Canvas] = relationship(back_populates="snapshots")


class UserSession(db.Model):
    """One sign-in: the browser holds a random id (in the signed cookie), the database only
    its hash. Ending the row signs that browser out at once, wherever the cookie is."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    # signed out, password changed, signed out elsewhere, idle, expired, account deleted...
    end_reason: Mapped[str] = mapped_column(String(40), default="")

    user: Mapped[User] = relationship(back_populates="sessions")


class SignInFailure(db.Model):
    """Failed sign-ins for one e-mail from one address (or from any, address "*"), and the
    lock they earned. Keyed by the typed e-mail, so unknown e-mails are slowed the same way."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_email_address", "email", "address",
                            unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(default=0)
    # How many locks in a row this key has earned: each doubles the last.
    locks: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(db.Model):
    """Something security-relevant that happened: who, to whom, what, from where.

    `user_id` and `actor_id` are plain numbers, not foreign keys, so the record of an
    account's deletion outlives the account."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    user_id: Mapped[int | None] = mapped_column(default=None, index=True)
    actor_id: Mapped[int | None] = mapped_column(default=None)
    email: Mapped[str] = mapped_column(String(254), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# --- classes, assignments, hand-in and review (canvas/classroom/) ------------------------------

class SchoolClass(db.Model):
    """A class: its teachers and students, a content language, and a code to join it."""

    __tablename__ = "classes"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (see User)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # The language the class works in: every canvas an assignment starts is in it.
    language: Mapped[str] = mapped_column(String(5), default="en")
    # None while joining by code is switched off; a reset gives a new one.
    join_code: Mapped[str | None] = mapped_column(String(16), unique=True, default=None)
    join_needs_approval: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[ClassMember]] = relationship(
        back_populates="school_class", cascade="all, delete-orphan", passive_deletes=True)
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="school_class", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Assignment.due_at")


class ClassMember(db.Model):
    """Someone in a class, as a teacher or a student.

    A student's `status`: active; pending (joined a class that needs approval, or came back
    after being removed); invited (an existing account the teacher added, until they
    accept); removed (kept so that the code alone does not let them back in)."""

    __tablename__ = "class_members"
    __table_args__ = (UniqueConstraint("class_id", "user_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"),
                                          index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))  # teacher | student
    status: Mapped[str] = mapped_column(String(10), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    school_class: Mapped[SchoolClass] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class Assignment(db.Model):
    """Work set for a class: one worksheet (or the whole canvas), instructions and dates."""

    __tablename__ = "assignments"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"),
                                          index=True)
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10), default="worksheet")  # worksheet | canvas
    definition_id: Mapped[str | None] = mapped_column(String(80), default=None)
    instructions: Mapped[str] = mapped_column(Text, default="")  # Markdown, cleaned when shown
    opens_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime] = mapped_column()
    # After this no first hand-in is taken (a resubmission the teacher asked for still is).
    closes_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    school_class: Mapped[SchoolClass] = relationship(back_populates="assignments")


class Extension(db.Model):
    """A later due date (and cut-off) for one student on one assignment."""

    __tablename__ = "extensions"
    __table_args__ = (UniqueConstraint("assignment_id", "student_id"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"),
                                               index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                            index=True)
    due_at: Mapped[datetime] = mapped_column()
    closes_at: Mapped[datetime | None] = mapped_column(default=None)


class Submission(db.Model):
    """One student's work on one assignment: their canvas, its status and every attempt.

    Status: draft, submitted, returned (for revision), resubmitted, approved; "not started"
    is the absence of a row."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("assignment_id", "student_id"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"),
                                               index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                            index=True)
    # The student's own canvas (and worksheet) for the assignment; emptied if they delete it
    # for good (what they handed in stays in the attempts).
    canvas_id: Mapped[int | None] = mapped_column(
        ForeignKey("canvases.id", ondelete="SET NULL"), index=True, default=None)
    worksheet_id: Mapped[int | None] = mapped_column(
        ForeignKey("worksheets.id", ondelete="SET NULL"), default=None)
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the student last opened their released feedback ("new feedback" counts the rest).
    feedback_seen_at: Mapped[datetime | None] = mapped_column(default=None)

    assignment: Mapped[Assignment] = relationship()
    student: Mapped[User] = relationship()
    attempts: Mapped[list[Attempt]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Attempt.number")


class Attempt(db.Model):
    """One hand-in: exactly what was handed in (the canvas JSON format), when, and whether
    it was late. A taken-back attempt is kept, marked as such."""

    __tablename__ = "attempts"
    __table_args__ = (UniqueConstraint("submission_id", "number"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"),
                                               index=True)
    number: Mapped[int] = mapped_column()  # 1, 2, 3... within the submission
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    late: Mapped[bool] = mapped_column(default=False)
    # The whole canvas as handed in; loaded only when read (lists need the rest).
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    # SHA-256 of the snapshot: the receipt names it, so both sides can tell it is the same.
    receipt: Mapped[str] = mapped_column(String(64))
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)

    submission: Mapped[Submission] = relationship(back_populates="attempts")
    feedback: Mapped[Feedback | None] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", passive_deletes=True,
        uselist=False)


class Feedback(db.Model):
    """A teacher's marking of one attempt: comments by field, an overall comment, rubric
    levels by criterion and the outcome; private until released. Versioned like every
    editor's object (canvas/saving.py), so two teachers never overwrite each other."""

    __tablename__ = "feedback"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"),
                                            unique=True)
    version: Mapped[int] = mapped_column(default=1)
    comments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # field key -> text
    overall: Mapped[str] = mapped_column(Text, default="")
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # criterion -> level
    outcome: Mapped[str] = mapped_column(String(10), default="")  # "" | return | approve
    # Set by the first change: from then on the student can no longer take the attempt back.
    marked_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    released_at: Mapped[datetime | None] = mapped_column(default=None, index=True)

    attempt: Mapped[Attempt] = relationship(back_populates="feedback")


class QuizAnswer(db.Model):
    """A user's answers to one self-check question: the first (what they knew) and the
    latest (what they learnt from the feedback), and how many tries. One row per user and
    question, so the table grows with the content, not with the clicks."""

    __tablename__ = "quiz_answers"
    __table_args__ = (UniqueConstraint("user_id", "quiz_id", "question_id",
                                       name="uq_quiz_answers_user_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Content ids (canvas/content/quizzes.py), at most MAX_ID_LENGTH characters.
    quiz_id: Mapped[str] = mapped_column(String(80))
    question_id: Mapped[str] = mapped_column(String(80))
    first_choice: Mapped[str] = mapped_column(String(80))
    first_right: Mapped[bool] = mapped_column()
    last_choice: Mapped[str] = mapped_column(String(80))
    last_right: Mapped[bool] = mapped_column()
    attempts: Mapped[int] = mapped_column(default=1)
    first_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_at: Mapped[datetime] = mapped_column(default=utcnow)


class Job(db.Model):
    """A long job (a PDF render, a class's ZIP): what it is, how far it got and its result,
    kept in the database so that any server process, and a page reloaded, finds it
    (canvas/jobs.py runs it, in a local process or on an RQ worker)."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random: it goes in URLs
    kind: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, default=None)
    state: Mapped[str] = mapped_column(String(10), default="queued")  # queued|running|done|failed
    params: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(String(200), default="")
    # Why it failed: timeout | too-large | failed | lost (its worker went away).
    error: Mapped[str] = mapped_column(String(20), default="")
    timeout_seconds: Mapped[float] = mapped_column()
    max_bytes: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    # Past this a job that has not finished has failed, whoever was meant to finish it.
    deadline: Mapped[datetime] = mapped_column()
    result: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True, default=None)
    result_name: Mapped[str] = mapped_column(String(200), default="")
    result_type: Mapped[str] = mapped_column(String(100), default="")
