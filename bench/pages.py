"""Pages under gunicorn, each next to its two floors, measured in the same run.

    .venv/bin/python bench/pages.py                 # sync workers, 3 rounds of 5 s each
    .venv/bin/python bench/pages.py --model gthread --rounds 5 --seconds 10

Method: a fresh install with the worked example cleaning-copenhagen.en (notes, answers) and
four more canvases for a signed-in student, served by gunicorn with gunicorn.conf.py (sync:
2 x cores + 1 workers, or gthread: cores x 4 threads). Beside it, under the same gunicorn
settings, the floor app (bench/floor.py) serves a 5 KB template and each page's own HTML
(captured from the app) from a logic-free template. wrk (8 connections, 2 threads, on
127.0.0.1) loads one URL at a time; the three (page, 5 KB, same HTML) are measured in turn,
round after round, and the medians are compared: throughput as a share of each floor's, and
p99 latency as a multiple of the same-size floor's.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    PASSWORD,
    ROOT,
    SYNC,
    THREADED,
    bench_app,
    fresh_database,
    gunicorn,
    median_load,
    request,
    sign_in,
    wrk,
)

STUDENT = "student@bench.test"


def seed(uri: str) -> dict[str, str]:
    """The student's canvases; returns the pages to measure (name -> path)."""
    from canvas.accounts import create_user
    from canvas.canvases.service import create_canvas, import_canvas
    from canvas.extensions import db
    from canvas.library import get_definitions, get_library, load_document

    app = bench_app(uri)
    with app.app_context():
        user = create_user(STUDENT, PASSWORD, "Sam Student", "student", "en")
        data = json.loads((ROOT / "content/examples/cleaning-copenhagen.en.json").read_text())
        canvas = import_canvas(user, load_document(data), get_definitions())
        definitions = list(get_definitions().values())
        for n in range(4):
            create_canvas(user, f"Canvas {n}", "en", definitions[:1])
        db.session.commit()
        worksheet = canvas.worksheets[0]
        step = get_definitions()[worksheet.definition_id].steps[1].id
        library = get_library()
        # The lesson of the block the app centres on; any page if the content changes.
        page = library.page("en", "customer-relationships") or library.pages_in("en")[0]
        pages = {"step": f"/worksheets/{worksheet.id}/steps/{step}",
                 "board": f"/canvases/{canvas.id}", "home": "/",
                 "learn": f"/learn/en/{page.id}"}
        db.engine.dispose()
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--only", nargs="*", help="pages to measure (step board home learn)")
    args = parser.parse_args()
    model = SYNC if args.model == "sync" else THREADED
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        uri = fresh_database(folder)
        pages = seed(uri)
        floors = folder / "floor-pages"
        floors.mkdir()
        from floor import write_five_k, write_page

        write_five_k(floors)
        results = []
        with gunicorn("canvas:create_app()", {"DATABASE_URL": uri}, model) as app_port:
            cookie, _ = sign_in(app_port, STUDENT)
            headers = {"Cookie": cookie}
            sizes = {}
            for name, path in pages.items():
                status, _, html = request(app_port, "GET", path, headers=headers)
                assert status == 200, (name, path, status)
                write_page(floors, name, html)
                sizes[name] = len(html.encode())
            with gunicorn("floor:create_app()", {"FLOOR_PAGES": str(floors)}, model) as floor:
                five_k = len(request(floor, "GET", "/floor/5k")[2].encode())
                for name, path in pages.items():
                    if args.only and name not in args.only:
                        continue
                    runs: dict[str, list] = {"page": [], "5k": [], "same": []}
                    for _ in range(args.rounds):
                        runs["page"].append(wrk(app_port, path, args.seconds, args.connections,
                                                headers=headers))
                        runs["5k"].append(wrk(floor, "/floor/5k", args.seconds,
                                              args.connections, headers=headers))
                        runs["same"].append(wrk(floor, f"/floor/page/{name}", args.seconds,
                                                args.connections, headers=headers))
                    page, five, same = (median_load(runs[k]) for k in ("page", "5k", "same"))
                    results.append((name, sizes[name], page, five, same))
                    print(f"{name}: {page.rps:.0f} req/s p99 {page.p99:.1f} ms; 5 KB "
                          f"{five.rps:.0f} p99 {five.p99:.1f}; same HTML {same.rps:.0f} p99 "
                          f"{same.p99:.1f}; errors {page.errors + five.errors + same.errors}",
                          flush=True)
    print(f"\nModel {model.name}: {model.workers} workers x {model.threads} threads; "
          f"{args.rounds} rounds x {args.seconds} s, {args.connections} connections; "
          f"5 KB floor is {five_k} bytes")
    print("| page | bytes | req/s | p99 ms | 5 KB req/s | same req/s | same p99 ms "
          "| of 5 KB | of same | p99 / same |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, size, page, five, same in results:
        print(f"| {name} | {size} | {page.rps:.0f} | {page.p99:.1f} | {five.rps:.0f} | "
              f"{same.rps:.0f} | {same.p99:.1f} | {page.rps / five.rps:.0%} | "
              f"{page.rps / same.rps:.0%} | {page.p99 / same.p99:.1f}x |")


if __name__ == "__main__":
    main()
