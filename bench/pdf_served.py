"""The first PDF after start-up against the ones after it, through gunicorn as in
production (the render processes start, load fonts and render a warm-up page with each web
worker, before it takes requests).

    .venv/bin/python bench/pdf_served.py               # 3 starts, 10 posters after each

Method: a fresh install with the worked example cleaning-copenhagen.en; each start serves it
with gunicorn.conf.py (sync, 2 x cores + 1 workers) and, once /healthz answers, downloads the
poster once (the first) and then 10 more times over one signed-in session; the first is
compared with the median of the rest.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import PASSWORD, ROOT, SYNC, bench_app, fresh_database, gunicorn, request, sign_in

TEACHER = "teacher@bench.test"


def seed(uri: str) -> int:
    from canvas.accounts import create_user
    from canvas.canvases.service import import_canvas
    from canvas.extensions import db
    from canvas.library import get_definitions, load_document

    app = bench_app(uri)
    with app.app_context():
        user = create_user(TEACHER, PASSWORD, "Tove Teacher", "teacher", "en")
        data = json.loads((ROOT / "content/examples/cleaning-copenhagen.en.json").read_text())
        canvas = import_canvas(user, load_document(data), get_definitions())
        db.session.commit()
        canvas_id = canvas.id
        db.engine.dispose()
    return canvas_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--after", type=int, default=10)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        uri = fresh_database(Path(tmp))
        canvas_id = seed(uri)
        path = f"/canvases/{canvas_id}/poster.pdf"
        for _ in range(args.starts):
            with gunicorn("canvas:create_app()", {"DATABASE_URL": uri}, SYNC) as port:
                cookie, _ = sign_in(port, TEACHER)
                times = []
                for _ in range(args.after + 1):
                    started = time.perf_counter()
                    status, headers, _body = request(port, "GET", path,
                                                     headers={"Cookie": cookie})
                    times.append(time.perf_counter() - started)
                    assert status == 200, status
                    time.sleep(0.2)  # not a burst: one teacher clicking
                rows.append((times[0], statistics.median(times[1:])))
                print(f"first {times[0] * 1000:.0f} ms, then median "
                      f"{statistics.median(times[1:]) * 1000:.0f} ms", flush=True)
    print("\n| start | first poster ms | median of the next ms | first / rest |")
    print("|---|---|---|---|")
    for n, (first, rest) in enumerate(rows, 1):
        print(f"| {n} | {first * 1000:.0f} | {rest * 1000:.0f} | {first / rest:.2f} |")


if __name__ == "__main__":
    main()
