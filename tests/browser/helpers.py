"""What every browser test needs: the test password, an account with a canvas, signing in,
the worked examples, waiting for a route callback and the axe-core check."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from itertools import count
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from canvas.accounts import create_user
from canvas.canvases.service import create_canvas
from canvas.extensions import db
from canvas.i18n import gettext_in
from canvas.languages import LANGUAGES
from canvas.library import get_definitions

PASSWORD = "correct horse battery"
EXAMPLES = Path(__file__).resolve().parents[2] / "content" / "examples"
BLOCKING = {"serious", "critical"}
_emails = count()


def make_account(server, lang: str = "en", title: str = "Glans Rengøring",
                 *, with_canvas: bool = True) -> tuple[str, int | None, int | None]:
    """A user, and unless `with_canvas` is false a canvas holding the Customer Relationships
    worksheet. Returns (e-mail, canvas id, worksheet id); the ids are None without a canvas.
    """
    email = f"walker{next(_emails)}@example.test"
    with server.app.app_context():
        user = create_user(email, PASSWORD, "Walker", "student", lang)
        db.session.flush()
        canvas_id = worksheet_id = None
        if with_canvas:
            canvas = create_canvas(user, title, lang,
                                   [get_definitions()["customer-relationships"]])
            db.session.flush()
            canvas_id, worksheet_id = canvas.id, canvas.worksheets[0].id
        db.session.commit()
        db.session.remove()
    return email, canvas_id, worksheet_id


def sign_in(page: Page, server, email: str, password: str = PASSWORD) -> None:
    page.goto(server.url("/auth/login"))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect_home(page)


# "My canvases" as each language's catalogue says it: after sign-in the page speaks the
# account's language.
HOME_HEADINGS = re.compile("^(" + "|".join(
    re.escape(gettext_in(lang, "My canvases")) for lang in LANGUAGES) + ")$")


def expect_home(page: Page) -> None:
    """The home page, signed in, in whichever language the account reads."""
    expect(page.get_by_role("heading", level=1)).to_have_text(HOME_HEADINGS)


def wait_until(page: Page, condition: Callable[[], object], what: str,
               timeout: float = 10) -> None:
    """Let the page run (route callbacks fire meanwhile) until `condition()` is true."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        page.wait_for_timeout(50)


def example(name: str) -> dict:
    """content/examples/<name>.json, the canvas JSON of a worked example."""
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def check_axe(page: Page, what: str, axe: Axe | None = None) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    results = (axe or Axe()).run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    at {node['target']}: {node.get('failureSummary', '').splitlines()[1:2]}"
                    for node in v["nodes"][:8])
        for v in blocking)
    assert not blocking, f"axe-core found problems on {what} ({page.url}):\n{report}"
