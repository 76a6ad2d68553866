"""PDF renders in a separate worker process, with a time and a size limit.

A render can take a while (WeasyPrint is pure Python) and, on hostile input, could take much
longer; it must never hold up the web process. So renders run in a `ProcessPoolExecutor`
(one worker, started with 'spawn', created on first use). The request thread waits for the
result at most `PDF_TIMEOUT_SECONDS`; on a timeout the worker process is terminated and the
pool is rebuilt on the next render, so one stuck render cannot block the ones after it.
Renders that were waiting in line behind the stopped one are sent once more, to the fresh
worker (with a fresh time limit), rather than failed with it. Other requests are served
meanwhile by the server's other threads.

Fairness: a user may have `PDF_RENDERS_PER_USER` renders in flight at once (one running and
one waiting in line, by default); one more is refused at once with PdfBusy, so one user's
flood of exports cannot make everyone else's wait.

No orphans: the worker watches the web process that started it and exits as soon as that
process is gone, however it ended (Ctrl+C, SIGTERM from a process manager, SIGKILL), so
stopping the server never leaves a renderer running.

The worker loads the content library, the worksheet definitions, a Jinja environment for
`templates/pdf/` and one WeasyPrint `FontConfiguration` once, when it starts, and keeps them
for every render it does.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from datetime import datetime
from multiprocessing.connection import wait
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..interchange import CanvasDocument

LOG = logging.getLogger(__name__)

# --- errors the web process turns into pages ---------------------------------------------


class PdfError(Exception):
    """A render that did not produce a PDF; `message` is for the user, `status` for HTTP."""

    status = 503

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PdfTimeout(PdfError):
    status = 503


class PdfTooLarge(PdfError):
    status = 422


class PdfFailed(PdfError):
    status = 503


class PdfBusy(PdfError):
    """The user already has as many renders in flight as they may; the view words it."""

    status = 429


class _TooLarge(Exception):
    """Raised inside the worker (kept simple so it pickles)."""


# --- inside the worker process -------------------------------------------------------------

_font_config: Any = None
_state: dict[str, Any] = {}


def font_config() -> Any:
    """The one WeasyPrint FontConfiguration of this process, made on first use."""
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
        atexit.register(_drop_font_config)
    return _font_config


def _drop_font_config() -> None:
    """Let the FontConfiguration go while its C libraries are still loaded."""
    global _font_config
    _font_config = None
    from . import pdf

    pdf.forget_stylesheets()


def _exit_with_parent() -> None:
    """Start a thread that ends this worker as soon as the process that spawned it is gone."""
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - a worker always has one
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(0)  # no clean-up to wait for: the web process that wanted the PDF is gone

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _init_worker(content_dir: str, templates_dir: str, static_dir: str,
                 modules: tuple[str, ...] = ()) -> None:
    import importlib

    _exit_with_parent()
    from ..library import load
    from .pdf import make_environment

    library, definitions = load(content_dir)
    _state.update(library=library, definitions=definitions,
                  env=make_environment(templates_dir), static_dir=static_dir)
    # PDF_WORKER_MODULES: modules imported in the worker, which may add kinds of render to
    # RENDERERS (the tests add one that takes too long, to test the time limit).
    for module in modules:
        importlib.import_module(module)
    font_config()


def _poster(document: CanvasDocument, size: str, worksheet_index: int,
            when: datetime | None) -> bytes:
    from .poster import render_poster

    return render_poster(document, _state["library"], _state["definitions"], _state["env"],
                         size, _state["static_dir"], font_config(), when)


def _report(document: CanvasDocument, size: str, worksheet_index: int,
            when: datetime | None, feedback: dict[str, Any] | None = None) -> bytes:
    from .report import render_report

    return render_report(document, worksheet_index, _state["library"], _state["definitions"],
                         _state["env"], size, _state["static_dir"], font_config(), when,
                         feedback)


# The kinds of PDF the worker makes: (document, size, worksheet index, when) -> PDF bytes;
# a report also takes the released feedback on the work, when there is some (`feedback`).
RENDERERS: dict[str, Callable[[CanvasDocument, str, int, datetime | None], bytes]] = {
    "poster": _poster, "report": _report}


def _render_job(kind: str, document: CanvasDocument, size: str, worksheet_index: int,
                when: datetime | None, max_bytes: int,
                feedback: dict[str, Any] | None = None) -> bytes:
    """One render, in the worker."""
    renderer = RENDERERS.get(kind)
    if renderer is None:
        raise ValueError(f"unknown kind of PDF {kind!r}")
    extra = {"feedback": feedback} if feedback else {}
    pdf = renderer(document, size, worksheet_index, when, **extra)
    if len(pdf) > max_bytes:
        raise _TooLarge(f"{len(pdf)} bytes")
    return pdf


# --- in the web process --------------------------------------------------------------------

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_key: tuple | None = None
# Pools stopped because a render on them took too long: the renders queued behind it were
# cancelled (or broken) through no fault of their own.
_timed_out: weakref.WeakSet[ProcessPoolExecutor] = weakref.WeakSet()


def _key(config: Any) -> tuple:
    return (str(config["CONTENT_DIR"]), str(config["TEMPLATES_DIR"]), str(config["STATIC_DIR"]),
            tuple(config.get("PDF_WORKER_MODULES", ())))


def _get_pool(config: Any) -> ProcessPoolExecutor:
    global _pool, _pool_key
    key = _key(config)
    with _lock:
        if _pool is not None and _pool_key != key:
            _stop(_pool)
            _pool = None
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=1,
                                        mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_init_worker, initargs=key)
            _pool_key = key
        return _pool


def _stop(pool: ProcessPoolExecutor) -> None:
    """Terminate the pool's processes (a stuck render) and let the pool go."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():  # pragma: no cover - terminate is normally enough
            process.kill()
            process.join(timeout=5)


