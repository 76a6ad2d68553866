"""Profile one page of the app in-process with pyinstrument (what to optimise, and why).

    .venv/bin/python bench/profile.py board --repeat 50
    .venv/bin/python bench/profile.py step home learn --repeat 100 --html /tmp/profile.html

The same install as bench/pages.py (the worked example and four more canvases), the real
app (not TESTING), requests through Flask's test client signed in as the student; prints
the mean time per request and pyinstrument's call tree.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import PASSWORD, bench_app, fresh_database
from pages import STUDENT, seed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="+", choices=["step", "board", "home", "learn"])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--html", help="also write pyinstrument's HTML report here")
    parser.add_argument("--flat", action="store_true", help="functions by own time")
    parser.add_argument("--time-only", action="store_true",
                        help="only the time per request, without the profiler")
    args = parser.parse_args()
    from pyinstrument import Profiler

    with tempfile.TemporaryDirectory() as tmp:
        uri = fresh_database(Path(tmp))
        pages = seed(uri)
        app = bench_app(uri)
        client = app.test_client()
        page = client.get("/auth/login").text
        import re

        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        client.post("/auth/login", data={"email": STUDENT, "password": PASSWORD,
                                         "csrf_token": token})
        for name in args.pages:
            path = pages[name]
            for _ in range(5):  # warm
                assert client.get(path).status_code == 200
            if args.time_only:
                best = []
                for _ in range(5):  # the best of five batches: noise only ever adds time
                    started = time.perf_counter()
                    for _ in range(args.repeat):
                        client.get(path)
                    best.append((time.perf_counter() - started) / args.repeat)
                print(f"{name}: {min(best) * 1000:.2f} ms per request, "
                      f"{len(client.get(path).data)} bytes")
                continue
            started = time.perf_counter()
            profiler = Profiler(interval=0.0005)
            profiler.start()
            for _ in range(args.repeat):
                client.get(path)
            profiler.stop()
            took = (time.perf_counter() - started) / args.repeat
            print(f"== {name} {path}: {took * 1000:.2f} ms per request (under the profiler)")
            from pyinstrument.renderers import ConsoleRenderer

            print(profiler.output(ConsoleRenderer(unicode=False, color=False, flat=args.flat,
                                                  time="percent_of_total")))
            if args.html:
                Path(args.html).write_text(profiler.output_html())


if __name__ == "__main__":
    main()
