"""How cost grows with the data: the board and the poster with 0, 50, 200 and the most notes
a canvas may hold; the home page with 1, 20 and 200 canvases (paginated, 20 a page).

    .venv/bin/python bench/growth.py                   # 2 rounds of 4 s per size

Method: one fresh install; each canvas size is its own canvas of one student. Pages are
served by gunicorn with gunicorn.conf.py (sync) and loaded with wrk (8 connections, 127.0.0.1);
SQL statements are counted in-process (Flask's test client, an engine event) on a second
request (the first may write the session's last-seen time). Posters are rendered in-process
as the render worker does (median of 5). Time per item divides by the notes (or canvases).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    PASSWORD,
    SYNC,
    bench_app,
    fresh_database,
    gunicorn,
    median_load,
    sign_in,
    wrk,
)

STUDENT = "grower@bench.test"


def notes(count: int, block_ids: tuple[str, ...], per_block: int) -> dict[str, list[dict]]:
    """`count` notes over the blocks (five segments first), every other one tagged."""
    blocks: dict[str, list[dict]] = {block: [] for block in block_ids}
    segments = min(count, 5)
    blocks["customer-segments"] = [{"id": f"s{n}", "text": f"Segment {n}", "segment": None}
                                   for n in range(segments)]
    slots = [(b, i) for i in range(per_block) for b in block_ids if b != "customer-segments"]
    slots += [("customer-segments", i) for i in range(segments, per_block)]
    for n, (block, _) in enumerate(slots[:max(0, count - segments)]):
        blocks[block].append({"id": f"n{n}", "text": f"Note {n} about the business " * 2,
                              "segment": "s0" if n % 2 and segments and block != "customer-segments"
                              else None})
    return blocks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=4)
    args = parser.parse_args()
    from sqlalchemy import event

    from canvas.accounts import create_user
    from canvas.canvases.blocks import BLOCK_IDS, MAX_ITEMS
    from canvas.canvases.service import create_canvas
    from canvas.exports.pdf import make_environment
    from canvas.exports.poster import render_poster
    from canvas.exports.worker import font_config
    from canvas.extensions import db
    from canvas.library import document_of, get_definitions, get_library
    from canvas.models import Canvas

    sizes = [0, 50, 200, len(BLOCK_IDS) * MAX_ITEMS]
    with tempfile.TemporaryDirectory() as tmp:
        uri = fresh_database(Path(tmp))
        app = bench_app(uri)
        boards: dict[int, int] = {}
        with app.app_context():
            user = create_user(STUDENT, PASSWORD, "Gus Grower", "student", "en")
            for size in sizes:
                canvas = create_canvas(user, f"{size} notes", "en", [])
                canvas.blocks = notes(size, BLOCK_IDS, MAX_ITEMS)
                db.session.flush()
                boards[size] = canvas.id
            owners = {}
            for count in (1, 20, 200):
                owner = create_user(f"owner{count}@bench.test", PASSWORD, f"Owner {count}")
                definition = next(iter(get_definitions().values()))
                for n in range(count):
                    create_canvas(owner, f"Canvas {n}", "en", [definition])
                owners[count] = owner.email
            db.session.commit()
            # Posters, in-process as the render worker makes them.
            env, fonts = make_environment(app.config["TEMPLATES_DIR"]), font_config()
            posters = {}
            for size in sizes:
                document = document_of(db.session.get(Canvas, boards[size]))
                times = []
                for _ in range(6):
                    started = time.perf_counter()
                    render_poster(document, get_library(), get_definitions(), env, "a4",
                                  app.config["STATIC_DIR"], fonts, None)
                    times.append(time.perf_counter() - started)
                posters[size] = statistics.median(times[1:])
            engine = db.engine

        def statements(email: str, path: str) -> int:
            import re

            client = app.test_client()
            token = re.search(r'name="csrf-token" content="([^"]+)"',
                              client.get("/auth/login").text).group(1)
            client.post("/auth/login", data={"email": email, "password": PASSWORD,
                                             "csrf_token": token})
            client.get(path)
            seen: list[str] = []

            def count(*a: object) -> None:
                seen.append(str(a[2]))

            event.listen(engine, "before_cursor_execute", count)
            assert client.get(path).status_code == 200
            event.remove(engine, "before_cursor_execute", count)
            return len(seen)

        board_rows, home_rows = [], []
        with gunicorn("canvas:create_app()", {"DATABASE_URL": uri}, SYNC) as port:
            cookie, _ = sign_in(port, STUDENT)
            for size in sizes:
                path = f"/canvases/{boards[size]}"
                load = median_load([wrk(port, path, args.seconds, 8, headers={"Cookie": cookie})
                                    for _ in range(args.rounds)])
                board_rows.append((size, load, statements(STUDENT, path), posters[size]))
                print(f"board {size}: {load.rps:.1f}/s", flush=True)
            for count, email in owners.items():
                owner_cookie, _ = sign_in(port, email)
                load = median_load([wrk(port, "/", args.seconds, 8,
                                        headers={"Cookie": owner_cookie})
                                    for _ in range(args.rounds)])
                home_rows.append((count, load, statements(email, "/")))
                print(f"home {count}: {load.rps:.1f}/s", flush=True)
    print("\n| notes | board req/s | board ms per request | ms per note | statements | "
          "poster ms | poster ms per note |")
    print("|---|---|---|---|---|---|---|")
    for size, load, sql, poster in board_rows:
        ms = 1000 * 8 / load.rps if load.rps else float("nan")  # 8 connections in flight
        per = f"{ms / size:.2f}" if size else "-"
        poster_per = f"{poster * 1000 / size:.2f}" if size else "-"
        print(f"| {size} | {load.rps:.1f} | {ms:.1f} | {per} | {sql} | {poster * 1000:.0f} | "
              f"{poster_per} |")
    print("\n| canvases | home req/s | ms per request | ms per canvas shown | statements |")
    print("|---|---|---|---|---|")
    for count, load, sql in home_rows:
        ms = 1000 * 8 / load.rps if load.rps else float("nan")
        print(f"| {count} | {load.rps:.1f} | {ms:.1f} | {ms / min(count, 20):.2f} | {sql} |")


if __name__ == "__main__":
    main()
