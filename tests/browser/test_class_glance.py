"""The class at a glance as a teacher tries it with the demo class, in a real browser:
the progress table (counts, sorting, filtering, everyone ticked at once, more time for two),
the class picture (a dot leads to its student), the projector view without a name, the
CSV files for Moodle and Canvas LMS, and every student's PDFs as one ZIP with a moving
progress bar, found again after a reload and, without JavaScript, by the page refreshing
itself. axe-core on every page, and no CSP violation anywhere."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from playwright.sync_api import Browser, expect
from pypdf import PdfReader

from canvas.classroom.demo import CLASSMATES
from canvas.cli import DEMO_PASSWORD
from canvas.extensions import db
from canvas.models import Assignment, Extension, Submission, User
from tests.browser.helpers import check_axe
from tests.browser.test_classroom import Person, reads_english

pytestmark = pytest.mark.browser
NAMES = [name for name, *_ in CLASSMATES] + ["Sam Student", "Siri Elev"]


def read_csv(path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_a_teacher_sees_the_class_at_a_glance_and_takes_its_work_out(browser: Browser, demo,
                                                                     tmp_path):
    teacher = Person(browser, demo, "teacher@demo.test")
    page = teacher.page
    try:
        # From the class to its assignment's progress table.
        page.get_by_role("link", name=re.compile("^Classes")).click()
        page.get_by_role("link", name="2B Business").click()
        page.get_by_role("link", name="Plan the customer relationships of your business").click()
        page.get_by_role("link", name="Progress table").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Progress: Plan the customer relationships of your business")
        expect(page.locator(".counts li").first).to_have_text("12 participants")
        rows = page.locator("table.progress-table tbody tr")
        expect(rows).to_have_count(12)
        check_axe(page, "the progress table")

        # Sorted by score, the highest first; filtered, the sort stays.
        page.get_by_role("link", name="Score").click()
        page.get_by_role("link", name="Score").click()
        expect(page.locator("th[aria-sort=descending]")).to_contain_text("Score")
        expect(rows.first.locator("th")).to_have_text("Emil Æbelø")  # 17 points
        page.locator(".filters").get_by_role("link", name="Drafts").click()
        expect(rows).to_have_count(2)
        expect(page.locator("th[aria-sort=descending]")).to_contain_text("Score")
        check_axe(page, "the progress table, filtered")

        # One box ticks everyone shown; the two with drafts get more time.
        page.locator("#select-all").check()
        expect(page.locator("input.pick:checked")).to_have_count(2)
        page.locator("#due_at").fill("2030-06-01T12:00")
        page.get_by_role("button", name="Give more time").click()
        expect(page.locator(".flash-success")).to_have_text("2 students have more time.")
        expect(rows.locator(".badge", has_text="extended")).to_have_count(2)
        with demo.app.app_context():
            assert db.session.scalar(db.select(db.func.count(Extension.id))) == 2
            db.session.remove()

        # The grades and the table as files.
        page.locator(".filters").get_by_role("link", name="All students").click()
        # Moodle's own worksheet (its participant numbers), filled in with the released grades.
        with demo.app.app_context():
            emails = sorted(db.session.scalars(db.select(User.email).where(
                User.role == "student")))
            db.session.remove()
        worksheet = tmp_path / "moodle-worksheet.csv"
        worksheet.write_text(
            "Identifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,"
            "Last modified (submission),Last modified (grade),Feedback comments\n"
            + "".join(f"Participant {900 + n},Student {n},{email},Submitted for grading,,"
                      f"21.00,Yes,-,-,\n" for n, email in enumerate(emails)),
            encoding="utf-8")
        page.get_by_label("Moodle's grading worksheet (CSV)").set_input_files(worksheet)
        with page.expect_download() as info:
            page.get_by_role("button", name="Fill in the grades").click()
        moodle = tmp_path / info.value.suggested_filename
        info.value.save_as(moodle)
        header, *lines = read_csv(moodle)
        assert header[:5] == ["Identifier", "Full name", "Email address", "Status", "Grade"]
        assert [line[0] for line in lines] == [f"Participant {900 + n}" for n in range(
            len(emails))]
        assert len([line for line in lines if line[4]]) == 5  # the released grades
        with page.expect_download() as info:
            page.get_by_role("link", name=re.compile("^Grades for Canvas LMS")).click()
        canvas = tmp_path / info.value.suggested_filename
        info.value.save_as(canvas)
        header, points, *lines = read_csv(canvas)
        assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                          "Plan the customer relationships of your business"]
        assert points[0] == "Points Possible" and points[-1] == "21"
        assert len(lines) == 5  # the released grades

        # The class picture: a dot of the weights leads to whose answer it is.
        page.get_by_role("link", name="Class picture").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Class picture: Plan the customer relationships of your business")
        expect(page.locator(".chart-section svg[role=img]")).to_have_count(6)
        check_axe(page, "the class picture")
        dot = page.locator("#chart-weights-weights svg g.point").first
        tooltip = dot.locator("title").text_content()
        dot.click()
        picked = page.locator("#chart-weights-weights tr.picked")
        expect(picked).to_have_count(1)
        name = picked.locator("a").first.text_content()
        assert name in tooltip
        expect(picked.locator("a").first).to_be_focused()

        # The projector: the same charts, no one named.
        page.get_by_role("link", name="Show on the projector (no names)").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("What the class chose")
        expect(page.locator("svg[role=img]")).to_have_count(6)
        body = page.locator("body").inner_text()
        svgs = "".join(page.locator("svg").evaluate_all("els => els.map(e => e.outerHTML)"))
        assert not [n for n in NAMES if n in body or n in svgs]
        check_axe(page, "the projector view of the class picture")

        # Every student's PDFs: a progress bar, then the ZIP.
        page.get_by_role("link", name="Back to the class picture").click()
        page.get_by_role("link", name="Progress table").click()
        page.get_by_role("button", name="Make a ZIP of every student’s PDFs").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("PDFs of the class")
        check_axe(page, "the ZIP's progress")
        bar = page.locator("#zip-progress")
        expect(page.locator("#zip-download")).to_be_visible(timeout=240_000)
        assert bar.get_attribute("value") == bar.get_attribute("max") == "18"
        expect(page.locator("#zip-words")).to_have_text("The ZIP is ready.")
        page.reload()  # the address finds the job again
        expect(page.locator("#zip-download")).to_be_visible()
        check_axe(page, "the finished ZIP")
        with page.expect_download() as info:
            page.locator("#zip-download").click()
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        archive = zipfile.ZipFile(path)
        with demo.app.app_context():
            handed_in = db.session.scalar(db.select(db.func.count(Submission.id)).where(
                Submission.status != "draft"))
            db.session.remove()
        assert len(archive.namelist()) == 2 * handed_in == 18
        report = PdfReader(io.BytesIO(archive.read("Emil Æbelø/report.pdf")))
        text = " ".join(p.extract_text() for p in report.pages)
        assert "Feedback from your teacher" in text
    finally:
        teacher.close()


def test_the_zip_page_works_without_javascript(browser: Browser, demo):
    reads_english(demo, "teacher@demo.test")
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(demo.url("/auth/login"))
        page.fill("#email", "teacher@demo.test")
        page.fill("#password", DEMO_PASSWORD)
        page.locator("main button[type=submit]").click()
        with demo.app.app_context():
            assignment = db.session.scalar(db.select(Assignment))
            url = f"/classes/{assignment.class_id}/assignments/{assignment.id}/progress"
            db.session.remove()
        page.goto(demo.url(url))
        page.locator("#zip-size").select_option("a4")
        page.get_by_role("button", name="Make a ZIP of every student’s PDFs").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("PDFs of the class")
        expect(page.get_by_role("link", name="Check again")).to_be_visible()
        # The page refreshes itself until the ZIP is there.
        expect(page.get_by_role("link", name="Download the ZIP")).to_be_visible(
            timeout=240_000)
        expect(page.get_by_role("link", name="Check again")).to_be_hidden()
    finally:
        context.close()
