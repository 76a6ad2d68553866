"""The canvas page: nine blocks of sticky notes, cross-block checks and saved versions.

    /canvases/<id>                                  GET   the board
    /canvases/<id>/blocks                           POST  JSON autosave of all blocks (the
                                                          save protocol, canvas/saving.py)
    /canvases/<id>/blocks/<block>/items             POST  add a note (no JavaScript)
    /canvases/<id>/blocks/<block>/items/<item>      POST  edit, delete, up, down (no JavaScript)
    /canvases/<id>/versions                         GET, POST  list; save a version
    /canvases/<id>/versions/compare                 GET   two versions side by side
    /canvases/<id>/versions/<n>/restore             POST  restore (current state kept as a version)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import func, select

from ..access import owned_canvas, owned_snapshot
from ..classroom.locks import canvas_lock
from ..database import write_transaction
from ..extensions import db
from ..forms import ConfirmForm, require_confirmation
from ..library import document_of, get_definitions, get_library
from ..models import Canvas, RefusedSave, Snapshot, User
from ..saving import Applied, BadPayload, parse_version, versioned_save
from ..worksheets import analysis
from ..worksheets.options import option_names
from ..worksheets.service import keep
from . import service
from .blocks import (
    BLOCK_IDS,
    MAX_TEXT,
    SEGMENT_COLOURS,
    SEGMENTS,
    BlocksError,
    clean_blocks,
    cross_checks,
    segment_tags,
)
from .service import compare_blocks
from .views import add_worksheet_form, bp, worksheet_rows

EDITOR = "board"
# Blocks with learning content of their own in content/.
BLOCK_CONTENT = {"customer-relationships": "customer-relationships",
                 "channels": "mistakes", "customer-segments": "mistakes"}


def _finding(kind: str, subject: str) -> str:
    """A cross-block check as a sentence in the interface language."""
    if kind == "relationship-without-segment":
        return _("“%(subject)s” in Customer Relationships is not tied to a customer segment. "
                 "Tag it with the segment it serves.", subject=subject)
    if kind == "segment-without-relationship":
        return _("The segment “%(subject)s” has no customer relationship yet. How will you win "
                 "and keep it?", subject=subject)
    return _("The tactic “%(subject)s” was chosen for a goal you weighted zero in the "
             "worksheet.", subject=subject)


def _feeding(canvas: Canvas) -> list[tuple[Any, Any]]:
    """(worksheet, definition) pairs of the canvas's worksheets that feed a block."""
    definitions = get_definitions()
    return [(ws, definitions[ws.definition_id]) for ws in canvas.worksheets
            if ws.definition_id in definitions and definitions[ws.definition_id].feeds]


def findings_for(canvas: Canvas) -> list[str]:
    """The cross-block checks, as sentences."""
    library, language = get_library(), canvas.language
    zero = []
    names: dict[str, str] = {}
    for ws, definition in _feeding(canvas):
        zero += analysis.zero_weight_tactics(definition, ws.answers or {})
        for _step, f in definition.all_fields():
            if f.catalogue:
                names.update(option_names(f, library, language))
    return [_finding(f.kind, (names.get(f.subject, f.subject) if f.kind == "zero-weight-tactic"
                              else f.subject)[:80])
            for f in cross_checks(canvas.blocks or {}, zero)]


def block_feeds(canvas: Canvas) -> dict[str, dict[str, Any]]:
    """Block id -> what the first worksheet feeding it shows there (and the worksheet)."""
    out: dict[str, dict[str, Any]] = {}
    for ws, definition in _feeding(canvas):
        if definition.feeds.block in out:
            continue
        feed = analysis.block_feed(definition, ws.answers or {}, get_library(), canvas.language)
        out[definition.feeds.block] = {"worksheet": ws, "feed": feed}
    return out


def other_feeds(canvas: Canvas) -> dict[str, list[dict[str, Any]]]:
    """Block id -> the worksheets' text answers shown there (the segment, the value
    proposition), each with its worksheet."""
    out: dict[str, list[dict[str, Any]]] = {}
    for ws, definition in _feeding(canvas):
        for block, text in analysis.other_block_texts(definition, ws.answers or {}).items():
            out.setdefault(block, []).append({"worksheet": ws, "text": text})
    return out


def board_blocks(canvas: Canvas) -> list[dict[str, Any]]:
    library, language = get_library(), canvas.language
    blocks = canvas.blocks or {}
    feeds = block_feeds(canvas)
    others = other_feeds(canvas)
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
            "feed": feeds.get(block_id),
            "shown": others.get(block_id, []),
        })
    return out


