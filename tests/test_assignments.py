"""Assignments and hand-in: setting work with dates, instructions and extensions; students
starting it in the class's language, handing in (snapshot, receipt, lock, late, cut-off),
taking back, resubmitting, and what changed between attempts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from canvas.classroom import assignments as work
from canvas.classroom.review import changes_between
from canvas.extensions import db
from canvas.library import get_definitions, get_library
from canvas.models import Assignment, Canvas, Extension, RefusedSave, Worksheet, utcnow
from tests.classroom import (
    ANSWERS,
    add_assignment,
    feedback_row,
    hand_in,
    make_class,
    mark,
    start,
    submission_row,
)
from tests.conftest import path_of
from tests.dom import html_of


def assignment_row(app, assignment_id: int) -> dict:
    with app.app_context():
        a = db.session.get(Assignment, assignment_id)
        return {"title": a.title, "kind": a.kind, "definition": a.definition_id,
                "instructions": a.instructions, "opens": a.opens_at, "due": a.due_at,
                "closes": a.closes_at}


# --- setting work ------------------------------------------------------------------------------

def test_a_teacher_sets_a_worksheet_with_dates_in_oslo_time(app, make_user, login):
    teacher = make_user(role="teacher")
    room = make_class(app, teacher, [])
    session = login(teacher)
    form = html_of(session.get(room.url("/assignments/new")))
    assert form.one("#definition option[selected]").get("value") == "customer-relationships"
    response = session.post(room.url("/assignments/new"), data={
        "title": "Customer relationships", "kind": "worksheet",
        "definition": "customer-relationships", "instructions": "Do **all** steps.",
        "opens_at": "2026-12-01T08:00", "due_at": "2026-12-10T15:30",
        "closes_at": "2026-06-20T23:59".replace("06", "12")})
    assert response.status_code == 302
    assignment_id = int(path_of(response).rsplit("/", 1)[1])
    stored = assignment_row(app, assignment_id)
    # Oslo is UTC+1 in December: typed 15:30 is 14:30 UTC.
    assert stored["due"].replace(tzinfo=UTC) == datetime(2026, 12, 10, 14, 30, tzinfo=UTC)
    assert stored["closes"].replace(tzinfo=UTC) == datetime(2026, 12, 20, 22, 59, tzinfo=UTC)
    assert (stored["kind"], stored["definition"]) == ("worksheet", "customer-relationships")
    page = html_of(session.get(room.assignment_url().replace("None", str(assignment_id))))
    assert page.heading() == "Customer relationships"
    facts = page.one("dl.facts").text
    assert "Dec 10, 2026, 15:30" in facts and "Dec 20, 2026, 23:59" in facts
    edit = html_of(session.get(f"/classes/{room.class_id}/assignments/{assignment_id}/edit"))
    assert edit.one("#due_at").get("value") == "2026-12-10T15:30"


@pytest.mark.parametrize("changes, field, message", [
    ({"title": ""}, "title", "This field is required."),
    ({"title": "t" * 121}, "title", "Field cannot be longer than 120 characters."),
    ({"due_at": "2026-11-01T08:00"}, "due_at", "comes before the assignment opens"),
    ({"closes_at": "2026-12-09T08:00"}, "due_at", "cut-off comes before the due date"),
    ({"definition": "no-such-worksheet"}, "due_at", "Choose one of the worksheets"),
    ({"kind": "essay"}, "kind", "Not a valid choice."),
    ({"due_at": "tomorrow"}, "due_at", "Not a valid datetime value."),
    ({"instructions": "x" * 10_001}, "instructions", "longer than 10000 characters"),
])
def test_an_assignment_form_refuses_what_does_not_fit(app, make_user, login, changes, field,
                                                      message):
    teacher = make_user(role="teacher")
    room = make_class(app, teacher, [])
    data = {"title": "Work", "kind": "worksheet", "definition": "customer-relationships",
            "instructions": "", "opens_at": "2026-12-01T08:00", "due_at": "2026-12-10T08:00",
            "closes_at": "", **changes}
    response = login(teacher).post(room.url("/assignments/new"), data=data)
    assert response.status_code == 422
    assert message in html_of(response).one(f"#{field}-error").text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Assignment.id))) == 0


def test_instructions_are_markdown_cleaned_of_anything_active(app, make_user, login):
    teacher, student = make_user(role="teacher"), make_user()
    room = add_assignment(app, make_class(app, teacher, [student]), instructions=(
        "# Read me\n\n**Bold** and [a link](https://example.com) and "
        "[bad](javascript:alert(1))\n\n<script>alert(1)</script>\n\n"
        "<img src=x onerror=alert(1)>\n\n<p style=\"color:red\" onclick=\"x()\">styled</p>"))
    for session, url in ((login(student), f"/assignments/{room.assignment_id}"),
                         (login(teacher), room.assignment_url())):
        content = html_of(session.get(url)).one(".instructions .content")
        assert content.one("strong").text == "Bold"
        assert [a.get("href") for a in content.all("a")] == ["https://example.com", None]
        assert not content.has("script, img, [onerror], [onclick], [style], h1")
        assert "styled" in content.text


# --- the student's side ------------------------------------------------------------------------

def test_students_see_their_assignments_status_and_due_date_on_their_home_page(app, make_user,
                                                                               login):
    teacher, student = make_user(role="teacher"), make_user()
    room = add_assignment(app, make_class(app, teacher, [student]), title="Open work")
    add_assignment(app, room, title="Later work", opens_in=timedelta(days=3),
                   due_in=timedelta(days=9))
    session = login(student)
    items = html_of(session.get("/")).all("#assignments .assignment-list li")
    assert [i.one("h3 a").text for i in items] == ["Open work", "Later work"]
    assert items[0].one(".status").text == "Not started"
    assert "due" in items[0].text and "opens" in items[1].text
    later = html_of(session.get(f"/assignments/{room.assignment_id}"))
    assert "This assignment opens" in later.one("#work").text
    assert session.post(f"/assignments/{room.assignment_id}/start").status_code == 403


def test_starting_makes_the_students_own_canvas_in_the_class_language(app, make_user, login):
    teacher, student = make_user(role="teacher"), make_user(language="en")
    room = add_assignment(app, make_class(app, teacher, [student], language="nb"))
    session = login(student)
    response = session.post(f"/assignments/{room.assignment_id}/start")
    row = submission_row(app, room, student)
    assert path_of(response) == f"/worksheets/{row['worksheet_id']}"
    assert row["status"] == "draft"
    with app.app_context():
        canvas = db.session.get(Canvas, row["canvas_id"])
        assert (canvas.owner_id, canvas.language, canvas.title) == (
            student.id, "nb", "Plan your customer relationships")
        assert [w.definition_id for w in canvas.worksheets] == ["customer-relationships"]
    again = session.post(f"/assignments/{room.assignment_id}/start")
    assert path_of(again) == path_of(response)
    assert submission_row(app, room, student)["canvas_id"] == row["canvas_id"]
    editor = html_of(session.get(f"/worksheets/{row['worksheet_id']}/steps/focus"))
    bar = editor.one(".assignment-bar")
    assert bar.one("a").get("href") == f"/assignments/{room.assignment_id}"
    assert editor.one("h1").get("lang") == "nb"


def test_the_whole_canvas_as_an_assignment_opens_the_board(app, make_user, login):
    teacher, student = make_user(role="teacher"), make_user()
    room = add_assignment(app, make_class(app, teacher, [student]), kind="canvas")
    session = login(student)
    response = session.post(f"/assignments/{room.assignment_id}/start")
    row = submission_row(app, room, student)
    assert row["worksheet_id"] is None and path_of(response) == f"/canvases/{row['canvas_id']}"
    board = html_of(session.get(path_of(response)))
    assert board.one(".assignment-bar a").get("href") == f"/assignments/{room.assignment_id}"


def _hand_in(session, room):
    return session.post(f"/assignments/{room.assignment_id}/submit")


def test_handing_in_stores_exactly_what_was_handed_in_and_locks_the_work(app, make_user,
                                                                         login):
    teacher, student = make_user(role="teacher"), make_user()
    room = add_assignment(app, make_class(app, teacher, [student]))
    start(app, room, student, ANSWERS)
    session = login(student)
    response = _hand_in(session, room)
    assert response.status_code == 302
    row = submission_row(app, room, student)
    assert row["status"] == "submitted" and row["attempts"] == [(1, False, False)]
    with app.app_context():
        submission = work.submission_of(room.assignment_id, student.id)
        attempt = submission.attempts[0]
        canvas = db.session.get(Canvas, row["canvas_id"])
        assert attempt.snapshot == work.snapshot_of(canvas, get_definitions(), get_library())
        assert attempt.snapshot["worksheets"][0]["answers"]["segment"] == ANSWERS["segment"]
        assert attempt.receipt == work.receipt_of(attempt.snapshot)
        receipt = attempt.receipt
    page = html_of(session.get(f"/assignments/{room.assignment_id}"))
    assert page.one(".status").text == "Submitted"
    assert receipt[:12] in page.one(".receipt").text
    worksheet_id = row["worksheet_id"]
    # Every way of changing the work is refused while it is handed in, and nothing is lost.
    locked = session.autosave(worksheet_id, "focus", 2, {"segment": "Changed after"})
    assert locked.status_code == 423 and locked.json["status"] == "locked"
    assert "handed in" in locked.json["message"]
    plain = session.post(f"/worksheets/{worksheet_id}/steps/focus", data={
        "version": "2", "segment": "Changed after", "go": "stay"})
    assert plain.status_code == 423
    with app.app_context():
        assert db.session.get(Worksheet, worksheet_id).answers["segment"] == ANSWERS["segment"]
        kept = db.session.scalars(db.select(RefusedSave).where(
            RefusedSave.object_id == worksheet_id)).all()
        assert [r.payload["segment"] for r in kept] == ["Changed after", "Changed after"]
    editor = html_of(session.get(f"/worksheets/{worksheet_id}/steps/focus"))
    assert editor.one("#step-form fieldset.plain-fieldset").get("disabled") is not None
    canvas_id = row["canvas_id"]
    # The board shows the work read-only: every control inside a disabled fieldset, nothing
    # to drag, and board.js leaves it alone (data-locked).
    shown = html_of(session.get(f"/canvases/{canvas_id}"))
    locked = shown.one("fieldset.plain-fieldset[disabled]")
    assert locked.has("#board[data-locked]")
    controls = "#board textarea, #board select, #board button"
    inside = [e.tag for e in locked.all(controls)]
    assert inside and [e.tag for e in shown.all(controls)] == inside
    assert {li.get("draggable") for li in shown.all("#board li.note")} <= {"false"}
    board = session.client.post(f"/canvases/{canvas_id}/blocks", data=json.dumps({
        "version": 1, "blocks": {"channels": [{"id": "n1", "text": "Shop"}]}}),
        headers={"X-CSRFToken": session.csrf, "Content-Type": "application/json"})
    assert board.status_code == 423
    note = session.post(f"/canvases/{canvas_id}/blocks/channels/items", data={
        "text": "Shop", "version": "1"}, follow_redirects=True)
    assert "handed in" in html_of(note).one(".flash-error").text
    # Moving between steps changes nothing, so it still works.
    moved = session.post(f"/worksheets/{worksheet_id}/steps/focus", data={
        "version": "2", "go": "next"})
    assert moved.status_code == 302 and path_of(moved).endswith("/steps/goals")


def test_handing_in_twice_or_without_work_is_refused(app, make_user, login):
    teacher, student = make_user(role="teacher"), make_user()
    room = add_assignment(app, make_class(app, teacher, [student]))
    session = login(student)
    nothing = _hand_in(session, room)
    assert nothing.status_code == 409 and "start the assignment first" in nothing.text
    start(app, room, student)
    assert _hand_in(session, room).status_code == 302
    again = _hand_in(session, room)
    assert again.status_code == 409 and "already handed in" in html_of(again).one("main").text
    assert submission_row(app, room, student)["attempts"] == [(1, False, False)]


def test_late_cut_off_and_extensions(app, make_user, login):
    teacher = make_user(role="teacher")
    late, shut_out, extended = make_user(), make_user(), make_user()
    room = add_assignment(app, make_class(app, teacher, [late, shut_out, extended]),
                          opens_in=timedelta(days=-10), due_in=timedelta(days=-2),
                          closes_in=timedelta(days=-1))
    for student in (late, shut_out, extended):
        start(app, room, student, ANSWERS)
    with app.app_context():
        now = utcnow()
        assignment = db.session.get(Assignment, room.assignment_id)
        submission = work.submission_of(room.assignment_id, late.id)
        work.submit(submission, assignment, None, {"format": "x"}, now - timedelta(hours=36))
        db.session.commit()
    assert submission_row(app, room, late)["attempts"] == [(1, True, False)]
    refused = _hand_in(login(shut_out), room)
    assert refused.status_code == 403 and "closed" in html_of(refused).one("main").text
    session = login(teacher)
    due = (datetime.now(UTC) + timedelta(days=2)).astimezone().strftime("%Y-%m-%dT%H:%M")
    assert session.post(room.assignment_url("/extensions"), data={
        "student": str(extended.id), "due_at": due, "closes_at": ""}).status_code == 302
    handed = _hand_in(login(extended), room)
    assert handed.status_code == 302
    assert submission_row(app, room, extended)["attempts"] == [(1, False, False)]
    page = html_of(session.get(room.assignment_url()))
    rows = {r.one("th a").text: r for r in page.all("table.work tbody tr")}
    assert rows[late.email.split("@")[0]].has(".badge.late")
    assert rows[extended.email.split("@")[0]].one(".badge").text in ("extended",)
    assert not rows[extended.email.split("@")[0]].has(".badge.late")
    # An empty due date takes the extension away again.
    assert session.post(room.assignment_url("/extensions"), data={
        "student": str(extended.id), "due_at": ""}).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Extension.id))) == 0


def test_an_extension_only_for_a_student_of_the_class(app, make_user, login):
    teacher, student, stranger = make_user(role="teacher"), make_user(), make_user()
    room = add_assignment(app, make_class(app, teacher, [student]))
    response = login(teacher).post(room.assignment_url("/extensions"), data={
        "student": str(stranger.id), "due_at": "2030-01-01T10:00"})
    assert response.status_code == 422
    assert "Not a valid choice" in html_of(response).one("#student-error").text


def test_a_student_takes_a_hand_in_back_until_marking_starts(app, make_user, login):
    teacher, student = make_user(role="teacher"), make_user()
    room = add_assignment(app, make_class(app, teacher, [student]))
    start(app, room, student, ANSWERS)
    session = login(student)
    _hand_in(session, room)
    assert session.post(f"/assignments/{room.assignment_id}/take-back").status_code == 302
    row = submission_row(app, room, student)
    assert row["status"] == "draft" and row["attempts"] == [(1, False, True)]
    assert session.autosave(row["worksheet_id"], "focus", 2,
                            {"segment": "Better"}).status_code == 200
    _hand_in(session, room)
    assert submission_row(app, room, student)["attempts"] == [(1, False, True), (2, False, False)]
    mark(app, room, student, comments={"segment": "Hm"})
    refused = session.post(f"/assignments/{room.assignment_id}/take-back")
    assert refused.status_code == 409
    assert "started marking" in html_of(refused).one("main").text
    assert submission_row(app, room, student)["status"] == "submitted"


def test_returned_work_is_revised_resubmitted_and_compared_field_by_field(app, make_user,
                                                                          login):
    teacher, student = make_user(role="teacher"), make_user()
    room = add_assignment(app, make_class(app, teacher, [student]))
    start(app, room, student, ANSWERS)
    hand_in(app, room, student)
    mark(app, room, student, comments={"segment": "Who exactly?"}, outcome="return",
         release=True)
    row = submission_row(app, room, student)
    assert row["status"] == "returned"
    session = login(student)
    saved = session.autosave(row["worksheet_id"], "focus", 2,
                             {"segment": "Offices of 10-50 people in Aarhus"})
    assert saved.status_code == 200
    assert _hand_in(session, room).status_code == 302
    row = submission_row(app, room, student)
    assert row["status"] == "resubmitted"
    assert row["attempts"] == [(1, False, False), (2, False, False)]  # never late: asked for
    for page in (session.get(f"/assignments/{room.assignment_id}/changes"),
                 login(teacher).get(room.review_url(student, "/changes"))):
        parsed = html_of(page)
        (change,) = parsed.all("section.change")
        assert change.one("h2").text == "Focus: Customer segment"
        cells = change.all("tbody td")
        assert [c.text for c in cells] == [ANSWERS["segment"], "Offices of 10-50 people in Aarhus"]
    assert session.get(f"/assignments/{room.assignment_id}/changes?a=9").status_code == 404


def test_changes_between_works_on_snapshots_alone(app, make_user):
    teacher, student = make_user(role="teacher"), make_user()
    room = add_assignment(app, make_class(app, teacher, [student]))
    with app.app_context():
        assignment = db.session.get(Assignment, room.assignment_id)

        def document(answers):
            return {"format": "bmc-canvas/1", "title": "T", "language": "en", "blocks": {},
                    "worksheets": [{"definition": "customer-relationships",
                                    "answers": answers}]}

        before = document({"segment": "A", "weights": {"acquisition": 50}})
        after = document({"segment": "A", "weights": {"acquisition": 60, "retention": 40}})
        changes = changes_between(assignment, before, after, get_definitions(), get_library())
        assert [(c.section, c.label) for c in changes] == [
            ("What you want to achieve", "Points for each goal (0-100, together 100)")]
        assert [r[1:] for r in changes[0].rows] == [("50", "60"), ("", "40")]
        assert changes_between(assignment, before, before, get_definitions(),
                               get_library()) == []


def test_a_teacher_cannot_change_the_worksheet_once_students_started(app, make_user, login):
    teacher, student = make_user(role="teacher"), make_user()
    room = add_assignment(app, make_class(app, teacher, [student]))
    start(app, room, student)
    response = login(teacher).post(room.assignment_url("/edit"), data={
        "title": "Renamed", "kind": "worksheet", "definition": "first-lesson",
        "opens_at": "2026-01-01T08:00", "due_at": "2030-01-01T08:00"})
    assert response.status_code == 422
    assert "stays as it is" in html_of(response).one("#due_at-error").text
    assert assignment_row(app, room.assignment_id)["definition"] == "customer-relationships"
    renamed = login(teacher).post(room.assignment_url("/edit"), data={
        "title": "Renamed", "kind": "worksheet", "definition": "customer-relationships",
        "opens_at": "2026-01-01T08:00", "due_at": "2030-01-01T08:00"})
    assert renamed.status_code == 302
    assert assignment_row(app, room.assignment_id)["title"] == "Renamed"


def test_the_teachers_list_filters_and_counts(app, make_user, login):
    teacher = make_user(role="teacher")
    waiting, drafting, idle, marked = (make_user(f"{n}@example.test") for n in
                                       ("waiting", "drafting", "idle", "marked"))
    room = add_assignment(app, make_class(app, teacher, [waiting, drafting, idle, marked]))
    for student in (waiting, drafting, marked):
        start(app, room, student, ANSWERS)
    hand_in(app, room, waiting)
    hand_in(app, room, marked)
    mark(app, room, marked, outcome="approve")
    session = login(teacher)

    def names(filter_name: str) -> list[str]:
        page = html_of(session.get(room.assignment_url(f"?filter={filter_name}")))
        return [a.text for a in page.all("table.work tbody th a")]

    assert names("all") == ["drafting", "idle", "marked", "waiting"]
    assert names("needs-marking") == ["waiting"]
    assert names("not-submitted") == ["drafting", "idle"]
    assert names("late") == []
    assert names("nonsense") == names("all")
    tally = html_of(session.get(room.assignment_url())).one(".tally").text
    assert "4 students" in tally and "1 need marking" in tally and "1 marked, not released" \
        in tally and "2 not submitted" in tally
    with app.app_context():
        row = feedback_row(app, room, marked)
        assert row["outcome"] == "approve" and not row["released"]
