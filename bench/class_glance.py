"""The class at a glance as the class grows: the progress table and the class picture of
classes of 30, 300 and 3,000 students, each page next to its floor, in one run.

    .venv/bin/python bench/class_glance.py                  # 30, 300, 3000; 9 rounds
    .venv/bin/python bench/class_glance.py --sizes 30,300 --rounds 3

Method: one fresh install (a migrated SQLite file in a temporary folder, the real app, not
TESTING). A teacher has three classes of 30, 300 and 3,000 students, each with the demo's
assignment of the Customer Relationships worksheet (canvas/classroom/demo.py: due
yesterday). The students' work is made through the service modules as the demo's
classmates' is, in the demo's ten states in turn (not started, drafts half-way, hand-ins
waiting, one in ten late, approved and returned with released grades), their answers the
worked examples varied by the demo's seeded generator (`demo.varied`), so every run makes
the same classes. Each page is requested through Flask's test client, signed in as the
teacher: one request to warm up, one with SQLAlchemy's `before_cursor_execute` counting the
statements (BEGIN included, as tests/test_classroom_queries.py counts them); then rounds,
each through every page at every size, each request followed by its floor's, and the
medians reported. The floor is bench/floor.py's "same"
floor: Flask with none of the app's logic serving the page's own HTML, captured from the
app at that size, from a logic-free template, through its own test client. The ratio is
the page's time over its floor's; ms per student divides by the class's size.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import PASSWORD, ROOT, bench_app, fresh_database

SIZES = (30, 300, 3000)
TEACHER = "teacher@glance.test"
PAGES = {"progress table": "/progress", "class picture": "/picture"}
FIRST = ("Ada", "Bo", "Cai", "Dina", "Emil", "Freja", "Gustav", "Hanne", "Ida", "Jonas",
         "Karin", "Lars", "Mads", "Nora", "Oskar", "Pia", "Rasmus", "Sofie", "Tobias", "Ulla",
         "Vilde", "Åse", "Øyvind", "Æsa")
LAST = ("Berg", "Dahl", "Hansen", "Holm", "Krogh", "Lie", "Lund", "Nielsen", "Strand", "Vik",
        "Ødegaard", "Æbelø", "Jensen", "Larsen", "Moe", "Haugen")


def seed(uri: str, sizes: list[int], states: tuple[str, ...] | None = None) -> dict[int, str]:
    """The teacher's classes; returns size -> the assignment's URL. Students' work is in the
    demo classmates' states in turn, or in `states` (the same names) in turn."""
    from canvas.accounts import create_user
    from canvas.classroom import assignments as work
    from canvas.classroom import classes, demo, review
    from canvas.extensions import db
    from canvas.library import get_definitions, get_library
    from canvas.models import ClassMember, Worksheet, utcnow

    app = bench_app(uri)
    app.config["PASSWORD_HASH_PARAMS"] = app.config["PASSWORD_HASH_TEST_PARAMS"]  # quick set-up
    examples = ROOT / "content" / "examples"
    urls = {}
    with app.app_context():
        definitions, library = get_definitions(), get_library()
        steps = definitions[demo.WORKSHEET].steps
        criteria = definitions[demo.WORKSHEET].rubric.criteria
        worked = {name: demo._answers(examples, name, definitions, library)
                  for name in ("cleaning-copenhagen.en", "football-boots.en")}
        teacher = create_user(TEACHER, PASSWORD, "Tove Teacher", "teacher", "en")
        now = utcnow()
        for size in sizes:
            started = time.perf_counter()
            school_class = classes.create_class(teacher, f"Class of {size}", "en")
            db.session.flush()
            assignment = work.create_assignment(
                school_class, demo.ASSIGNMENT, work.WORKSHEET, demo.WORKSHEET,
                demo.INSTRUCTIONS, now - timedelta(days=10), now - timedelta(days=1), None,
                definitions)
            db.session.flush()
            for n in range(size):
                _, _, state, example = demo.CLASSMATES[n % len(demo.CLASSMATES)]
                if states:
                    state = states[n % len(states)]
                    example = ("cleaning-copenhagen.en", "football-boots.en")[n % 2]
                name = f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]} {n}"
                student = create_user(f"s{size}-{n}@glance.test", PASSWORD, name, "student",
                                      "en")
                db.session.flush()
                db.session.add(ClassMember(class_id=school_class.id, user_id=student.id,
                                           role=classes.STUDENT, status=classes.ACTIVE))
                if state == "not started":
                    continue
                submission = work.start(student, assignment, definitions,
                                        now - timedelta(days=6))
                worksheet = db.session.get(Worksheet, submission.worksheet_id)
                answers = demo.varied(worked[example], f"glance-{size}-{n}", library)
                if state == "draft":
                    keep = {f.id for step in steps[:3 + n % 3] for f in step.fields}
                    answers = {k: v for k, v in answers.items() if k in keep}
                worksheet.answers = answers
                worksheet.version += 1
                db.session.flush()
                if state == "draft":
                    continue
                when = (now - timedelta(hours=2) if state == "late"
                        else now - timedelta(days=2, hours=n % 24))
                work.submit(submission, assignment, None, work.snapshot_of(
                    work.live_canvas(submission), definitions, library), when)
                db.session.flush()
                if state not in ("approved", "returned"):
                    continue
                rng = random.Random(f"glance-marks-{size}-{n}")
                attempt = work.current_attempt(submission)
                feedback = attempt.feedback
                feedback.scores = {c.id: rng.choice(demo.LEVELS[1:]) for c in criteria}
                feedback.overall = "Clear numbers, and the tactics fit the segment."
                feedback.outcome = review.APPROVE if state == "approved" else review.RETURN
                feedback.version += 1
                feedback.marked_at = feedback.updated_at = now - timedelta(days=1)
                feedback.updated_by_id = teacher.id
                review.release(submission, attempt, None, now - timedelta(hours=20))
            db.session.commit()
            urls[size] = f"/classes/{school_class.id}/assignments/{assignment.id}"
            print(f"seeded {size} students in {time.perf_counter() - started:.1f} s",
                  flush=True)
        db.engine.dispose()
    return urls


