"""Concurrent autosaves against the real app served over HTTP on 127.0.0.1.

SQLite runs in WAL mode and every save takes the write lock up front (BEGIN IMMEDIATE), so
concurrent saves queue instead of failing with "database is locked"; on PostgreSQL
(`make test-postgres`) the save locks the row it checks (SELECT ... FOR UPDATE). Either way
the version check lets exactly one of several saves that name the same version through.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from werkzeug.serving import WSGIRequestHandler, make_server

from canvas.accounts import create_user
from canvas.canvases.service import create_canvas
from canvas.extensions import db
from canvas.library import get_definitions
from canvas.models import RefusedSave
from canvas.worksheets.service import MAX_REFUSED
from tests.conftest import PASSWORD, migrated_app, stored_answers
from tests.databases import on_postgres

THREADS = 20
TIMEOUT = 60  # seconds for one request; the busy timeout is 15 s


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


class Browser:
    """One signed-in user over plain HTTP: a cookie jar and the page's CSRF token."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()
        self.csrf = ""

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        headers = dict(headers or {})
        with self.lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read().decode("utf-8", "replace")
            for raw in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(raw)
                with self.lock:
                    for key, morsel in cookie.items():
                        self.cookies[key] = morsel.value
            return response.status, dict(response.headers), data
        finally:
            conn.close()

    def token_from(self, page: str) -> str:
        match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
        assert match, "no csrf-token meta tag"
        return match.group(1)

    def sign_in(self, email: str) -> None:
        status, _, page = self.request("GET", "/auth/login")
        assert status == 200
        form = urlencode({"email": email, "password": PASSWORD,
                          "csrf_token": self.token_from(page)}).encode()
        status, headers, _ = self.request(
            "POST", "/auth/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, status
        status, _, page = self.request("GET", "/")
        assert status == 200 and "My canvases</h1>" in page
        self.csrf = self.token_from(page)

    def autosave(self, worksheet_id: int, version: int, segment: str) -> tuple[int, str]:
        body = json.dumps({"version": version, "step": "focus",
                           "fields": {"segment": segment, "value_proposition": ""}}).encode()
        status, _, data = self.request(
            "POST", f"/worksheets/{worksheet_id}/steps/focus/autosave", body,
            {"Content-Type": "application/json", "X-CSRFToken": self.csrf})
        return status, data


@pytest.fixture
def live_app(tmp_path: Path) -> Iterator[tuple[Flask, int]]:
    """The real app on a temporary SQLite file, served by a threaded server on a free port."""
    app = migrated_app(tmp_path / "live.sqlite3")
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield app, server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def make_users_with_worksheets(app: Flask, users: int, per_user: int) -> dict[str, list[int]]:
    """E-mail -> worksheet ids, each in its own canvas."""
    out: dict[str, list[int]] = {}
    with app.app_context():
        definition = get_definitions()["customer-relationships"]
        for n in range(users):
            email = f"writer{n}@example.test"
            user = create_user(email, PASSWORD)
            canvases = [create_canvas(user, f"Canvas {n}.{k}", "en", [definition])
                        for k in range(per_user)]
            db.session.commit()
            out[email] = [c.worksheets[0].id for c in canvases]
    return out


@pytest.mark.skipif(on_postgres(), reason="SQLite's settings")
def test_sqlite_runs_in_wal_mode(live_app):
    app, _ = live_app
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar().lower() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() >= 1000


@pytest.mark.skipif(not on_postgres(), reason="PostgreSQL's settings")
def test_postgres_sessions_speak_utc_whatever_the_server_zone(live_app):
    """The test server runs in Europe/Oslo (scripts/services.sh); stored times stay UTC."""
    from datetime import UTC, datetime

    from canvas.models import AuditEvent

    app, _ = live_app
    moment = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    with app.app_context():
        assert db.session.execute(text("SHOW TIME ZONE")).scalar() == "UTC"
        db.session.add(AuditEvent(kind="test", created_at=moment, detail={}))
        db.session.commit()
        db.session.expire_all()
        stored = db.session.scalar(select(AuditEvent.created_at))
        db.session.remove()
    assert stored.replace(tzinfo=UTC) == moment


def test_many_worksheets_saved_concurrently_keep_every_acknowledged_save(live_app):
    """20 worksheets of 5 users, 8 saves each in sequence, all 20 sequences at once."""
    app, port = live_app
    saves_per_sheet = 8
    sheets_by_user = make_users_with_worksheets(app, users=5, per_user=4)
    browsers = {}
    for email in sheets_by_user:
        browsers[email] = Browser(port)
        browsers[email].sign_in(email)

    def write_sequence(email: str, ws: int) -> list[tuple[int, str, str, int | None]]:
        """Save one worksheet repeatedly, each save naming the version the last one returned."""
        browser, version, log = browsers[email], 1, []
        for n in range(saves_per_sheet):
            segment = f"ws{ws} save{n}"
            status, body = browser.autosave(ws, version, segment)
            new_version = None
            if status == 200:
                new_version = json.loads(body)["version"]
                version = new_version
            log.append((status, segment, body, new_version))
        return log

    jobs = [(email, ws) for email, sheets in sheets_by_user.items() for ws in sheets]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        logs = dict(zip(jobs, pool.map(lambda job: write_sequence(*job), jobs), strict=True))

    total = sum(len(log) for log in logs.values())
    assert total == len(jobs) * saves_per_sheet >= 150
    for (_email, ws), log in logs.items():
        for status, _segment, body, _ in log:
            assert status != 500, body
            assert "database is locked" not in body.lower()
            assert status == 200, (ws, status, body[:300])
        acknowledged = [(segment, version) for status, segment, _, version in log
                        if status == 200]
        last_segment, last_version = acknowledged[-1]
        versions = [v for _, v in acknowledged]
        assert versions == list(range(2, 2 + saves_per_sheet))
        assert stored_answers(app, ws) == (last_version,
                                   {"segment": last_segment, "value_proposition": ""})


def test_concurrent_saves_naming_the_same_version_let_exactly_one_through(live_app):
    """40 tabs (of two sessions of the same user) save one worksheet from version 1 at once."""
    app, port = live_app
    (email, (ws,)), = make_users_with_worksheets(app, users=1, per_user=1).items()
    tabs = [Browser(port), Browser(port)]
    for tab in tabs:
        tab.sign_in(email)
    attempts = 40
    barrier = threading.Barrier(min(attempts, THREADS), timeout=TIMEOUT)

    def save(n: int) -> tuple[int, str, str]:
        segment = f"tab {n}"
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        status, body = tabs[n % 2].autosave(ws, 1, segment)
        return status, segment, body

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = list(pool.map(save, range(attempts)))

    for status, _, body in results:
        assert status != 500, body
        assert "database is locked" not in body.lower()
    winners = [(segment, json.loads(body)) for status, segment, body in results
               if status == 200]
    losers = [json.loads(body) for status, _, body in results if status == 409]
    assert len(winners) == 1, [status for status, _, _ in results]
    assert len(losers) == attempts - 1
    (segment, saved), = winners
    assert saved["version"] == 2
    for conflict in losers:
        assert conflict["status"] == "conflict"
        assert conflict["version"] == 2
        assert conflict["theirs"]["segment"] == segment
    assert stored_answers(app, ws) == (2, {"segment": segment, "value_proposition": ""})
    with app.app_context():
        refused = db.session.scalar(select(func.count(RefusedSave.id))
                                    .where(RefusedSave.editor == "worksheet",
                                           RefusedSave.object_id == ws))
        db.session.remove()
    # Every refused text is kept, up to the cap of refused saves kept per worksheet.
    assert refused == min(attempts - 1, MAX_REFUSED)


def test_failed_sign_ins_at_once_all_count(live_app):
    """Ten wrong passwords for one new e-mail at the same moment: one row per key, ten
    failures counted (PostgreSQL: an advisory lock per e-mail; SQLite: BEGIN IMMEDIATE)."""
    from canvas import lockout
    from canvas.database import write_transaction
    from canvas.models import SignInFailure

    app, _ = live_app
    rules = lockout.Rules.from_config(app.config)
    attempts = 10
    barrier = threading.Barrier(attempts, timeout=TIMEOUT)

    def fail(_n: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                with write_transaction():
                    lockout.record_failure("guess@example.test", "10.0.0.1", rules)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        list(pool.map(fail, range(attempts)))
    with app.app_context():
        rows = {row.address: row.count for row in db.session.scalars(
            select(SignInFailure).where(SignInFailure.email == "guess@example.test"))}
        db.session.remove()
    assert rows == {"10.0.0.1": attempts, lockout.ANY_ADDRESS: attempts}
