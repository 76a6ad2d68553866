"""Nothing a user types is lost, tried as a careless user would in a real browser: signed out
in another tab while typing, a shared school computer, a refused value then a reload, and
two tabs of one step (issue #6)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from canvas.extensions import db
from canvas.models import Canvas, Worksheet
from tests.browser.helpers import make_account, sign_in, wait_until

pytestmark = pytest.mark.browser


def stored(server, worksheet_id: int) -> dict:
    with server.app.app_context():
        answers = dict(db.session.get(Worksheet, worksheet_id).answers or {})
        db.session.remove()
        return answers


def stored_blocks(server, canvas_id: int) -> dict:
    with server.app.app_context():
        blocks = json.loads(json.dumps(db.session.get(Canvas, canvas_id).blocks or {}))
        db.session.remove()
        return blocks


def status(page: Page):
    return page.locator("#save-status")


def type_into(page: Page, selector: str, text: str) -> None:
    box = page.locator(selector)
    box.click()
    box.press_sequentially(text)


def test_signed_out_in_another_tab_the_text_waits_and_is_saved_after_signing_in(
        live_server, context: BrowserContext, page: Page) -> None:
    email, _, ws = make_account(live_server)
    sign_in(page, live_server, email)
    page.goto(live_server.url(f"/worksheets/{ws}/steps/focus"))
    other = context.new_page()
    other.goto(live_server.url("/"))
    other.get_by_role("button", name="Sign out").click()  # the session ends everywhere
    expect(other.get_by_role("heading", name="Sign in")).to_be_visible()

    type_into(page, "#segment", "Typed after the session ended")
    expect(status(page)).to_have_text("Signed out: sign in to save")
    assert stored(live_server, ws) == {}
    link = page.get_by_role("link", name="Sign in again (opens a new tab)", exact=False)
    expect(link).to_be_visible()
    with context.expect_page() as opened:
        link.click()
    sign_in_tab = opened.value
    sign_in_tab.get_by_label("E-mail").fill(email)
    sign_in_tab.get_by_label("Password", exact=True).fill("correct horse battery")
    sign_in_tab.get_by_role("button", name="Sign in").click()
    expect(sign_in_tab.get_by_role("heading", name="You are signed in again")).to_be_visible()

    page.bring_to_front()
    expect(status(page)).to_have_text("Saved", timeout=15_000)
    assert stored(live_server, ws)["segment"] == "Typed after the session ended"
    expect(page.locator("#sign-in-again")).to_be_hidden()


def test_a_shared_computer_never_hands_one_user_s_unsent_notes_to_the_next(
        live_server, context: BrowserContext, page: Page) -> None:
    """Student A's note never reached the server. A signs out (and is warned), B signs in on
    the same browser: B never sees A's note, and it is never sent into B's canvas. When A
    comes back, the note comes back too."""
    email_a, canvas_a, _ = make_account(live_server, title="A's canvas")
    email_b, canvas_b, _ = make_account(live_server, title="B's canvas")
    sign_in(page, live_server, email_a)
    page.goto(live_server.url(f"/canvases/{canvas_a}"))
    page.route("**/blocks", lambda route: route.abort("internetdisconnected"))
    box = page.locator("#new-channels")
    box.click()
    box.press_sequentially("Only A wrote this")
    box.press("Enter")
    expect(page.locator("#board-status")).to_have_text("Offline, will retry")
    page.goto(live_server.url("/"))  # leave the board (the copy stays in localStorage)

    messages: list[str] = []

    def answer(dialog) -> None:
        messages.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert messages and "not saved yet" in messages[0]

    sign_in(page, live_server, email_b)
    page.goto(live_server.url(f"/canvases/{canvas_b}"))
    expect(page.locator("#board")).to_be_visible()
    page.wait_for_timeout(1500)  # time for any restore and save to run
    expect(page.locator("#block-channels .note")).to_have_count(0)
    assert stored_blocks(live_server, canvas_b).get("channels", []) == []
    assert stored_blocks(live_server, canvas_a).get("channels", []) == []

    page.get_by_role("button", name="Sign out").click()
    page.unroute("**/blocks")  # the network is back
    sign_in(page, live_server, email_a)
    page.goto(live_server.url(f"/canvases/{canvas_a}"))
    expect(page.locator("#board-status")).to_have_text("Saved")
    assert [n["text"] for n in stored_blocks(live_server, canvas_a)["channels"]] == [
        "Only A wrote this"]


def test_a_refused_value_then_a_reload_is_no_conflict(live_server, page: Page) -> None:
    email, _, ws = make_account(live_server)
    sign_in(page, live_server, email)
    page.goto(live_server.url(f"/worksheets/{ws}/steps/economics"))
    type_into(page, "#cost_to_win", "4000")
    expect(status(page)).to_have_text("Saved")
    type_into(page, "#margin", "150")
    expect(page.locator("#margin-error")).to_be_visible()
    expect(status(page)).to_have_text("Not saved: see the messages")
    page.reload()
    expect(page.locator("#conflict")).to_be_hidden()
    page.locator("#margin").fill("")
    type_into(page, "#margin", "25")
    expect(status(page)).to_have_text("Saved")
    expect(page.locator("#conflict")).to_be_hidden()
    assert stored(live_server, ws)["margin"] == 25
    assert stored(live_server, ws)["cost_to_win"] == 4000


def test_text_tab_b_has_not_sent_yet_does_not_appear_in_tab_a(
        live_server, context: BrowserContext, page: Page) -> None:
    email, _, ws = make_account(live_server)
    sign_in(page, live_server, email)
    url = live_server.url(f"/worksheets/{ws}/steps/focus")
    page.goto(url)
    tab_b = context.new_page()
    tab_b.goto(url)
    tab_b.route("**/autosave", lambda route: route.abort("internetdisconnected"))
    type_into(tab_b, "#segment", "Tab B, not sent yet")
    expect(status(tab_b)).to_have_text("Offline, will retry")

    page.reload()
    page.wait_for_timeout(500)
    expect(page.locator("#segment")).to_have_value("")
    expect(page.locator("#conflict")).to_be_hidden()

    tab_b.unroute("**/autosave")
    wait_until(tab_b, lambda: stored(live_server, ws).get("segment") == "Tab B, not sent yet",
               "tab B's text to be saved once it is back online")
    page.reload()
    expect(page.locator("#segment")).to_have_value("Tab B, not sent yet")
