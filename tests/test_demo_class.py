"""The demo's class (`flask demo load`, canvas/classroom/demo.py) as a teacher tries it: every
state of work, released grades, and answers varied enough that the class picture and the
progress table show something to discuss."""

from __future__ import annotations

from canvas.cli import DEMO_PASSWORD
from canvas.extensions import db
from canvas.interchange import clean_answers
from canvas.library import get_definitions, get_library
from canvas.models import Assignment, Submission, User, Worksheet
from tests.conftest import Session
from tests.dom import html_of


def load(app) -> str:
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_demo_class_has_every_state_and_varied_answers(app):
    assert "ten classmates" in load(app)
    assert "ten classmates" not in load(app)  # a second load adds nothing
    with app.app_context():
        assignment = db.session.scalar(db.select(Assignment))
        statuses = sorted(s.status for s in db.session.scalars(db.select(Submission)))
        assert statuses == ["approved"] * 2 + ["draft"] * 2 + ["returned"] * 3 + [
            "submitted"] * 4
        definition = get_definitions()["customer-relationships"]
        answers = [ws.answers for ws in db.session.scalars(db.select(Worksheet).where(
            Worksheet.definition_id == definition.id))]
        for one in answers:  # every answer is one the worksheet accepts (strict: or raise)
            assert clean_answers(definition, one, get_library(), "en",
                                 strict=True).keys() == one.keys()
        assert len({str(a.get("weights")) for a in answers}) >= 8
        assert {a["ladder"]["ladder"] for a in answers if "ladder" in a} == {
            "customer-ladder", "loyalty-ladder"}
        teacher = db.session.scalar(db.select(User).where(User.email == "teacher@demo.test"))
        teacher.language = "en"  # the demo's teacher reads Danish; this test reads English
        db.session.commit()
        db.session.refresh(teacher)
        db.session.expunge(teacher)
        url = f"/classes/{assignment.class_id}/assignments/{assignment.id}"
    session = _sign_in(app, teacher)
    page = html_of(session.get(url + "/progress"))
    assert page.texts(".counts li") == [
        "12 participants", "1 not started", "2 drafts", "4 submitted", "4 need marking",
        "3 returned", "2 approved", "4 late"]
    assert len(page.all("table.progress-table tbody tr")) == 12
    picture = html_of(session.get(url + "/picture"))
    assert [h.text for h in picture.all(".chart-section h2")] == [
        "Relationship types", "Tactics", "What you want to achieve", "The customer ladder",
        "The loyalty ladder", "Economics"]
    assert len(picture.all("svg[role=img]")) == 6
    verdicts = picture.texts("#chart-economics-economics table td:last-child")
    assert "The value exceeds the cost" in verdicts
    assert "The value does not cover the cost" in verdicts
    grades = session.get(url + "/grades/canvas.csv").get_data(as_text=True).splitlines()
    assert len(grades) == 2 + 5  # header, points, the five released grades


def _sign_in(app, user: User):
    """The demo teacher signs in with the demo password."""
    from tests.conftest import csrf_from

    client = app.test_client()
    page = client.get("/auth/login")
    response = client.post("/auth/login", data={
        "email": user.email, "password": DEMO_PASSWORD, "csrf_token": csrf_from(page.text)})
    assert response.status_code == 302
    session = Session.__new__(Session)
    session.client, session.user = client, user
    session.csrf = csrf_from(client.get("/").text)
    return session
