"""axe-core on every page a learner meets, with the worksheet filled like the worked example
so the coaching, the funnel and the economics panels are on the page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from canvas.accounts import create_user
from canvas.canvases.service import create_canvas, import_canvas, trash_canvas
from canvas.extensions import db
from canvas.library import get_definitions, load_document
from tests.browser.helpers import PASSWORD, check_axe, example, sign_in

pytestmark = pytest.mark.browser



@dataclass
class Site:
    server: Any  # conftest.LiveServer: the base URL, with .app and .url(path)
    storage_state: dict
    worksheet_en: int
    worksheet_da: int
    steps: list[str]


@pytest.fixture(scope="module")
def site(browser: Browser, serve_app, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[Site]:
    """One server for the module: a user with the worked examples (en, da) and a binned canvas."""
    with serve_app(tmp_path_factory.mktemp("a11y") / "a11y.sqlite3") as server:
        with server.app.app_context():
            definitions = get_definitions()
            user = create_user("reader@example.test", PASSWORD, "Reader", "student", "en")
            db.session.flush()
            en = import_canvas(user, load_document(example("cleaning-copenhagen.en")), definitions)
            da = import_canvas(user, load_document(example("cleaning-copenhagen.da")), definitions)
            binned = create_canvas(user, "Old idea", "en",
                                   [definitions["customer-relationships"]])
            db.session.flush()
            trash_canvas(binned)
            db.session.commit()
            ids = en.worksheets[0].id, da.worksheets[0].id
            steps = [s.id for s in definitions["customer-relationships"].steps]
            db.session.remove()
        context = browser.new_context()
        page = context.new_page()
        sign_in(page, server, "reader@example.test")
        state = context.storage_state()
        context.close()
        yield Site(server, state, ids[0], ids[1], steps)


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def open_page(browser: Browser, site: Site, path: str, signed_in: bool = True) -> Page:
    context = browser.new_context(storage_state=site.storage_state if signed_in else None)
    page = context.new_page()
    response = page.goto(site.server.url(path))
    assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
    return page


ANONYMOUS = {
    "welcome": "/",
    "register": "/auth/register",
    "login": "/auth/login",
    "learn index": "/learn/en/",
    "learn page": "/learn/en/customer-ladder",
    "learn page (da)": "/learn/da/after-purchase",
}
SIGNED_IN = {
    "home with canvases": "/",
    "new canvas": "/canvases/new",
    "recycle bin": "/bin",
}


@pytest.mark.parametrize("what", list(ANONYMOUS))
def test_public_pages(browser: Browser, site: Site, axe: Axe, what: str) -> None:
    page = open_page(browser, site, ANONYMOUS[what], signed_in=False)
    try:
        check_axe(page, axe=axe, what=what)
    finally:
        page.context.close()


@pytest.mark.parametrize("what", list(SIGNED_IN))
def test_signed_in_pages(browser: Browser, site: Site, axe: Axe, what: str) -> None:
    page = open_page(browser, site, SIGNED_IN[what])
    try:
        if what == "home with canvases":
            expect(page.locator(".card")).to_have_count(2)
        if what == "recycle bin":
            expect(page.get_by_role("button", name="Restore")).to_be_visible()
        check_axe(page, axe=axe, what=what)
    finally:
        page.context.close()


STEP_IDS = ["focus", "goals", "relationship-types", "tactics", "ladder", "after-purchase",
            "economics", "reflection", "summary"]


@pytest.mark.parametrize("step", STEP_IDS)
def test_every_worksheet_step_filled(browser: Browser, site: Site, axe: Axe, step: str) -> None:
    assert site.steps == STEP_IDS, "the worksheet's steps changed; update STEP_IDS"
    page = open_page(browser, site, f"/worksheets/{site.worksheet_en}/steps/{step}")
    try:
        if step == "ladder":
            expect(page.locator("#panel svg")).to_be_visible()
        if step == "economics":
            expect(page.locator("#panel [data-clv]")).to_have_text("31\u202f500 kr")
        if step == "summary":
            expect(page.locator("#draft-text")).not_to_be_empty()
        check_axe(page, axe=axe, what=f"step {step}")
    finally:
        page.context.close()


@pytest.mark.parametrize("step", ["focus", "ladder", "economics"])
def test_danish_worksheet_steps(browser: Browser, site: Site, axe: Axe, step: str) -> None:
    page = open_page(browser, site, f"/worksheets/{site.worksheet_da}/steps/{step}")
    try:
        # An English-speaking reader with a Danish canvas: the page is English, the
        # worksheet's own text is marked Danish for screen readers.
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("#step-form > div[lang]")).to_have_attribute("lang", "da")
        expect(page.locator("aside.learning")).to_have_attribute("lang", "da")
        check_axe(page, axe=axe, what=f"Danish step {step}")
    finally:
        page.context.close()


def test_register_with_errors(browser: Browser, site: Site, axe: Axe) -> None:
    page = open_page(browser, site, "/auth/register", signed_in=False)
    try:
        page.get_by_role("button", name="Create my account").click()
        expect(page.locator(".field-error:not([hidden])").first).to_be_visible()
        check_axe(page, axe=axe, what="register form with errors")
    finally:
        page.context.close()


def test_step_with_a_validation_error_and_autosave_status(browser: Browser, site: Site,
                                                          axe: Axe) -> None:
    page = open_page(browser, site, f"/worksheets/{site.worksheet_en}/steps/goals")
    try:
        box = page.locator("#weights__acquisition")
        box.click()
        box.press("Control+A")
        box.press_sequentially("lots")
        expect(page.locator("#weights__acquisition-error")).to_be_visible()
        expect(page.locator("#save-status")).to_have_text("Not saved: see the messages")
        check_axe(page, axe=axe, what="goals step with an error")
    finally:
        page.context.close()
