"""PDF export routes (thin: ownership, size, then the render worker).

    /canvases/<id>/export        GET  a page to choose the paper size and what to download
    /canvases/<id>/poster.pdf    GET  the canvas poster (?size=a4|a3|letter)
    /worksheets/<id>/report.pdf  GET  one worksheet's report (?size=a4|a3|letter)

Both PDFs are rate-limited per user, and a user may have one render running and one waiting
(`PDF_RENDERS_PER_USER`); one more is answered 429 with Retry-After at once.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import audit
from ..access import owned_canvas, owned_worksheet
from ..database import write_transaction
from ..extensions import limiter
from ..library import document_of, get_definitions
from ..web import client_address
from .names import content_disposition
from .poster import PAGE_SIZES
from .worker import PdfBusy, PdfError, PdfLost, PdfTimeout, PdfTooLarge, render_pdf

bp = Blueprint("exports", __name__)
SIZE_LABELS = {"a4": "A4", "a3": "A3", "letter": "Letter"}
# Seconds a refused export is told to wait: about one poster's render.
BUSY_RETRY_AFTER = 10


def _per_user() -> str:
    return f"user:{current_user.get_id()}"


# Counted per signed-in user (a class shares one address); signed-out requests go to sign-in.
pdf_limit = limiter.limit(lambda: current_app.config["RATELIMIT_PDF"], key_func=_per_user,
                          exempt_when=lambda: not current_user.is_authenticated)


def _size() -> str | None:
    size = request.args.get("size", "a4").strip().lower()
    return size if size in PAGE_SIZES else None


def _bad_size() -> tuple[str, int]:
    return render_template(
        "error.html", code=400,
        message=_("That paper size is not offered. Choose A4, A3 or Letter "
                  "(size=a4, size=a3 or size=letter).")), 400


def _words(exc: PdfError) -> str:
    """What a failed render tells the person, in their language."""
    config = current_app.config
    if isinstance(exc, PdfTimeout):
        seconds = f"{float(config['PDF_TIMEOUT_SECONDS']):g}"
        return _("Making the PDF took longer than %(seconds)s seconds, so it was stopped. Try "
                 "again in a moment; if it keeps happening, try a smaller page size or shorten "
                 "the longest blocks.", seconds=seconds)
    if isinstance(exc, PdfTooLarge):
        return _("The PDF would be larger than the limit of %(mb)d MB, so it was not made. "
                 "Shorten the canvas or the worksheet and try again.",
                 mb=int(config["PDF_MAX_BYTES"]) // (1024 * 1024))
    if isinstance(exc, PdfLost):
        return _("The PDF was not made because the renderer was busy with a PDF that took too "
                 "long and had to be restarted. Try again in a moment.")
    return _("The PDF could not be made from this canvas. Your work is safe; try again, and "
             "if it keeps failing, tell your teacher or the site's administrator.")


def _pdf(kind: str, document: dict, size: str, title: str, worksheet_index: int = 0,
         feedback: dict | None = None):
    when = datetime.now(UTC)
    try:
        pdf = render_pdf(current_app.config, kind, document, size, worksheet_index, when,
                         owner=current_user.id, feedback=feedback)
    except PdfBusy:
        return render_template(
            "error.html", code=429,
            message=_("You already have an export running. When it has downloaded, try "
                      "this one again.")), 429, {"Retry-After": str(BUSY_RETRY_AFTER)}
    except PdfError as exc:
        return render_template("error.html", code=exc.status, message=_words(exc)), \
            exc.status, {"Retry-After": "30"} if exc.status == 503 else {}
    with write_transaction():
        audit.record("export", user_id=current_user.id, address=client_address(), pdf=kind,
                     size=size, title=title[:120])
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": content_disposition(title, when, kind, size),
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    })


@bp.get("/canvases/<int:canvas_id>/export")
@login_required
def export_page(canvas_id: int):
    canvas = owned_canvas(current_user, canvas_id)
    definitions = get_definitions()
    worksheets = [(ws, definitions[ws.definition_id].title.get(canvas.language))
                  for ws in canvas.worksheets if ws.definition_id in definitions]
    return render_template("exports/export.html", canvas=canvas, worksheets=worksheets,
                           sizes=SIZE_LABELS, size=_size() or "a4")


@bp.get("/canvases/<int:canvas_id>/poster.pdf")
@login_required
@pdf_limit
def poster(canvas_id: int):
    canvas = owned_canvas(current_user, canvas_id)
    size = _size()
    if size is None:
        return _bad_size()
    return _pdf("poster", document_of(canvas), size, canvas.title)


@bp.get("/worksheets/<int:worksheet_id>/report.pdf")
@login_required
@pdf_limit
def report(worksheet_id: int):
    worksheet = owned_worksheet(current_user, worksheet_id)
    size = _size()
    if size is None:
        return _bad_size()
    canvas = worksheet.canvas
    # The document holds the worksheets whose definition the app knows, in the same order.
    definitions = get_definitions()
    known = [ws.id for ws in canvas.worksheets if ws.definition_id in definitions]
    if worksheet.id not in known:
        abort(404)
    index = known.index(worksheet.id)
    # Released feedback on an assignment's work goes in, read here and handed over: the
    # renderer reads no database.
    from ..classroom.review import report_feedback

    return _pdf("report", document_of(canvas), size, canvas.title, index,
                report_feedback(canvas.id, worksheet.id))
