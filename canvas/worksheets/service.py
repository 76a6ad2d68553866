"""The worksheet editor's logic: what a step shows, reading a step's inputs, and the
worksheet's adapter to the save protocol (canvas/saving.py). No request, no session."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from werkzeug.exceptions import NotFound

from ..access import owned_worksheet
from ..classroom.locks import canvas_lock
from ..content.loader import Library
from ..extensions import db
from ..models import RefusedSave, User, Worksheet, utcnow
from ..saving import Applied, BadPayload
from ..text import encodable
from . import analysis
from .definition import Step, WorksheetDefinition
from .fields import AnswerError, Context, Input, Reading, empty_answers

MAX_INPUTS = 2000  # far above any real step; a body with more is refused
MAX_REFUSED = 20  # refused saves kept per worksheet (the oldest go first)
EDITOR = "worksheet"


# --- a step's inputs, read and shown ---------------------------------------------------------

def step_inputs(step: Step, ctx: Context) -> dict[str, Input]:
    """Every input of the step, by name, in the order the editor shows them."""
    return {i.name: i for f in step.fields for i in f.kind.inputs(f, ctx)}


def shown_values(step: Step, answers: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    """What each input of the step shows for the stored answers."""
    out: dict[str, Any] = {}
    for f in step.fields:
        if f.id in answers:
            out.update(f.kind.shown(f, answers[f.id], ctx))
    return out


def _canonical(f: Any, value: Any, ctx: Context) -> Any:
    try:
        return f.kind.clean(f, value, ctx)
    except AnswerError:
        return value


@dataclass
class StepReading:
    """The step's answers that change, and the refused inputs with their messages."""

    changes: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)


def read_step(step: Step, posted: Mapping[str, Any], ctx: Context) -> StepReading:
    """Apply the posted inputs to the stored answers (`ctx.answers`). Only inputs present
    change anything; a refused input keeps its stored part; unknown inputs are reported."""
    known = step_inputs(step, ctx)
    out = StepReading()
    for f in step.fields:
        mine = {n: posted[n] for n in (i.name for i in f.kind.inputs(f, ctx)) if n in posted}
        if not mine:
            continue
        stored = ctx.answers.get(f.id)
        reading: Reading = f.kind.read(f, stored, mine, ctx)
        out.errors.update(reading.errors)
        if reading.value != _canonical(f, stored, ctx):
            out.changes[f.id] = reading.value
    for key in [k for k in posted if k not in known][:20]:
        out.errors[key] = [ctx.say("This app does not know that field.")]
    return out


def form_inputs(step: Step, form: Mapping[str, str], ctx: Context) -> dict[str, Any]:
    """What a plain form post means: its values, and boxes left out as unticked."""
    inputs = empty_answers(list(step_inputs(step, ctx).values()))
    inputs.update({k: v for k, v in form.items() if k not in ("csrf_token", "version", "go")})
    return inputs


def parse_fields(raw: Any) -> dict[str, Any]:
    """The `fields` of an autosave body: input name -> text, number, true/false or null."""
    if not isinstance(raw, dict) or len(raw) > MAX_INPUTS:
        raise BadPayload("`fields` must be an object of input names and values")
    for key, value in raw.items():
        if not encodable(key):
            raise BadPayload("input names must be valid text")
        if isinstance(value, str) and not encodable(value):
            raise BadPayload(f"{key}: the text holds characters that are not valid text")
        if not (value is None or isinstance(value, str | bool | int | float)):
            raise BadPayload(f"{key}: values must be text, numbers, true/false or null")
        if isinstance(value, float) and not math.isfinite(value):
            raise BadPayload(f"{key}: not a finite number")
    return raw


# --- what a step shows besides its inputs ----------------------------------------------------

@dataclass
class StepState:
    """What the step page draws from the answers, and the autosave answer redraws."""

    done: int
    total: int
    steps_done: dict[str, bool]
    hints: list[analysis.Hint]
    panel: dict[str, Any] | None
    draft: str | None
    language: str  # the canvas's: how the panel writes numbers
    missing_required: list = field(default_factory=list)  # (step, field) still to answer


def step_state(definition: WorksheetDefinition, step: Step, answers: Mapping[str, Any],
               library: Library, language: str, ui: str) -> StepState:
    answers = dict(answers)
    done, total = analysis.progress(definition, answers)
    draft = None
    if any(f.generate == "summary" for f in step.fields):
        draft = analysis.draft_summary(definition, answers, library, language)
    return StepState(
        done, total, {s.id: analysis.step_done(s, answers) for s in definition.steps},
        analysis.coach(definition, step, answers, library, language),
        analysis.panel_context(definition, step, answers, library, language, ui), draft,
        language, analysis.missing_required(definition, answers))


# --- the worksheet's adapter to the save protocol --------------------------------------------



