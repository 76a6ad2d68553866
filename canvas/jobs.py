"""Long jobs (PDF renders, a class's ZIP) through one interface, on one of two backends.

    job_id = jobs.submit("pdf", params, owner_id=user.id, per_owner=2, timeout=60)
    state = jobs.status(job_id)        # queued | running | done | failed, progress, error
    state = jobs.wait(job_id, 5)       # until finished or 5 s have passed
    result = jobs.result(job_id)       # the file (bytes, name, type), or the JobError
    result = jobs.run("pdf", params, ...)   # all three, for a request that waits
    for n, made in jobs.fan_out(render, items):   # inside a task: one job on several cores

A task is a function registered with `@jobs.task("kind")`; it takes a `Progress` (call it
with done and total) and the job's JSON params, and returns a `Result`. The same function
runs on both backends:

- **local** (the default): a pool of `JOB_PROCESSES` worker processes started with 'spawn'
  beside each web process. Each process runs one job at a time; one that overruns its time
  limit is terminated and replaced, and only its own job fails. A worker process exits as
  soon as the web process that started it is gone (however that ended).
- **rq** (when `REDIS_URL` is set, or `JOB_BACKEND = "rq"`): jobs go to an RQ queue in Redis
  and `flask --app canvas jobs worker` processes run them, on this machine or others; RQ
  enforces the time limit in its work-horse.

Everything about a job lives in its `Job` row, so any web process can answer for any job,
a page reloaded finds it, and the per-user limit counts across processes. A job that has not
finished by its deadline has failed, whoever was meant to finish it (a worker killed, a
web process restarted with jobs in its queue). Each worker process runs the functions
registered with `@jobs.on_worker_start` once when it starts (the PDF worker loads its fonts
and renders one page), so the first job after start-up is no slower than the rest.

A task that is many pieces of work (a class's ZIP: a PDF per student) spreads them with
`fan_out` over its own process and `JOB_FAN_OUT - 1` helper processes made like worker
processes: the same code under both backends, since it only needs the process the task
runs in.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import pickle
import queue
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures import wait as wait_for_futures
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import wait as wait_for
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import delete, func, select, update

from .database import serialize, write_transaction
from .extensions import db
from .models import Job, utcnow

LOG = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
UNFINISHED = (QUEUED, RUNNING)
# Why a job failed (Job.error).
TIMEOUT, TOO_LARGE, ERROR, LOST = "timeout", "too-large", "failed", "lost"
# The modules that register the app's tasks, imported in every worker process.
TASK_MODULES = ("canvas.exports.worker", "canvas.classroom.class_zip")
# A worker process may take this long to start (imports, content, fonts, a warm-up render).
START_SECONDS = 120
# Added to a running job's time limit before anyone else calls it lost: the backend stops
# it at the limit itself, and marks it failed a moment later.
GRACE = timedelta(seconds=10)


# --- errors ------------------------------------------------------------------------------


class JobError(Exception):
    """A job that did not produce its result; `error` is Job.error, `status` for HTTP."""

    status = 503
    error = ERROR


class JobBusy(JobError):
    """The owner already has as many jobs of this kind in flight as they may."""

    status = 429
    error = "busy"


class JobTimeout(JobError):
    error = TIMEOUT


class JobTooLarge(JobError):
    status = 422
    error = TOO_LARGE


class JobFailed(JobError):
    error = ERROR


class JobLost(JobError):
    """Its worker went away (or never came) before it finished."""

    error = LOST


ERRORS: dict[str, type[JobError]] = {cls.error: cls for cls in (
    JobTimeout, JobTooLarge, JobFailed, JobLost)}


# --- tasks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """What a task makes: a file."""

    data: bytes
    name: str = ""
    mimetype: str = "application/octet-stream"


class Progress:
    """Called by a task as it goes: progress(done, total, message). Written at once, in its
    own transaction, so a progress bar in another process sees it."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id

    def __call__(self, done: int, total: int, message: str = "") -> None:
        with db.engine.begin() as conn:
            conn.execute(update(Job).where(Job.id == self.job_id, Job.state == RUNNING)
                         .values(done=int(done), total=int(total), message=message[:200]))


Task = Callable[[Progress, dict[str, Any]], Result]
TASKS: dict[str, Task] = {}
STARTERS: list[Callable[[], None]] = []


