"""The class at a glance through the app, as a teacher uses it: an assignment's progress
table (counts, steps, sorting, filters, bulk actions), the CSV files, and the class picture
with its projector view. Pages are read with tests/dom.py, files with Python's csv reader.
The ZIP of PDFs is in test_class_zip.py."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canvas.extensions import db
from canvas.models import AuditEvent, Extension, utcnow
from tests.classroom import (
    ANSWERS,
    add_assignment,
    feedback_row,
    hand_in,
    make_class,
    mark,
    rename,
    start,
    submission_row,
)
from tests.dom import html_of

NAMES = ("Berg, Åse", 'Søren "Sø" Ørsted', "Cai Lund", "Dina Dahl")
BY_NAME = ["Berg, Åse", "Cai Lund", "Dina Dahl", 'Søren "Sø" Ørsted']
COMMENT = 'Strong work.\nNext time: say "why" for each tactic, æøå.'
FULL = {**ANSWERS, "relationship_types": [{"id": "co-creation", "why": "They design it."}],
        "weights": {"acquisition": 60, "retention": 30, "upselling": 10},
        "cost_to_win": 400, "cost_to_keep": 100, "average_order": 900, "orders_per_year": 4,
        "years": 3, "margin": 40}


@pytest.fixture
def room(app, make_user, login):
    """Åse handed in and has her marking released (approved, 2 + 3 of 21 points), Søren
    handed in late and waits for marking, Cai has a draft, Dina has not started."""
    teacher = make_user(role="teacher")
    ase, soren, cai, dina = (rename(app, make_user(), name) for name in NAMES)
    room = add_assignment(app, make_class(app, teacher, [ase, soren, cai, dina]),
                          due_in=timedelta(days=2))
    start(app, room, ase, FULL)
    hand_in(app, room, ase)
    mark(app, room, ase, scores={"segment-and-value": "solid", "tactics": "excellent"},
         outcome="approve", overall=COMMENT, release=True)
    start(app, room, soren, {**ANSWERS, "weights": {"acquisition": 30, "retention": 70,
                                                     "upselling": 0}})
    hand_in(app, room, soren, when=utcnow() + timedelta(days=3))  # after the due date
    mark(app, room, soren, scores={"tactics": "developing"}, overall="Not released yet")
    start(app, room, cai, {"segment": "Cafés"})
    room.extra.update(session=login(teacher), ase=ase, soren=soren, cai=cai, dina=dina)
    return room


def rows_of(page) -> dict[str, object]:
    return {row.one("th[scope=row]").text: row for row in page.all("table.progress-table tbody tr")}


# --- the progress table ----------------------------------------------------------------------

def test_the_progress_table_shows_every_student_by_steps_with_the_counts(room):
    page = html_of(room.extra["session"].get(room.assignment_url("/progress")))
    assert page.heading() == "Progress: Plan your customer relationships"
    assert page.texts(".counts li") == [
        "4 participants", "1 not started", "1 draft", "1 submitted", "1 needs marking",
        "0 returned", "1 approved", "1 late"]
    steps = page.all("table.progress-table thead .step-head")
    assert [s.one(".visually-hidden").text for s in steps][:3] == [
        "Focus", "What you want to achieve", "Relationship types"]
    assert all(s.one("abbr")["lang"] == "en" for s in steps)
    rows = rows_of(page)
    assert list(rows) == BY_NAME
    ase, soren, cai, dina = (rows[name] for name in NAMES)
    assert ase.one(".status").text == "Approved"
    assert soren.one(".status").text == "Submitted" and soren.has(".badge.late")
    assert cai.one(".status").text == "Draft" and dina.one(".status").text == "Not started"
    # A mark to see, words to hear.
    assert [(c.one("[aria-hidden]").text, c.one(".visually-hidden").text)
            for c in cai.all("td.step")][:2] == [("✓", "done"), ("·", "not yet")]
    assert len(dina.all("td.step.done")) == 0 and len(dina.all("td.step")) == len(steps)
    cells = [c.text for c in ase.all("td")]
    assert "5 / 21 released" in cells and "1" in cells  # score, attempt
    assert "1 / 21" in [c.text for c in soren.all("td")]  # marking, not released
    # Each name leads to the student's work; each row has a box to tick, labelled.
    assert ase.one("th a")["href"] == room.review_url(room.extra["ase"])
    box = ase.one("input.pick")
    assert page.one(f"label[for={box['id']}]").text == "Select Berg, Åse"


def test_sorting_and_filters_keep_each_other(room):
    session = room.extra["session"]
    page = html_of(session.get(room.assignment_url("/progress?sort=score&order=desc")))
    # Scores first (Åse 5, Søren 1), then those without one, by name.
    assert list(rows_of(page)) == ["Berg, Åse", 'Søren "Sø" Ørsted', "Cai Lund", "Dina Dahl"]
    header = page.one("th[aria-sort]")
    assert (header.text.split()[0], header["aria-sort"]) == ("Score", "descending")
    # Sorting again by the same column turns the order round.
    assert "order=asc" in header.one("a")["href"]
    page = html_of(session.get(room.assignment_url("/progress?sort=steps&order=asc")))
    assert list(rows_of(page))[0] == "Dina Dahl"
    page = html_of(session.get(room.assignment_url("/progress?filter=needs-marking&sort=name")))
    assert list(rows_of(page)) == ['Søren "Sø" Ørsted']
    assert page.one(".filters [aria-current=page]").text == "Needs marking"
    assert page.texts(".counts li")[0] == "4 participants"  # counts are the whole class
    links = [a["href"] for a in page.all(".filters a")]
    assert all("sort=name" in href for href in links)
    page = html_of(session.get(room.assignment_url("/progress?filter=late")))
    assert list(rows_of(page)) == ['Søren "Sø" Ørsted']
    page = html_of(session.get(room.assignment_url("/progress?filter=nonsense&sort=<script>")))
    assert list(rows_of(page)) == BY_NAME


def ticked(room, *names: str) -> list[str]:
    by_name = {room.extra[k].name: room.extra[k].id for k in ("ase", "soren", "cai", "dina")}
    return [str(by_name[name]) for name in names]


def test_returning_ticked_work_for_revision_releases_it_and_skips_the_rest(app, room):
    session = room.extra["session"]
    before = feedback_row(app, room, room.extra["soren"])
    response = session.post(room.assignment_url("/progress?filter=all&sort=score&order=desc"),
                            data={"action": "return",
                                  "student": ticked(room, 'Søren "Sø" Ørsted', "Dina Dahl",
                                                    "Berg, Åse", "Cai Lund")})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/progress?filter=all&sort=score&order=desc")
    after = feedback_row(app, room, room.extra["soren"])
    assert after["outcome"] == "return" and after["released"]
    # What was marked stays: the comment and the level, one version on.
    assert (after["overall"], after["scores"]) == (before["overall"], before["scores"])
    assert after["version"] == before["version"] + 1
    assert submission_row(app, room, room.extra["soren"])["status"] == "returned"
    assert submission_row(app, room, room.extra["dina"]) is None
    # Åse's approved work and Cai's draft are not handed-in work waiting: left as they were.
    assert submission_row(app, room, room.extra["ase"])["status"] == "approved"
    assert feedback_row(app, room, room.extra["ase"])["outcome"] == "approve"
    assert submission_row(app, room, room.extra["cai"])["status"] == "draft"
    page = html_of(session.get(response.headers["Location"]))
    assert page.text(".flash-success") == (
        "Returned the work of 1 student for revision. "
        "3 students had no hand-in waiting to be returned.")


def test_giving_ticked_students_more_time(app, room):
    session = room.extra["session"]
    response = session.post(room.assignment_url("/progress"), data={
        "action": "extend", "student": ticked(room, "Cai Lund", "Dina Dahl"),
        "due_at": "2030-06-01T12:00", "closes_at": ""})
    assert response.status_code == 302
    with app.app_context():
        given = {e.student_id: e.due_at for e in db.session.scalars(db.select(Extension))}
    assert set(given) == {room.extra["cai"].id, room.extra["dina"].id}
    page = html_of(session.get(room.assignment_url("/progress")))
    assert page.text(".flash-success") == "2 students have more time."
    assert rows_of(page)["Dina Dahl"].has(".badge") and not rows_of(page)["Dina Dahl"].has(
        ".badge.late")
    # More time needs a date.
    response = session.post(room.assignment_url("/progress"), data={
        "action": "extend", "student": ticked(room, "Cai Lund")})
    assert response.status_code == 422
    assert "Give the new due date." in html_of(response).text(".form-errors")


@pytest.mark.parametrize("data", [
    {"action": "return"},  # no one ticked
    {"action": "delete", "student": ["1"]},
    {"action": "return", "student": ["999999"]},
    {"action": "return", "student": ["not a number"]},
], ids=["nobody", "unknown action", "not in the class", "not an id"])
def test_a_bulk_action_that_cannot_be_done_changes_nothing(app, room, data):
    response = room.extra["session"].post(room.assignment_url("/progress"), data=data)
    assert response.status_code == 422
    page = html_of(response)
    assert page.heading() == "Progress: Plan your customer relationships"
    assert page.has(".form-errors")
    assert feedback_row(app, room, room.extra["soren"])["released"] is False


def test_a_student_of_another_class_cannot_be_ticked(app, room, make_user):
    other = make_user()
    make_class(app, make_user(role="teacher"), [other])
    response = room.extra["session"].post(room.assignment_url("/progress"), data={
        "action": "extend", "student": [str(other.id)], "due_at": "2030-06-01T12:00"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Extension.id))) == 0


def test_a_bulk_action_needs_the_csrf_token(app, room):
    response = room.extra["session"].client.post(room.assignment_url("/progress"), data={
        "action": "return", "student": ticked(room, 'Søren "Sø" Ørsted')})
    assert response.status_code == 400
    assert feedback_row(app, room, room.extra["soren"])["released"] is False


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(action=st.sampled_from(["return", "extend", "", "download", "x" * 300]) | st.text(
           max_size=20),
       students=st.lists(st.integers(-5, 10**20).map(str) | st.text(max_size=10), max_size=6),
       due=st.sampled_from(["", "2030-06-01T12:00", "1999-01-01T00:00", "bad", "2026-13-45"]),
       size=st.sampled_from(["", "a4", "a3", "letter", "a0"]))
def test_any_bulk_post_is_answered_with_a_page_and_touches_only_the_class(
        app, room, action, students, due, size):
    if action == "download":
        action = "return"  # the ZIP has its own tests; this one must not start jobs
    response = room.extra["session"].post(room.assignment_url("/progress"), data={
        "action": action, "student": students, "due_at": due, "size": size})
    assert response.status_code in (302, 400, 404, 422), response.status_code
    with app.app_context():
        extended = set(db.session.scalars(db.select(Extension.student_id)))
    assert extended <= {room.extra[k].id for k in ("ase", "soren", "cai", "dina")}


# --- the CSV files ---------------------------------------------------------------------------

def download(session, url: str) -> list[list[str]]:
    response = session.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "text/csv"
    assert re.fullmatch(r'attachment; filename="[a-z0-9-]+\.csv"; filename\*=UTF-8\'\'\S+',
                        response.headers["Content-Disposition"])
    assert response.headers["Cache-Control"] == "private, no-store"
    text = response.get_data().decode("utf-8")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


MOODLE_WORKSHEET = (
    "Identifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,"
    "Last modified (submission),Last modified (grade),Feedback comments\n"
    "Participant 5001,Åse Berg,{ase},Submitted for grading,,21.00,Yes,-,-,\n"
    "Participant 5002,Søren Ørsted,{soren},Submitted for grading,,21.00,Yes,-,-,\n")


def test_grades_for_moodle_and_canvas_lms_hold_the_released_marking_only(app, room):
    session = room.extra["session"]
    moodle = MOODLE_WORKSHEET.format(ase=room.extra["ase"].email,
                                     soren=room.extra["soren"].email).encode("utf-8")
    response = session.post(room.assignment_url("/grades/moodle"), data={
        "moodle-worksheet": (io.BytesIO(b"\xef\xbb\xbf" + moodle), "grades.csv")})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    header, *rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8"),
                                                newline="")))
    assert header == ["Identifier", "Full name", "Email address", "Status", "Grade",
                      "Maximum Grade", "Grade can be changed", "Last modified (submission)",
                      "Last modified (grade)", "Feedback comments"]
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    # Moodle's own participant numbers stay; Åse's released grade and comment go in.
    assert list(by_id) == ["Participant 5001", "Participant 5002"]
    assert (by_id["Participant 5001"]["Grade"], by_id["Participant 5001"]["Maximum Grade"]) == (
        "5.00", "21.00")
    assert by_id["Participant 5001"]["Feedback comments"] == COMMENT
    # Søren's marking is not released: Moodle's row is left as it was.
    assert (by_id["Participant 5002"]["Grade"],
            by_id["Participant 5002"]["Feedback comments"]) == ("", "")
    header, points, *rows = download(session, room.assignment_url("/grades/canvas.csv"))
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                      "Plan your customer relationships"]
    assert points == ["Points Possible", "", "", "", "", "21"]
    assert rows == [["Berg, Åse", "", "", room.extra["ase"].email, "2B Business", "5"]]
    with app.app_context():
        kinds = [e.detail.get("csv") for e in db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.kind == "export"))]
    assert kinds == ["grades-moodle", "grades-canvas"]


def test_the_roster_and_the_progress_table_as_csv(room):
    session = room.extra["session"]
    assert download(session, room.url("/roster.csv")) == [
        ["Name", "E-mail"], *[[room.extra[k].name, room.extra[k].email]
                              for k in ("ase", "cai", "dina", "soren")]]
    header, *rows = download(session, room.assignment_url(
        "/progress.csv?filter=handed-in&sort=name"))
    assert header[:4] == ["Student", "E-mail", "Status", "Focus"]
    assert [(r[0], r[2]) for r in rows] == [('Søren "Sø" Ørsted', "Submitted")]
    header, *rows = download(session, room.assignment_url("/progress.csv"))
    assert [r[0] for r in rows] == BY_NAME
    page = html_of(session.get(room.assignment_url("/progress?filter=late")))
    assert page.all(".downloads a")[0].get("href").endswith("progress.csv?filter=late&sort=name"
                                                         "&order=asc")


# --- the class picture -----------------------------------------------------------------------

def test_the_class_picture_draws_the_answers_and_names_whose_they_are(room):
    session = room.extra["session"]
    page = html_of(session.get(room.assignment_url("/picture")))
    assert page.heading() == "Class picture: Plan your customer relationships"
    sections = page.all(".chart-section")
    assert [s.one("h2").text for s in sections] == [
        "Relationship types", "Tactics", "What you want to achieve", "Economics"]
    for section in sections[:3] + sections[3:]:
        if not section.has("svg"):
            continue
        svg = section.one("svg")
        assert svg["role"] == "img"
        title_id, desc_id = svg["aria-labelledby"].split()
        assert section.one(f"#{title_id}").name == "title"
        assert section.one(f"#{desc_id}").name == "desc"
        assert section.has("table.chart-data caption")
    types = sections[0]
    co_creation = types.one("table tr[id$=co-creation]")
    assert co_creation.all("td")[0].text == "1"
    assert co_creation.one("a").text == "Berg, Åse"
    assert co_creation.one("a")["href"] == room.review_url(room.extra["ase"])
    # The chart's bar names her and points at that row.
    bar = types.one(f"svg g[data-row={co_creation['id']}]")
    assert "Berg, Åse" in bar.one("title").text
    weights = sections[2]
    assert "median 45" in weights.one("svg desc").text  # 60 and 30 for winning customers
    assert page.mentions('Søren "Sø" Ørsted', "#chart-weights-weights")
    economics = sections[3]
    assert economics.one("table tbody tr th").text == "Berg, Åse"
    assert page.one("script[src*=class-picture]")


def test_the_projector_view_shows_the_same_charts_without_a_name(room):
    session = room.extra["session"]
    teacher = html_of(session.get(room.assignment_url("/picture")))
    projector = html_of(session.get(room.assignment_url("/picture/projector")))
    assert projector.heading() == "What the class chose"
    assert [s.text for s in projector.all(".chart-section h2")] == [
        s.text for s in teacher.all(".chart-section h2")]
    # No one chose tactics yet: that chart says so instead of drawing.
    assert len(projector.all("svg[role=img]")) == len(teacher.all("svg[role=img]")) == 3
    assert projector.texts("svg desc") == teacher.texts("svg desc")
    for key in ("ase", "soren", "cai", "dina"):
        student = room.extra[key]
        assert teacher.mentions(student.name) or key in ("cai", "dina")
        assert not projector.mentions(student.name)
        assert not projector.mentions(student.email)
        assert not projector.has(f"a[href*='/students/{student.id}']")
    assert not projector.has("[data-row]")
    assert not projector.has("th[scope=col]:-soup-contains('Who')")


def test_a_canvas_assignment_has_no_picture_to_draw(app, make_user, login):
    teacher = make_user(role="teacher")
    room = add_assignment(app, make_class(app, teacher, [make_user()]), kind="canvas")
    page = html_of(login(teacher).get(room.assignment_url("/picture")))
    assert page.heading() == "Class picture: Plan your customer relationships"
    assert page.text(".empty").startswith("The class picture is drawn from a worksheet")
    assert not page.has("svg")


def test_the_assignment_page_leads_to_the_table_and_the_picture(room):
    page = html_of(room.extra["session"].get(room.assignment_url()))
    links = {a.text: a["href"] for a in page.all(".page-head a")}
    assert links["Progress table"] == room.assignment_url("/progress")
    assert links["Class picture"] == room.assignment_url("/picture")
    page = html_of(room.extra["session"].get(room.url()))
    assert page.one("#students a[href$='roster.csv']").text == "The class roster as CSV"


@pytest.mark.parametrize(("upload", "says"), [
    (None, "Choose the worksheet you downloaded from Moodle."),
    (b"Name,E-mail\nAse,a@example.test\n",
     "lacks Moodle's columns Identifier, Email address, Grade"),
    ("Navn;E-mail\nÅse".encode("latin-1"), "The file is not UTF-8 text."),
    (b"x" * (200 * 1024 + 1), "too large"),
])
def test_a_file_that_is_not_moodles_worksheet_is_explained_on_the_progress_page(room, upload,
                                                                                says):
    session = room.extra["session"]
    data = {} if upload is None else {"moodle-worksheet": (io.BytesIO(upload), "grades.csv")}
    response = session.post(room.assignment_url("/grades/moodle"), data=data)
    assert response.status_code == 422
    page = html_of(response)
    assert page.heading() == "Progress: Plan your customer relationships"
    assert says in page.one("#moodle-worksheet-error").text


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(upload=st.binary(max_size=2000) | st.text(max_size=500).map(
    lambda t: ("Identifier,Email address,Grade\n" + t).encode("utf-8")))
def test_any_uploaded_file_is_filled_in_or_explained_never_a_server_error(room, upload):
    response = room.extra["session"].post(room.assignment_url("/grades/moodle"), data={
        "moodle-worksheet": (io.BytesIO(upload), "grades.csv")})
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert html_of(response).one("#moodle-worksheet-error").text.strip()


def test_a_graded_student_missing_from_moodles_worksheet_is_named_on_the_next_page(room):
    session = room.extra["session"]
    only_soren = MOODLE_WORKSHEET.format(ase="someone@else.test",
                                         soren=room.extra["soren"].email).encode("utf-8")
    response = session.post(room.assignment_url("/grades/moodle"), data={
        "moodle-worksheet": (io.BytesIO(only_soren), "grades.csv")})
    assert response.status_code == 200
    page = html_of(session.get(room.assignment_url("/progress")))
    assert page.text(".flash-info") == (
        "1 student with a released grade is not in Moodle's worksheet: Berg, Åse.")


def test_a_worksheet_at_the_size_limit_is_filled_in(room):
    from canvas.classroom import spreadsheets

    worksheet = MOODLE_WORKSHEET.format(ase=room.extra["ase"].email,
                                        soren=room.extra["soren"].email).encode("utf-8")
    padding = spreadsheets.MOODLE_MAX_BYTES - len(worksheet) - 3
    worksheet += b'"' + b"x" * padding + b'"\n'
    assert len(worksheet) == spreadsheets.MOODLE_MAX_BYTES
    response = room.extra["session"].post(room.assignment_url("/grades/moodle"), data={
        "moodle-worksheet": (io.BytesIO(worksheet), "grades.csv")})
    assert response.status_code == 200


def test_a_grade_is_the_latest_released_marking_not_a_newer_unreleased_one(app, make_user,
                                                                          login):
    """Returned and released, then handed in again and marked but not released yet: the grade
    files keep the released points while the progress table shows the new marking's."""
    teacher, student = make_user(role="teacher"), rename(app, make_user(), "Åse Berg")
    room = add_assignment(app, make_class(app, teacher, [student]))
    start(app, room, student, ANSWERS)
    hand_in(app, room, student)
    mark(app, room, student, scores={"tactics": "developing"}, outcome="return", release=True)
    session = login(teacher)
    (released,) = download(session, room.assignment_url("/grades/canvas.csv"))[2:]
    hand_in(app, room, student)
    mark(app, room, student, scores={"tactics": "excellent"}, outcome="approve")
    rows = download(session, room.assignment_url("/grades/canvas.csv"))[2:]
    assert rows == [released]
    row = rows_of(html_of(session.get(room.assignment_url("/progress"))))["Åse Berg"]
    score = next(cell.text for cell in row.all("td") if " / 21" in cell.text)
    assert released[-1] == "1"  # "developing" on tactics
    assert score.startswith("3 / 21")  # "excellent": the new marking, not released yet
