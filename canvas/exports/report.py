"""The worksheet report: every step with its questions and answers, the funnel (vector SVG),
the tactics table, the follow-up plan, the economics verdict and the reflections (pure).

Each field is shown by its type (worksheets/fields.py `report`) through its partial
`templates/pdf/fields/<template>.html`. Consecutive answers of one group (the numbers of the
economics step, the tactics a ladder maps) share one table: `templates/pdf/groups/<group>.html`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ..canvases.blocks import RELATIONSHIPS
from ..content.loader import Library
from ..i18n import gettext_in, pgettext_in
from ..interchange import CanvasDocument
from ..worksheets import analysis
from ..worksheets.definition import Field, Step, WorksheetDefinition
from ..worksheets.fields import Context
from ..worksheets.funnel import funnel_svg
from ..worksheets.options import ladder_steps
from . import pdf
from .pdf import FONT_FAMILY, RenderError
from .poster import credit, geometry


@dataclass
class Shown:
    """One field as the report shows it: its label, its type's partial and view."""

    field: Field
    label: str
    template: str
    view: dict[str, Any]

    @property
    def empty(self) -> bool:
        return bool(self.view.get("empty"))


@dataclass
class Group:
    """Consecutive answers shown as one table (`kind`: numbers, tactics)."""

    kind: str
    label: str
    answers: list[Shown] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return all(a.empty for a in self.answers)


def placements(definition: WorksheetDefinition, answers: Mapping[str, Any], library: Library,
               language: str) -> dict[str, str]:
    """Tactic id -> the ladder step it is placed on, as names ("Lead → Prospect"), prefixed
    with the ladder when it is not the chosen one."""
    placed: dict[str, str] = {}
    for _step, f in definition.all_fields():
        if f.type != "ladder":
            continue
        value = answers.get(f.id) or {}
        steps = {}
        for lid in f.ladders:
            page = library.page(language, lid)
            prefix = (f"{page.title}: " if page and len(f.ladders) > 1
                      and value.get("ladder") != lid else "")
            for low, high in ladder_steps(library, language, lid):
                steps[f"{lid}:{low.id}"] = (prefix + Markup(low.name).striptags() + " → "
                                            + Markup(high.name).striptags())
        for tactic, where in (value.get("tactics") or {}).items():
            if where in steps:
                placed[tactic] = steps[where]
    return placed


def step_answers(definition: WorksheetDefinition, step: Step, ctx: Context,
                 placed: Mapping[str, str]) -> list[Shown | Group]:
    """The step's fields as the report shows them, grouped where a table holds several."""
    out: list[Shown | Group] = []
    for f in step.fields:
        value = ctx.answers.get(f.id)
        view = f.kind.report(f, value, ctx)
        if f.type == "ladder" and not view.get("empty"):
            view = _with_funnel(step, f, view, ctx.language)
        shown = Shown(f, ctx.label(f), f.kind.template, view)
        group = view.get("group")
        if group == "tactics":
            rows = [{"cells": [row["name"], *[text for _label, text in row["details"]],
                               placed.get(entry_id, gettext_in(ctx.language, "Not mapped yet"))]}
                    for row, entry_id in zip(view["rows"], view["ids"], strict=True)]
            shown.view = {**view, "rows": rows}
        if group and out and isinstance(out[-1], Group) and out[-1].kind == group:
            out[-1].answers.append(shown)
        elif group:
            columns = []
            if group == "tactics":
                columns = [gettext_in(ctx.language, "Tactic"), *view["columns"],
                           pgettext_in(ctx.language, "ladder", "Step")]
            out.append(Group(group, step.title.get(ctx.language) if group == "tactics"
                             else shown.label, [shown], columns))
        else:
            out.append(shown)
    return out


