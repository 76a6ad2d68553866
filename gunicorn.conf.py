"""gunicorn settings for `make serve` and production (docs/deploy.md).

Every setting can be changed from the environment: BIND, WEB_CONCURRENCY (worker
processes), GUNICORN_WORKER_CLASS and GUNICORN_THREADS, or any flag in GUNICORN_CMD_ARGS.

The default is sync workers, 2 x cores + 1 of them: measured in BENCHMARKS.md ("The worker
model"), threaded workers (gthread, cores x 4 threads: 8 requests at once, not 5) gave fewer
autosaves a second (170 against 218) and fewer pages (the step page 167 against 233), with an
autosave p99 4.4 times its floor's against 2.7 times: a process's threads share one GIL for
the app's Python, which is most of a request, and queue for SQLite's write lock behind its
sleeping busy handler. nginx in front buffers slow clients, so a sync worker is never held
by one; without such a proxy, set GUNICORN_WORKER_CLASS=gthread.
"""

import os

from canvas import jobs

cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
cores = cores or 1

bind = os.environ.get("BIND", "127.0.0.1:8000")
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
_threaded = worker_class == "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", cores if _threaded else 2 * cores + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4 if _threaded else 1))
# Longer than the longest request: a PDF waits up to PDF_TIMEOUT_SECONDS (60) for its render.
timeout = 90
graceful_timeout = 30
keepalive = 5
# A worker is replaced now and then, so memory that creeps (fragmentation) is given back.
max_requests = 5000
max_requests_jitter = 500
# GUNICORN_ACCESS_LOG="" turns the access log off (the benchmarks do).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
# The app names no server; neither does gunicorn.
proc_name = "canvas"


def post_worker_init(worker) -> None:  # gunicorn's Worker
    """Start this worker's job processes (local backend) and wait until they have loaded
    fonts and content and rendered a warm-up page: the worker takes requests only then, so
    the first PDF after start-up is no slower than the rest."""
    jobs.start(worker.wsgi, wait=True)