class WorksheetStep:
    """One step of a worksheet as an editor of the save protocol. The body is
    `{"version", "step", "fields": {input name: value}}`."""

    def __init__(self, user: User, worksheet_id: int, step_id: str, library: Library,
                 definitions: Mapping[str, WorksheetDefinition], ui: str,
                 redraw: Callable[[StepState], dict[str, Any]] | None = None) -> None:
        self.user, self.worksheet_id, self.step_id = user, worksheet_id, step_id
        self.library, self.definitions, self.ui = library, definitions, ui
        self._redraw = redraw
        self.definition: WorksheetDefinition | None = None
        self.step: Step | None = None

    def read(self, body: Mapping[str, Any]) -> dict[str, Any]:
        if body.get("step") != self.step_id:
            raise BadPayload("the step in the body does not match the address")
        return parse_fields(body.get("fields"))

    def load(self) -> Worksheet:
        worksheet = owned_worksheet(self.user, self.worksheet_id)
        self.definition = self.definitions.get(worksheet.definition_id)
        self.step = self.definition.step(self.step_id) if self.definition else None
        if self.step is None:
            raise NotFound()
        return worksheet

    def locked(self, worksheet: Worksheet) -> str | None:
        """Handed-in work stays as handed in until the teacher gives it back."""
        return canvas_lock(worksheet.canvas_id)

    def context(self, worksheet: Worksheet) -> Context:
        return Context(self.library, worksheet.canvas.language, self.ui,
                       worksheet.answers or {}, self.definition)

    def apply(self, worksheet: Worksheet, posted: dict[str, Any], *,
              dry_run: bool = False) -> Applied:
        reading = read_step(self.step, posted, self.context(worksheet))
        if reading.changes and not dry_run:
            # A new dict, so SQLAlchemy sees the JSON change.
            worksheet.answers = {**(worksheet.answers or {}), **reading.changes}
            worksheet.version += 1
            worksheet.current_step = self.step.id
            worksheet.updated_at = utcnow()
            worksheet.canvas.updated_at = worksheet.updated_at
        # The page is redrawn from these after the commit, not while holding the write lock.
        state = (dict(worksheet.answers or {}), worksheet.canvas.language)
        return Applied(bool(reading.changes), reading.errors, state)

    def refuse(self, worksheet: Worksheet, posted: dict[str, Any], based_on: int) -> None:
        known = step_inputs(self.step, self.context(worksheet))
        keep(RefusedSave(owner_id=self.user.id, editor=EDITOR, object_id=worksheet.id,
                         canvas_id=worksheet.canvas_id, based_on_version=based_on,
                         step=self.step.id,
                         payload={k: v for k, v in posted.items() if k in known}))

    def theirs(self, worksheet: Worksheet) -> dict[str, Any]:
        ctx = self.context(worksheet)
        return {**empty_answers(list(step_inputs(self.step, ctx).values())),
                **shown_values(self.step, worksheet.answers or {}, ctx)}

    def redraw(self, applied: Applied) -> dict[str, Any]:
        if self._redraw is None:
            return {}
        answers, language = applied.state
        return self._redraw(step_state(self.definition, self.step, answers, self.library,
                                       language, self.ui))


# --- refused saves ("texts not saved") -------------------------------------------------------

def keep(refused: RefusedSave) -> None:
    """Store a refused save, dropping the oldest beyond MAX_REFUSED for the same object."""
    db.session.add(refused)
    db.session.flush()
    ids = list(db.session.scalars(
        select(RefusedSave.id).where(RefusedSave.editor == refused.editor,
                                     RefusedSave.object_id == refused.object_id)
        .order_by(RefusedSave.id.desc()).offset(MAX_REFUSED)))
    if ids:
        db.session.execute(delete(RefusedSave).where(RefusedSave.id.in_(ids)))


def texts_not_saved(user: User, editor: str, object_id: int) -> list[RefusedSave]:
    """The refused saves of an object its owner has not dealt with yet, newest first."""
    return list(db.session.scalars(
        select(RefusedSave).where(RefusedSave.owner_id == user.id, RefusedSave.editor == editor,
                                  RefusedSave.object_id == object_id,
                                  RefusedSave.dealt_with_at.is_(None))
        .order_by(RefusedSave.id.desc())))


def count_not_saved(user: User, editor: str, object_id: int) -> int:
    return db.session.scalar(
        select(func.count(RefusedSave.id)).where(
            RefusedSave.owner_id == user.id, RefusedSave.editor == editor,
            RefusedSave.object_id == object_id, RefusedSave.dealt_with_at.is_(None))) or 0


def owned_refused(user: User, refused_id: int) -> RefusedSave:
    refused = db.session.get(RefusedSave, refused_id)
    if refused is None or refused.owner_id != user.id or refused.dealt_with_at is not None:
        raise NotFound()
    return refused


def purge_refused(days: int) -> int:
    """Delete refused saves older than `days` (the recycle bin's time); returns how many."""
    from datetime import timedelta

    limit = utcnow() - timedelta(days=days)
    result = db.session.execute(delete(RefusedSave).where(RefusedSave.created_at < limit))
    return result.rowcount or 0
