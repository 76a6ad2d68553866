"""Autosaves under gunicorn next to a bare one-row update, for each worker model.

    .venv/bin/python bench/saves.py                    # sync and gthread, 3 rounds of 8 s
    .venv/bin/python bench/saves.py --models sync --rounds 5 --seconds 10

Method: a fresh install with 16 worksheets (one canvas each) of one signed-in student,
served by gunicorn with gunicorn.conf.py; beside it, under the same settings, the floor app
(bench/floor.py) whose /floor/save/<id> updates one row of a SQLite file the way an autosave
does (WAL, synchronous=FULL, BEGIN IMMEDIATE, a version check; no CSRF, no form, no ORM).
wrk runs 16 threads of one connection each (bench/autosave.lua): each saves its own
worksheet over and over, naming the version the last answer gave, as the page does. App and
floor are measured in turn, round after round; the medians are compared. After each run
every thread's last acknowledged text is checked against what the database holds.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    PASSWORD,
    SYNC,
    THREADED,
    Load,
    bench_app,
    fresh_database,
    gunicorn,
    median_load,
    sign_in,
    wrk,
)

STUDENT = "writer@bench.test"
SCRIPT = Path(__file__).resolve().parent / "autosave.lua"
SHEETS = 16


def seed(uri: str) -> list[int]:
    from canvas.accounts import create_user
    from canvas.canvases.service import create_canvas
    from canvas.extensions import db
    from canvas.library import get_definitions

    app = bench_app(uri)
    with app.app_context():
        user = create_user(STUDENT, PASSWORD, "Wren Writer", "student", "en")
        definition = get_definitions()["customer-relationships"]
        canvases = [create_canvas(user, f"Canvas {n}", "en", [definition])
                    for n in range(SHEETS)]
        db.session.commit()
        ids = [c.worksheets[0].id for c in canvases]
        db.engine.dispose()
    return ids


def run(port: int, kind: str, targets: Path, seconds: int, cookie: str, csrf: str
        ) -> tuple[Load, dict[int, tuple[str, int, str]]]:
    load = wrk(port, "/", seconds, SHEETS, threads=SHEETS, script=SCRIPT, env={
        "BENCH_TARGETS": str(targets), "BENCH_KIND": kind, "BENCH_COOKIE": cookie,
        "BENCH_CSRF": csrf})
    # wrk stops with a save in flight on some connections: let the server finish them
    # before anything reads the database (else the next round starts from a stale version).
    time.sleep(2)
    acked = {}
    for index, text, version, _saves, _errors, sent in re.findall(
            r"^ACK\t(\d+)\t([^\t\n]*)\t(\d+)\t(\d+)\t(\d+)\t([^\t\n]*)$", load.output, re.M):
        acked[int(index)] = (text, int(version), sent)
    return load, acked


def stored_as_acknowledged(stored: tuple[str, int], acked: tuple[str, int, str]) -> bool:
    """What the database holds is the last acknowledged save, or the one sent after it
    whose answer wrk did not read before it stopped (stored, one version on)."""
    text, version, sent = acked
    return stored == (text, version) or stored == (sent, version + 1)


def lost_in_app(db_file: Path, sheets: list[int], acked: dict[int, tuple[str, int, str]]
                ) -> int:
    import json

    conn = sqlite3.connect(db_file)
    lost = 0
    for index, saved in acked.items():
        answers, version = conn.execute("SELECT answers, version FROM worksheets WHERE id = ?",
                                        (sheets[index - 1],)).fetchone()
        if saved[0] and not stored_as_acknowledged(
                (json.loads(answers).get("segment"), version), saved):
            print("not as acknowledged:", sheets[index - 1], json.loads(answers).get("segment"),
                  version, saved, file=sys.stderr)
            lost += 1
    conn.close()
    return lost


def lost_in_floor(db_file: Path, acked: dict[int, tuple[str, int, str]]) -> int:
    conn = sqlite3.connect(db_file)
    lost = sum(1 for index, saved in acked.items() if saved[0] and not stored_as_acknowledged(
        conn.execute("SELECT value, version FROM rows WHERE id = ?", (index,)).fetchone(),
        saved))
    conn.close()
    return lost


def write_targets(app_db: Path, sheets: list[int], app_targets: Path, floor_db: Path,
                  floor_targets: Path) -> None:
    """Each thread's URL and the version stored now (rounds go on from the last)."""
    conn = sqlite3.connect(app_db)
    app_targets.write_text("".join(
        f"/worksheets/{ws}/steps/focus/autosave "
        f"{conn.execute('SELECT version FROM worksheets WHERE id = ?', (ws,)).fetchone()[0]}\n"
        for ws in sheets))
    conn.close()
    conn = sqlite3.connect(floor_db)
    floor_targets.write_text("".join(f"/floor/save/{n} {version}\n" for n, version in
                                     conn.execute("SELECT id, version FROM rows ORDER BY id")))
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", choices=["sync", "gthread"],
                        default=["sync", "gthread"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    args = parser.parse_args()
    from floor import make_rows, write_five_k

    table = []
    for name in args.models:
        model = SYNC if name == "sync" else THREADED
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            uri = fresh_database(folder)
            sheets = seed(uri)
            floor_db = folder / "floor.sqlite3"
            make_rows(floor_db, SHEETS)
            (folder / "pages").mkdir()
            write_five_k(folder / "pages")
            app_targets, floor_targets = folder / "app.txt", folder / "floor.txt"
            runs: dict[str, list[Load]] = {"app": [], "floor": []}
            lost = {"app": 0, "floor": 0}
            with gunicorn("canvas:create_app()", {"DATABASE_URL": uri}, model) as app_port, \
                    gunicorn("floor:create_app()", {"FLOOR_PAGES": str(folder / "pages"),
                                                    "FLOOR_DB": str(floor_db)}, model) as fp:
                cookie, csrf = sign_in(app_port, STUDENT)
                for _ in range(args.rounds):
                    write_targets(folder / "bench.sqlite3", sheets, app_targets, floor_db,
                                  floor_targets)
                    load, acked = run(app_port, "app", app_targets, args.seconds, cookie, csrf)
                    runs["app"].append(load)
                    lost["app"] += lost_in_app(folder / "bench.sqlite3", sheets, acked)
                    load, acked = run(fp, "floor", floor_targets, args.seconds, "", "")
                    runs["floor"].append(load)
                    lost["floor"] += lost_in_floor(floor_db, acked)
            app_load, floor_load = median_load(runs["app"]), median_load(runs["floor"])
            table.append((model, app_load, floor_load, lost))
            print(f"{name}: app {app_load.rps:.0f}/s p50 {app_load.p50:.1f} p99 "
                  f"{app_load.p99:.1f} ms errors {app_load.errors}; floor {floor_load.rps:.0f}"
                  f"/s p50 {floor_load.p50:.1f} p99 {floor_load.p99:.1f} ms errors "
                  f"{floor_load.errors}; lost {lost}", flush=True)
    print(f"\n{args.rounds} rounds x {args.seconds} s, {SHEETS} connections each saving its "
          "own worksheet")
    print("| workers | saves/s | p50 ms | p99 ms | floor saves/s | floor p99 ms | of floor "
          "| p99 / floor | errors | acknowledged but not stored |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for model, app_load, floor_load, lost in table:
        print(f"| {model.name} {model.workers}x{model.threads} | {app_load.rps:.0f} | "
              f"{app_load.p50:.1f} | {app_load.p99:.1f} | {floor_load.rps:.0f} | "
              f"{floor_load.p99:.1f} | {app_load.rps / floor_load.rps:.0%} | "
              f"{app_load.p99 / floor_load.p99:.1f}x | {app_load.errors} / "
              f"{floor_load.errors} | {lost['app']} / {lost['floor']} |")


if __name__ == "__main__":
    main()
