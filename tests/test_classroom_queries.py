"""Teachers' pages use a constant number of SQL queries whatever the size of the class: each
page is counted (SQLAlchemy's before_cursor_execute) with 3 and with 30 students, every
student in a different state (not started, draft, handed in, marked, released, resubmitted,
extended). The class at a glance is counted too: the progress table, the class picture and
every CSV file (bench/class_glance.py takes them to 3,000 students)."""

from __future__ import annotations

from datetime import timedelta

from canvas.classroom import assignments as work
from canvas.classroom import review
from canvas.extensions import db
from canvas.models import Assignment, User, Worksheet, utcnow
from tests.classroom import ANSWERS, add_assignment, hand_in, make_class, mark, start
from tests.conftest import sql_statements
from tests.databases import on_postgres

# The pages, by name: how to reach each from a class (the student reviewed is one who
# resubmitted, so the page compares two attempts).
PAGES = {
    "classes": lambda room: "/classes",
    "class": lambda room: room.url(),
    "assignment": lambda room: room.assignment_url(),
    "assignment, needs marking": lambda room: room.assignment_url("?filter=needs-marking"),
    "review": lambda room: room.review_url(room.extra["reviewed"]),
    "review, late filter": lambda room: room.review_url(room.extra["reviewed"]) + "?filter=late",
    "changes": lambda room: room.review_url(room.extra["reviewed"], "/changes"),
    "home": lambda room: "/",
    "progress table": lambda room: room.assignment_url("/progress"),
    "progress table, sorted and filtered": lambda room: room.assignment_url(
        "/progress?filter=handed-in&sort=score&order=desc"),
    "class picture": lambda room: room.assignment_url("/picture"),
    "class picture, projector": lambda room: room.assignment_url("/picture/projector"),
    "progress CSV": lambda room: room.assignment_url("/progress.csv"),
    "Canvas LMS grades": lambda room: room.assignment_url("/grades/canvas.csv"),
    "roster CSV": lambda room: room.url("/roster.csv"),
}


def build(app, make_user, size: int):
    """A class of `size` students, one in each state in turn."""
    teacher = make_user(role="teacher")
    students = [make_user() for _ in range(size)]
    room = add_assignment(app, make_class(app, teacher, students), due_in=timedelta(hours=1))
    add_assignment(app, room, title="Second", due_in=timedelta(days=3))  # the list shows two
    room.assignment_id -= 1
    for n, student in enumerate(students):
        state = n % 6
        if state == 0:
            continue  # not started
        start(app, room, student, ANSWERS)
        if state == 1:
            continue  # draft
        hand_in(app, room, student)
        if state == 3:
            mark(app, room, student, comments={"segment": "Sharper"}, outcome="return")
        if state in (4, 5):
            mark(app, room, student, comments={"segment": "Sharper"},
                 scores={"tactics": "solid"}, outcome="return", release=True)
        if state == 5:
            with app.app_context():
                submission = work.submission_of(room.assignment_id, student.id)
                worksheet = db.session.get(Worksheet, submission.worksheet_id)
                worksheet.answers = {**worksheet.answers, "segment": "Sharper segment"}
                db.session.commit()
            hand_in(app, room, student)
            room.extra["reviewed"] = student
    with app.app_context():
        assignment = db.session.get(Assignment, room.assignment_id)
        for student in students[::4]:
            work.set_extension(assignment, student.id, utcnow() + timedelta(days=2), None)
        db.session.commit()
    room.extra.setdefault("reviewed", students[-1])
    return room


def queries(app, login, room) -> dict[str, int]:
    session = login(room.teacher)
    counts = {}
    # No app context held here: each request has its own database session, as in production
    # (a shared one would serve rows from its identity map and hide queries).
    for name, url in PAGES.items():
        session.get(url(room))  # warm: the session row's touch, the content caches
        with sql_statements(app) as statements:
            response = session.get(url(room))
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(statements)
    return counts


def test_teacher_pages_use_as_many_queries_for_30_students_as_for_3(app, make_user, login):
    small = queries(app, login, build(app, make_user, 6))
    large = queries(app, login, build(app, make_user, 30))
    print("\nSQL queries per page (6 | 30 students):",
          {name: (small[name], large[name]) for name in PAGES})
    assert large == small


def test_three_students_are_counted_too(app, make_user, login):
    """The smallest class the issue names: the same counts as a class of 30 (built in the
    same test so the two apps share nothing but the code)."""
    three = build(app, make_user, 3)
    three.extra["reviewed"] = three.students[2]
    with app.app_context():
        # Student 2 has handed in once (state 2): the review page shows one attempt there.
        assert review.submission_of(three.assignment_id, three.students[2].id) is not None
    small = queries(app, login, three)
    big = build(app, make_user, 30)
    big.extra["reviewed"] = big.students[2]
    large = queries(app, login, big)
    print("\nSQL queries per page (3 | 30 students):",
          {name: (small[name], large[name]) for name in PAGES})
    assert large == small
    assert max(large.values()) <= 20


def test_the_counter_counts(app, make_user):
    with sql_statements(app) as statements, app.app_context():
        db.session.scalar(db.select(User.id).limit(1))
        db.session.scalar(db.select(User.id).limit(1))
    # SQLite's BEGIN is a statement the app sends; psycopg begins a transaction unasked.
    begin = [] if on_postgres() else ["BEGIN"]
    assert [s.split()[0] for s in statements] == [*begin, "SELECT", "SELECT"]
