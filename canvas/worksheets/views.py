"""Worksheet editor routes.

    /worksheets/<id>                          GET        continue where the user left off
    /worksheets/<id>/steps/<step>             GET, POST  one step; POST is the no-JavaScript save
    /worksheets/<id>/steps/<step>/autosave    POST       JSON autosave (the save protocol)
    /worksheets/<id>/not-saved                GET        texts refused as conflicts, to deal with
    /worksheets/<id>/not-saved/<n>            POST       put one back, or dismiss it
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import owned_worksheet
from ..content.loader import Library
from ..database import write_transaction
from ..forms import ConfirmForm
from ..library import get_definitions, get_library
from ..models import Worksheet, utcnow
from ..saving import parse_version, save, versioned_save
from .definition import Step, WorksheetDefinition
from .fields import Context
from .service import (
    EDITOR,
    StepState,
    WorksheetStep,
    count_not_saved,
    form_inputs,
    owned_refused,
    shown_values,
    step_inputs,
    step_state,
    texts_not_saved,
)

bp = Blueprint("worksheets", __name__, url_prefix="/worksheets")


def _ui() -> str:
    return str(get_locale() or "en")


def _definition(worksheet: Worksheet) -> WorksheetDefinition:
    definition = get_definitions().get(worksheet.definition_id)
    if definition is None:
        abort(404)
    return definition


def _step(definition: WorksheetDefinition, step_id: str) -> Step:
    step = definition.step(step_id)
    if step is None:
        abort(404)
    return step


def teaching(step: Step, library: Library, language: str) -> list[dict[str, Any]]:
    """The content a step links: whole pages or single items, in the canvas's language."""
    out = []
    for ref in step.teaches:
        page_id, _sep, item_id = ref.partition("#")
        page = library.page(language, page_id)
        if page is None:
            continue
        item = page.item(item_id) if item_id else None
        out.append({"page": page, "item": item, "ref": ref})
    return out


def _context(worksheet: Worksheet, definition: WorksheetDefinition) -> Context:
    return Context(get_library(), worksheet.canvas.language, _ui(), worksheet.answers or {},
                   definition)


def _page(worksheet: Worksheet, definition: WorksheetDefinition, step: Step, *,
          values: dict[str, Any] | None = None, errors: dict[str, list[str]] | None = None,
          status: int = 200, conflict: bool = False):
    """The step page: its inputs showing `values` (the stored answers unless given)."""
    library, language = get_library(), worksheet.canvas.language
    ctx = _context(worksheet, definition)
    answers = worksheet.answers or {}
    inputs = step_inputs(step, ctx)
    conflict_rows = []
    if conflict and values is not None:
        stored = shown_values(step, answers, ctx)
        conflict_rows = [{"label": _input_label(step, name, ctx, inputs), "mine": mine,
                          "theirs": stored.get(name, "")}
                         for name, mine in values.items()
                         if name in inputs and _differs(mine, stored.get(name))]
    from ..classroom.review import editor_note

    return render_template(
        "worksheets/step.html", worksheet=worksheet, definition=definition, step=step,
        classroom=editor_note(worksheet.canvas_id),
        ctx=ctx, lang=language, inputs=inputs, conflict_rows=conflict_rows,
        values=shown_values(step, answers, ctx) if values is None else values,
        errors=errors or {}, conflict=conflict, index=definition.step_index(step.id),
        state=step_state(definition, step, answers, library, language, _ui()),
        teaching=teaching(step, library, language),
        not_saved=count_not_saved(current_user, EDITOR, worksheet.id),
    ), status


def _fragments(state: StepState) -> dict[str, Any]:
    """What the autosave answer redraws on the step page."""
    return {
        "done": state.done, "total": state.total, "steps_done": state.steps_done,
        "hints_html": render_template("worksheets/_hints.html", hints=state.hints),
        "panel_html": render_template("worksheets/_panel.html", panel=state.panel,
                                      lang=state.language) if state.panel else None,
        "draft": state.draft,
    }


def _editor(worksheet_id: int, step_id: str) -> WorksheetStep:
    return WorksheetStep(current_user, worksheet_id, step_id, get_library(), get_definitions(),
                         _ui(), _fragments)


@bp.get("/<int:worksheet_id>")
@login_required
def edit(worksheet_id: int):
    worksheet = owned_worksheet(current_user, worksheet_id)
    definition = _definition(worksheet)
    step = definition.step(worksheet.current_step) or definition.steps[0]
    return redirect(url_for("worksheets.step", worksheet_id=worksheet_id, step_id=step.id))