def _with_funnel(step: Step, f: Field, view: dict[str, Any], language: str) -> dict[str, Any]:
    """The step's funnel, as the worksheet page draws it, in the embedded font."""
    if step.panel != "funnel" or step.panel_params.get("field") != f.id:
        return view
    svg = funnel_svg(view["result"], view["names"], view["title"],
                     analysis.funnel_words(language), language,
                     font_family=f"{FONT_FAMILY}, sans-serif")
    return {**view, "svg": svg}


def report_html(document: CanvasDocument, worksheet_index: int, library: Library,
                definitions: Mapping[str, WorksheetDefinition], env: jinja2.Environment,
                size: str, when: datetime | None = None,
                feedback: Mapping[str, Any] | None = None) -> str:
    """One worksheet of the document as a report: every step, its questions and answers,
    and the teacher's released feedback when given (canvas/classroom/review.py
    `report_feedback`: comments by field id, overall comment, rubric levels, outcome)."""
    if not 0 <= worksheet_index < len(document.worksheets):
        raise RenderError("the document has no such worksheet")
    ws = document.worksheets[worksheet_index]
    definition = definitions.get(ws.definition)
    if definition is None:
        raise RenderError(f"unknown worksheet {ws.definition!r}")
    language = document.language
    answers = dict(ws.answers)
    ctx = Context(library, language, language, answers, definition)
    placed = placements(definition, answers, library, language)
    steps = []
    for n, step in enumerate(definition.steps, start=1):
        economics = (analysis.economics_of(step.panel_params, answers)
                     if step.panel == "economics" else None)
        steps.append({"n": n, "step": step, "title": step.title.get(language),
                      "intro": step.intro.get(language) if step.intro else "",
                      "answers": step_answers(definition, step, ctx, placed),
                      "economics": economics})
    done, total = analysis.progress(definition, answers)
    when = pdf.today(when)
    return pdf.prepare(env, language).get_template("pdf/report.html").render(
        title=document.title, author=document.author, version=document.version,
        language=language, definition=definition, credit=credit(language),
        worksheet_title=definition.title.get(language), steps=steps, done=done, total=total,
        meta=pdf.meta(when), font=FONT_FAMILY, page_size=geometry(size).paper,
        feedback=_feedback(feedback, definition, language),
    )


def _feedback(feedback: Mapping[str, Any] | None, definition: WorksheetDefinition,
              language: str) -> dict[str, Any] | None:
    """The feedback as the report shows it: rubric levels as texts and points."""
    if not feedback:
        return None
    comments = feedback.get("comments") or {}
    scores = []
    rubric = definition.rubric
    for criterion in (rubric.criteria if rubric else ()):
        level = rubric.level((feedback.get("scores") or {}).get(criterion.id))
        if level is not None:
            scores.append({"criterion": criterion.title.get(language),
                           "level": level.title.get(language), "points": level.points,
                           "text": criterion.descriptor(level).get(language)})
    return {"assignment": str(feedback.get("assignment") or ""),
            "attempt": feedback.get("attempt"), "outcome": feedback.get("outcome") or "",
            "overall": str(feedback.get("overall") or ""),
            "comments": {str(k): str(v) for k, v in comments.items()}, "scores": scores,
            "points": rubric.points(feedback.get("scores") or {}) if rubric else None,
            "max_points": rubric.max_points if rubric else None}


def render_report(document: CanvasDocument, worksheet_index: int, library: Library,
                  definitions: Mapping[str, WorksheetDefinition], env: jinja2.Environment,
                  size: str, static_dir: Path | str, font_config: Any,
                  when: datetime | None = None,
                  feedback: Mapping[str, Any] | None = None) -> bytes:
    html = report_html(document, worksheet_index, library, definitions, env, size, when,
                       feedback)
    return pdf.html_to_pdf(html, static_dir, font_config)


def first_worksheet(document: CanvasDocument, definition_id: str = RELATIONSHIPS) -> int:
    """Index of the first worksheet of that kind (else the first worksheet), or -1."""
    for n, ws in enumerate(document.worksheets):
        if ws.definition == definition_id:
            return n
    return 0 if document.worksheets else -1

