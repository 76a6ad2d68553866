"""PDF renders as jobs (canvas/jobs.py), with a time and a size limit.

A render can take a while (WeasyPrint is pure Python) and, on hostile input, could take much
longer; it must never hold up the web process. So a render is a job of kind "pdf": by
default it runs in one of the web process's own worker processes (started with 'spawn',
with the web process, exiting as soon as it is gone); with Redis configured, on an RQ
worker. The request waits for the result at most `PDF_TIMEOUT_SECONDS`; a render that
overruns is stopped (its worker process terminated and replaced, or RQ's work-horse
killed), and only that render fails: the ones waiting behind it are made by the fresh
worker.

Fairness: a user may have `PDF_RENDERS_PER_USER` renders in flight at once (one running and
one waiting, by default), counted in the database across every web process; one more is
refused at once with PdfBusy, so one user's flood of exports cannot make everyone else's
wait.

Each worker process loads the content library, the worksheet definitions, a Jinja
environment for `templates/pdf/` and one WeasyPrint `FontConfiguration` when it starts, and
renders one small poster, so the first PDF after start-up is as quick as the rest.
"""

from __future__ import annotations

import atexit
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .. import jobs

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


class PdfLost(PdfFailed):
    """The render process died or was replaced under the render (one before it overran)."""


class PdfBusy(PdfError):
    """The user already has as many renders in flight as they may; the view words it."""

    status = 429


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


def _kit() -> dict[str, Any]:
    """What a render takes besides the document, for the current app (made once)."""
    from flask import current_app

    from ..library import get_definitions, get_library
    from .pdf import make_environment

    templates_dir = str(current_app.config["TEMPLATES_DIR"])
    if _state.get("templates_dir") != templates_dir:
        _state.update(env=make_environment(templates_dir), templates_dir=templates_dir)
    _state.update(library=get_library(), definitions=get_definitions(),
                  static_dir=current_app.config["STATIC_DIR"])
    return _state


def _poster(document: CanvasDocument, size: str, worksheet_index: int,
            when: datetime | None) -> bytes:
    from .poster import render_poster

    kit = _kit()
    return render_poster(document, kit["library"], kit["definitions"], kit["env"],
                         size, kit["static_dir"], font_config(), when)


def _report(document: CanvasDocument, size: str, worksheet_index: int,
            when: datetime | None, feedback: dict[str, Any] | None = None) -> bytes:
    from .report import render_report

    kit = _kit()
    return render_report(document, worksheet_index, kit["library"], kit["definitions"],
                         kit["env"], size, kit["static_dir"], font_config(), when, feedback)


# The kinds of PDF the worker makes: (document, size, worksheet index, when) -> PDF bytes;
# a report also takes the released feedback on the work, when there is some (`feedback`).
RENDERERS: dict[str, Callable[[CanvasDocument, str, int, datetime | None], bytes]] = {
    "poster": _poster, "report": _report}


@jobs.task("pdf")
def render_task(progress: jobs.Progress, params: dict[str, Any]) -> jobs.Result:
    """One render, in a worker: params are the kind, the canvas JSON, the size, the
    worksheet's index, the time to print and, for a report, any released feedback."""
    from ..library import load_document

    renderer = RENDERERS.get(params["kind"])
    if renderer is None:
        raise ValueError(f"unknown kind of PDF {params['kind']!r}")
    document = load_document(params["document"], strict=False)
    when = datetime.fromisoformat(params["when"]) if params.get("when") else None
    extra = {"feedback": params["feedback"]} if params.get("feedback") else {}
    return jobs.Result(renderer(document, params["size"], params["worksheet_index"], when,
                                **extra), mimetype="application/pdf")


@jobs.on_worker_start
def warm_up() -> None:
    """Load the fonts and lay out one small poster, so the first real PDF is no slower."""
    from ..interchange import CanvasDocument

    font_config()
    try:
        _poster(CanvasDocument("Warm-up", "en", "", None, {}, ()), "a4", 0, None)
    except Exception:  # a failed warm-up only means a slower first PDF
        LOG.exception("PDF warm-up render failed")


# --- in the web process --------------------------------------------------------------------


def render_pdf(config: Any, kind: str, document: CanvasDocument, size: str,
               worksheet_index: int = 0, when: datetime | None = None,
               owner: int | None = None, feedback: dict[str, Any] | None = None) -> bytes:
    """Render as a job within the configured limits, or raise a PdfError. Needs an app
    context (the job's row); `config` gives the limits.

    With an `owner` (the user's id), at most PDF_RENDERS_PER_USER renders of theirs are in
    flight at once, across every web process; one more raises PdfBusy without waiting.

    `feedback` (a report's released feedback, plain data) travels with the document: the
    worker reads no database."""
    timeout = float(config["PDF_TIMEOUT_SECONDS"])
    max_bytes = int(config["PDF_MAX_BYTES"])
    params = {"kind": kind, "document": document.as_json(), "size": size,
              "worksheet_index": worksheet_index, "when": when.isoformat() if when else None,
              "feedback": feedback}
    per_owner = int(config.get("PDF_RENDERS_PER_USER", 2)) if owner is not None else None
    try:
        return jobs.run("pdf", params, owner_id=owner, per_owner=per_owner, timeout=timeout,
                        max_bytes=max_bytes).data
    except jobs.JobBusy:
        raise PdfBusy("too many renders in flight for this user") from None
    except jobs.JobTimeout:
        raise PdfTimeout(
            f"Making the PDF took longer than {timeout:g} seconds, so it was stopped. "
            "Try again in a moment; if it keeps happening, try a smaller page size or "
            "shorten the longest blocks.") from None
    except jobs.JobTooLarge:
        raise PdfTooLarge(
            f"The PDF would be larger than the limit of {max_bytes // (1024 * 1024)} MB, "
            "so it was not made. Shorten the canvas or the worksheet and try again.") from None
    except jobs.JobLost:
        raise PdfLost("The PDF was not made because the renderer was busy or had to be "
                        "restarted. Try again in a moment.") from None
    except jobs.JobError:
        raise PdfFailed("The PDF could not be made from this canvas. Your work is safe; "
                        "try again, and if it keeps failing, tell your teacher or the "
                        "site's administrator.") from None


def shutdown() -> None:
    """Stop the render workers (tests, benchmark, interpreter exit)."""
    jobs.shutdown()