@bp.route("/<int:worksheet_id>/steps/<step_id>", methods=["GET", "POST"])
@login_required
def step(worksheet_id: int, step_id: str):
    worksheet = owned_worksheet(current_user, worksheet_id)
    definition = _definition(worksheet)
    step = _step(definition, step_id)
    if request.method == "GET":
        return _page(worksheet, definition, step)
    # CSRFProtect has checked the token of this post, as of every post.
    posted = form_inputs(step, request.form, _context(worksheet, definition))
    answer = save(_editor(worksheet_id, step.id), {
        "version": parse_version(request.form.get("version", "")), "step": step.id,
        "fields": posted})
    if answer.status == "invalid":
        abort(400)
    # `worksheet` reloads from the database after the save's commit.
    if answer.status == "conflict":
        # Keep what the user typed; the version now names the stored one, so saving again
        # deliberately keeps this tab's text.
        return _page(worksheet, definition, step, values=posted, status=409, conflict=True)
    if answer.status == "locked":
        flash(answer.message, "error")
        return _page(worksheet, definition, step, values=posted, status=423)
    if answer.errors:
        return _page(worksheet, definition, step, values=posted, errors=answer.errors,
                     status=422)
    index = definition.step_index(step.id)
    go = request.form.get("go", "stay")
    if go == "next" and index + 1 < len(definition.steps):
        target = definition.steps[index + 1].id
    elif go == "previous" and index > 0:
        target = definition.steps[index - 1].id
    else:
        target = step.id
        flash(_("Saved."), "success")
    return redirect(url_for("worksheets.step", worksheet_id=worksheet_id, step_id=target))


@bp.post("/<int:worksheet_id>/steps/<step_id>/autosave")
@login_required
def autosave(worksheet_id: int, step_id: str):
    answer = versioned_save(_editor(worksheet_id, step_id), request.get_data(cache=False))
    return jsonify(answer.as_json()), answer.http_status


@bp.get("/<int:worksheet_id>/not-saved")
@login_required
def not_saved(worksheet_id: int):
    """Texts refused because the worksheet had changed elsewhere, beside what it holds now."""
    worksheet = owned_worksheet(current_user, worksheet_id)
    definition = _definition(worksheet)
    ctx = _context(worksheet, definition)
    rows = []
    for refused in texts_not_saved(current_user, EDITOR, worksheet.id):
        step = definition.step(refused.step)
        if step is None:
            continue
        inputs = step_inputs(step, ctx)
        now = shown_values(step, worksheet.answers or {}, ctx)
        rows.append({"refused": refused, "step": step, "changes": [
            {"label": _input_label(step, name, ctx, inputs), "theirs": now.get(name, ""),
             "mine": value}
            for name, value in refused.payload.items()
            if name in inputs and _differs(value, now.get(name))]})
    return render_template("worksheets/not_saved.html", worksheet=worksheet,
                           definition=definition, rows=rows, lang=worksheet.canvas.language,
                           confirm=ConfirmForm())


def _differs(mine: Any, theirs: Any) -> bool:
    if isinstance(mine, bool) or isinstance(theirs, bool):
        return bool(mine) != bool(theirs)
    return str(mine if mine is not None else "") != str(theirs if theirs is not None else "")


def _input_label(step: Step, name: str, ctx: Context, inputs: dict) -> str:
    """An input's label with its field's, for lists of single inputs."""
    field_id = name.split("__")[0]
    f = step.field(field_id)
    own = inputs[name].label
    label = ctx.label(f) if f else field_id
    return f"{label}: {own}" if own and str(own) != label else label


@bp.post("/<int:worksheet_id>/not-saved/<int:refused_id>")
@login_required
def deal_with(worksheet_id: int, refused_id: int):
    """Put a refused text back (saved over what is there now) or dismiss it."""
    worksheet = owned_worksheet(current_user, worksheet_id)
    refused = owned_refused(current_user, refused_id)
    if refused.editor != EDITOR or refused.object_id != worksheet.id:
        abort(404)
    action = request.form.get("action")
    if not ConfirmForm().validate_on_submit() or action not in ("restore", "dismiss"):
        abort(400)
    with write_transaction():
        worksheet = owned_worksheet(current_user, worksheet_id)
        refused = owned_refused(current_user, refused_id)
        refused.dealt_with_at = utcnow()
        payload, step_id, version = dict(refused.payload), refused.step, worksheet.version
    if action == "restore":
        answer = save(_editor(worksheet_id, step_id),
                      {"version": version, "step": step_id, "fields": payload})
        if answer.status == "locked":
            flash(answer.message, "error")
            return redirect(url_for("worksheets.not_saved", worksheet_id=worksheet_id))
        if answer.errors:
            flash(_("Some of that text could not be put back; see the messages."), "error")
            return redirect(url_for("worksheets.step", worksheet_id=worksheet_id,
                                    step_id=step_id))
        flash(_("Your text is back in the worksheet."), "success")
        return redirect(url_for("worksheets.step", worksheet_id=worksheet_id, step_id=step_id))
    flash(_("Dismissed. The worksheet keeps what it holds now."), "info")
    return redirect(url_for("worksheets.not_saved", worksheet_id=worksheet_id))
