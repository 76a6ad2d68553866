"""`make serve` as in production: gunicorn with gunicorn.conf.py and the settings from the
environment, on a free loopback port."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask_migrate import upgrade

from canvas import create_app
from canvas.extensions import db
from tests.conftest import ROOT
from tests.databases import database_uri


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, dict(response.headers), response.read()
    finally:
        conn.close()


def children(pid: int) -> set[int]:
    """The process ids of `pid`'s children."""
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.update(int(child) for child in text)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


@pytest.fixture
def served(tmp_path):
    uri = database_uri(tmp_path / "served.sqlite3")
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("CANVAS_")}
    env.update(DATABASE_URL=uri, SECRET_KEY="s" * 64, BIND=f"127.0.0.1:{port}",
               WEB_CONCURRENCY="2", GUNICORN_ACCESS_LOG="", PYTHONPATH=str(ROOT))
    env.pop("REDIS_URL", None)
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--config",
                               str(ROOT / "gunicorn.conf.py"), "canvas:create_app()"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            server.kill()
            pytest.fail(server.stderr.read().decode()[-3000:])
        yield server, port
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        server.stderr.close()


def test_gunicorn_serves_the_app_with_render_processes_ready(served):
    server, port = served
    status, _, body = get(port, "/healthz")
    assert (status, body) == (200, b'{"status":"ok"}\n')
    # Two web workers (WEB_CONCURRENCY), each with its render process already started: the
    # first PDF does not wait for one.
    workers = children(server.pid)
    deadline = time.monotonic() + 60
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        workers = children(server.pid)
    assert len(workers) == 2
    for worker in workers:
        assert len([c for c in children(worker) if alive(c)]) >= 1, "no render process"
    status, headers, page = get(port, "/auth/login")
    assert status == 200
    assert not re.search(r"\d", headers.get("Server", ""))
    css = re.search(rb'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page).group(1).decode()
    status, headers, _ = get(port, css)
    assert status == 200 and "immutable" in headers["Cache-Control"]


def test_stopping_gunicorn_stops_its_render_processes(served):
    server, port = served
    deadline = time.monotonic() + 60
    renderers: set[int] = set()
    while time.monotonic() < deadline and len(renderers) < 2:
        renderers = {c for w in children(server.pid) for c in children(w)}
        time.sleep(0.2)
    assert len(renderers) >= 2
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=60)
    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in renderers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in renderers)
