"""The non-browser test suite's wall time, today's tree against an earlier commit, in one run.

    python -m bench.suite [--against 290f8cb]

The earlier commit (default: main before issue #8, with 682 tests in all) is checked out in a
temporary git worktree and its suite run as it was run then: serially, one process. Then
this tree's suite runs as `make test` runs it: `pytest -n auto` (both cores). Both use this
virtual environment (a superset of what the earlier commit needs), the same machine, one
after the other. The figures: wall time, tests, and milliseconds per test; the ratio is the
earlier wall time over today's. The suites differ in size (today's holds the classroom,
the class picture, self-checks and production work), so time per test is printed too.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_suite(folder: Path, extra: list[str]) -> tuple[float, int]:
    """(wall seconds, tests passed) of the non-browser suite in `folder`."""
    env = {**os.environ, "PYTHONPATH": str(folder)}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "-m", "not browser", *extra]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    passed = re.search(r"(\d+) passed", summary)
    failed = re.search(r"(\d+) failed", summary)
    if failed or not passed:
        raise SystemExit(f"the suite in {folder} did not pass: {summary}")
    return wall, int(passed.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="290f8cb", help="the earlier commit")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="canvas-suite-") as tmp:
        earlier = Path(tmp) / "earlier"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(earlier),
                        args.against], cwd=ROOT, check=True)
        try:
            then_wall, then_tests = run_suite(earlier, [])
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(earlier)], cwd=ROOT,
                           check=False)
    now_wall, now_tests = run_suite(ROOT, ["-n", "auto"])
    print(f"{'':28}{'tests':>8}{'wall s':>10}{'ms/test':>10}")
    print(f"{args.against + ' (serial)':28}{then_tests:>8}{then_wall:>10.1f}"
          f"{1000 * then_wall / then_tests:>10.1f}")
    print(f"{'today (-n auto)':28}{now_tests:>8}{now_wall:>10.1f}"
          f"{1000 * now_wall / now_tests:>10.1f}")
    print(f"wall time: {then_wall / now_wall:.2f}x faster; per test: "
          f"{(then_wall / then_tests) / (now_wall / now_tests):.2f}x faster")


if __name__ == "__main__":
    main()
