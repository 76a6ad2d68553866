"""Concurrent autosaves against the real app: BEGIN IMMEDIATE versus plain BEGIN, and the
cost of durable commits (PRAGMA synchronous FULL versus NORMAL).

    .venv/bin/python bench/autosave.py [--saves 200] [--threads 20]

Starts the app once per mode in this process (a threaded werkzeug server on 127.0.0.1, a
fresh SQLite file each), signs in one user per worksheet, and fires the same burst of
autosaves at each. Reports failed saves and saves per second; the ratios compare modes
measured in the same run, since absolute figures on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from werkzeug.serving import make_server

from canvas import create_app
from canvas.accounts import create_user
from canvas.canvases.service import create_canvas
from canvas.extensions import db
from canvas.library import get_definitions

PASSWORD = "bench-password"


def run(immediate: bool, saves: int, threads: int, workers: int = 10,
        synchronous: str = "FULL") -> dict:
    folder = Path(tempfile.mkdtemp())
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
                      "SQLITE_IMMEDIATE_WRITES": immediate, "SQLITE_SYNCHRONOUS": synchronous,
                      "SECRET_KEY": "bench", "TESTING": True})
    app.logger.disabled = True
    worksheets = []
    with app.app_context():
        upgrade()
        for n in range(workers):
            user = create_user(f"bench{n}@example.test", PASSWORD)
            canvas = create_canvas(user, f"Bench {n}", "en",
                                   [get_definitions()["customer-relationships"]])
            db.session.commit()
            worksheets.append((user.email, canvas.worksheets[0].id))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"

    def session(email: str):
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{base}/auth/login").read().decode()
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"email": email, "password": PASSWORD,
                                       "csrf_token": token}).encode()
        opener.open(f"{base}/auth/login", data)
        home = opener.open(f"{base}/").read().decode()
        token = re.search(r'name="csrf-token" content="([^"]+)"', home).group(1)
        return opener, token

    sessions = [session(email) for email, _ in worksheets]
    versions = {ws: 1 for _, ws in worksheets}
    locks = {ws: threading.Lock() for _, ws in worksheets}
    outcome = {"ok": 0, "locked": 0, "other": 0}
    guard = threading.Lock()

    def one(n: int) -> None:
        k = n % workers
        opener, token = sessions[k]
        ws = worksheets[k][1]
        with locks[ws]:  # one tab per worksheet: versions advance in order
            body = json.dumps({"version": versions[ws], "step": "focus",
                               "fields": {"segment": f"save {n}", "value_proposition": "x"}})
            request = urllib.request.Request(
                f"{base}/worksheets/{ws}/steps/focus/autosave", body.encode(),
                {"Content-Type": "application/json", "X-CSRFToken": token})
            try:
                reply = json.loads(opener.open(request).read())
                versions[ws] = reply["version"]
                kind = "ok"
            except urllib.error.HTTPError as exc:
                text = exc.read().decode(errors="replace")
                kind = "locked" if exc.code == 500 else "other"
                if "locked" in text:
                    kind = "locked"
        with guard:
            outcome[kind] += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(saves)))
    elapsed = time.perf_counter() - started
    server.shutdown()
    return {**outcome, "seconds": elapsed, "per_second": saves / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--threads", type=int, default=20)
    args = parser.parse_args()
    results = {}
    modes = (("BEGIN, NORMAL", False, "NORMAL"), ("IMMEDIATE, NORMAL", True, "NORMAL"),
             ("IMMEDIATE, FULL", True, "FULL"))
    for label, immediate, synchronous in modes:
        results[label] = run(immediate, args.saves, args.threads, synchronous=synchronous)
        r = results[label]
        print(f"{label:<18} ok {r['ok']:>4}  failed {r['locked'] + r['other']:>4} "
              f"(locked/500: {r['locked']})  {r['per_second']:.1f} saves/s")
    rate = {label: r["per_second"] for label, r in results.items()}
    print(f"throughput ratio IMMEDIATE / deferred (both NORMAL): "
          f"{rate['IMMEDIATE, NORMAL'] / rate['BEGIN, NORMAL']:.2f}")
    print(f"throughput ratio FULL / NORMAL (both IMMEDIATE): "
          f"{rate['IMMEDIATE, FULL'] / rate['IMMEDIATE, NORMAL']:.2f}")


if __name__ == "__main__":
    main()
