"""Worksheet editor routes.

    /worksheets/<id>                          GET        continue where the user left off
    /worksheets/<id>/steps/<step>             GET, POST  one step; POST is the no-JavaScript save
    /worksheets/<id>/steps/<step>/autosave    POST       JSON autosave (CSRF token in a header)
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..canvases.service import owned_worksheet
from ..content.loader import Library
from ..library import get_definitions, get_library
from . import analysis
from .definition import Step, WorksheetDefinition
from .forms import (
    answers_from_form,
    build_form_class,
    field_errors,
    formdata_from_answers,
    ladder_steps,
    name,
    options_for,
    validate_step,
)
from .messages import EDITOR
from .service import BadPayload, Conflict, parse_autosave, parse_version, save_answers

bp = Blueprint("worksheets", __name__, url_prefix="/worksheets")

def _definition(worksheet) -> WorksheetDefinition:  # noqa: ANN001
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
        page_id, _, item_id = ref.partition("#")
        page = library.page(language, page_id)
        if page is None:
            continue
        item = page.item(item_id) if item_id else None
        out.append({"page": page, "item": item, "ref": ref})
    return out


def _render(worksheet, definition, step, form, *, status: int = 200,  # noqa: ANN001
            conflict: bool = False):
    library, language = get_library(), worksheet.canvas.language
    answers = worksheet.answers or {}
    done, total = analysis.progress(definition, answers)
    draft = None
    if any(f.generate == "summary" for f in step.fields):
        draft = analysis.draft_summary(definition, answers, library, language)
    return render_template(
        "worksheets/step.html", worksheet=worksheet, definition=definition, step=step,
        form=form, language=language, library=library, lang=language,
        index=definition.step_index(step.id), done=done, total=total,
        steps_done={s.id: analysis.step_done(s, answers) for s in definition.steps},
        hints=analysis.coach(definition, step, answers, library, language),
        panel=analysis.panel_context(definition, step, answers, library, language),
        teaching=teaching(step, library, language), draft=draft, conflict=conflict,
        options_for=lambda f: options_for(f, library, language), flat=name,
        ladder_steps=lambda lid: ladder_steps(library, language, lid),
        words=EDITOR.get(language, EDITOR["en"]),
        label_of=lambda f: analysis.label_of(f, library, language),
    ), status


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
    library, language = get_library(), worksheet.canvas.language
    form_class = build_form_class(step, library, language, worksheet.answers or {})
    if request.method == "GET":
        form = form_class(data=formdata_from_answers(step, worksheet.answers or {}))
        return _render(worksheet, definition, step, form)

    form = form_class(formdata=request.form)
    validate_step(step, form, library, language)
    new_answers = answers_from_form(step, form, library, language)
    based_on = parse_version(request.form.get("version", ""))
    try:
        save_answers(current_user, worksheet_id, step.id, based_on, new_answers,
                     refused_payload=json.dumps(request.form.to_dict(flat=False)))
    except Conflict:
        # `worksheet` reloads from the database after the save's commit. Keep what the user
        # typed in the form; the version now names the stored one, so saving again
        # deliberately keeps this tab's text.
        return _render(worksheet, definition, step, form, status=409, conflict=True)
    if field_errors(step, form):
        return _render(worksheet, definition, step, form, status=422)
    index = definition.step_index(step.id)
    go = request.form.get("go", "stay")
    if go == "next" and index + 1 < len(definition.steps):
        target = definition.steps[index + 1].id
    elif go == "previous" and index > 0:
        target = definition.steps[index - 1].id
    else:
        target = step.id
        flash("Saved.", "success")
    return redirect(url_for("worksheets.step", worksheet_id=worksheet_id, step_id=target))


@bp.post("/<int:worksheet_id>/steps/<step_id>/autosave")
@login_required
def autosave(worksheet_id: int, step_id: str):
    worksheet = owned_worksheet(current_user, worksheet_id)
    definition = _definition(worksheet)
    step = _step(definition, step_id)
    library, language = get_library(), worksheet.canvas.language
    try:
        version, payload_step, formdata = parse_autosave(request.get_data(cache=False),
                                                         language)
    except BadPayload as exc:
        return jsonify(status="invalid", message=str(exc)), 400
    if payload_step != step.id:
        return jsonify(status="invalid", message="the step in the body does not match the URL"), 400
    form_class = build_form_class(step, library, language, worksheet.answers or {})
    form = form_class(formdata=formdata)
    unknown = [key for key in formdata if key not in form._fields]
    validate_step(step, form, library, language)
    errors = {flat: errs for flat, errs in form.errors.items() if errs}
    for key in unknown[:20]:
        errors[key] = ["This app does not know that field."]
    new_answers = answers_from_form(step, form, library, language)
    try:
        result = save_answers(current_user, worksheet_id, step.id, version, new_answers,
                              refused_payload=json.dumps(formdata.to_dict(flat=False)))
    except Conflict as exc:
        theirs = form_class(data=formdata_from_answers(step, worksheet.answers or {}))
        return jsonify(status="conflict", version=exc.current_version,
                       theirs={k: _plain(f) for k, f in theirs._fields.items()}), 409
    answers = result.answers
    done, total = analysis.progress(definition, answers)
    hints = analysis.coach(definition, step, answers, library, language)
    panel = analysis.panel_context(definition, step, answers, library, language)
    draft = (analysis.draft_summary(definition, answers, library, language)
             if any(f.generate == "summary" for f in step.fields) else None)
    return jsonify(
        status="partial" if errors else "saved", version=result.version, errors=errors,
        done=done, total=total,
        steps_done={s.id: analysis.step_done(s, answers) for s in definition.steps},
        hints_html=render_template("worksheets/_hints.html", hints=hints,
                                   words=EDITOR.get(language, EDITOR["en"])),
        panel_html=render_template("worksheets/_panel.html", panel=panel, lang=language,
                                   words=EDITOR.get(language, EDITOR["en"]))
        if panel else None,
        draft=draft,
    ), 422 if errors else 200


def _plain(field) -> Any:  # noqa: ANN001
    """A field's value as the editor sends it."""
    if field.type == "BooleanField":
        return bool(field.data)
    return field._value() if hasattr(field, "_value") else field.data