def _segments(canvas: Canvas) -> list[dict[str, Any]]:
    tags = segment_tags(canvas.blocks or {})
    return [{"id": s["id"], "text": s["text"] or "…", "colour": tags[s["id"]]}
            for s in (canvas.blocks or {}).get(SEGMENTS, [])]


def _findings_html(canvas: Canvas) -> str:
    blocks = canvas.blocks or {}
    return render_template("canvases/_findings.html", findings=findings_for(canvas),
                           checked_anything=bool(blocks.get(SEGMENTS) or
                                                 blocks.get("customer-relationships")))


@bp.get("/canvases/<int:canvas_id>")
@login_required
def show(canvas_id: int):
    canvas = owned_canvas(current_user, canvas_id)
    segments = _segments(canvas)
    blocks = canvas.blocks or {}
    from ..classroom.review import editor_note

    return render_template(
        "canvases/show.html", canvas=canvas, rows=worksheet_rows(canvas),
        classroom=editor_note(canvas.id),
        add_form=add_worksheet_form(canvas), confirm=ConfirmForm(),
        blocks=board_blocks(canvas), segments=segments,
        colours={s["id"]: s["colour"] for s in segments}, findings=findings_for(canvas),
        checked_anything=bool(blocks.get(SEGMENTS) or blocks.get("customer-relationships")),
        max_text=MAX_TEXT, segments_block=SEGMENTS, palette_size=len(SEGMENT_COLOURS),
        snapshot_count=db.session.scalar(select(func.count(Snapshot.id))
                                         .where(Snapshot.canvas_id == canvas.id)))


class Board:
    """The board as an editor of the save protocol: the body is `{"version", "blocks"}`,
    all nine blocks at once, saved whole or not at all."""

    def __init__(self, user: User, canvas_id: int) -> None:
        self.user, self.canvas_id = user, canvas_id

    def read(self, body: Mapping[str, Any]) -> Any:
        if "blocks" not in body:
            raise BadPayload("expected {version, blocks}")
        return body["blocks"]

    def load(self) -> Canvas:
        return owned_canvas(self.user, self.canvas_id)

    def locked(self, canvas: Canvas) -> str | None:
        """Handed-in work stays as handed in until the teacher gives it back."""
        return canvas_lock(canvas.id)

    def apply(self, canvas: Canvas, raw: Any, *, dry_run: bool = False) -> Applied:
        try:
            blocks = clean_blocks(raw, _)
        except BlocksError as exc:
            return Applied(False, {key: [text] for key, text in exc.problems.items()}, canvas)
        if blocks == clean_blocks(canvas.blocks or {}):
            return Applied(False, {}, canvas)
        if not dry_run:
            service.replace_blocks(canvas, blocks)
        return Applied(True, {}, canvas)

    def refuse(self, canvas: Canvas, raw: Any, based_on: int) -> None:
        try:
            blocks = clean_blocks(raw)
        except BlocksError:
            return  # nothing of it could be stored anyway
        keep(RefusedSave(owner_id=self.user.id, editor=EDITOR, object_id=canvas.id,
                         canvas_id=canvas.id, based_on_version=based_on,
                         payload={"blocks": blocks}))

    def theirs(self, canvas: Canvas) -> dict[str, Any]:
        return clean_blocks(canvas.blocks or {})

    def redraw(self, applied: Applied) -> dict[str, Any]:
        return {"findings_html": _findings_html(applied.state)}


@bp.post("/canvases/<int:canvas_id>/blocks")
@login_required
def save_blocks(canvas_id: int):
    answer = versioned_save(Board(current_user, canvas_id), request.get_data(cache=False))
    if answer.errors:
        answer.message = _("Some notes could not be saved; see the messages.")
    return jsonify(answer.as_json()), answer.http_status


