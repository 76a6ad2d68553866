"""The canvas page: nine blocks of sticky notes, cross-block checks and saved versions.

    /canvases/<id>                                  GET   the board
    /canvases/<id>/blocks                           POST  JSON autosave of all blocks
    /canvases/<id>/blocks/<block>/items             POST  add a note (no JavaScript)
    /canvases/<id>/blocks/<block>/items/<item>      POST  edit, delete, up, down (no JavaScript)
    /canvases/<id>/versions                         GET, POST  list; save a version
    /canvases/<id>/versions/compare                 GET   two versions side by side
    /canvases/<id>/versions/<n>/restore             POST  restore (current state kept as a version)
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.routing import BuildError

from ..database import write_transaction
from ..interchange import export_canvas
from ..library import get_definitions, get_library
from ..payloads import BadPayload, is_version, parse_version, strict_json
from ..worksheets import analysis
from . import service
from .blocks import (
    BLOCK_IDS,
    MAX_TEXT,
    RELATIONSHIPS,
    SEGMENT_COLOURS,
    SEGMENTS,
    BlocksError,
    clean_blocks,
    cross_checks,
    segment_colours,
)
from .forms import ConfirmForm
from .service import compare_blocks
from .views import add_worksheet_form, bp, worksheet_rows

FINDINGS = {
    "relationship-without-segment": {
        "en": "“{subject}” in Customer Relationships is not tied to a customer segment. Tag it with the segment it serves.",
        "da": "„{subject}“ under Kunderelationer er ikke knyttet til et kundesegment. Mærk den med segmentet.",
        "nb": "«{subject}» under Kunderelasjoner er ikke knyttet til et kundesegment. Merk den med segmentet.",
    },
    "segment-without-relationship": {
        "en": "The segment “{subject}” has no customer relationship yet. How will you win and keep it?",
        "da": "Segmentet „{subject}“ har endnu ingen kunderelation. Hvordan vil I vinde og fastholde det?",
        "nb": "Segmentet «{subject}» har ingen kunderelasjon ennå. Hvordan vil du skaffe og beholde det?",
    },
    "zero-weight-tactic": {
        "en": "The tactic “{subject}” was chosen for a goal you weighted zero in the worksheet.",
        "da": "Taktikken „{subject}“ er valgt til et mål, I gav 0 point i arbejdsarket.",
        "nb": "Taktikken «{subject}» er valgt for et mål du ga 0 poeng i arbeidsarket.",
    },
}
# Blocks with learning content of their own in content/.
BLOCK_CONTENT = {"customer-relationships": "customer-relationships",
                 "channels": "mistakes", "customer-segments": "mistakes"}


def _customer_relationships(canvas):  # noqa: ANN001, ANN202
    """(worksheet, definition) pairs of the canvas's Customer Relationships worksheets."""
    definitions = get_definitions()
    return [(ws, definitions[ws.definition_id]) for ws in canvas.worksheets
            if ws.definition_id == RELATIONSHIPS and ws.definition_id in definitions]


def findings_for(canvas) -> list[str]:  # noqa: ANN001
    """The cross-block checks as sentences in the canvas's language."""
    library, language = get_library(), canvas.language
    zero = [t for ws, d in _customer_relationships(canvas)
            for t in analysis.zero_weight_tactics(d, ws.answers or {})]
    names = {i.id: Markup(i.name).striptags()
             for m in ("acquisition", "retention", "upselling")
             for i in library.catalogue(language, m)}
    out = []
    for f in cross_checks(canvas.blocks or {}, zero):
        subject = names.get(f.subject, f.subject) if f.kind == "zero-weight-tactic" else f.subject
        template = FINDINGS[f.kind].get(language, FINDINGS[f.kind]["en"])
        out.append(template.format(subject=subject[:80]))
    return out


def relationship_feed(canvas) -> dict[str, Any] | None:  # noqa: ANN001
    """What the Customer Relationships worksheet contributes to its block."""
    found = _customer_relationships(canvas)
    if not found:
        return None
    ws, definition = found[0]
    feed = analysis.relationship_feed(definition, ws.answers or {}, get_library(),
                                      canvas.language)
    return {"worksheet": ws, "feed": feed}


