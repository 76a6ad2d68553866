"""The progress table's logic without Flask or a database (canvas/classroom/progress.py):
counts, filters and sorting over plain rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from canvas.classroom import assignments, progress
from canvas.classroom.progress import ProgressRow

DUE = datetime(2026, 12, 1, 12, tzinfo=UTC)


def row(student_id: int, name: str, status: str = "not_started", **values) -> ProgressRow:
    return ProgressRow(student_id=student_id, name=name, email=f"{student_id}@example.test",
                       status=status, steps=values.pop("steps", (False, False)), due_at=DUE,
                       **values)


CLASS = [
    row(1, "Ada", "approved", steps=(True, True), attempt=1, points=9, marked=True,
        released=True, grade=9, handed_in_at=DUE - timedelta(days=1)),
    row(2, "bo", "submitted", steps=(True, False), attempt=1,
        handed_in_at=DUE - timedelta(hours=1)),
    row(3, "Cai", "submitted", steps=(True, True), attempt=1, points=4, marked=True,
        handed_in_at=DUE + timedelta(hours=3), late=True),
    row(4, "Dan", "draft", steps=(True, False), late=True),
    row(5, "Eva", "not_started", late=True),
    row(6, "Fie", "returned", steps=(True, True), attempt=1, points=5, marked=True,
        released=True, grade=5, handed_in_at=DUE - timedelta(days=2)),
    row(7, "Gus", "resubmitted", steps=(True, True), attempt=2,
        handed_in_at=DUE + timedelta(days=1)),
]


def test_the_statuses_are_the_assignments_statuses():
    assert progress.STATUSES == assignments.STATUSES
    from canvas.classroom.locks import HANDED_IN

    assert progress.HANDED_IN == HANDED_IN


def test_the_counts_at_the_top():
    counts = progress.counts(CLASS)
    assert counts == progress.Counts(participants=7, not_started=1, drafts=1, submitted=3,
                                     needs_marking=2, returned=1, approved=1, late=3)
    assert progress.counts([]) == progress.Counts()


def test_each_filter_shows_its_students():
    def names(filter_name: str) -> list[str]:
        return [r.name for r in progress.shown(CLASS, filter_name)]

    assert names("all") == ["Ada", "bo", "Cai", "Dan", "Eva", "Fie", "Gus"]
    assert names("not-started") == ["Eva"]
    assert names("draft") == ["Dan"]
    assert names("handed-in") == ["bo", "Cai", "Gus"]
    assert names("needs-marking") == ["bo", "Gus"]  # Cai has an outcome already
    assert names("returned") == ["Fie"]
    assert names("approved") == ["Ada"]
    assert names("late") == ["Cai", "Dan", "Eva"]
    assert names("no-such-filter") == names("all")


def test_sorting_by_each_column_keeps_rows_without_a_value_last():
    def names(key: str, descending: bool = False) -> list[str]:
        return [r.name for r in progress.sort_rows(CLASS, key, descending)]

    # Case does not decide the order of names.
    assert names("name") == ["Ada", "bo", "Cai", "Dan", "Eva", "Fie", "Gus"]
    assert names("name", True) == ["Gus", "Fie", "Eva", "Dan", "Cai", "bo", "Ada"]
    assert names("score") == ["Cai", "Fie", "Ada", "bo", "Dan", "Eva", "Gus"]
    assert names("score", True) == ["Ada", "Fie", "Cai", "bo", "Dan", "Eva", "Gus"]
    assert names("handed-in") == ["Fie", "Ada", "bo", "Cai", "Gus", "Dan", "Eva"]
    # Ties (two steps done) in name order whichever way.
    assert names("steps", True) == ["Ada", "Cai", "Fie", "Gus", "bo", "Dan", "Eva"]
    assert names("steps") == ["Eva", "bo", "Dan", "Ada", "Cai", "Fie", "Gus"]
    assert names("status") == ["Eva", "Dan", "bo", "Cai", "Fie", "Gus", "Ada"]
    assert names("attempt", True)[:1] == ["Gus"]
    assert names("nonsense") == names("name")


ROWS = st.lists(st.builds(
    ProgressRow, student_id=st.integers(1, 10**6), name=st.text(max_size=8),
    email=st.just("x@example.test"), status=st.sampled_from(progress.STATUSES),
    steps=st.lists(st.booleans(), max_size=4).map(tuple), due_at=st.just(DUE),
    handed_in_at=st.none() | st.datetimes(timezones=st.just(UTC)),
    attempt=st.none() | st.integers(1, 5), points=st.none() | st.integers(0, 21),
    marked=st.booleans(), late=st.booleans()), max_size=25)


@given(ROWS, st.sampled_from(progress.SORTS), st.booleans(), st.sampled_from(progress.FILTERS))
def test_the_table_shows_each_matching_row_once_in_order(rows, key, descending, filter_name):
    shown = progress.shown(rows, filter_name, key, descending)
    assert sorted(map(id, shown)) == sorted(id(r) for r in rows if r.matches(filter_name))
    values = [progress._sort_value(r, key) for r in shown]
    known = [v for v in values if v is not None]
    # Every row without a value comes after every row with one...
    assert values[len(known):] == [None] * (len(values) - len(known))
    # ...and those with one are in order.
    assert known == sorted(known, reverse=descending)
    counts = progress.counts(rows)
    assert counts.participants == len(rows)
    assert counts.needs_marking <= counts.submitted
    assert (counts.not_started + counts.drafts + counts.submitted + counts.returned
            + counts.approved) == len(rows)
