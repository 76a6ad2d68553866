"""A first lesson in a real Chromium, as a 16-year-old would take it: the core path from the
index through its three pages, a self-check answered wrong and then right with JavaScript
(checked in place) and without it (the form posts), the sorting exercise, a phone-sized
screen, no CSP violation and no serious axe-core finding on the way."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from canvas.extensions import db
from canvas.models import QuizAnswer, User
from tests.browser.helpers import check_axe, make_account, sign_in
from tests.browser.test_security import watch_csp

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def feedback(page: Page, question: str):
    return page.locator(f"#q-{question}-feedback")


def choose(page: Page, question: str, option_label: str) -> None:
    page.locator(f"#q-{question}").get_by_label(option_label, exact=True).check()


def check_answer(page: Page, question: str) -> None:
    page.locator(f"form:has(#q-{question})").get_by_role("button", name="Check answer").click()


def walk_the_core_path(page: Page, server, axe: Axe | None) -> None:
    """From the index, follow the core path's first card and the next links to its end;
    with `axe`, check every page on the way (axe-core needs JavaScript in the page)."""
    page.goto(server.url("/learn/en/"))
    expect(page.get_by_role("heading", name="Core path: a first lesson")).to_be_visible()
    if axe:
        check_axe(page, "learning index", axe)
    page.locator("ol.core").get_by_role("link", name="Customer Relationships").click()
    titles = []
    while True:
        expect(page.locator("p.path-badge")).to_contain_text("Core path")
        expect(page.get_by_role("heading", name="In short")).to_be_visible()
        expect(page.locator("section.in-short li")).to_have_count(3)
        titles.append(page.locator("h1").inner_text())
        if axe:
            check_axe(page, f"core page {titles[-1]}", axe)
        following = page.locator("nav.next-step a.button")
        if following.count() == 0:
            break
        following.click()
    assert titles == ["Customer Relationships", "Serving the customer", "The loyalty ladder"]


def test_a_first_lesson_with_javascript(browser: Browser, live_server, axe: Axe) -> None:
    email, _, _ = make_account(live_server, with_canvas=False)
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    seen = watch_csp(page)
    try:
        sign_in(page, live_server, email)
        walk_the_core_path(page, live_server, axe)
        url = page.url
        # A glossary link on the way leads to its entry and back.
        page.locator("article > div.content a.gloss", has_text="conversion goal").first.click()
        expect(page.locator("#conversion-goal h2")).to_have_text("Conversion goal")
        page.go_back()
        assert page.url == url
        # Wrong first: the feedback appears in place, the page does not reload.
        page.evaluate("window.stayedHere = true")
        choose(page, "close-the-gap", "Referrals")
        check_answer(page, "close-the-gap")
        box = feedback(page, "close-the-gap")
        expect(box).to_have_attribute("role", "status")
        expect(box.locator("p.verdict.wrong")).to_contain_text("Referrals work higher up")
        expect(box).to_contain_text("Try another answer.")
        assert page.evaluate("window.stayedHere") is True
        check_axe(page, "a self-check with a wrong answer", axe)
        choose(page, "close-the-gap", "Loyalty programme")
        check_answer(page, "close-the-gap")
        expect(box.locator("p.verdict.right")).to_contain_text("from customer to repeat buyer")
        assert page.evaluate("window.stayedHere") is True
        # Nothing chosen: asked kindly, beside that question.
        check_answer(page, "who-is-a-customer")
        expect(feedback(page, "who-is-a-customer")).to_have_text("Choose an answer first.")
        # Usable on a phone: nothing wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
        # Kept for the student: the first answer and the latest.
        with live_server.app.app_context():
            user = db.session.scalar(select(User).where(User.email == email))
            row = db.session.scalar(select(QuizAnswer).where(QuizAnswer.user_id == user.id))
            assert (row.first_choice, row.last_choice, row.attempts) == (
                "referrals", "loyalty-programme", 2)
            db.session.remove()
        page.reload()
        expect(feedback(page, "close-the-gap").locator("p.verdict.right")).to_be_visible()
        # The sorting exercise, checked all at once in place.
        page.goto(live_server.url("/learn/en/look-alikes"))
        page.evaluate("window.stayedHere = true")
        choose(page, "spotify", "Freemium")
        choose(page, "stamp-card", "Membership")
        page.get_by_role("button", name="Check my answers").click()
        expect(page.locator("#self-check-score")).to_have_text("1 of 12 right.")
        expect(feedback(page, "stamp-card").locator("p.verdict.wrong")).to_be_visible()
        assert page.evaluate("window.stayedHere") is True
        check_axe(page, "the sorting exercise checked", axe)
        assert seen == [], "\n".join(seen)
    finally:
        context.close()


def test_a_first_lesson_without_javascript(browser: Browser, live_server) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        walk_the_core_path(page, live_server, None)
        choose(page, "conversion-rate", "4 %")
        check_answer(page, "conversion-rate")
        # The form posted; the page came back at the question with its feedback.
        assert page.url.endswith("/learn/en/loyalty-ladder#q-conversion-rate-feedback")
        box = feedback(page, "conversion-rate")
        expect(box.locator("p.verdict.wrong")).to_contain_text("wrong way round")
        expect(page.locator("#q-conversion-rate-rate-4")).to_be_checked()
        choose(page, "conversion-rate", "25 %")
        check_answer(page, "conversion-rate")
        expect(feedback(page, "conversion-rate").locator("p.verdict.right")).to_contain_text(
            "50 ÷ 200 × 100 = 25 %")
        # A visitor is offered to sign in to keep answers, and nothing is kept.
        expect(page.get_by_role("link", name="Sign in to keep your answers.")).to_be_visible()
        with live_server.app.app_context():
            assert db.session.scalar(select(QuizAnswer)) is None
            db.session.remove()
        # The sorting exercise in Norwegian, posted as a form.
        page.goto(live_server.url("/learn/nb/look-alikes"))
        choose(page, "flat-pack", "Selvbetjening")
        page.get_by_role("button", name="Sjekk svarene mine").click()
        expect(page.locator("#self-check-score")).to_have_text("1 av 12 riktige.")
        expect(page.locator("article")).to_have_attribute("lang", "nb")
    finally:
        context.close()


def test_the_pages_a_form_post_returns_pass_axe(browser: Browser, live_server, axe: Axe) -> None:
    """axe-core runs in the page, so it needs JavaScript: here the browser has it, but the
    quiz script is refused, so the forms post as they do without JavaScript."""
    context = browser.new_context()
    page = context.new_page()
    page.route(re.compile(r"/js/quiz(\.[0-9a-f]+)?\.js$"), lambda route: route.abort())
    try:
        page.goto(live_server.url("/learn/da/loyalty-ladder"))
        choose(page, "close-the-gap", "Referencer")
        page.locator("form:has(#q-close-the-gap)").get_by_role("button",
                                                                name="Tjek svaret").click()
        page.wait_for_url("**/learn/da/loyalty-ladder#q-close-the-gap-feedback")
        expect(feedback(page, "close-the-gap").locator("p.verdict.wrong")).to_contain_text(
            "Ikke helt.")
        check_axe(page, "feedback after a form post", axe)
        page.goto(live_server.url("/learn/nb/look-alikes"))
        choose(page, "flat-pack", "Selvbetjening")
        page.get_by_role("button", name="Sjekk svarene mine").click()
        expect(page.locator("#self-check-score")).to_have_text("1 av 12 riktige.")
        check_axe(page, "Norwegian sorting exercise after a form post", axe)
    finally:
        context.close()
