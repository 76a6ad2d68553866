"""A class's PDFs as one ZIP: the real job on both cores against the same PDFs rendered one
by one, in one run.

    .venv/bin/python bench/class_zip.py                 # 30 students, 5 rounds
    .venv/bin/python bench/class_zip.py --rounds 1

Method: one fresh install (a migrated SQLite file in a temporary folder, the real app, not
TESTING) with a class of 30 students who have all handed in the demo's assignment of the
Customer Relationships worksheet (bench/class_glance.py's classes: answers from the worked
examples varied by the demo's generator; hand-ins waiting, late, approved and returned with
released feedback in turn), so the ZIP holds 60 PDFs, a poster and a report each, the
reports with the feedback released to them.

The job: the teacher, signed in through Flask's test client, posts the progress table's
"every student's PDFs" form; the time runs from that request until `jobs.wait` sees the job
finished. It is the production path: the local backend's worker process (started and
warmed up beforehand, as gunicorn's post_worker_init does), `class_zip.build_zip` reading
the attempts and rendering with `jobs.fan_out` over JOB_FAN_OUT = 2 processes (a thread of
the worker and one helper process spawned for the job; its start-up is in the time), the
ZIP stored in the job's row. The ZIP is then downloaded and checked (60 PDFs, the same
paths as the serial one).

The serial baseline, in the same run: this process (its fonts loaded and one poster laid
out first, as the worker's warm-up does) reads the same pieces with `class_zip.pieces` and
renders them one after the other with `class_zip.render_piece`, writing the same ZIP. The
two are alternated round by round and the medians compared; the issue's aim is a ZIP in at
most 0.6 of the serial time. Each round also times one helper process's start-up alone (as
fan_out starts it) and prints the load average, since a neighbour on the machine slows the
job, which needs both cores, more than the serial renders, which need one.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from class_glance import seed, signed_in
from harness import bench_app, fresh_database

STUDENTS = 30
# Every student has handed in: waiting, late, approved and returned (feedback released).
STATES = ("submitted", "approved", "late", "returned")


def serial(assignment_id: int, student_ids: list[int]
           ) -> tuple[float, list[str], list[tuple[str, float]]]:
    """The same ZIP, every PDF rendered in turn in this process: (seconds, paths, each
    render's kind and seconds)."""
    from canvas.classroom import class_zip
    from canvas.extensions import db
    from canvas.models import Assignment

    started = time.perf_counter()
    assignment = db.session.get(Assignment, assignment_id)
    items = class_zip.pieces(assignment, student_ids, "a4", datetime.now(UTC))
    db.session.commit()
    renders = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for item in items:
            begun = time.perf_counter()
            archive.writestr(item["path"], class_zip.render_piece(item))
            renders.append((item["kind"], time.perf_counter() - begun))
    return time.perf_counter() - started, sorted(i["path"] for i in items), renders


def by_job(app, client, url: str) -> tuple[float, float, list[str]]:
    """The ZIP through the page and the job: (seconds from the click to the job done, seconds
    its worker ran it, the downloaded ZIP's paths)."""
    from canvas import jobs
    from canvas.extensions import db
    from canvas.models import Job

    page = client.get(url + "/progress").text
    token = re.search(r'name="zip-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    started = time.perf_counter()
    response = client.post(url + "/pdfs", data={"zip-size": "a4", "zip-csrf_token": token})
    assert response.status_code == 302, response.status_code
    job_url = response.headers["Location"]
    job_id = job_url.rsplit("/", 1)[1]
    with app.app_context():
        state = jobs.wait(job_id, 600)
        took = time.perf_counter() - started
        job = db.session.get(Job, job_id)
        ran = (job.finished_at - job.started_at).total_seconds()
    assert state is not None and state.state == jobs.DONE, state
    download = client.get(job_url + "/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    assert all(archive.read(name).startswith(b"%PDF-") for name in archive.namelist())
    return took, ran, sorted(archive.namelist())


def helper_start(app) -> float:
    """Seconds to start one helper process as fan_out does (spawned, the app made from the
    factory, the worker starters run: fonts loaded, a warm-up poster), alone."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from canvas import jobs

    config = jobs._picklable(app.config)  # what fan_out hands its helpers
    started = time.perf_counter()
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                             initializer=jobs._init_process,
                             initargs=(config, jobs._factory)) as helper:
        helper.submit(jobs._ready).result()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--students", type=int, default=STUDENTS)
    args = parser.parse_args()
    from canvas import jobs
    from canvas.classroom.classes import active_students
    from canvas.exports import worker
    from canvas.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        uri = fresh_database(Path(tmp))
        url = seed(uri, [args.students], STATES)[args.students]
        app = bench_app(uri)
        class_id, assignment_id = (int(n) for n in re.findall(r"\d+", url))
        print(f"fan-out {app.config['JOB_FAN_OUT']}, job processes "
              f"{app.config['JOB_PROCESSES']}, {os.cpu_count()} cores", flush=True)
        try:
            jobs.start(app, wait=True)  # the worker process up and warm, as under gunicorn
            client = signed_in(app)
            with app.app_context():
                student_ids = [s.id for s in active_students(class_id)]
                worker.warm_up()  # this process's fonts and one poster, as the worker's
            serial_times, job_times, renders, starts = [], [], [], []
            for n in range(args.rounds):
                with app.app_context():
                    took, paths, each = serial(assignment_id, student_ids)
                    db.session.remove()
                serial_times.append(took)
                renders += each
                job_took, ran, job_paths = by_job(app, client, url)
                job_times.append(job_took)
                assert job_paths == paths and len(paths) == 2 * args.students, job_paths
                starts.append(helper_start(app))
                print(f"round {n + 1}: serial {took:.2f} s, job {job_took:.2f} s (its worker "
                      f"ran it {ran:.2f} s), ratio {job_took / took:.2f}; a helper starts "
                      f"in {starts[-1]:.2f} s; load average {os.getloadavg()[0]:.1f}", flush=True)
        finally:
            jobs.shutdown()
            with app.app_context():
                db.engine.dispose()
    s, j = statistics.median(serial_times), statistics.median(job_times)
    print(f"\n{args.students} students, {len(paths)} PDFs, {args.rounds} rounds, medians")
    print("| | wall s | per PDF ms |")
    print("|---|---|---|")
    print(f"| serial, one by one | {s:.2f} | {1000 * s / len(paths):.0f} |")
    print(f"| the job (fan-out {app.config['JOB_FAN_OUT']}) | {j:.2f} | "
          f"{1000 * j / len(paths):.0f} |")
    print(f"ratio job / serial: {j / s:.2f} (rounds: "
          f"{', '.join(f'{b / a:.2f}' for a, b in zip(serial_times, job_times, strict=True))}"
          f")")
    print(f"a helper process starts in {statistics.median(starts):.2f} s (median, alone)")
    for kind in ("poster", "report"):
        times = [t for k, t in renders if k == kind]
        print(f"median {kind} render in the serial runs: {1000 * statistics.median(times):.0f} ms")


if __name__ == "__main__":
    main()