def task(kind: str) -> Callable[[Task], Task]:
    """Register a function as the task that runs jobs of `kind`."""

    def register(function: Task) -> Task:
        TASKS[kind] = function
        return function

    return register


def on_worker_start(function: Callable[[], None]) -> Callable[[], None]:
    """Register a function to run once in each worker process as it starts, inside an app
    context (load what every job needs, so the first job is as quick as the rest)."""
    STARTERS.append(function)
    return function


# --- the state of a job --------------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    """A job as anyone may see it (without its params or result)."""

    id: str
    kind: str
    owner_id: int | None
    state: str
    done: int
    total: int
    message: str
    error: str
    result_name: str
    result_type: str

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were stored as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _status(job: Job, now: datetime) -> Status:
    state, error = job.state, job.error
    if state in UNFINISHED and _aware(job.deadline) <= now:
        state, error = FAILED, TIMEOUT if job.state == RUNNING else LOST
    return Status(job.id, job.kind, job.owner_id, state, job.done, job.total, job.message,
                  error, job.result_name, job.result_type)


def status(job_id: str) -> Status | None:
    """The job's state now (None: no such job). One past its deadline has failed."""
    job = db.session.get(Job, job_id, populate_existing=True)
    return None if job is None else _status(job, utcnow())


def _config(key: str, default: Any) -> Any:
    return current_app.config.get(key, default)


def submit(kind: str, params: Mapping[str, Any], *, owner_id: int | None = None,
           per_owner: int | None = None, timeout: float | None = None,
           max_bytes: int | None = None, queue_seconds: float | None = None) -> str:
    """Queue a job of `kind` and return its id.

    With `per_owner`, the owner may have that many jobs of this kind queued or running;
    one more raises JobBusy at once. `timeout` limits the run (JOB_TIMEOUT_SECONDS),
    `max_bytes` the result (JOB_MAX_BYTES); a job still queued after `queue_seconds`
    (JOB_QUEUE_SECONDS) is given up (lost)."""
    if kind not in TASKS:
        raise ValueError(f"no task for jobs of kind {kind!r}")
    timeout = float(timeout if timeout is not None else _config("JOB_TIMEOUT_SECONDS", 600))
    max_bytes = int(max_bytes if max_bytes is not None else _config("JOB_MAX_BYTES", 2**28))
    queue_seconds = float(queue_seconds if queue_seconds is not None
                          else _config("JOB_QUEUE_SECONDS", 600))
    now = utcnow()
    job_id = secrets.token_hex(16)
    with write_transaction():
        if owner_id is not None and per_owner is not None:
            # Count and insert as one step, so two requests cannot both take the last place.
            serialize(f"jobs:{owner_id}:{kind}")
            in_flight = db.session.scalar(select(func.count(Job.id)).where(
                Job.owner_id == owner_id, Job.kind == kind, Job.state.in_(UNFINISHED),
                Job.deadline > now))
            if in_flight >= per_owner:
                raise JobBusy("too many jobs in flight for this user")
        db.session.add(Job(id=job_id, kind=kind, owner_id=owner_id, state=QUEUED,
                           params=dict(params), timeout_seconds=timeout, max_bytes=max_bytes,
                           created_at=now,
                           deadline=now + timedelta(seconds=queue_seconds + timeout) + GRACE))
        # Finished jobs are kept a while (a page reload, a download), then go.
        keep = timedelta(hours=float(_config("JOB_KEEP_HOURS", 24)))
        db.session.execute(delete(Job).where(Job.finished_at < now - keep))
    backend().enqueue(current_app._get_current_object(), job_id, timeout)
    return job_id


def wait(job_id: str, seconds: float) -> Status | None:
    """The job once it has finished, or as it is after `seconds`."""
    end = time.monotonic() + seconds
    pause = 0.005
    notified = backend().finished_event(job_id)
    while True:
        state = status(job_id)
        db.session.commit()  # end the read, so the next one sees other processes' writes
        left = end - time.monotonic()
        if state is None or state.finished or left <= 0:
            return state
        if notified is not None:
            notified.wait(min(left, 0.5))
        else:
            time.sleep(min(left, pause))
            pause = min(pause * 2, 0.1)