def signed_in(app):
    client = app.test_client()
    token = re.search(r'name="csrf-token" content="([^"]+)"',
                      client.get("/auth/login").text).group(1)
    response = client.post("/auth/login", data={"email": TEACHER, "password": PASSWORD,
                                                 "csrf_token": token})
    assert response.status_code == 302, response.status_code
    return client


def timed(client, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(path)
    took = time.perf_counter() - started
    assert response.status_code == 200, (path, response.status_code)
    return took, len(response.data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    from sqlalchemy import event

    from canvas.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        uri = fresh_database(folder)
        urls = seed(uri, sizes)
        app = bench_app(uri)
        client = signed_in(app)
        with app.app_context():
            engine = db.engine
        pages_dir = folder / "floor"
        pages_dir.mkdir()
        os.environ["FLOOR_PAGES"] = str(pages_dir)
        import floor

        floor_app = floor.create_app()
        floor_client = floor_app.test_client()
        pages = []  # (page, size, path, statements, floor path)
        for size in sizes:
            for page, tail in PAGES.items():
                path = urls[size] + tail
                client.get(path)  # warm: the session's last-seen time, the content caches
                seen: list[str] = []

                def count(conn, cursor, statement, *rest, seen=seen) -> None:
                    seen.append(statement)

                event.listen(engine, "before_cursor_execute", count)
                response = client.get(path)
                event.remove(engine, "before_cursor_execute", count)
                assert response.status_code == 200
                name = f"{page.replace(' ', '-')}-{size}"
                floor.write_page(pages_dir, name, response.text)
                timed(floor_client, f"/floor/page/{name}")  # warm: the template compiled
                pages.append((page, size, path, len(seen), f"/floor/page/{name}"))
        # Round after round through every page and size, so a neighbour's burst on the
        # machine falls on all of them rather than on one size.
        times: dict[str, list[float]] = {}
        floors: dict[str, list[float]] = {}
        lengths: dict[str, int] = {}
        for n in range(args.rounds):
            for _page, _size, path, _statements, floor_path in pages:
                took, lengths[path] = timed(client, path)
                times.setdefault(path, []).append(took)
                floors.setdefault(path, []).append(timed(floor_client, floor_path)[0])
            print(f"round {n + 1} of {args.rounds}", flush=True)
        results = []
        for page, size, path, statements, _floor_path in pages:
            ms, floor_ms = (1000 * statistics.median(times[path]),
                            1000 * statistics.median(floors[path]))
            results.append((page, size, statements, lengths[path], ms, floor_ms))
        with app.app_context():
            db.engine.dispose()
    print(f"\n{os.cpu_count()} cores, {args.rounds} rounds, medians; load average "
          f"{os.getloadavg()[0]:.1f}")
    print("| page | students | statements | KB | ms per request | ms per student | "
          "floor ms | ratio to floor |")
    print("|---|---|---|---|---|---|---|---|")
    for page, size, statements, size_bytes, ms, floor_ms in results:
        print(f"| {page} | {size} | {statements} | {size_bytes / 1024:.0f} | {ms:.1f} | "
              f"{ms / size:.3f} | {floor_ms:.2f} | {ms / floor_ms:.0f}x |")


if __name__ == "__main__":
    main()
