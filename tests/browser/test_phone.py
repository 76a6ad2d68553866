"""Every page at a phone's width (390 px): nothing scrolls sideways, and every button and
form control is at least 24 px square to touch (WCAG 2.2 target size, minimum)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser

from canvas.canvases.service import import_canvas, take_snapshot
from canvas.extensions import db
from canvas.library import get_definitions, get_library, load_document
from canvas.models import User
from tests.browser.helpers import example, make_account, sign_in

pytestmark = pytest.mark.browser
WIDTH = 390

# Controls and how big they are; links inside running text are exempt (WCAG 2.5.8).
MEASURE = """() => {
  const small = [];
  for (const el of document.querySelectorAll(
      'button, input:not([type=hidden]), select, textarea, summary, nav a, .button, .actions a')) {
    const box = el.getBoundingClientRect();
    if (!box.width && !box.height) continue;  // not shown
    if (box.width < 24 || box.height < 24) small.push(
      (el.id || el.name || el.textContent.trim().slice(0, 30)) + ' '
      + Math.round(box.width) + 'x' + Math.round(box.height));
  }
  return {scroll: document.documentElement.scrollWidth, small};
}"""


def shown(page, url: str, signed_in: bool = False) -> None:
    """Open a page and make sure it is the page, not an error or the sign-in page (which
    would fit a phone just as well)."""
    response = page.goto(url)
    assert response is not None and response.ok, (url, response and response.status)
    if signed_in:
        assert "/auth/login" not in page.url, url


def pages(canvas_id: int, worksheet_id: int, steps: list[str]) -> list[str]:
    c, w = canvas_id, worksheet_id
    return ["/", "/bin", "/canvases/new", f"/canvases/{c}", f"/canvases/{c}/rename",
            f"/canvases/{c}/delete", f"/canvases/{c}/versions",
            f"/canvases/{c}/versions/compare?a=1&b=current", f"/canvases/{c}/export",
            f"/worksheets/{w}/not-saved", "/account", "/account/delete", "/learn/en/",
            "/learn/en/customer-ladder", "/learn/da/acquisition",
            *[f"/worksheets/{w}/steps/{s}" for s in steps]]


def test_every_page_fits_a_phone_and_its_controls_can_be_touched(live_server,
                                                                  browser: Browser):
    email, _, _ = make_account(live_server, with_canvas=False)
    with live_server.app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        canvas = import_canvas(user, load_document(example("cleaning-copenhagen.en")),
                               get_definitions())
        db.session.flush()
        take_snapshot(canvas, "first", get_definitions(), get_library())
        db.session.commit()
        ids = canvas.id, canvas.worksheets[0].id
        steps = [s.id for s in get_definitions()["customer-relationships"].steps]
        db.session.remove()
    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, locale="en-GB",
                                  has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        visitor = ["/auth/login", "/auth/register", "/auth/reset"]
        problems = {}
        for path in visitor:
            shown(page, live_server.url(path))
            found = page.evaluate(MEASURE)
            if found["scroll"] > WIDTH or found["small"]:
                problems[path] = found
        sign_in(page, live_server, email)
        for path in pages(*ids, steps):
            shown(page, live_server.url(path), signed_in=True)
            found = page.evaluate(MEASURE)
            if found["scroll"] > WIDTH or found["small"]:
                problems[path] = found
        assert problems == {}, json.dumps(problems, indent=1)
    finally:
        context.close()


def test_a_teachers_and_a_students_pages_fit_a_phone_too(demo, browser: Browser):
    """The demo class on a phone: the teacher's classes, class, assignment, progress table,
    class picture, projector views and review screen; the student's assignments, one
    assignment and the join page."""
    from canvas.cli import DEMO_PASSWORD
    from canvas.models import Assignment, Submission, User
    from tests.browser.test_classroom import reads_english

    with demo.app.app_context():
        assignment = db.session.scalar(db.select(Assignment))
        handed_in = db.session.scalar(db.select(Submission).where(
            Submission.assignment_id == assignment.id, Submission.status == "submitted"))
        student = db.session.get(User, handed_in.student_id)
        room = f"/classes/{assignment.class_id}"
        work = f"{room}/assignments/{assignment.id}"
        people = {
            "teacher@demo.test": [
                "/", "/classes", room, f"{room}/projector", f"{room}/self-checks", work,
                f"{work}/edit",
                f"{work}/progress", f"{work}/progress?filter=late", f"{work}/picture",
                f"{work}/picture/projector", f"{work}/students/{student.id}"],
            student.email: ["/", "/assignments", f"/assignments/{assignment.id}", "/join"]}
        db.session.remove()
    problems = {}
    for email, paths in people.items():
        reads_english(demo, email)
        context = browser.new_context(viewport={"width": WIDTH, "height": 844},
                                      locale="en-GB", has_touch=True, is_mobile=True)
        try:
            page = context.new_page()
            sign_in(page, demo, email, DEMO_PASSWORD)
            for path in paths:
                shown(page, demo.url(path), signed_in=True)
                found = page.evaluate(MEASURE)
                if found["scroll"] > WIDTH or found["small"]:
                    problems[f"{email} {path}"] = found
        finally:
            context.close()
    assert problems == {}, json.dumps(problems, indent=1)