def board_blocks(canvas) -> list[dict[str, Any]]:  # noqa: ANN001
    library, language = get_library(), canvas.language
    blocks = canvas.blocks or {}
    out = []
    for block_id in BLOCK_IDS:
        item = library.item(language, f"blocks#{block_id}")
        out.append({
            "id": block_id,
            "name": Markup(item.name).striptags() if item else block_id,
            "description": item.html.get("description") if item else "",
            "questions": item.lists.get("questions", ()) if item else (),
            "items": blocks.get(block_id, []),
            "content": BLOCK_CONTENT.get(block_id),
        })
    return out


def _segments(canvas) -> list[dict[str, Any]]:  # noqa: ANN001
    colours = segment_colours(canvas.blocks or {})
    return [{"id": s["id"], "text": s["text"] or "…", "colour": colours[s["id"]]}
            for s in (canvas.blocks or {}).get(SEGMENTS, [])]


@bp.get("/canvases/<int:canvas_id>")
@login_required
def show(canvas_id: int):
    canvas = service.owned_canvas(current_user, canvas_id)
    segments = _segments(canvas)
    return render_template(
        "canvases/show.html", canvas=canvas, rows=worksheet_rows(canvas),
        add_form=add_worksheet_form(canvas),
        confirm=ConfirmForm(), blocks=board_blocks(canvas), segments=segments,
        colours={s["id"]: s["colour"] for s in segments}, findings=findings_for(canvas),
        feed=relationship_feed(canvas), max_text=MAX_TEXT, segments_block=SEGMENTS,
        export_url=_export_url(canvas), palette=SEGMENT_COLOURS)


def _export_url(canvas) -> str | None:  # noqa: ANN001
    try:
        return url_for("exports.export_page", canvas_id=canvas.id)
    except BuildError:  # the exports blueprint is optional
        return None


@bp.post("/canvases/<int:canvas_id>/blocks")
@login_required
def save_blocks(canvas_id: int):
    # Ownership is checked inside the transaction below; a body is refused before any load.
    try:
        data = strict_json(request.get_data(cache=False))
    except BadPayload as exc:
        return jsonify(status="invalid", message=str(exc)), 400
    if not isinstance(data, dict) or not is_version(data.get("version")):
        return jsonify(status="invalid", message="expected {version, blocks}"), 400
    try:
        blocks = clean_blocks(data.get("blocks"))
    except BlocksError as exc:
        return jsonify(status="invalid", errors=exc.problems,
                       message="Some notes could not be saved; see the messages."), 422
    try:
        with write_transaction():
            canvas = service.owned_canvas(current_user, canvas_id)
            version = service.save_blocks(canvas, data["version"], blocks)
    except service.Conflict as exc:
        return jsonify(status="conflict", version=exc.current_version), 409
    return jsonify(status="saved", version=version,
                   findings_html=render_template("canvases/_findings.html",
                                                 findings=findings_for(canvas)))


def _item_action(canvas_id: int, block: str, item_id: str | None, action: str):  # noqa: ANN202
    if block not in BLOCK_IDS or not ConfirmForm().validate_on_submit():
        abort(400)
    text = request.form.get("text", "")
    segment = request.form.get("segment") or None
    service.owned_canvas(current_user, canvas_id)  # no messages about other people's canvases
    anchor = f"block-{block}"
    if action in ("add", "edit") and len(text) > MAX_TEXT:
        # The message travels in the session cookie (about 4 KB in all): echo at most
        # twice the limit, enough to shorten from (the textarea stops typing at the limit).
        shown = text[:2 * MAX_TEXT] + ("…" if len(text) > 2 * MAX_TEXT else "")
        flash(f"That note is {len(text)} characters; the limit is {MAX_TEXT}. "
              f"Here is your text to shorten: {shown}", "error")
        return redirect(url_for("canvases.show", canvas_id=canvas_id, _anchor=anchor))
    if action == "add" and not text.strip():
        flash("Write something on the note before adding it.", "error")
        return redirect(url_for("canvases.show", canvas_id=canvas_id, _anchor=anchor))
    version = parse_version(request.form.get("version", ""))
    try:
        with write_transaction():
            canvas = service.owned_canvas(current_user, canvas_id)
            # A stale page first: the note it names may be gone since (a 404 would lose the text).
            if canvas.version != version:
                raise service.Conflict(canvas.version)
            changed = service.apply_item_action(canvas.blocks or {}, action, block, item_id,
                                                text, segment)
            service.save_blocks(canvas, version, clean_blocks(changed))
    except service.Conflict:
        flash("The canvas was changed in another tab. Here is the latest; your text was: "
              + text if text else "The canvas was changed in another tab. Here is the latest.",
              "error")
    except BlocksError as exc:
        flash("; ".join(exc.problems.values()), "error")
    return redirect(url_for("canvases.show", canvas_id=canvas_id, _anchor=anchor))