def result(job_id: str, *, consume: bool = False) -> Result:
    """The finished job's file, or the JobError it failed with (JobLost if unknown or not
    finished). With `consume`, the job is deleted once read (a PDF is sent once)."""
    state = status(job_id)
    if state is None or not state.finished:
        raise JobLost("the job is not finished")
    if state.state == FAILED:
        raise ERRORS.get(state.error, JobFailed)(state.message)
    data = db.session.scalar(select(Job.result).where(Job.id == job_id))
    if consume:
        with write_transaction():
            db.session.execute(delete(Job).where(Job.id == job_id))
    return Result(data or b"", state.result_name, state.result_type)


def give_up(job_id: str, error: str = LOST, message: str = "") -> None:
    """Mark a job failed unless it has finished (a waiter gave up, a worker was stopped)."""
    with write_transaction():
        db.session.execute(update(Job).where(Job.id == job_id, Job.state.in_(UNFINISHED))
                           .values(state=FAILED, error=error, message=message[:200],
                                   finished_at=utcnow()))


def run(kind: str, params: Mapping[str, Any], *, timeout: float, **options: Any) -> Result:
    """Submit, wait and return the result (consumed); raises the JobError it failed with.
    Waits for a place in the queue at most `timeout` too."""
    job_id = submit(kind, params, timeout=timeout, queue_seconds=timeout, **options)
    state = wait(job_id, 2 * timeout + GRACE.total_seconds())
    if state is not None and not state.finished:
        give_up(job_id, TIMEOUT if state.state == RUNNING else LOST)
    return result(job_id, consume=True)


# --- in a worker process: one job --------------------------------------------------------


def execute(job_id: str, passthrough: tuple[type[BaseException], ...] = ()) -> None:
    """Run one queued job inside an app context: claim it, run its task, store the result
    or the failure. A job that is not queued any more (given up, run elsewhere) is left."""
    now = utcnow()
    with write_transaction():
        job = db.session.get(Job, job_id)
        if job is None or job.state != QUEUED:
            return
        job.state, job.started_at = RUNNING, now
        job.deadline = now + timedelta(seconds=job.timeout_seconds) + GRACE
        kind, params, max_bytes = job.kind, dict(job.params), job.max_bytes
    try:
        made = TASKS[kind](Progress(job_id), params)
    except passthrough:
        raise
    except Exception:  # whatever a task raised fails its job, not the worker
        LOG.exception("job %s (%s) failed", job_id, kind)
        _finish(job_id, state=FAILED, error=ERROR)
        return
    if len(made.data) > max_bytes:
        _finish(job_id, state=FAILED, error=TOO_LARGE, message=f"{len(made.data)} bytes")
        return
    _finish(job_id, state=DONE, result=made.data, result_name=made.name[:200],
            result_type=made.mimetype[:100])


def _finish(job_id: str, **values: Any) -> None:
    # Only a running job: one already failed for overrunning keeps that verdict.
    with write_transaction():
        db.session.execute(update(Job).where(Job.id == job_id, Job.state == RUNNING)
                           .values(finished_at=utcnow(), **values))


def _import_tasks(modules: tuple[str, ...]) -> None:
    import importlib

    for module in (*TASK_MODULES, *modules):
        importlib.import_module(module)


def _start_worker(app: Flask) -> None:
    """What every worker process does once: import the tasks, run the starters."""
    _import_tasks(tuple(app.config.get("JOB_WORKER_MODULES", ())))
    with app.app_context():
        for starter in STARTERS:
            starter()
        db.session.remove()
        db.engine.dispose()


# --- one task on several cores -------------------------------------------------------------


