"""The classroom as a new teacher tries it with the demo data, one browser context per person:
make a class, two students join with the code, set the worksheet, they hand in, the teacher
comments on fields, scores the rubric, returns one for revision, releases, sees what the
resubmission changed, field by field, and approves. axe-core on every new page, and no CSP
violation anywhere."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from canvas.cli import DEMO_PASSWORD
from canvas.extensions import db
from canvas.models import Assignment, Submission, User, Worksheet
from tests.browser.helpers import check_axe, expect_home
from tests.browser.test_security import watch_csp

pytestmark = pytest.mark.browser


def reads_english(server, email: str) -> None:
    with server.app.app_context():
        db.session.execute(db.update(User).where(User.email == email).values(language="en"))
        db.session.commit()
        db.session.remove()


class Person:
    """One person's own browser context and page, signed in, reading the pages in English
    (the demo's teacher reads Danish: these journeys read English labels)."""

    def __init__(self, browser: Browser, server, email: str, width: int = 1280) -> None:
        self.server = server
        reads_english(server, email)
        self.context: BrowserContext = browser.new_context(
            locale="en-GB", viewport={"width": width, "height": 900})
        self.page: Page = self.context.new_page()
        self.csp = watch_csp(self.page)
        # Hand-in and release ask first (data-confirm): this person says yes.
        self.page.on("dialog", lambda dialog: dialog.accept())
        self.page.goto(server.url("/auth/login"))
        self.page.fill("#email", email)
        self.page.fill("#password", DEMO_PASSWORD)
        self.page.locator("main button[type=submit]").click()
        expect_home(self.page)

    def go(self, path: str) -> Page:
        self.page.goto(self.server.url(path))
        return self.page

    def close(self) -> None:
        assert self.csp == [], "\n".join(self.csp)
        self.context.close()


@pytest.fixture
def people(browser: Browser, demo) -> Iterator[dict[str, Person]]:
    made = {"teacher": Person(browser, demo, "teacher@demo.test"),
            "sam": Person(browser, demo, "student1@demo.test"),
            "siri": Person(browser, demo, "student2@demo.test", width=390)}  # on a phone
    yield made
    for person in made.values():
        person.close()


def saved(page: Page) -> None:
    """Wait until the page's save protocol says everything is on the server."""
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")


def hand_in(student: Person, title: str) -> None:
    page = student.page
    page.get_by_role("link", name="Assignments").first.click()
    page.get_by_role("link", name=title).click()
    page.get_by_role("button", name=re.compile("^Hand in")).click()
    expect(page.locator(".flash-success")).to_contain_text("Handed in. Receipt")
    expect(page.locator(".status")).to_have_text(re.compile("Submitted|Resubmitted"))


def test_a_new_teacher_runs_a_class_with_the_demo_data(people: dict[str, Person], demo):
    teacher, sam, siri = people["teacher"], people["sam"], people["siri"]
    page = teacher.page

    # The demo class is there, with its hand-in waiting.
    page.get_by_role("link", name=re.compile("^Classes")).click()
    expect(page.get_by_role("heading", name="Classes", exact=True)).to_be_visible()
    expect(page.locator(".card", has_text="2B Business")).to_contain_text(
        re.compile("needs? marking"))
    check_axe(page, "the teacher's classes")

    # 1. A class.
    page.get_by_role("link", name="New class").click()
    check_axe(page, "the new class form")
    page.get_by_label("Name of the class").fill("3C Entrepreneurship")
    page.get_by_label("Language the class works in").select_option("en")
    page.get_by_role("button", name="Make the class").click()
    expect(page.get_by_role("heading", name="3C Entrepreneurship")).to_be_visible()
    code = page.locator("#join-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    expect(page.locator("img.qr")).to_be_visible()
    class_url = page.url
    check_axe(page, "the class page")
    page.get_by_role("link", name="Show on the projector").click()
    expect(page.locator(".big-code")).to_have_text(code)
    check_axe(page, "the projector view")

    # 2. Two students join with the code (typed carelessly: it still works).
    for student, typed in ((sam, code.lower()), (siri, code.replace("-", " "))):
        student.go("/join")
        check_axe(student.page, "the join page")
        student.page.get_by_label("Class code").fill(typed)
        student.page.get_by_role("button", name="Join", exact=True).click()
        expect(student.page.locator(".flash-success")).to_contain_text("3C Entrepreneurship")
    page.goto(class_url)
    expect(page.locator("#students table.roster tbody tr")).to_have_count(2)

    # 3. The worksheet, assigned.
    page.get_by_role("link", name="New assignment").first.click()
    check_axe(page, "the assignment form")
    page.get_by_label("Title").fill("Customer relationships of your own idea")
    page.get_by_label("Worksheet", exact=True).select_option("customer-relationships")
    page.locator("#instructions").fill("Fill in **every step**, then hand in.")
    page.locator("#due_at").fill("2030-06-01T12:00")
    page.get_by_role("button", name="Set the assignment").click()
    expect(page.get_by_role("heading", name="Customer relationships of your own idea")
           ).to_be_visible()
    assignment_url = page.url
    check_axe(page, "the teacher's assignment page")

    # 4. They start, write and hand in.
    segments = {"sam": "Small offices in Aarhus", "siri": "Football clubs for under-12s"}
    for name, student in (("sam", sam), ("siri", siri)):
        spage = student.go("/")
        item = spage.locator(".assignment-list li", has_text="Customer relationships of your own")
        expect(item.locator(".status")).to_have_text("Not started")
        item.get_by_role("link").first.click()
        expect(spage.locator(".instructions strong")).to_have_text("every step")
        check_axe(spage, f"{name}'s assignment page")
        spage.get_by_role("button", name="Start").click()
        expect(spage.locator(".assignment-bar")).to_be_visible()
        spage.locator("#segment").fill(segments[name])
        spage.locator("#value_proposition").fill("Something they value")
        saved(spage)
        hand_in(student, "Customer relationships of your own idea")
        check_axe(spage, f"{name}'s handed-in assignment")

    # 5. The teacher marks: comments on fields, the rubric, an outcome; J moves on.
    page.goto(assignment_url)
    page.get_by_role("link", name="Needs marking").click()
    page.locator("table.work tbody th a").first.click()
    expect(page.locator(".review-nav .position")).to_contain_text("1 of 2")
    first = page.locator("h1").inner_text()
    check_axe(page, "the review screen")
    page.get_by_label("Comment on “Customer segment”").fill("Who exactly? Name one office.")
    page.locator("#score__segment-and-value-developing").check()
    page.locator("#score__tactics-not-yet").check()
    page.get_by_label("Return for revision").check()
    saved(page)
    expect(page.locator("[data-points]")).to_have_text("1")
    page.locator("h1").click()  # out of the text fields: J is a shortcut there
    page.keyboard.press("j")
    # The first one has an outcome now, so the "needs marking" queue is this one alone.
    expect(page.locator(".review-nav .position")).to_have_text("1 of 1: Needs marking")
    expect(page.locator("#previous-student")).to_have_count(0)
    second = page.locator("h1").inner_text()
    assert second != first
    page.get_by_label("Comment on “Customer segment”").fill("Clear and specific.")
    page.locator("#score__segment-and-value-excellent").check()
    page.get_by_label("Approve").check()
    page.get_by_label("Overall comment").fill("Well done.")
    saved(page)
    # Marked but not released: the students see nothing yet.
    returned_person = sam if first.startswith("Sam") else siri
    approved_person = siri if returned_person is sam else sam
    returned_person.page.reload()
    expect(returned_person.page.locator(".status")).to_have_text("Submitted")
    expect(returned_person.page.locator(".feedback")).to_have_count(0)

    # 6. Released to the whole class.
    page.goto(assignment_url)
    page.get_by_role("button", name="Release marked feedback").click()
    expect(page.locator(".flash-success")).to_contain_text("Released the feedback of 2 students")

    approved_person.page.reload()
    expect(approved_person.page.locator(".status").first).to_have_text("Approved")
    expect(approved_person.page.locator(".feedback blockquote")).to_have_text("Well done.")

    rpage = returned_person.page
    rpage.reload()
    expect(rpage.locator(".status").first).to_have_text("Returned for revision")
    expect(rpage.locator(".field-comments dd")).to_have_text("Who exactly? Name one office.")
    expect(rpage.locator("table.scores caption")).to_contain_text("1 of 21 points")
    check_axe(rpage, "released feedback")
    rpage.get_by_role("link", name="Go on with your work").click()
    comment = rpage.locator("[data-comment-for=segment]")
    expect(comment).to_contain_text("Who exactly? Name one office.")
    check_axe(rpage, "the editor with a teacher's comment")
    rpage.locator("#segment").fill("Architects' offices of 10-30 people in Aarhus C")
    saved(rpage)
    hand_in(returned_person, "Customer relationships of your own idea")

    # 7. The teacher sees what the resubmission changed, field by field, and approves.
    page.goto(assignment_url + "?filter=needs-marking")
    page.locator("table.work tbody th a").first.click()
    expect(page.locator(".attempt-facts")).to_contain_text("Attempt 2")
    field = page.locator("[data-field=segment]")
    expect(field.locator(".badge.changed")).to_be_visible()
    field.locator(".field-changes summary").click()
    expect(field.locator(".field-changes td").nth(1)).to_have_text(
        "Architects' offices of 10-30 people in Aarhus C")
    page.get_by_role("link", name="What changed between attempts").click()
    expect(page.locator("section.change h2")).to_have_text("Focus: Customer segment")
    check_axe(page, "the changes between attempts")
    page.go_back()
    page.get_by_label("Approve").check()
    page.locator("#score__segment-and-value-solid").check()
    saved(page)
    page.get_by_role("button", name=re.compile("^Release to")).click()
    expect(page.locator(".flash-success")).to_contain_text("approved")

    rpage.goto(demo.url("/assignments"))
    expect(rpage.locator(".assignment-list li", has_text="own idea").locator(".status")
           ).to_have_text("Approved")
    expect(rpage.locator(".site-header .count")).to_have_count(1)  # new feedback
    with demo.app.app_context():
        statuses = sorted(s.status for s in db.session.scalars(
            db.select(Submission).join(Submission.assignment)
            .where(Assignment.title == "Customer relationships of your own idea")))
        assert statuses == ["approved", "approved"]  # the demo's class has its own
        db.session.remove()


def test_two_teachers_marking_one_student_see_both_versions(browser: Browser, demo):
    """The save protocol's version rule on the review screen: the second teacher's save is
    refused and both versions are offered."""
    from canvas.accounts import create_user
    from canvas.models import ClassMember, SchoolClass

    with demo.app.app_context():
        co = create_user("co@demo.test", DEMO_PASSWORD, "Kim Co-teacher", "teacher", "en")
        db.session.flush()
        school_class = db.session.scalar(db.select(SchoolClass))
        db.session.add(ClassMember(class_id=school_class.id, user_id=co.id, role="teacher"))
        submission = db.session.scalar(db.select(Submission).where(
            Submission.status == "submitted"))
        url = (f"/classes/{school_class.id}/assignments/{submission.assignment_id}"
               f"/students/{submission.student_id}")
        submission_id = submission.id
        db.session.commit()
        db.session.remove()
    tove = Person(browser, demo, "teacher@demo.test")
    kim = Person(browser, demo, "co@demo.test")
    try:
        for person in (tove, kim):
            person.go(url)
        tove.page.get_by_label("Comment on “Customer segment”").fill("Tove: sharper, please.")
        saved(tove.page)
        kim.page.get_by_label("Comment on “Customer segment”").fill("Kim: name the town.")
        expect(kim.page.locator("#conflict")).to_be_visible()
        expect(kim.page.locator("#conflict-rows")).to_contain_text("Tove: sharper, please.")
        check_axe(kim.page, "the review screen's conflict box")
        kim.page.locator("#conflict-rows textarea").fill(
            "Tove: sharper, please. Kim: name the town.")
        kim.page.get_by_role("button", name="Save my choices").click()
        saved(kim.page)
        with demo.app.app_context():
            from canvas.classroom.assignments import current_attempt

            fresh = db.session.get(Submission, submission_id)
            assert current_attempt(fresh).feedback.comments["segment"] == (
                "Tove: sharper, please. Kim: name the town.")
            db.session.remove()
    finally:
        tove.close()
        kim.close()


def test_a_handed_in_worksheet_is_locked_in_the_editor(browser: Browser, demo):
    with demo.app.app_context():
        waiting = db.session.scalar(db.select(Submission).where(
            Submission.status == "submitted"))
        worksheet = db.session.get(Worksheet, waiting.worksheet_id)
        email = waiting.student.email
        worksheet_id = worksheet.id
        db.session.remove()
    student = Person(browser, demo, email)
    try:
        page = student.go(f"/worksheets/{worksheet_id}/steps/focus")
        expect(page.locator("#segment")).to_be_disabled()
        expect(page.locator(".assignment-bar .notice")).to_contain_text("Handed in")
        check_axe(page, "a locked worksheet step")
    finally:
        student.close()


def fits(page: Page) -> None:
    """Nothing wider than the screen: no sideways scrolling at a phone's width."""
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{page.url} is {wide}px wider than the screen"


def test_the_teachers_and_students_pages_fit_a_phone(browser: Browser, demo):
    with demo.app.app_context():
        from canvas.models import SchoolClass

        school_class = db.session.scalar(db.select(SchoolClass))
        returned = db.session.scalar(db.select(Submission).where(
            Submission.status == "returned"))
        class_id, assignment_id = school_class.id, returned.assignment_id
        student_id, worksheet_id = returned.student_id, returned.worksheet_id
        email = returned.student.email
        db.session.remove()
    teacher = Person(browser, demo, "teacher@demo.test", width=360)
    student = Person(browser, demo, email, width=360)
    try:
        for path in ("/classes", f"/classes/{class_id}", f"/classes/{class_id}/projector",
                     f"/classes/{class_id}/assignments/new",
                     f"/classes/{class_id}/assignments/{assignment_id}",
                     f"/classes/{class_id}/assignments/{assignment_id}/students/{student_id}"):
            fits(teacher.go(path))
        for path in ("/", "/assignments", f"/assignments/{assignment_id}", "/join",
                     f"/worksheets/{worksheet_id}/steps/focus"):
            fits(student.go(path))
        check_axe(student.page, "the editor at a phone's width")
    finally:
        teacher.close()
        student.close()