def _item_action(canvas_id: int, block: str, item_id: str | None, action: str):
    if block not in BLOCK_IDS or not ConfirmForm().validate_on_submit():
        abort(400)
    text = request.form.get("text", "")
    segment = request.form.get("segment") or None
    owned_canvas(current_user, canvas_id)  # no messages about other people's canvases
    anchor = f"block-{block}"
    if action in ("add", "edit") and len(text) > MAX_TEXT:
        # The message travels in the session cookie (about 4 KB in all): echo at most
        # twice the limit, enough to shorten from (the textarea stops typing at the limit).
        shown = text[:2 * MAX_TEXT] + ("…" if len(text) > 2 * MAX_TEXT else "")
        flash(_("That note is %(length)d characters; the limit is %(max)d. Here is your text "
                "to shorten: %(text)s", length=len(text), max=MAX_TEXT, text=shown), "error")
        return redirect(url_for("canvases.show", canvas_id=canvas_id, _anchor=anchor))
    if action == "add" and not text.strip():
        flash(_("Write something on the note before adding it."), "error")
        return redirect(url_for("canvases.show", canvas_id=canvas_id, _anchor=anchor))
    version = parse_version(request.form.get("version", ""))
    try:
        with write_transaction():
            canvas = owned_canvas(current_user, canvas_id)
            locked = canvas_lock(canvas.id)
            if locked:
                raise service.Locked(locked)
            # A stale page first: the note it names may be gone since (a 404 would lose the text).
            if canvas.version != version:
                raise service.Conflict(canvas.version)
            changed = service.apply_item_action(canvas.blocks or {}, action, block, item_id,
                                                text, segment)
            service.save_blocks(canvas, version, clean_blocks(changed, _))
    except service.Conflict:
        if text:
            flash(_("The canvas was changed in another tab. Here is the latest; your text "
                    "was: %(text)s", text=text), "error")
        else:
            flash(_("The canvas was changed in another tab. Here is the latest."), "error")
    except BlocksError as exc:
        flash("; ".join(exc.problems.values()), "error")
    except service.Locked as exc:
        flash(str(exc), "error")
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
    canvas = owned_canvas(current_user, canvas_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        note = request.form.get("note", "")  # the service trims and cuts it to 200
        try:
            with write_transaction():
                canvas = owned_canvas(current_user, canvas_id)
                snapshot = service.take_snapshot(canvas, note, get_definitions(),
                                                  get_library())
        except service.TooManyVersions as exc:
            flash(_("This canvas already has %(max)d saved versions, the most it can keep. "
                    "Nothing was saved: delete versions you no longer need first.",
                    max=exc.limit), "error")
            return redirect(url_for("canvases.versions", canvas_id=canvas_id))
        flash(_("Saved as version %(number)d.", number=snapshot.number), "success")
        return redirect(url_for("canvases.versions", canvas_id=canvas_id))
    return render_template("canvases/versions.html", canvas=canvas, confirm=form,
                           limit=service.MAX_SNAPSHOTS)


@bp.get("/canvases/<int:canvas_id>/versions/compare")
@login_required
def compare(canvas_id: int):
    canvas = owned_canvas(current_user, canvas_id)

    def pick(key: str) -> tuple[str, dict[str, Any]]:
        value = request.args.get(key, "current")
        if value == "current":
            return _("Current version"), document_of(canvas).as_json()
        if not value.isdigit() or len(value) > 9:
            abort(400)
        snapshot = owned_snapshot(canvas, int(value))
        label = _("Version %(number)d", number=snapshot.number) + (
            f": {snapshot.note}" if snapshot.note else "")
        return label, snapshot.data

    (label_a, a), (label_b, b) = pick("a"), pick("b")
    names = {b_["id"]: b_["name"] for b_ in board_blocks(canvas)}
    rows = compare_blocks(a.get("blocks", {}), b.get("blocks", {}), BLOCK_IDS)
    return render_template("canvases/compare.html", canvas=canvas, label_a=label_a,
                           label_b=label_b, rows=rows, names=names, summary_a=_summary_of(a),
                           summary_b=_summary_of(b))


def _summary_of(document: dict[str, Any]) -> str:
    """The summary of the worksheet that feeds a block, in a canvas document."""
    definitions = get_definitions()
    for worksheet in document.get("worksheets", []):
        definition = definitions.get(worksheet.get("definition"))
        if definition and definition.feeds:
            field = analysis.summary_field_of(definition)
            summary = (worksheet.get("answers") or {}).get(field.id) if field else None
            return summary if isinstance(summary, str) else ""
    return ""


@bp.post("/canvases/<int:canvas_id>/versions/<int:number>/restore")
@login_required
def restore_version(canvas_id: int, number: int):
    require_confirmation()
    try:
        with write_transaction():
            canvas = owned_canvas(current_user, canvas_id)
            snapshot = owned_snapshot(canvas, number)
            locked = canvas_lock(canvas.id)
            if locked:
                raise service.Locked(locked)
            kept = service.restore_snapshot(
                canvas, snapshot, _("Before restoring version %(number)d", number=number),
                get_definitions(), get_library())
    except service.TooManyVersions as exc:
        flash(_("Restoring keeps what is there now as a new version, but this canvas already "
                "has %(max)d saved versions. Delete one first.", max=exc.limit), "error")
        return redirect(url_for("canvases.versions", canvas_id=canvas_id))
    except service.Locked as exc:
        flash(str(exc), "error")
        return redirect(url_for("canvases.versions", canvas_id=canvas_id))
    flash(_("Version %(number)d restored. What was there before is kept as version "
            "%(kept)d.", number=number, kept=kept.number), "success")
    return redirect(url_for("canvases.show", canvas_id=canvas_id))