def fan_out(function: Callable[[Any], Any], items: Sequence[Any], *,
            processes: int | None = None) -> Iterator[tuple[int, Any]]:
    """`function(item)` for every item, spread over this process and helper processes:
    yields (index, result) as each is done, in the order they finish. Needs an app context
    (a task's); `function` must be a module-level function, since helpers are other
    processes.

    `processes` in all (JOB_FAN_OUT by default), never more than the CPU count or the items.
    The helpers are spawned like worker processes (an app from the factory, the starters
    run: the PDF fonts are loaded), exit with this process whatever ends it (a job stopped
    for its time limit), and are shut down when the generator finishes or is closed. While
    they start, this process works on the first items itself, in a thread of its own, so
    the start costs at most one helper's start-up. A failure raises here, with the item's
    exception."""
    app = current_app._get_current_object()
    wanted = int(processes or app.config.get("JOB_FAN_OUT", 2))
    count = max(1, min(wanted, os.cpu_count() or 1, len(items)))
    if count == 1:
        for n, item in enumerate(items):
            yield n, function(item)
        return
    config = _picklable(app.config)
    helpers = ProcessPoolExecutor(max_workers=count - 1,
                                  mp_context=multiprocessing.get_context("spawn"),
                                  initializer=_init_process, initargs=(config, _factory))
    pending = deque(enumerate(items))
    running: dict[Future, tuple[int, bool]] = {}  # future -> (index, runs here)

    def feed(here: bool) -> None:
        if not pending:
            return
        n, item = pending.popleft()
        future = (_here(app, function, item) if here
                  else helpers.submit(_call_in_helper, config, function, item))
        running[future] = (n, here)

    try:
        feed(True)
        for _ in range(count - 1):
            feed(False)
        while running:
            finished, _ = wait_for_futures(list(running), return_when=FIRST_COMPLETED)
            for future in finished:
                n, here = running.pop(future)
                yield n, future.result()
                feed(here)
    finally:
        processes_left = list((getattr(helpers, "_processes", None) or {}).values())
        helpers.shutdown(wait=False, cancel_futures=True)
        for process in processes_left:
            if process.is_alive():
                process.terminate()
        for process in processes_left:
            process.join(timeout=5)


def _here(app: Flask, function: Callable[[Any], Any], item: Any) -> Future:
    """`function(item)` in a daemon thread of this process, inside an app context."""
    future: Future = Future()

    def work() -> None:
        try:
            with app.app_context():
                future.set_result(function(item))
        except BaseException as exc:  # handed to whoever waits on it
            future.set_exception(exc)

    threading.Thread(target=work, name="fan-out", daemon=True).start()
    return future


def _call_in_helper(config: dict[str, Any], function: Callable[[Any], Any], item: Any) -> Any:
    with _child_app(config).app_context():
        try:
            return function(item)
        finally:
            db.session.remove()


# --- the local backend: worker processes beside the web process ---------------------------

_child_apps: dict[str, Flask] = {}
# The app factory (canvas.create_app), handed over by init_app: worker processes make their
# own app with it. Passed in rather than imported, so this module does not depend on the
# package that wires it.
_factory: Callable[..., Flask] | None = None


def _picklable(config: Mapping[str, Any]) -> dict[str, Any]:
    """The app's settings that can go to another process (a new app is made from them)."""
    out = {}
    for key, value in config.items():
        try:
            pickle.dumps(value)
        except Exception:  # not every setting pickles; those stay
            continue
        out[key] = value
    return out


def _child_app(config: dict[str, Any]) -> Flask:
    """This worker process's app for a configuration (one per database)."""
    assert _factory is not None, "jobs.init_app was not called"
    key = str(config.get("SQLALCHEMY_DATABASE_URI"))
    app = _child_apps.get(key)
    if app is None:
        app = _child_apps[key] = _factory(config)
    return app


def _exit_with_parent() -> None:
    """End this worker as soon as the process that spawned it is gone."""
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - a pool's worker always has one
        return

    def watch() -> None:
        wait_for([parent.sentinel])
        os._exit(0)  # no clean-up to wait for: whoever wanted the result is gone

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _init_process(config: dict[str, Any], factory: Callable[..., Flask]) -> None:
    global _factory
    _factory = factory
    _exit_with_parent()
    _start_worker(_child_app(config))


def _ready() -> int:
    return os.getpid()


def _execute_in_process(config: dict[str, Any], job_id: str) -> None:
    with _child_app(config).app_context():
        try:
            execute(job_id)
        finally:
            db.session.remove()


