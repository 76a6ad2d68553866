"""What every browser test needs: the test password, signing in, the worked examples and
the axe-core check."""

from __future__ import annotations

import json
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

PASSWORD = "correct horse battery"
EXAMPLES = Path(__file__).resolve().parents[2] / "content" / "examples"
BLOCKING = {"serious", "critical"}


def sign_in(page: Page, server, email: str) -> None:  # noqa: ANN001
    page.goto(server.url("/auth/login"))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My canvases")).to_be_visible()


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