def _discard(pool: ProcessPoolExecutor, timed_out: bool = False) -> None:
    global _pool
    with _lock:
        if timed_out:
            _timed_out.add(pool)
        if _pool is pool:
            _pool = None
    _stop(pool)


def _stopped_for_another(pool: ProcessPoolExecutor) -> bool:
    """Whether `pool` was stopped because some render on it took too long (if this caller's
    own render had, it would not ask: it is the one that stops the pool)."""
    with _lock:
        return pool in _timed_out


def shutdown() -> None:
    """Stop the worker (tests, benchmark, interpreter exit)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        _stop(pool)


class _InFlight:
    """How many renders each user has in flight in this web process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count: Counter[object] = Counter()

    @contextmanager
    def hold(self, owner: object, limit: int) -> Iterator[None]:
        """One place of `owner`'s `limit`, for the length of the block; PdfBusy if none."""
        with self._lock:
            if self._count[owner] >= limit:
                raise PdfBusy("too many renders in flight for this user")
            self._count[owner] += 1
        try:
            yield
        finally:
            with self._lock:
                self._count[owner] -= 1
                if self._count[owner] <= 0:
                    del self._count[owner]


in_flight = _InFlight()


def render_pdf(config: Any, kind: str, document: CanvasDocument, size: str,
               worksheet_index: int = 0, when: datetime | None = None,
               owner: object | None = None, feedback: dict[str, Any] | None = None) -> bytes:
    """Render in the worker within the configured limits, or raise a PdfError.

    With an `owner` (the user), at most PDF_RENDERS_PER_USER renders of theirs are in
    flight at once; one more raises PdfBusy without waiting.

    A render waiting in line behind one that is stopped for taking too long is cancelled
    with it; it is sent once more, to the fresh worker, and waits for it up to the limit
    again. Only if that happens twice does the caller get a PdfFailed asking to try again.

    `feedback` (a report's released feedback, plain data) travels with the document: the
    worker reads no database.
    """
    if owner is not None:
        with in_flight.hold(owner, int(config.get("PDF_RENDERS_PER_USER", 2))):
            return render_pdf(config, kind, document, size, worksheet_index, when,
                              feedback=feedback)
    timeout = float(config["PDF_TIMEOUT_SECONDS"])
    max_bytes = int(config["PDF_MAX_BYTES"])
    job = (_render_job, kind, document, size, worksheet_index, when, max_bytes, feedback)
    for attempt in (1, 2):
        pool = _get_pool(config)
        try:
            future = pool.submit(*job)
        except (BrokenProcessPool, RuntimeError):
            _discard(pool)
            pool = _get_pool(config)
            future = pool.submit(*job)
        try:
            return future.result(timeout=timeout)
        except FuturesTimeout:
            if attempt == 1 and _stopped_for_another(pool):
                continue  # the render ahead of this one was stopped while this one waited
            _discard(pool, timed_out=True)
            raise PdfTimeout(
                f"Making the PDF took longer than {timeout:g} seconds, so it was stopped. "
                "Try again in a moment; if it keeps happening, try a smaller page size or "
                "shorten the longest blocks.") from None
        except _TooLarge:
            raise PdfTooLarge(
                f"The PDF would be larger than the limit of {max_bytes // (1024 * 1024)} MB, "
                "so it was not made. Shorten the canvas or the worksheet and try again.") from None
        except (CancelledError, BrokenProcessPool):
            if _stopped_for_another(pool):
                if attempt == 1:
                    continue
                raise PdfFailed(
                    "The PDF was not made because the renderer was busy with a PDF that took "
                    "too long and had to be restarted. Try again in a moment.") from None
            _discard(pool)  # the worker died (or the pool was shut down) under this render
            raise PdfFailed("The PDF could not be made because the renderer stopped. "
                            "Try again in a moment.") from None
        except Exception:
            LOG.exception("PDF render failed (%s, %s)", kind, size)
            raise PdfFailed("The PDF could not be made from this canvas. Your work is safe; "
                            "try again, and if it keeps failing, tell your teacher or the "
                            "site's administrator.") from None
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