class _Lane:
    """One worker process, one job at a time; replaced when a job overruns or it dies."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.executor: ProcessPoolExecutor | None = None
        self.started: Future | None = None

    def start(self) -> None:
        if self.executor is None:
            self.executor = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_process, initargs=(self.config, _factory))
            self.started = self.executor.submit(_ready)

    def ready(self) -> ProcessPoolExecutor:
        """The started worker, once it has loaded what it needs."""
        self.start()
        assert self.executor is not None and self.started is not None
        self.started.result(timeout=START_SECONDS)
        return self.executor

    def processes(self) -> list[Any]:
        return list((getattr(self.executor, "_processes", None) or {}).values())

    def stop(self) -> None:
        """Terminate the worker (a job that overran) and forget it."""
        executor, self.executor, self.started = self.executor, None, None
        if executor is None:
            return
        processes = list((getattr(executor, "_processes", None) or {}).values())
        for process in processes:
            if process.is_alive():
                process.terminate()
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():  # pragma: no cover - terminate is normally enough
                process.kill()
                process.join(timeout=5)


class LocalBackend:
    """`JOB_PROCESSES` worker processes of this web process, fed from one queue."""

    name = "local"

    def __init__(self, config: dict[str, Any]) -> None:
        self.lanes = [_Lane(config) for _ in range(max(1, int(config["JOB_PROCESSES"])))]
        self.queue: queue.Queue[tuple[Flask, str, float] | None] = queue.Queue()
        self.threads: list[threading.Thread] = []
        self.events: dict[str, threading.Event] = {}
        self.lock = threading.Lock()

    def start(self) -> None:
        """Start the worker processes now (not on the first job) and their dispatchers."""
        with self.lock:
            if self.threads:
                return
            for n, lane in enumerate(self.lanes):
                lane.start()
                thread = threading.Thread(target=self._serve, args=(lane,), daemon=True,
                                          name=f"jobs-lane-{n}")
                thread.start()
                self.threads.append(thread)

    def enqueue(self, app: Flask, job_id: str, timeout: float) -> None:
        self.start()
        with self.lock:
            self.events[job_id] = threading.Event()
        self.queue.put((app, job_id, timeout))

    def finished_event(self, job_id: str) -> threading.Event | None:
        with self.lock:
            return self.events.get(job_id)

    def _serve(self, lane: _Lane) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                return
            app, job_id, timeout = item
            try:
                self._run(lane, app, job_id, timeout)
            except Exception:  # a dispatcher must outlive any one job
                LOG.exception("job %s: the local worker failed", job_id)
                self._give_up(app, job_id, ERROR)
            finally:
                with self.lock:
                    event = self.events.pop(job_id, None)
                if event is not None:
                    event.set()

    def _run(self, lane: _Lane, app: Flask, job_id: str, timeout: float) -> None:
        try:
            executor = lane.ready()
            future = executor.submit(_execute_in_process, lane.config | _db_config(app), job_id)
        except (BrokenProcessPool, RuntimeError, FuturesTimeout):
            lane.stop()
            executor = lane.ready()
            future = executor.submit(_execute_in_process, lane.config | _db_config(app), job_id)
        try:
            future.result(timeout=timeout)
        except FuturesTimeout:
            lane.stop()  # the only way to stop a render stuck in C code
            self._give_up(app, job_id, TIMEOUT)
            lane.start()  # the next job finds a fresh worker ready
        except (BrokenProcessPool, CancelledError):
            lane.stop()
            self._give_up(app, job_id, LOST)
            lane.start()

    @staticmethod
    def _give_up(app: Flask, job_id: str, error: str) -> None:
        with app.app_context():
            try:
                give_up(job_id, error)
            finally:
                db.session.remove()

    def shutdown(self) -> None:
        for _ in self.threads:
            self.queue.put(None)
        for lane in self.lanes:
            lane.stop()


def _db_config(app: Flask) -> dict[str, Any]:
    # Jobs of apps on different databases (tests) share the worker processes.
    return {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}


# --- the RQ backend: workers anywhere, through Redis ------------------------------------------

_worker_app: Flask | None = None


class RQBackend:
    """Jobs on an RQ queue in Redis (REDIS_URL), run by `flask --app canvas jobs worker`."""

    name = "rq"

    def __init__(self, url: str, queue_name: str) -> None:
        from redis import Redis
        from rq import Queue

        self.redis = Redis.from_url(url)
        self.queue = Queue(queue_name, connection=self.redis)

    def start(self) -> None:
        """Nothing to start in the web process: the workers are their own service."""

    def enqueue(self, app: Flask, job_id: str, timeout: float) -> None:
        # RQ keeps only the id: the job's params and result live in its row.
        self.queue.enqueue(execute_rq, job_id, job_id=f"canvas-{job_id}",
                           job_timeout=max(1, math.ceil(timeout)), result_ttl=0,
                           failure_ttl=24 * 3600)

    def finished_event(self, job_id: str) -> None:
        return None  # another machine's worker: wait() reads the row

    def shutdown(self) -> None:
        self.redis.close()


def execute_rq(job_id: str) -> None:
    """The function RQ runs (in its work-horse, a fork of `jobs worker`)."""
    from rq.timeouts import JobTimeoutException

    assert _factory is not None, "jobs.init_app was not called"
    app = _worker_app or _factory()
    with app.app_context():
        # A fork must not use the connections it inherited from the worker.
        db.engine.dispose(close=False)
        try:
            execute(job_id, passthrough=(JobTimeoutException,))
        except JobTimeoutException:
            give_up(job_id, TIMEOUT)
        finally:
            db.session.remove()


# --- which backend --------------------------------------------------------------------------

_backends: dict[tuple, LocalBackend | RQBackend] = {}
_backends_lock = threading.Lock()


def backend_name(config: Mapping[str, Any]) -> str:
    """"rq" when JOB_BACKEND says so, or when it is unset and REDIS_URL is; else "local"."""
    name = config.get("JOB_BACKEND") or ("rq" if config.get("REDIS_URL") else "local")
    if name not in ("local", "rq"):
        raise ValueError(f"JOB_BACKEND must be local or rq, not {name!r}")
    return name


def backend(app: Flask | None = None) -> LocalBackend | RQBackend:
    """The backend of `app` (the current app), made once per process and setting."""
    config = (app or current_app).config
    name = backend_name(config)
    if name == "rq":
        key: tuple = ("rq", config["REDIS_URL"], config.get("JOB_QUEUE", "canvas"))
    else:
        key = ("local", config["CONTENT_DIR"], config["TEMPLATES_DIR"], config["STATIC_DIR"],
               tuple(config.get("JOB_WORKER_MODULES", ())), int(config["JOB_PROCESSES"]))
    with _backends_lock:
        found = _backends.get(key)
        if found is None:
            found = (RQBackend(key[1], key[2]) if name == "rq"
                     else LocalBackend(_picklable(config)))
            _backends[key] = found
        return found


def start(app: Flask, *, wait: bool = False) -> None:
    """Start `app`'s job workers now (gunicorn's post_worker_init), not on the first job;
    with `wait`, return once they have loaded what they need (their warm-up is done). An
    app without jobs (the benchmarks' floor) has nothing to start."""
    if "canvas.jobs" not in app.extensions:
        return
    found = backend(app)
    found.start()
    if wait and isinstance(found, LocalBackend):
        for lane in found.lanes:
            lane.ready()


def shutdown() -> None:
    """Stop every backend of this process (tests, the end of a benchmark)."""
    with _backends_lock:
        backends = list(_backends.values())
        _backends.clear()
    for found in backends:
        found.shutdown()


@contextmanager
def worker_app(app: Flask) -> Iterator[None]:
    """Make `app` the one RQ's work-horses use (they are forks of this process)."""
    global _worker_app
    _worker_app = app
    try:
        yield
    finally:
        _worker_app = None


# --- the command ------------------------------------------------------------------------------

jobs_group = AppGroup("jobs", help="Long jobs (PDFs, class exports).")


@jobs_group.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run jobs from the Redis queue (REDIS_URL) until stopped: an RQ worker."""
    from rq import Worker

    app = current_app._get_current_object()
    if backend_name(app.config) != "rq":
        raise click.ClickException("Set REDIS_URL (or JOB_BACKEND=rq) to run an RQ worker: "
                                   "without it, jobs run in the web processes' own pool.")
    found = backend(app)
    assert isinstance(found, RQBackend)
    _start_worker(app)
    with worker_app(app):
        Worker([found.queue], connection=found.redis).work(burst=burst, logging_level="WARNING")


def init_app(app: Flask, factory: Callable[..., Flask]) -> None:
    """Add the `jobs` command; check the backend setting now rather than at the first job.
    `factory` makes an app from a config mapping (or from the environment, given none)."""
    global _factory
    _factory = factory
    app.extensions["canvas.jobs"] = backend_name(app.config)
    app.cli.add_command(jobs_group)
