"""Long jobs through one interface, on both backends: the local process pool and RQ workers
(a throwaway redis-server and a `flask jobs worker` process). The same tasks, the same
assertions: success with progress, failure, timeout, size limit, the per-user limit, and
state kept in the database for any other web process (a page reload) to find."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

import tests.job_seams  # registers the test tasks in this process too
from canvas import create_app, jobs
from canvas.accounts import create_user
from canvas.extensions import db
from tests.conftest import PASSWORD, ROOT, migrated_app

SEAMS = ["tests.job_seams"]


def start_redis(folder: Path) -> str:
    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: scripts/system-packages.sh --test installs it")
        pytest.skip("redis-server is not installed (scripts/system-packages.sh --test)")
    return subprocess.run(["bash", str(ROOT / "scripts" / "services.sh"), "redis", "start",
                           str(folder)], check=True, capture_output=True,
                          text=True).stdout.strip()


def stop_worker(worker: subprocess.Popen) -> None:
    """Stop a `flask jobs worker` process as systemd would: SIGTERM, then SIGKILL."""
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
    worker.stderr.close()


@pytest.fixture(scope="module", params=["local", "rq"])
def world(request, tmp_path_factory) -> Iterator[Flask]:
    """An app with its database and a backend with workers running: local processes, or a
    redis-server and an RQ worker process (as `flask --app canvas jobs worker` runs)."""
    folder = tmp_path_factory.mktemp(f"jobs-{request.param}")
    config: dict[str, object] = {"JOB_BACKEND": request.param, "JOB_WORKER_MODULES": SEAMS,
                                 "JOB_PROCESSES": 1}
    redis_dir = Path(f"/tmp/canvas-redis-{os.getpid()}-{folder.name}")  # a short socket path
    worker = app = None
    try:
        if request.param == "rq":
            config["REDIS_URL"] = start_redis(redis_dir)
            config["JOB_QUEUE"] = f"test-{folder.name}"
        app = migrated_app(folder / "jobs.sqlite3", **config)
        if request.param == "rq":
            env = {**os.environ, "PYTHONPATH": str(ROOT), "CANVAS_SECRET_KEY": "jobs-test",
                   "CANVAS_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                   "CANVAS_REDIS_URL": config["REDIS_URL"], "CANVAS_JOB_BACKEND": "rq",
                   "CANVAS_JOB_QUEUE": config["JOB_QUEUE"],
                   "CANVAS_JOB_WORKER_MODULES": '["tests.job_seams"]'}
            env.pop("DATABASE_URL", None)
            worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "canvas", "jobs",
                                       "worker"], cwd=ROOT, env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        with app.app_context():
            jobs.start(app)
            job = jobs.submit("test-steps", {"steps": 1}, timeout=60)
            state = jobs.wait(job, 90)  # the worker has started when its first job is done
            assert state is not None and state.state == "done", (
                state, worker and worker.poll() is not None and worker.stderr.read())
        yield app
    finally:
        if worker is not None:
            stop_worker(worker)
        if request.param == "rq":  # never leave a server behind, whatever failed
            subprocess.run(["bash", str(ROOT / "scripts" / "services.sh"), "redis", "stop",
                            str(redis_dir)], check=False)
        jobs.shutdown()
        if app is not None:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.fixture
def user_id(world: Flask) -> int:
    with world.app_context():
        user = create_user(f"jobs{time.monotonic_ns()}@example.test", PASSWORD)
        db.session.commit()
        return user.id


def test_a_job_reports_progress_then_its_result(world):
    with world.app_context():
        job = jobs.submit("test-steps", {"steps": 4, "pause": 0.4, "text": "Glans"}, timeout=60)
        seen = set()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = jobs.status(job)
            db.session.commit()
            seen.add((state.state, state.done, state.total))
            if state.finished:
                break
            time.sleep(0.05)
        assert state.state == "done" and state.error == ""
        assert (state.done, state.total, state.message) == (4, 4, "finished")
        # It was seen queued or running part-way, not only finished.
        assert any(s in ("queued", "running") for s, _, _ in seen)
        assert any(s == "running" and 0 < done < 4 for s, done, _ in seen), seen
        made = jobs.result(job)
        assert (made.data, made.name, made.mimetype) == (b"Glans", "made.txt", "text/plain")


def test_another_web_process_finds_the_job_and_its_result(world):
    """State and result live in the database: a fresh app (another gunicorn worker, or the
    same page reloaded later) answers for a job it never saw."""
    with world.app_context():
        job = jobs.submit("test-steps", {"steps": 1, "text": "kept"}, timeout=60)
        assert jobs.wait(job, 60).state == "done"
    other = create_app({**world.config})
    try:
        with other.app_context():
            state = jobs.status(job)
            assert state.state == "done" and state.result_name == "made.txt"
            assert jobs.result(job).data == b"kept"
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_task_that_raises_fails_its_job_and_the_worker_carries_on(world):
    with world.app_context():
        job = jobs.submit("test-boom", {}, timeout=60)
        state = jobs.wait(job, 60)
        assert (state.state, state.error) == ("failed", "failed")
        with pytest.raises(jobs.JobFailed):
            jobs.result(job)
        assert jobs.run("test-steps", {"steps": 1, "text": "after"}, timeout=60).data == b"after"


def test_a_job_over_its_time_limit_is_stopped_and_the_next_one_runs(world):
    with world.app_context():
        started = time.monotonic()
        with pytest.raises(jobs.JobTimeout):
            jobs.run("test-sleep", {"seconds": 60}, timeout=1)
        assert time.monotonic() - started < 20  # stopped near the limit, not after 60 s
        assert jobs.run("test-steps", {"steps": 1, "text": "next"}, timeout=60).data == b"next"


def test_a_result_over_the_size_limit_is_refused(world):
    with world.app_context():
        with pytest.raises(jobs.JobTooLarge):
            jobs.run("test-big", {"bytes": 5000}, timeout=60, max_bytes=1000)
        assert jobs.run("test-big", {"bytes": 1000}, timeout=60, max_bytes=1000).data == (
            b"x" * 1000)


def test_an_owner_gets_a_limited_number_of_jobs_in_flight(world, user_id):
    with world.app_context():
        first = jobs.submit("test-sleep", {"seconds": 1}, owner_id=user_id, per_owner=2,
                            timeout=60)
        second = jobs.submit("test-sleep", {"seconds": 1}, owner_id=user_id, per_owner=2,
                             timeout=60)
        with pytest.raises(jobs.JobBusy):
            jobs.submit("test-sleep", {"seconds": 1}, owner_id=user_id, per_owner=2, timeout=60)
        # Someone else is not held up by it.
        other = jobs.submit("test-steps", {"steps": 1}, owner_id=None, per_owner=2, timeout=60)
        for job in (first, second, other):
            assert jobs.wait(job, 60).state == "done"
        # Once they are done, there is room again.
        third = jobs.submit("test-steps", {"steps": 1}, owner_id=user_id, per_owner=2,
                            timeout=60)
        assert jobs.wait(third, 60).state == "done"


def test_a_job_past_its_deadline_has_failed_whoever_was_to_finish_it(world):
    """A worker that died (or a web process restarted with jobs in its queue) leaves a row
    unfinished: past its deadline it reads as failed, and is never run after all."""
    from canvas.models import Job, utcnow

    with world.app_context():
        db.session.add(Job(id="orphan" + str(time.monotonic_ns()), kind="test-steps",
                           state="running", params={"steps": 1}, timeout_seconds=1,
                           max_bytes=10, deadline=utcnow()))
        db.session.commit()
        orphan = db.session.scalar(db.select(Job.id).where(Job.id.like("orphan%")))
        state = jobs.status(orphan)
        assert (state.state, state.error) == ("failed", "timeout")
        with pytest.raises(jobs.JobTimeout):
            jobs.result(orphan)
        # Given up while still queued, a job is not run later.
        queued = jobs.submit("test-sleep", {"seconds": 2}, timeout=60)
        waiting = jobs.submit("test-steps", {"steps": 1}, timeout=60)
        jobs.give_up(waiting)
        assert jobs.wait(queued, 60).state == "done"
        time.sleep(0.5)
        state = jobs.status(waiting)
        assert (state.state, state.error, state.done) == ("failed", "lost", 0)


def test_an_unknown_kind_is_refused_at_once(world):
    with world.app_context(), pytest.raises(ValueError, match="no task"):
        jobs.submit("no-such-kind", {}, timeout=1)


def test_the_backend_follows_the_settings():
    assert jobs.backend_name({}) == "local"
    assert jobs.backend_name({"REDIS_URL": "redis://127.0.0.1:6379/0"}) == "rq"
    assert jobs.backend_name({"REDIS_URL": "redis://x", "JOB_BACKEND": "local"}) == "local"
    with pytest.raises(ValueError, match="JOB_BACKEND"):
        jobs.backend_name({"JOB_BACKEND": "celery"})


def test_the_worker_command_needs_redis(app):
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code != 0
    assert "Set REDIS_URL" in result.output


def test_a_job_spreads_its_work_over_two_processes(world):
    """jobs.fan_out inside a task, on either backend: the job's own process and a helper."""
    with world.app_context():
        job = jobs.submit("test-fan-out", {"items": 8, "pause": 1.0}, timeout=120)
        assert jobs.wait(job, 150).state == "done"
        assert len(jobs.result(job).data.split()) == 2


def test_fan_out_gives_every_result_once_in_any_order(app):
    with app.app_context():
        app.config["JOB_FAN_OUT"] = 2
        started = time.monotonic()
        got = list(jobs.fan_out(tests.job_seams.where, [1.0] * 10))
        took = time.monotonic() - started
        assert sorted(n for n, _pid in got) == list(range(10))
        pids = {pid for _n, pid in got}
        assert os.getpid() in pids and len(pids) == 2, pids  # this process and one helper
        assert took < 10  # not one after the other
        assert dict(jobs.fan_out(tests.job_seams.fail_on_three, [1, 2], processes=1)) == {
            0: 2, 1: 4}
        with pytest.raises(ValueError, match="three"):
            list(jobs.fan_out(tests.job_seams.fail_on_three, [1, 2, 3, 4]))
        assert list(jobs.fan_out(tests.job_seams.where, [])) == []
