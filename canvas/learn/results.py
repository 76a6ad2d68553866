"""Self-check results: each user's answers per question, kept so that students find their
answers again and a teacher can see how a class is doing. No request, no session here.

The classroom calls `class_results(user_ids, library)` for the members of a class.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from ..content.loader import Library
from ..content.quizzes import Quiz, Verdict
from ..database import write_transaction
from ..extensions import db
from ..models import QuizAnswer, utcnow


def record_answers(user_id: int, quiz: Quiz, verdicts: Mapping[str, Verdict]) -> None:
    """Keep a user's answers: the first answer to a question stays, the latest replaces the
    one before, and the tries are counted."""
    if not verdicts:
        return
    # Two tabs answering the same first question at once: on PostgreSQL the second insert
    # meets the unique constraint, and the retry finds the row and updates it. (SQLite's
    # write transaction already takes the lock before reading.)
    for attempt in range(2):
        try:
            with write_transaction():
                _upsert(user_id, quiz, verdicts)
            return
        except IntegrityError:
            if attempt:
                raise


def _upsert(user_id: int, quiz: Quiz, verdicts: Mapping[str, Verdict]) -> None:
    stored = {row.question_id: row for row in db.session.scalars(
        select(QuizAnswer).where(QuizAnswer.user_id == user_id, QuizAnswer.quiz_id == quiz.id,
                                 QuizAnswer.question_id.in_(list(verdicts))))}
    now = utcnow()
    for question_id, verdict in verdicts.items():
        row = stored.get(question_id)
        if row is None:
            db.session.add(QuizAnswer(
                user_id=user_id, quiz_id=quiz.id, question_id=question_id,
                first_choice=verdict.option.id, first_right=verdict.right,
                last_choice=verdict.option.id, last_right=verdict.right, attempts=1,
                first_at=now, last_at=now))
        else:
            row.last_choice, row.last_right = verdict.option.id, verdict.right
            row.attempts += 1
            row.last_at = now


def answers_of(user_id: int, quiz: Quiz) -> dict[str, QuizAnswer]:
    """A user's stored answers to a quiz, by question id (questions no longer in the
    content, or options no longer offered, are left out)."""
    out = {}
    for row in db.session.scalars(select(QuizAnswer).where(
            QuizAnswer.user_id == user_id, QuizAnswer.quiz_id == quiz.id)):
        question = quiz.question(row.question_id)
        if question is not None and question.option(row.last_choice) is not None:
            out[row.question_id] = row
    return out


@dataclass(frozen=True)
class QuestionResult:
    """How a group of users did on one self-check question."""

    quiz_id: str
    question_id: str
    page: str  # the page the self-check is on
    answered: int = 0  # users who answered it at all
    right_first_try: int = 0
    right_now: int = 0  # users whose latest answer is right
    first_choices: dict[str, int] = field(default_factory=dict)  # option id -> users
    last_choices: dict[str, int] = field(default_factory=dict)


def class_results(user_ids: Collection[int], library: Library) -> list[QuestionResult]:
    """Per question of every self-check in the content (in page order, unanswered ones
    too), how many of `user_ids` answered it, were right on the first try and are right
    now, and which options they chose first and last. Only counts: no user is named."""
    ids = sorted({int(u) for u in user_ids})
    totals: dict[tuple[str, str], tuple[int, int, int]] = {}
    first: dict[tuple[str, str], dict[str, int]] = {}
    last: dict[tuple[str, str], dict[str, int]] = {}
    if ids:
        members = QuizAnswer.user_id.in_(ids)
        key = (QuizAnswer.quiz_id, QuizAnswer.question_id)
        for quiz_id, question_id, answered, right_first, right_now in db.session.execute(
                select(*key, func.count(),
                       func.sum(case((QuizAnswer.first_right, 1), else_=0)),
                       func.sum(case((QuizAnswer.last_right, 1), else_=0)))
                .where(members).group_by(*key)):
            totals[(quiz_id, question_id)] = (answered, right_first or 0, right_now or 0)
        for column, counts in ((QuizAnswer.first_choice, first),
                               (QuizAnswer.last_choice, last)):
            for quiz_id, question_id, choice, n in db.session.execute(
                    select(*key, column, func.count()).where(members)
                    .group_by(*key, column)):
                counts.setdefault((quiz_id, question_id), {})[choice] = n
    order = {p.id: n for n, p in enumerate(library.pages_in(library.languages[0]))}
    out = []
    for quiz in sorted(library.quizzes.values(), key=lambda q: order.get(q.page, len(order))):
        for question in quiz.questions:
            at = (quiz.id, question.id)
            answered, right_first, right_now = totals.get(at, (0, 0, 0))
            out.append(QuestionResult(quiz.id, question.id, quiz.page, answered, right_first,
                                      right_now, first.get(at, {}), last.get(at, {})))
    return out
