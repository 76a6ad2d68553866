"""The progress table of an assignment (pure): a row per student with each step done or not,
the status, lateness, the attempt and the score; the counts at the top; sorting and filters.

Plain data in and out, no Flask and no database: `overview.progress_rows` reads the rows in
a constant number of queries, the page and the CSV files (`spreadsheets.py`) show them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# A submission's status (as canvas/classroom/assignments.py names them).
NOT_STARTED, DRAFT, SUBMITTED, RETURNED, RESUBMITTED, APPROVED = (
    "not_started", "draft", "submitted", "returned", "resubmitted", "approved")
STATUSES = (NOT_STARTED, DRAFT, SUBMITTED, RETURNED, RESUBMITTED, APPROVED)
HANDED_IN = (SUBMITTED, RESUBMITTED)

# What the table can show: everyone, or one group a teacher looks for.
FILTERS = ("all", "not-started", "draft", "handed-in", "needs-marking", "returned", "approved",
           "late")
# The columns it sorts by.
SORTS = ("name", "status", "steps", "handed-in", "attempt", "score", "due")


@dataclass(frozen=True)
class ProgressRow:
    """One student's line. `points` is the marking of the current attempt so far (the
    teacher's view); the grade the school gets is `grade`: the points of the latest
    released marking, with `graded_at` and its overall `comment`."""

    student_id: int
    name: str
    email: str
    status: str
    steps: tuple[bool, ...]
    due_at: datetime
    extended: bool = False
    handed_in_at: datetime | None = None
    late: bool = False
    attempt: int | None = None
    points: int | None = None
    marked: bool = False  # an outcome is chosen for the current attempt
    released: bool = False  # the current attempt's marking is released
    grade: int | None = None
    graded_at: datetime | None = None
    comment: str = ""

    @property
    def steps_done(self) -> int:
        return sum(self.steps)

    @property
    def handed_in(self) -> bool:
        return self.status in HANDED_IN

    @property
    def needs_marking(self) -> bool:
        """Handed in, and no outcome chosen yet."""
        return self.handed_in and not self.marked

    def matches(self, name: str) -> bool:
        """Whether the filter `name` shows this row."""
        tests: dict[str, Callable[[ProgressRow], bool]] = {
            "all": lambda r: True,
            "not-started": lambda r: r.status == NOT_STARTED,
            "draft": lambda r: r.status == DRAFT,
            "handed-in": lambda r: r.handed_in,
            "needs-marking": lambda r: r.needs_marking,
            "returned": lambda r: r.status == RETURNED,
            "approved": lambda r: r.status == APPROVED,
            "late": lambda r: r.late,
        }
        return tests.get(name, tests["all"])(self)


@dataclass(frozen=True)
class Counts:
    """The numbers at the top of the table, over every student of the class."""

    participants: int = 0
    not_started: int = 0
    drafts: int = 0
    submitted: int = 0  # handed in and waiting (first hand-ins and resubmissions)
    needs_marking: int = 0
    returned: int = 0
    approved: int = 0
    late: int = 0


def counts(rows: Sequence[ProgressRow]) -> Counts:
    return Counts(
        participants=len(rows),
        not_started=sum(r.status == NOT_STARTED for r in rows),
        drafts=sum(r.status == DRAFT for r in rows),
        submitted=sum(r.handed_in for r in rows),
        needs_marking=sum(r.needs_marking for r in rows),
        returned=sum(r.status == RETURNED for r in rows),
        approved=sum(r.status == APPROVED for r in rows),
        late=sum(r.late for r in rows),
    )


def _sort_value(row: ProgressRow, key: str) -> Any:
    if key == "status":
        return STATUSES.index(row.status) if row.status in STATUSES else len(STATUSES)
    return {"name": row.name.casefold(), "steps": row.steps_done,
            "handed-in": row.handed_in_at, "attempt": row.attempt, "score": row.points,
            "due": row.due_at}.get(key, row.name.casefold())


def sort_rows(rows: Sequence[ProgressRow], key: str = "name", descending: bool = False
              ) -> list[ProgressRow]:
    """The rows by one column, ties by name (then id); rows without a value for the column
    (no hand-in, no score) come last whichever way it is sorted."""
    key = key if key in SORTS else "name"
    ordered = sorted(rows, key=lambda r: (r.name.casefold(), r.student_id))
    known = [r for r in ordered if _sort_value(r, key) is not None]
    unknown = [r for r in ordered if _sort_value(r, key) is None]
    # sorted() is stable, so equal values keep the name order in both directions.
    known.sort(key=lambda r: _sort_value(r, key), reverse=descending)
    return known + unknown


def shown(rows: Sequence[ProgressRow], filter_name: str = "all", key: str = "name",
          descending: bool = False) -> list[ProgressRow]:
    """The rows a filter shows, sorted."""
    return sort_rows([r for r in rows if r.matches(filter_name)], key, descending)
