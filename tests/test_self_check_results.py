"""A teacher sees how the class answered the self-checks: per question, counts of first and
latest answers, the right answer marked, in the class's language, and no student named.
Students of the class count; a student of another class or someone outside does not."""

from __future__ import annotations

from canvas.extensions import db
from canvas.models import User
from tests.classroom import make_class, rename
from tests.dom import html_of
from tests.test_learn import answer


def test_the_class_results_count_each_answer_and_mark_the_right_one(app, login, make_user):
    teacher = make_user(role="teacher")
    asa, bo = rename(app, make_user(), "Åsa Student"), rename(app, make_user(), "Bo Student")
    outsider = make_user()
    room = make_class(app, teacher, [asa, bo], language="en")
    for user, choices in ((asa, ["referrals", "loyalty-programme"]), (bo, ["loyalty-programme"]),
                          (outsider, ["free-product"])):
        session = login(user)
        for choice in choices:
            answer(session.client, "loyalty-ladder", {"close-the-gap": choice}, csrf=session.csrf)
    page = html_of(login(teacher).get(f"/classes/{room.class_id}/self-checks"))
    assert page.heading() == "Self-check results: 2B Business"
    section = page.one("section#quiz-results-loyalty-ladder")
    assert section.one("h2 a").get("href") == "/learn/en/loyalty-ladder"
    block = section.one(".question-result#result-close-the-gap")
    assert block.one("p").text == ("Answered by 2 of 2; right the first time: 1; "
                                   "right now: 2.")
    rows = {row.one("th").text: [td.text for td in row.all("td")]
            for row in block.all("tbody tr")}
    right = block.one("tr.right-answer th").text
    assert right.endswith("right answer")
    assert rows[right] == ["1", "2"]  # loyalty programme: Bo first, both last
    assert sum(int(first) for first, _ in rows.values()) == 2  # the outsider is not counted
    # Counts only: no student of the class is named anywhere on the page.
    assert "Åsa" not in page.text("main") and "Bo Student" not in page.text("main")
    # A question no one answered says so.
    assert page.one(".question-result#result-spotify p.muted").text == (
        "No one has answered this question yet.")


def test_the_questions_are_in_the_class_language(app, login, make_user):
    teacher = make_user(role="teacher")
    room = make_class(app, teacher, [make_user()], language="da")
    page = html_of(login(teacher).get(f"/classes/{room.class_id}/self-checks"))
    section = page.one("section#quiz-results-loyalty-ladder")
    assert section.one("h2 a").get("href") == "/learn/da/loyalty-ladder"
    assert section.one("h2 a").get("lang") == "da"
    assert page.all("h3[lang=da]") and not page.all("h3[lang=en]")


def test_only_the_classes_teachers_see_its_results(app, login, make_user, client):
    teacher, other_teacher = make_user(role="teacher"), make_user(role="teacher")
    student = make_user()
    room = make_class(app, teacher, [student])
    url = f"/classes/{room.class_id}/self-checks"
    assert login(other_teacher).get(url).status_code == 404
    assert login(student).get(url).status_code == 403
    signed_out = client.get(url)
    assert signed_out.status_code == 302 and "/auth/login" in signed_out.headers["Location"]
    with app.app_context():
        assert db.session.get(User, teacher.id) is not None
    assert login(teacher).get(url).status_code == 200
