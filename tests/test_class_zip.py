"""A class's work as one ZIP of PDFs, made in the background (canvas/classroom/class_zip.py):
through the pages on the local process pool, and as a job on RQ workers (the fan-out that
spreads a job over both cores is tested on both backends in test_jobs.py)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from canvas import create_app, jobs
from canvas.classroom import class_zip
from canvas.exports import worker
from canvas.extensions import db
from canvas.models import Assignment, Job, User, utcnow
from tests.classroom import ANSWERS, add_assignment, hand_in, make_class, mark, rename, start
from tests.conftest import ROOT, migrated_app
from tests.dom import html_of
from tests.test_jobs import start_redis, stop_worker

SECRET = "Not released: keep it private"
OVERALL = "Sharpen the segment, Åse."


@pytest.fixture(autouse=True, scope="module")
def stop_workers():
    yield
    worker.shutdown()


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join((p.extract_text() or "").split())
                    for p in PdfReader(io.BytesIO(pdf)).pages)


def class_of_three(app, make_user):
    """Åse's marking is released, Bo's is not, Cai has not handed in."""
    teacher = make_user(role="teacher")
    ase, bo, cai = (rename(app, make_user(), n) for n in ("Åse Berg", "Bo/Lund", "Cai"))
    room = add_assignment(app, make_class(app, teacher, [ase, bo, cai]))
    for student in (ase, bo):
        start(app, room, student, ANSWERS)
        hand_in(app, room, student)
    mark(app, room, ase, comments={"segment": "Name one office."}, overall=OVERALL,
         scores={"tactics": "solid"}, outcome="return", release=True)
    mark(app, room, bo, overall=SECRET, outcome="approve")
    start(app, room, cai, ANSWERS)
    room.extra.update(ase=ase, bo=bo, cai=cai)
    return room


def check_zip(data: bytes) -> None:
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(archive.namelist()) == ["Bo Lund/poster.pdf", "Bo Lund/report.pdf",
                                          "Åse Berg/poster.pdf", "Åse Berg/report.pdf"]
    report = text_of(archive.read("Åse Berg/report.pdf"))
    assert "Feedback from your teacher" in report
    assert OVERALL in report and "Name one office." in report
    bo = text_of(archive.read("Bo Lund/report.pdf"))
    assert SECRET not in bo and "Feedback from your teacher" not in bo
    poster = PdfReader(io.BytesIO(archive.read("Åse Berg/poster.pdf")))
    assert len(poster.pages) == 1
    assert ANSWERS["segment"] in text_of(archive.read("Åse Berg/poster.pdf"))


def test_a_teacher_gets_every_students_pdfs_as_one_zip(app, make_user, login):
    room = class_of_three(app, make_user)
    session = login(room.teacher)
    response = session.post(room.assignment_url("/pdfs"), data={"zip-size": "a4"})
    assert response.status_code == 302
    job_url = response.headers["Location"]
    job_id = job_url.rsplit("/", 1)[1]
    page = html_of(session.get(job_url))
    assert page.heading() == "PDFs of the class"
    bar = page.one("progress#zip-progress")
    assert page.one("label[for=zip-progress]").text == "Making the ZIP"
    box = page.one("#zip-job")
    assert box["data-status-url"] == f"{job_url}/status"
    assert page.has("script[src*=class-zip]")
    if box["data-state"] in ("queued", "running"):
        # Without JavaScript the page reloads itself, and a link checks again.
        assert 'http-equiv="refresh"' in page.one("head noscript").decode_contents()
        assert page.one("#zip-again a")["href"] == job_url
        assert page.one("#zip-ready")["hidden"] is not None
        assert bar is not None
    with app.app_context():
        state = jobs.wait(job_id, 240)
    assert state.state == "done", state
    status = session.get(f"{job_url}/status").get_json()
    assert status == {"state": "done", "done": 4, "total": 4, "finished": True,
                      "words": "The ZIP is ready.", "download": f"{job_url}/download"}
    page = html_of(session.get(job_url))  # the page reloaded finds it
    assert page.one("#zip-download")["href"] == f"{job_url}/download"
    assert page.one("progress")["value"] == "4" and page.one("progress")["max"] == "4"
    assert not page.has("head noscript")
    response = session.get(f"{job_url}/download")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "-pdfs.zip" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    check_zip(response.data)
    # Named for the day it was asked for (the date its PDFs print), even a day later.
    with app.app_context():
        job = db.session.get(Job, job_id)
        job.params = {**job.params, "when": "2026-01-02T09:00:00+00:00"}
        db.session.commit()
    later = session.get(f"{job_url}/download")
    assert "-2026-01-02-pdfs.zip" in later.headers["Content-Disposition"]
    # It stays to download again (a reload, a second click).
    assert session.get(f"{job_url}/download").data == response.data


def test_the_zip_is_the_teachers_own(app, make_user, login):
    room = class_of_three(app, make_user)
    co = make_user(role="teacher")
    with app.app_context():
        from canvas.models import ClassMember

        db.session.add(ClassMember(class_id=room.class_id, user_id=co.id, role="teacher"))
        db.session.commit()
    job_id = "0" * 32
    with app.app_context():
        db.session.add(Job(id=job_id, kind="class-zip", owner_id=room.teacher.id,
                           state="queued", params={"assignment_id": room.assignment_id},
                           timeout_seconds=60, max_bytes=100,
                           deadline=utcnow() + timedelta(hours=1)))
        db.session.commit()
    url = room.assignment_url(f"/pdfs/{job_id}")
    assert login(room.teacher).get(url).status_code == 200
    # A co-teacher of the class and an admin do not find it; nor does a made-up id.
    for other in (co, make_user(role="admin")):
        for tail in ("", "/status", "/download"):
            assert login(other).get(url + tail).status_code == 404, (other.role, tail)
    session = login(room.teacher)
    assert session.get(room.assignment_url("/pdfs/" + "f" * 32)).status_code == 404
    assert session.get(room.assignment_url("/pdfs/../../etc")).status_code == 404
    # The job of one assignment is not found under another's address.
    other = add_assignment(app, make_class(app, room.teacher, []))
    assert session.get(other.assignment_url(f"/pdfs/{job_id}")).status_code == 404


def test_a_failed_zip_says_so_and_offers_to_try_again(app, make_user, login):
    room = class_of_three(app, make_user)
    job_id = "a" * 32
    with app.app_context():
        db.session.add(Job(id=job_id, kind="class-zip", owner_id=room.teacher.id,
                           state="failed", error="timeout",
                           params={"assignment_id": room.assignment_id}, timeout_seconds=60,
                           max_bytes=100, deadline=utcnow(), finished_at=utcnow()))
        db.session.commit()
    session = login(room.teacher)
    url = room.assignment_url(f"/pdfs/{job_id}")
    page = html_of(session.get(url))
    assert page.text("#zip-words").startswith("Making the ZIP took too long")
    assert page.one("#zip-job form button").text == "Try again"
    assert session.get(url + "/download").status_code == 302
    assert session.get(url + "/status").get_json()["download"] is None


def test_one_zip_at_a_time_and_none_without_hand_ins(app, make_user, login):
    teacher = make_user(role="teacher")
    room = add_assignment(app, make_class(app, teacher, [make_user()]))
    session = login(teacher)
    response = session.post(room.assignment_url("/pdfs"), data={"zip-size": "a4"},
                            follow_redirects=True)
    assert html_of(response).text(".flash-info") == (
        "No student has handed in yet, so there are no PDFs to make.")
    with app.app_context():
        db.session.add(Job(id="b" * 32, kind="class-zip", owner_id=teacher.id, state="running",
                           params={"assignment_id": room.assignment_id}, timeout_seconds=600,
                           max_bytes=100, deadline=utcnow() + timedelta(hours=1)))
        db.session.commit()
    start(app, room, room.students[0], ANSWERS)
    hand_in(app, room, room.students[0])
    response = session.post(room.assignment_url("/pdfs"), data={"zip-size": "a4"},
                            follow_redirects=True)
    assert html_of(response).text(".flash-info").startswith("A ZIP of yours is still")
    response = session.post(room.assignment_url("/pdfs"), data={"zip-size": "a0"})
    assert response.status_code == 422


def test_the_ticked_students_pdfs_from_the_progress_table(app, make_user, login):
    room = class_of_three(app, make_user)
    session = login(room.teacher)
    response = session.post(room.assignment_url("/progress"), data={
        "action": "download", "student": [str(room.extra["ase"].id)], "size": "letter"})
    assert response.status_code == 302
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        assert jobs.wait(job_id, 240).state == "done"
        made = jobs.result(job_id)
    archive = zipfile.ZipFile(io.BytesIO(made.data))
    assert sorted(archive.namelist()) == ["Åse Berg/poster.pdf", "Åse Berg/report.pdf"]
    page = PdfReader(io.BytesIO(archive.read("Åse Berg/report.pdf"))).pages[0]
    assert round(float(page.mediabox.width)) == 612  # Letter


def test_ticking_only_students_who_have_not_handed_in_makes_no_empty_zip(app, make_user,
                                                                        login):
    room = class_of_three(app, make_user)
    session = login(room.teacher)
    response = session.post(room.assignment_url("/progress"), data={
        "action": "download", "student": [str(room.extra["cai"].id)], "size": "a4"},
        follow_redirects=True)
    assert response.status_code == 200
    assert html_of(response).text(".flash-info") == (
        "No student has handed in yet, so there are no PDFs to make.")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Job.id))) == 0


def test_folder_names_are_safe_and_unique():
    assert class_zip.folder_names([(1, "Åse Berg"), (2, "åse berg"), (3, 'a/b\\c:"d"*'),
                                   (4, "..."), (5, " Con\x00trol ")]) == {
        1: "Åse Berg", 2: "åse berg (2)", 3: "a b c d", 4: "student-4", 5: "Con trol"}


def test_the_time_limit_grows_with_the_pdfs(app, make_user):
    room = add_assignment(app, make_class(app, make_user(role="teacher"), []))
    config = {"PDF_TIMEOUT_SECONDS": 60, "CLASS_ZIP_SECONDS_PER_PDF": 10}
    with app.app_context():
        assignment = db.session.get(Assignment, room.assignment_id)
        job = class_zip.start(config, assignment, room.teacher.id, list(range(1, 31)), "a4")
        assert db.session.get(Job, job).timeout_seconds == 600  # 30 students, two PDFs each
        jobs.give_up(job)


# --- on RQ workers -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rq_world(tmp_path_factory):
    """A redis-server and an RQ worker process (`flask --app canvas jobs worker`)."""
    folder = tmp_path_factory.mktemp("zip-rq")
    redis_dir = Path(f"/tmp/canvas-redis-{os.getpid()}-{folder.name}")
    worker_process = app = None
    try:
        url = start_redis(redis_dir)
        app = migrated_app(folder / "zip.sqlite3", JOB_BACKEND="rq", REDIS_URL=url,
                           JOB_QUEUE=f"zip-{folder.name}",
                           JOB_WORKER_MODULES=["tests.job_seams"])
        env = {**os.environ, "PYTHONPATH": str(ROOT), "CANVAS_SECRET_KEY": "zip-test",
               "CANVAS_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
               "CANVAS_REDIS_URL": url, "CANVAS_JOB_BACKEND": "rq",
               "CANVAS_JOB_QUEUE": app.config["JOB_QUEUE"],
               "CANVAS_JOB_WORKER_MODULES": '["tests.job_seams"]'}
        env.pop("DATABASE_URL", None)
        worker_process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "canvas", "jobs", "worker"], cwd=ROOT,
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        yield app
    finally:
        if worker_process is not None:
            stop_worker(worker_process)
        subprocess.run(["bash", str(ROOT / "scripts" / "services.sh"), "redis", "stop",
                        str(redis_dir)], check=False)
        jobs.shutdown()
        if app is not None:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def test_the_same_zip_on_rq_workers_using_both_cores(rq_world):
    app = rq_world
    from canvas.accounts import create_user

    counter = iter(range(100))

    def make_user(role: str = "student") -> User:
        with app.app_context():
            user = create_user(f"rq{next(counter)}@example.test", "correct horse battery",
                               role=role)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    room = class_of_three(app, make_user)
    with app.app_context():
        assignment = db.session.get(Assignment, room.assignment_id)
        job_id = class_zip.start(app.config, assignment, room.teacher.id,
                                 [room.extra[k].id for k in ("ase", "bo", "cai")], "a4")
        state = jobs.wait(job_id, 300)
        assert state.state == "done", state
        assert (state.done, state.total) == (4, 4)
        check_zip(jobs.result(job_id).data)
    other = create_app({**app.config})  # another web process finds the job
    with other.app_context():
        assert jobs.status(job_id).state == "done"
        db.session.remove()
        db.engine.dispose()
