"""Real-browser fixtures: the app served on a free port, Debian's Chromium driven by Playwright.

`make test` installs Chromium (scripts/system-packages.sh --test), so a missing browser is an
error here, never a skip.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from werkzeug.serving import make_server

from canvas.extensions import db
from tests.conftest import migrated_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

# Autosave waits 800 ms after the last keystroke; leave room for a slow CI machine.
expect.set_options(timeout=10_000)


class LiveServer(str):
    """The base URL (a str, e.g. "http://127.0.0.1:40123"), carrying the app it serves."""

    app: Flask

    def __new__(cls, url: str, app: Flask) -> LiveServer:
        obj = super().__new__(cls, url)
        obj.app = app
        return obj

    def url(self, path: str) -> str:
        return f"{self}{path}"


@contextmanager
def serve(database: Path) -> Iterator[LiveServer]:
    """Serve a new app on `database` (migrated first) from a daemon thread until the block ends."""
    app = migrated_app(database, SECRET_KEY="browser-test")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def serve_app():
    """`serve` for fixtures of a wider scope: `with serve_app(path) as server: ...`."""
    return serve


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The app on its own migrated SQLite file, served by werkzeug; yields the base URL."""
    with serve(tmp_path / "browser.sqlite3") as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test-system` (it installs Debian's "
                    "chromium); the browser tests never download a browser.", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile (cookies, localStorage) for one test."""
    ctx = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    pg = context.new_page()
    yield pg
    pg.close()


@pytest.fixture
def demo(live_server):
    """The live server with the demo data loaded (flask demo load)."""
    result = live_server.app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return live_server
