"""Lighthouse scores accessibility and best practices at 100 on the pages people use most:
the home page, a worksheet step and the board, for a Danish user, on a phone and a desktop.

Lighthouse (tests/lighthouse, installed by `make test` with `npm ci`) drives Debian's Chromium
itself; the session cookie of a real sign-in goes with every request it makes. Where a score is
below 1 the failure names each audit that lost points and the elements it found."""

from __future__ import annotations

import http.cookiejar
import json
import re
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from canvas.accounts import create_user
from canvas.canvases.service import import_canvas
from canvas.extensions import db
from canvas.library import get_definitions, load_document
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer
from tests.browser.helpers import example
from tests.conftest import PASSWORD, ROOT

pytestmark = pytest.mark.browser

LIGHTHOUSE = ROOT / "tests" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("accessibility", "best-practices")


@pytest.fixture(scope="module")
def signed_in(serve_app, tmp_path_factory):
    """The served app, a Danish user's cookie, and the pages to score."""
    if not LIGHTHOUSE.exists():
        pytest.fail(f"{LIGHTHOUSE} is missing: run `make test` (it runs npm ci there)")
    with serve_app(tmp_path_factory.mktemp("lighthouse") / "lh.sqlite3") as server:
        with server.app.app_context():
            user = create_user("lia@example.test", PASSWORD, "Lia", "student", "da")
            db.session.flush()
            canvas = import_canvas(user, load_document(example("cleaning-copenhagen.da")),
                                   get_definitions())
            db.session.commit()
            pages = {"home": "/", "worksheet": f"/worksheets/{canvas.worksheets[0].id}/steps/focus",
                     "board": f"/canvases/{canvas.id}"}
        yield server, cookie_of(server, "lia@example.test"), pages


def cookie_of(server: LiveServer, email: str) -> str:
    """Sign in through the form, as a browser would; the Cookie header it leaves."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(server.url("/auth/login")).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": PASSWORD})
    home = opener.open(server.url("/auth/login"), body.encode())
    assert urllib.parse.urlsplit(home.url).path == "/", "the sign-in did not go through"
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def lighthouse(url: str, cookie: str, form_factor: str) -> dict:
    """Lighthouse's report (JSON) of one page."""
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    command = [str(LIGHTHOUSE), url, f"--only-categories={','.join(CATEGORIES)}",
               "--output=json", "--quiet", f"--chrome-path={CHROMIUM}",
               f"--chrome-flags={flags}", f"--extra-headers={json.dumps({'Cookie': cookie})}",
               f"--form-factor={form_factor}", "--throttling-method=provided"]
    if form_factor == "desktop":
        command.append("--preset=desktop")
    done = subprocess.run(command, capture_output=True, text=True, timeout=180,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(Path.home()),
                               "CHROME_PATH": str(CHROMIUM)}, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def lost_points(report: dict) -> dict[str, list]:
    """Each weighted audit under 1, with the first elements it names."""
    lost = {}
    for category in report["categories"].values():
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                items = (audit.get("details") or {}).get("items") or []
                lost[ref["id"]] = [json.dumps(item)[:300] for item in items[:3]]
    return lost


@pytest.mark.parametrize("form_factor", ["mobile", "desktop"])
@pytest.mark.parametrize("page", ["home", "worksheet", "board"])
def test_lighthouse_scores_100(signed_in, page: str, form_factor: str):
    server, cookie, pages = signed_in
    report = lighthouse(server.url(pages[page]), cookie, form_factor)
    # The page scored is the signed-in one asked for (not the sign-in page it would redirect to).
    assert urllib.parse.urlsplit(report["finalDisplayedUrl"]).path == pages[page]
    scores = {name: report["categories"][name]["score"] for name in CATEGORIES}
    assert scores == dict.fromkeys(CATEGORIES, 1), (scores, lost_points(report))
