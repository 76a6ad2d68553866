"""Reviewing: the screen (answers beside the rubric and learning content, next/previous,
filters, shortcuts), marking through the save protocol (two teachers never overwrite each
other), release per student or for the class, what students see and when, the counts, and
the feedback in the report PDF."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from canvas.classroom import review
from canvas.exports import worker
from canvas.exports.report import report_html
from canvas.extensions import db
from canvas.interchange import read_document
from canvas.models import ClassMember, RefusedSave
from tests.classroom import (
    ANSWERS,
    add_assignment,
    feedback_row,
    hand_in,
    make_class,
    mark,
    post_review,
    start,
    submission_row,
)
from tests.dom import html_of


@pytest.fixture(autouse=True, scope="module")
def stop_worker():
    yield
    worker.shutdown()


@pytest.fixture
def handed_in(app, make_user):
    """A class of two with an assignment; the first student has handed in."""
    teacher = make_user(role="teacher")
    first, second = make_user("anna@example.test"), make_user("bo@example.test")
    room = add_assignment(app, make_class(app, teacher, [first, second]))
    start(app, room, first, ANSWERS)
    hand_in(app, room, first)
    room.extra.update(first=first, second=second)
    return room


def test_the_review_screen_shows_answers_beside_the_rubric_and_learning_content(app, login,
                                                                               handed_in):
    room, first = handed_in, handed_in.extra["first"]
    page = html_of(login(room.teacher).get(room.review_url(first)))
    assert page.heading().startswith("anna")
    focus = page.one("#step-focus")
    answers = focus.one(".answers")
    segment = answers.one("[data-field=segment]")
    assert segment.one("h3").text == "Customer segment"
    assert segment.one(".answer-lines").text == ANSWERS["segment"]
    assert segment.one("label[for=comment__segment]").text == "Comment on “Customer segment”"
    beside = focus.one("aside.beside")
    criterion = beside.one("fieldset.criterion")
    assert criterion.one("legend").text == "Segment and value proposition"
    assert [i.get("value") for i in criterion.all("input[type=radio]")] == [
        "", "not-yet", "developing", "solid", "excellent"]
    assert [s.text for s in beside.all("details.learn-note summary")] == [
        "Learn: Customer Relationships", "Learn: Common mistakes"]
    # Every criterion is beside a step; every field has a comment box.
    assert len(page.all("fieldset.criterion")) == 7
    assert len(page.all("textarea[data-comment]")) == 27
    assert page.one("#score").text == "Score: 0 / 21"
    shortcuts = page.one("#shortcuts")
    assert [k.text for k in shortcuts.all("kbd")] == ["J", "K", "C", "O", "R", "Esc"]
    assert page.one("#release").text == "Release to anna"


def test_next_and_previous_follow_the_filter(app, login, handed_in, make_user):
    room, first, second = handed_in, handed_in.extra["first"], handed_in.extra["second"]
    session = login(room.teacher)
    page = html_of(session.get(room.review_url(first)))
    assert page.one("#next-student").get("href") == room.review_url(second) + "?filter=all"
    assert not page.has("#previous-student")
    assert page.one(".review-nav .position").text == "1 of 2: All students"
    marking = html_of(session.get(room.review_url(first) + "?filter=needs-marking"))
    assert marking.one(".review-nav .position").text == "1 of 1: Needs marking"
    assert not marking.has("#next-student")
    second_page = html_of(session.get(room.review_url(second) + "?filter=not-submitted"))
    assert "has not started yet" in second_page.one("main").text
    assert not second_page.has("#review-form")


def save(session, room, student, fields, version=None, attempt=1):
    version = feedback_row(session.app, room, student)["version"] if version is None else version
    return post_review(session, room, student, version, attempt, fields)


@pytest.fixture
def teacher_session(app, login, handed_in):
    session = login(handed_in.teacher)
    session.app = app
    return session


def test_marking_saves_comments_levels_overall_and_outcome(app, teacher_session, handed_in):
    room, first = handed_in, handed_in.extra["first"]
    response = save(teacher_session, room, first, {
        "comment__segment": "Who exactly?\r\nName one office.", "overall": "Good start.",
        "score__segment-and-value": "developing", "score__tactics": "solid",
        "outcome": "return"})
    assert response.status_code == 200
    answer = response.json
    assert answer["status"] == "saved" and answer["redraw"]["points"] == 3
    stored = feedback_row(app, room, first)
    assert stored["comments"] == {"segment": "Who exactly?\nName one office."}
    assert stored["scores"] == {"segment-and-value": "developing", "tactics": "solid"}
    assert (stored["overall"], stored["outcome"], stored["marked"]) == ("Good start.",
                                                                        "return", True)
    assert answer["version"] == stored["version"]
    # Emptying a comment or a level takes it away.
    save(teacher_session, room, first, {"comment__segment": "  ", "score__tactics": ""})
    stored = feedback_row(app, room, first)
    assert stored["comments"] == {} and stored["scores"] == {"segment-and-value": "developing"}
    # Not released: the student sees none of it.
    assert submission_row(app, room, first)["status"] == "submitted"


@pytest.mark.parametrize("fields, name, message", [
    ({"score__tactics": "superb"}, "score__tactics", "not on the rubric's scale"),
    ({"score__no-such": "solid"}, "score__no-such", "no such criterion"),
    ({"comment__no_field": "x"}, "comment__no_field", "does not know that field"),
    ({"comment__segment": "x" * 2001}, "comment__segment", "limit is 2000"),
    ({"overall": "x" * 5001}, "overall", "limit is 5000"),
    ({"outcome": "fail"}, "outcome", "return for revision or approve"),
    ({"grade": "A"}, "grade", "does not know that field"),
])
def test_marking_refuses_what_does_not_fit_and_keeps_the_rest(app, teacher_session, handed_in,
                                                              fields, name, message):
    room, first = handed_in, handed_in.extra["first"]
    response = save(teacher_session, room, first, {**fields, "overall": fields.get(
        "overall", "Kept anyway")})
    assert response.status_code == 422
    assert message in " ".join(response.json["errors"][name])
    stored = feedback_row(app, room, first)
    assert stored["overall"] == ("Kept anyway" if name != "overall" else "")
    assert stored["outcome"] == "" and "grade" not in stored["scores"]


@pytest.mark.parametrize("body", [
    b"not json", b"[]", b'{"version": 1, "attempt": 1}', b'{"version": 1, "fields": {}}',
    b'{"version": "1", "attempt": 1, "fields": {}}',
    b'{"version": 1, "attempt": true, "fields": {}}',
    b'{"version": 1, "attempt": 1, "fields": {"overall": 5}}',
    b'{"version": 1, "attempt": 1, "fields": {"overall": NaN}}',
    b'{"version": 1, "attempt": 1, "fields": {"overall": "\\ud800"}}',
])
def test_a_body_the_page_does_not_send_is_a_400(app, teacher_session, handed_in, body):
    room, first = handed_in, handed_in.extra["first"]
    response = teacher_session.client.post(room.review_url(first, "/autosave"), data=body,
                                           headers={"X-CSRFToken": teacher_session.csrf,
                                                    "Content-Type": "application/json"})
    assert response.status_code == 400 and response.json["status"] == "invalid"
    assert feedback_row(app, room, first)["version"] == 1


def test_two_teachers_never_overwrite_each_other(app, make_user, login, handed_in):
    room, first = handed_in, handed_in.extra["first"]
    co_teacher = make_user("co@example.test", role="teacher")
    with app.app_context():
        db.session.add(ClassMember(class_id=room.class_id, user_id=co_teacher.id,
                                   role="teacher"))
        db.session.commit()
    tove, kim = login(room.teacher), login(co_teacher)
    opened = feedback_row(app, room, first)["version"]
    assert post_review(tove, room, first, opened, 1, {
        "comment__segment": "Tove's comment"}).status_code == 200
    clash = post_review(kim, room, first, opened, 1, {"comment__segment": "Kim's comment"})
    assert clash.status_code == 409 and clash.json["status"] == "conflict"
    assert clash.json["theirs"]["comment__segment"] == "Tove's comment"
    assert feedback_row(app, room, first)["comments"] == {"segment": "Tove's comment"}
    with app.app_context():
        kept = db.session.scalars(db.select(RefusedSave).where(
            RefusedSave.editor == "review")).one()
        assert (kept.owner_id, kept.payload) == (co_teacher.id,
                                                 {"comment__segment": "Kim's comment"})
    # A retry of a save that already landed is no conflict.
    again = post_review(tove, room, first, opened, 1, {"comment__segment": "Tove's comment"})
    assert again.status_code == 200
    # Kim, on the version now stored, keeps both in one comment.
    merged = post_review(kim, room, first, clash.json["version"], 1, {
        "comment__segment": "Tove's comment\nKim's comment"})
    assert merged.status_code == 200


def test_without_javascript_a_stale_marking_shows_both_versions(app, login, handed_in):
    room, first = handed_in, handed_in.extra["first"]
    session = login(room.teacher)
    page = html_of(session.get(room.review_url(first)))
    version = page.one("#review-form input[name=version]").get("value")
    mark(app, room, first, comments={"segment": "Someone else's"})
    response = session.post(room.review_url(first), data={
        "version": version, "attempt": "1", "comment__segment": "Mine", "overall": ""})
    assert response.status_code == 409
    conflict = html_of(response).one("#conflict")
    assert conflict.get("hidden") is None
    row = conflict.one(".conflict-row")
    assert row.one(".conflict-label").text == "Comment on “Customer segment”"
    assert "Mine" in row.text and "Someone else's" in row.text
    assert html_of(response).one("#comment__segment").text == "Mine"  # nothing typed is lost
    ok = session.post(room.review_url(first), data={
        "version": str(feedback_row(app, room, first)["version"]), "attempt": "1",
        "comment__segment": "Mine, after all"})
    assert ok.status_code == 302
    assert feedback_row(app, room, first)["comments"] == {"segment": "Mine, after all"}


def test_release_needs_an_outcome_and_the_marking_the_teacher_read(app, teacher_session,
                                                                  handed_in):
    room, first = handed_in, handed_in.extra["first"]
    version = feedback_row(app, room, first)["version"]
    no_outcome = teacher_session.post(room.review_url(first, "/release"),
                                      data={"version": str(version)})
    assert no_outcome.status_code == 422
    answer = save(teacher_session, room, first, {"outcome": "return",
                                                 "comment__segment": "Sharper"})
    stale = teacher_session.post(room.review_url(first, "/release"),
                                 data={"version": str(version)})
    assert stale.status_code == 409 and "changed since" in html_of(stale).one("main").text
    released = teacher_session.post(room.review_url(first, "/release"),
                                    data={"version": str(answer.json["version"])})
    assert released.status_code == 302
    assert submission_row(app, room, first)["status"] == "returned"
    assert feedback_row(app, room, first)["released"]
    twice = teacher_session.post(room.review_url(first, "/release"),
                                 data={"version": str(answer.json["version"])})
    assert twice.status_code == 409
    assert "already released" in html_of(twice).one("main").text
    # Released marking stays as it is.
    locked = save(teacher_session, room, first, {"comment__segment": "Later thought"})
    assert locked.status_code == 423 and locked.json["status"] == "locked"
    assert feedback_row(app, room, first)["comments"] == {"segment": "Sharper"}
    page = html_of(teacher_session.get(room.review_url(first)))
    assert page.one("#review-form fieldset.plain-fieldset").get("disabled") is not None


def test_the_student_sees_feedback_only_once_released(app, login, handed_in, kit):
    room, first = handed_in, handed_in.extra["first"]
    mark(app, room, first, comments={"segment": "Name one office."}, overall="Good start.",
         scores={"segment-and-value": "developing", "tactics": "solid"}, outcome="return")
    student = login(first)
    row = submission_row(app, room, first)
    editor_url = f"/worksheets/{row['worksheet_id']}/steps/focus"
    before = html_of(student.get(f"/assignments/{room.assignment_id}"))
    assert before.one(".status").text == "Submitted" and not before.has(".feedback")
    assert not html_of(student.get(editor_url)).has(".field-comment")
    with app.app_context():
        assert review.report_feedback(row["canvas_id"], row["worksheet_id"]) is None
    nav = html_of(student.get("/")).one(".site-header")
    assert not nav.has(".count")
    with app.app_context():
        submission = review.submission_of(room.assignment_id, first.id)
        review.release(submission, submission.attempts[0], None, review.utcnow())
        db.session.commit()
    # Announced as new feedback until the student opens it.
    home = html_of(student.get("/"))
    assert home.one(".site-header .count").text == "1 with new feedback"
    assert home.one("#assignments .count").text == "new feedback"
    page = html_of(student.get(f"/assignments/{room.assignment_id}"))
    assert page.one(".status").text == "Returned for revision"
    feedback = page.one("section.feedback")
    assert feedback.one("blockquote").text == "Good start."
    assert "Rubric: 3 of 21 points" in feedback.one("table.scores caption").text
    assert [r.one("th").text for r in feedback.all("table.scores tbody tr")] == [
        "Segment and value proposition", "Tactics"]
    assert feedback.one(".field-comments dt").text == "Focus: Customer segment"
    assert feedback.one(".field-comments dd").text == "Name one office."
    assert not html_of(student.get("/")).one(".site-header").has(".count")
    # In the editor, at the field it is about.
    editor = html_of(student.get(editor_url))
    comment = editor.one("[data-field=segment] + .field-comment")
    assert comment.one("p.pre").text == "Name one office."
    assert editor.one(".assignment-bar .notice").text.startswith("Returned for revision")
    # And in the report PDF (handed to the renderer, which reads no database).
    with app.app_context():
        data = review.report_feedback(row["canvas_id"], row["worksheet_id"])
        assert review.report_feedback(row["canvas_id"], row["worksheet_id"] + 999) is None
    document = read_document(_snapshot(app, room, first), kit["definitions"], kit["library"])
    html = html_of(report_html(document, 0, kit["library"], kit["definitions"], kit["env"],
                               "a4", feedback=data))
    assert html.one(".feedback h2").text == "Feedback from your teacher"
    assert [c.one(".answer").text for c in html.all(".teacher-comment")] == [
        "Good start.", "Name one office."]
    assert len(html.all("table.rubric tbody tr")) == 2


def _snapshot(app, room, student):
    with app.app_context():
        return review.submission_of(room.assignment_id, student.id).attempts[0].snapshot


def test_the_report_pdf_carries_the_released_feedback(app, login, handed_in):
    room, first = handed_in, handed_in.extra["first"]
    mark(app, room, first, comments={"segment": "Name one office in Aarhus."},
         overall="Sharpen the segment.", scores={"tactics": "solid"}, outcome="return",
         release=True)
    row = submission_row(app, room, first)
    response = login(first).get(f"/worksheets/{row['worksheet_id']}/report.pdf")
    assert response.status_code == 200
    text = " ".join(" ".join((p.extract_text() or "").split())
                    for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "Feedback from your teacher" in text
    assert "Sharpen the segment." in text and "Name one office in Aarhus." in text


def test_release_for_the_whole_class_releases_what_is_marked(app, login, handed_in):
    room, first, second = handed_in, handed_in.extra["first"], handed_in.extra["second"]
    start(app, room, second, ANSWERS)
    hand_in(app, room, second)
    mark(app, room, first, outcome="approve", comments={"segment": "Clear."})
    session = login(room.teacher)
    response = session.post(room.assignment_url("/release"), follow_redirects=True)
    flash = html_of(response).one(".flashes").text
    assert "Released the feedback of 1 student." in flash and "1 hand-in has no outcome" in flash
    assert submission_row(app, room, first)["status"] == "approved"
    assert submission_row(app, room, second)["status"] == "submitted"
    assert not feedback_row(app, room, second)["released"]


def test_a_taken_back_attempt_cannot_be_marked(app, login, handed_in):
    room, first = handed_in, handed_in.extra["first"]
    session = login(room.teacher)
    version = feedback_row(app, room, first)["version"]
    assert login(first).post(f"/assignments/{room.assignment_id}/take-back").status_code == 302
    locked = post_review(session, room, first, version, 1, {"comment__segment": "Too late"})
    assert locked.status_code == 423
    assert "took this hand-in back" in locked.json["message"]


def test_the_resubmission_shows_what_changed_on_the_review_screen(app, login, handed_in):
    room, first = handed_in, handed_in.extra["first"]
    mark(app, room, first, outcome="return", release=True)
    student = login(first)
    row = submission_row(app, room, first)
    student.autosave(row["worksheet_id"], "focus", 2, {"segment": "Offices in Aarhus C"})
    student.post(f"/assignments/{room.assignment_id}/submit")
    page = html_of(login(room.teacher).get(room.review_url(first)))
    assert "Attempt 2" in page.one(".attempt-facts").text
    changed = page.all(".review-field:has(.badge.changed)")
    assert [f.get("data-field") for f in changed] == ["segment"]
    cells = changed[0].all(".field-changes tbody td")
    assert [c.text for c in cells] == [ANSWERS["segment"], "Offices in Aarhus C"]
    # The first attempt can still be read.
    first_attempt = html_of(login(room.teacher).get(room.review_url(first) + "?attempt=1"))
    assert first_attempt.one("[data-field=segment] .answer-lines").text == ANSWERS["segment"]
    assert login(room.teacher).get(room.review_url(first) + "?attempt=7").status_code == 404


def test_needs_marking_counts_for_the_teacher(app, login, handed_in):
    room, first = handed_in, handed_in.extra["first"]
    session = login(room.teacher)
    nav = html_of(session.get("/")).one(".site-header")
    assert nav.one(".count").text == "1 need marking"
    home = html_of(session.get("/"))
    assert home.one(".home-classes .count").text == "1 needs marking"
    with app.app_context():
        member = db.session.scalar(db.select(ClassMember).filter_by(user_id=first.id))
        member.status = "removed"
        db.session.commit()
    assert not html_of(session.get("/")).one(".site-header").has(".count")


def test_a_whole_canvas_is_reviewed_block_by_block(app, make_user, login):
    teacher, student = make_user(role="teacher"), make_user()
    room = add_assignment(app, make_class(app, teacher, [student]), kind="canvas")
    start(app, room, student)
    row = submission_row(app, room, student)
    session = login(student)
    session.client.post(f"/canvases/{row['canvas_id']}/blocks", data=json.dumps({
        "version": 1, "blocks": {"channels": [{"id": "n1", "text": "Our own shop"}]}}),
        headers={"X-CSRFToken": session.csrf, "Content-Type": "application/json"})
    hand_in(app, room, student)
    teacher_session = login(teacher)
    page = html_of(teacher_session.get(room.review_url(student)))
    channels = page.one("[data-field='block.channels']")
    assert channels.one(".answer-lines").text == "Our own shop"
    assert not page.has("fieldset.criterion")  # no rubric for a whole canvas
    answer = post_review(teacher_session, room, student, 1, 1, {
        "comment__block.channels": "Online too?", "outcome": "return"})
    assert answer.status_code == 200
    teacher_session.post(room.review_url(student, "/release"),
                         data={"version": str(answer.json["version"])})
    board = html_of(session.get(f"/canvases/{row['canvas_id']}"))
    assert board.one("#block-channels .field-comment p.pre").text == "Online too?"


fields = st.dictionaries(
    st.sampled_from(["comment__segment", "comment__weights", "comment__nope", "overall",
                     "score__tactics", "score__ladder", "score__x", "outcome", "other"])
    | st.text(max_size=30),
    st.none() | st.text(max_size=50) | st.sampled_from(["solid", "return", "approve", ""])
    | st.integers() | st.booleans(), max_size=6)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(fields=fields, version=st.integers(-2, 4) | st.text(max_size=3),
       attempt=st.integers(-1, 3) | st.none())
def test_any_review_body_gets_an_answer_of_the_protocol(app, teacher_session, handed_in,
                                                        fields, version, attempt):
    room, first = handed_in, handed_in.extra["first"]
    response = teacher_session.client.post(
        room.review_url(first, "/autosave"),
        data=json.dumps({"version": version, "attempt": attempt, "fields": fields}),
        headers={"X-CSRFToken": teacher_session.csrf, "Content-Type": "application/json"})
    assert response.status_code in (200, 400, 404, 409, 422), response.text
    if response.status_code != 404:
        assert response.json["protocol"] == 1
    stored = feedback_row(app, room, first)
    assert set(stored["scores"]) <= {"tactics", "ladder"}
    assert stored["outcome"] in ("", "return", "approve")
    assert set(stored["comments"]) <= {"segment", "weights"}


def test_a_worksheet_without_a_rubric_is_marked_with_comments_only(app, make_user, login):
    teacher, student = make_user(role="teacher"), make_user()
    room = add_assignment(app, make_class(app, teacher, [student]), definition="first-lesson")
    start(app, room, student, {"segment": "Cyclists"})
    hand_in(app, room, student)
    session = login(teacher)
    page = html_of(session.get(room.review_url(student)))
    assert not page.has("fieldset.criterion") and not page.has("#score")
    assert page.one("[data-field=segment] .answer-lines").text == "Cyclists"
    refused = post_review(session, room, student, 1, 1, {"score__tactics": "solid"})
    assert refused.status_code == 422
    assert "no such criterion" in refused.json["errors"]["score__tactics"][0]
    assert post_review(session, room, student, 1, 1, {
        "comment__segment": "Which cyclists?", "outcome": "approve"}).status_code == 200
    listing = html_of(session.get(room.assignment_url()))
    assert "None: comments only" in listing.one("dl.facts").text
