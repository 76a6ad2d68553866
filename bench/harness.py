"""What the HTTP benchmarks share: a fresh install, the app and its floor under gunicorn as
in production (gunicorn.conf.py), sign-in over HTTP, and wrk (Debian's package) as the
load generator, on 127.0.0.1 only and for a bounded time."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
PASSWORD = "correct horse battery staple"
SECRET = "bench-" + "k" * 58


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database(folder: Path) -> str:
    """A migrated SQLite file in `folder`; returns its URI."""
    from flask_migrate import upgrade

    from canvas import create_app
    from canvas.extensions import db

    uri = f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return uri


def bench_app(uri: str):
    """The real app on `uri`, not TESTING (production password hashing and all)."""
    from canvas import create_app

    return create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": uri})


@dataclass(frozen=True)
class Model:
    """A gunicorn worker model."""

    name: str
    worker_class: str
    workers: int
    threads: int


CORES = len(os.sched_getaffinity(0))
SYNC = Model("sync", "sync", 2 * CORES + 1, 1)  # gunicorn.conf.py's default
THREADED = Model("gthread", "gthread", CORES, 4)


@contextmanager
def gunicorn(spec: str, env: dict[str, str], model: Model = SYNC) -> Iterator[int]:
    """Serve the WSGI app `spec` (module:callable) with gunicorn.conf.py and `model` on a
    free loopback port; yields the port once /healthz (or /) answers."""
    port = free_port()
    full_env = {k: v for k, v in os.environ.items()
                if not k.startswith("CANVAS_") and k not in ("DATABASE_URL", "REDIS_URL")}
    full_env.update(env, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(model.workers),
                    GUNICORN_WORKER_CLASS=model.worker_class,
                    GUNICORN_THREADS=str(model.threads), GUNICORN_ACCESS_LOG="",
                    SECRET_KEY=SECRET, PYTHONPATH=f"{ROOT}:{ROOT / 'bench'}")
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    server = subprocess.Popen([str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
                               spec], cwd=ROOT, env=full_env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                status = request(port, "GET", "/healthz")[0]
                if status in (200, 404):
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"gunicorn did not start: {log.read().decode()[-2000:]}")
            time.sleep(0.2)
        time.sleep(1)  # every worker up, not just the first
        yield port
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None, jar: dict[str, str] | None = None
            ) -> tuple[int, dict[str, str], str]:
    """One request; with a `jar`, its cookies are sent and the answer's kept in it."""
    headers = dict(headers or {})
    if jar:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        if jar is not None:
            for raw in response.headers.get_all("Set-Cookie") or []:
                jar.update({k: m.value for k, m in SimpleCookie(raw).items()})
        return (response.status, dict(response.headers.items()),
                response.read().decode("utf-8", "replace"))
    finally:
        conn.close()


def sign_in(port: int, email: str) -> tuple[str, str]:
    """Sign in over HTTP; returns (Cookie header, CSRF token)."""
    jar: dict[str, str] = {}
    _, _, page = request(port, "GET", "/auth/login", jar=jar)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    form = urlencode({"email": email, "password": PASSWORD, "csrf_token": token}).encode()
    status, _, _ = request(port, "POST", "/auth/login", form,
                           {"Content-Type": "application/x-www-form-urlencoded"}, jar=jar)
    assert status == 302, status
    _, _, page = request(port, "GET", "/", jar=jar)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return "; ".join(f"{k}={v}" for k, v in jar.items()), token


@dataclass
class Load:
    """One wrk run: throughput, latency percentiles (ms), failures, wrk's own output."""

    rps: float
    p50: float
    p99: float
    requests: int
    errors: int
    output: str


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(port: int, path: str, seconds: int, connections: int, threads: int = 2,
        headers: dict[str, str] | None = None, script: Path | None = None,
        env: dict[str, str] | None = None) -> Load:
    """Run wrk against 127.0.0.1:`port` for `seconds` and read its report."""
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
            "--timeout", "30s"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    if script is not None:
        args += ["-s", str(script)]
    args.append(f"http://127.0.0.1:{port}{path}")
    done = subprocess.run(args, capture_output=True, text=True, check=True,
                          env={**os.environ, **(env or {})}, timeout=seconds + 120)
    out = done.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    count = int(re.search(r"(\d+) requests in", out).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                          out):
        errors += sum(int(n) for n in match.groups())
    return Load(rps, p50, p99, count, errors, out)


def median_load(loads: list[Load]) -> Load:
    """The median of each figure over rounds (a noisy neighbour hits one round, not all)."""
    return Load(statistics.median(x.rps for x in loads), statistics.median(x.p50 for x in loads),
                statistics.median(x.p99 for x in loads), sum(x.requests for x in loads),
                sum(x.errors for x in loads), "\n".join(x.output for x in loads))


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