@bp.post("/canvases/<int:canvas_id>/blocks/<block>/items")
@login_required
def add_item(canvas_id: int, block: str):
    return _item_action(canvas_id, block, None, "add")


@bp.post("/canvases/<int:canvas_id>/blocks/<block>/items/<item_id>")
@login_required
def change_item(canvas_id: int, block: str, item_id: str):
    action = request.form.get("action", "edit")
    if action not in ("edit", "delete", "up", "down"):
        abort(400)
    return _item_action(canvas_id, block, item_id, action)


@bp.route("/canvases/<int:canvas_id>/versions", methods=["GET", "POST"])
@login_required
def versions(canvas_id: int):
    canvas = service.owned_canvas(current_user, canvas_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        note = request.form.get("note", "")  # the service trims and cuts it to 200
        with write_transaction():
            canvas = service.owned_canvas(current_user, canvas_id)
            snapshot = service.take_snapshot(canvas, note)
        flash(f"Saved as version {snapshot.number}.", "success")
        return redirect(url_for("canvases.versions", canvas_id=canvas_id))
    return render_template("canvases/versions.html", canvas=canvas, confirm=form)


@bp.get("/canvases/<int:canvas_id>/versions/compare")
@login_required
def compare(canvas_id: int):
    canvas = service.owned_canvas(current_user, canvas_id)

    def pick(key: str) -> tuple[str, dict[str, Any]]:
        value = request.args.get(key, "current")
        if value == "current":
            return "Current", export_canvas(canvas)
        if not value.isdigit():
            abort(400)
        snapshot = service.owned_snapshot(canvas, int(value))
        label = f"Version {snapshot.number}" + (f": {snapshot.note}" if snapshot.note else "")
        return label, snapshot.data

    (label_a, a), (label_b, b) = pick("a"), pick("b")
    names = {b_["id"]: b_["name"] for b_ in board_blocks(canvas)}
    rows = compare_blocks(a.get("blocks", {}), b.get("blocks", {}), BLOCK_IDS)
    return render_template("canvases/compare.html", canvas=canvas, label_a=label_a,
                           label_b=label_b, rows=rows, names=names, summary_a=_summary_of(a),
                           summary_b=_summary_of(b))


def _summary_of(document: dict[str, Any]) -> str:
    """The Customer Relationships summary in a canvas document (a version or the current)."""
    definitions = get_definitions()
    for worksheet in document.get("worksheets", []):
        definition = definitions.get(worksheet.get("definition"))
        if worksheet.get("definition") == RELATIONSHIPS and definition:
            field = analysis.summary_field_of(definition)
            summary = (worksheet.get("answers") or {}).get(field.id) if field else None
            return summary if isinstance(summary, str) else ""
    return ""


@bp.post("/canvases/<int:canvas_id>/versions/<int:number>/restore")
@login_required
def restore_version(canvas_id: int, number: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with write_transaction():
        canvas = service.owned_canvas(current_user, canvas_id)
        snapshot = service.owned_snapshot(canvas, number)
        kept = service.restore_snapshot(canvas, snapshot,
                                        f"Before restoring version {number}")
    flash(f"Version {number} restored. What was there before is kept as version "
          f"{kept.number}.", "success")
    return redirect(url_for("canvases.show", canvas_id=canvas_id))

