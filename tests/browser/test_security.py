"""What a person does with their account, in a real browser: every page under the CSP without
a violation, seeing and signing out sessions, changing the password, being locked out and
trying again later, deleting the account."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from canvas.accounts import create_user
from canvas.extensions import db
from tests.browser.helpers import PASSWORD, make_account, sign_in

pytestmark = pytest.mark.browser
NEW_PASSWORD = "a brand new passphrase"


def watch_csp(page: Page) -> list[str]:
    """Every CSP violation the page reports, from the console and the DOM event."""
    seen: list[str] = []
    page.on("console", lambda msg: seen.append(msg.text)
            if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text
            else None)
    page.add_init_script("""
        document.addEventListener("securitypolicyviolation", (e) => {
            console.error("Content Security Policy violation: " + e.violatedDirective
                          + " blocked " + e.blockedURI);
        });
    """)
    return seen


def make_admin(server) -> str:
    with server.app.app_context():
        create_user("boss@example.test", PASSWORD, "Boss", "admin")
        db.session.commit()
        db.session.remove()
    return "boss@example.test"


def test_every_page_loads_without_a_csp_violation(live_server, page: Page):
    """Every page, the board with tagged notes and the worksheet steps included."""
    email, canvas_id, worksheet_id = make_account(live_server)
    with live_server.app.app_context():
        from canvas.models import Canvas

        canvas = db.session.get(Canvas, canvas_id)
        canvas.blocks = {"customer-segments": [{"id": "s1", "text": "Offices", "segment": None}],
                         "channels": [{"id": "c1", "text": "A shop", "segment": "s1"}]}
        db.session.commit()
        db.session.remove()
    seen = watch_csp(page)
    public = ["/", "/auth/login", "/auth/register", "/auth/reset", "/learn/en/",
              "/learn/en/customer-relationships", "/auth/reset/not-a-token"]
    for path in public:
        page.goto(live_server.url(path))
    sign_in(page, live_server, email)
    mine = ["/", "/canvases/new", "/bin", f"/canvases/{canvas_id}/rename",
            f"/canvases/{canvas_id}/delete", f"/canvases/{canvas_id}/versions",
            f"/canvases/{canvas_id}/export", f"/worksheets/{worksheet_id}", "/account",
            f"/canvases/{canvas_id}", f"/worksheets/{worksheet_id}/steps/ladder",
            f"/worksheets/{worksheet_id}/steps/economics",
            f"/worksheets/{worksheet_id}/not-saved", "/auth/signed-in",
            "/account/delete", "/canvases/999999/rename"]
    for path in mine:
        page.goto(live_server.url(path))
    page.goto(live_server.url(f"/canvases/{canvas_id}/versions"))
    page.get_by_role("button", name=re.compile("Save a version", re.I)).first.click()
    page.goto(live_server.url(f"/canvases/{canvas_id}/versions/compare?a=1&b=current"))
    page.get_by_role("button", name=re.compile("Sign out", re.I)).first.click()
    admin = make_admin(live_server)
    sign_in(page, live_server, admin)
    for path in ["/admin/audit", "/admin/users", "/admin/users/1"]:
        page.goto(live_server.url(path))
    assert seen == [], "\n".join(seen)


def test_see_my_sessions_and_sign_out_another(live_server, browser: Browser):
    email, _, _ = make_account(live_server, with_canvas=False)
    laptop = browser.new_context(locale="en-GB")
    phone = browser.new_context(locale="en-GB", user_agent=(
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0 Mobile Safari/537.36"))
    try:
        on_laptop, on_phone = laptop.new_page(), phone.new_page()
        sign_in(on_laptop, live_server, email)
        sign_in(on_phone, live_server, email)
        on_laptop.get_by_role("link", name="My account").click()
        rows = on_laptop.locator("table.sessions tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.filter(has_text="this browser")).to_have_count(1)
        phone_row = rows.filter(has_text="Chrome on Android")
        phone_row.get_by_role("button", name="Sign out this one").click()
        expect(on_laptop.get_by_text("That session is signed out.")).to_be_visible()
        expect(rows).to_have_count(1)
        on_phone.reload()
        expect(on_phone.get_by_role("heading", name="My canvases")).to_have_count(0)
        on_phone.goto(live_server.url("/account"))
        expect(on_phone.get_by_role("heading", name="Sign in")).to_be_visible()
    finally:
        laptop.close()
        phone.close()


def test_change_my_password_then_sign_in_with_it(live_server, page: Page):
    email, _, _ = make_account(live_server, with_canvas=False)
    sign_in(page, live_server, email)
    page.goto(live_server.url("/account"))
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("That is not your current password.")).to_be_visible()
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password is changed.")).to_be_visible()
    page.get_by_role("button", name=re.compile("Sign out")).click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The e-mail or the password is not right.")).to_be_visible()
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My canvases")).to_be_visible()


def test_locked_out_then_wait_and_sign_in(live_server, page: Page):
    live_server.app.config["LOGIN_LOCK_FIRST_SECONDS"] = 2  # a short wait for the test
    email, _, _ = make_account(live_server, with_canvas=False)
    page.goto(live_server.url("/auth/login"))
    for _ in range(5):
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password", exact=True).fill("a wrong password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(re.compile(r"Too many wrong passwords .* Try again in 1 minute;"))
           ).to_be_visible()
    expect(page.get_by_label("E-mail")).to_have_value(email)  # kept for the next try
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(re.compile("Too many wrong passwords"))).to_be_visible()
    page.wait_for_timeout(2500)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My canvases")).to_be_visible()


def test_delete_my_account_clears_the_unsent_copies(live_server, page: Page):
    email, _, worksheet_id = make_account(live_server)
    sign_in(page, live_server, email)
    page.evaluate("""() => {
        localStorage.setItem("canvas:unsaved:1:segment", "{}");
        localStorage.setItem("canvas:board:1", "{}");
    }""")
    page.goto(live_server.url("/account"))
    page.get_by_role("link", name="Delete my account").click()
    page.get_by_label("Confirm with your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account for good").click()
    expect(page.get_by_role("heading", name="Your account is deleted")).to_be_visible()
    left = page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('canvas:'))")
    assert left == []
    page.goto(live_server.url(f"/worksheets/{worksheet_id}"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
