"""Peak memory of a class signing in at once, with the production argon2id parameters.

    .venv/bin/python bench/signin_memory.py [--users 30]

For each set-up below, serves the real app (not TESTING, so PASSWORD_HASH_PARAMS are used)
from a child process on 127.0.0.1, creates the users, resets the child's peak-RSS mark
(/proc/<pid>/clear_refs), then has every user sign in at the same moment through the real
form (CSRF token, lockout check, argon2id verify, session row). Reports the child's RSS
before, its peak (VmHWM) during the burst, the difference, and how long the burst took.

Set-ups: the production parameters with PASSWORD_HASH_CONCURRENCY as configured (4) and
with no limit (as many places as users), and the 64 MiB parameters of the issue's finding
with no limit, for comparison.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a class of thirty signs in"

CHILD = """
import sys, json
from pathlib import Path
sys.path.insert(0, {root!r})
from flask_migrate import upgrade
from werkzeug.serving import make_server
from canvas import create_app
from canvas.accounts import create_user
from canvas.extensions import db

config = json.loads(sys.argv[1])
app = create_app({{"SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[2], "SECRET_KEY": "bench",
                  "RATELIMIT_SIGN_IN": "10000 per minute", **config}})
app.logger.disabled = True
with app.app_context():
    upgrade()
    for n in range(int(sys.argv[3])):
        create_user(f"pupil{{n}}@example.test", {password!r})
    db.session.commit()
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


def status(pid: int, key: str) -> int:
    """A /proc/<pid>/status figure in KiB (VmRSS, VmHWM)."""
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{key}:\s+(\d+) kB", text, re.M).group(1))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A good sign-in answers 302: count that, do not follow it."""

    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(base: str, email: str, barrier: threading.Barrier, results: list) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    page = opener.open(f"{base}/auth/login").read().decode()
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"email": email, "password": PASSWORD,
                                   "csrf_token": token}).encode()
    barrier.wait()
    try:
        results.append(opener.open(f"{base}/auth/login", data=body).status)
    except urllib.error.HTTPError as exc:
        results.append(exc.code)


def run(name: str, config: dict, users: int) -> dict:
    folder = Path(tempfile.mkdtemp())
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(root=str(ROOT), password=PASSWORD),
         json.dumps(config), str(folder / "bench.sqlite3"), str(users)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # the audit lines
    try:
        port = int(child.stdout.readline())
        base = f"http://127.0.0.1:{port}"
        barrier = threading.Barrier(users + 1)
        results: list[int] = []
        threads = [threading.Thread(target=sign_in, args=(base, f"pupil{n}@example.test",
                                                          barrier, results))
                   for n in range(users)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)  # every thread has its form; the server is idle again
        Path(f"/proc/{child.pid}/clear_refs").write_text("5")  # reset the peak mark
        before = status(child.pid, "VmRSS")
        started = time.perf_counter()
        barrier.wait()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        peak = status(child.pid, "VmHWM")
    finally:
        child.terminate()
        child.wait()
        child.stdout.close()
    signed_in = sum(1 for code in results if code == 302)
    return {"set-up": name, "signed in": f"{signed_in}/{users}",
            "RSS before (MiB)": round(before / 1024, 1), "peak (MiB)": round(peak / 1024, 1),
            "peak - before (MiB)": round((peak - before) / 1024, 1),
            "burst (s)": round(seconds, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=30)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from canvas.config import DEFAULTS

    production = DEFAULTS["PASSWORD_HASH_PARAMS"]
    old = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 4}  # argon2-cffi's defaults
    setups = [
        (f"production {production}, concurrency {DEFAULTS['PASSWORD_HASH_CONCURRENCY']}",
         {}),
        (f"production {production}, no limit", {"PASSWORD_HASH_CONCURRENCY": args.users}),
        (f"64 MiB {old}, no limit", {"PASSWORD_HASH_PARAMS": old,
                                     "PASSWORD_HASH_CONCURRENCY": args.users}),
    ]
    print(f"{args.users} simultaneous sign-ins, {os.cpu_count()} cores")
    for name, config in setups:
        print(json.dumps(run(name, config, args.users), ensure_ascii=False))


if __name__ == "__main__":
    main()
