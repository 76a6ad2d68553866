"""What the app computes from a worksheet's answers: ladder, economics, coaching hints, summary.

Plain functions over the definition, the stored answers and the content library.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from .. import numbers
from ..content.loader import Library
from ..i18n import gettext_in
from .definition import CoachRule, Field, Step, WorksheetDefinition
from .fields import Context, blank, ladder_of
from .funnel import funnel_svg
from .ladder import Economics, analyse_economics
from .options import chosen_tactics, option_names, tactic_names


def economics_of(params: dict[str, str], answers: dict[str, Any]) -> Economics:
    """Economics from the answer fields named by a step's panel parameters."""

    def get(key: str) -> float | None:
        value = answers.get(params.get(key, ""))
        return float(value) if isinstance(value, int | float) else None

    return analyse_economics(get("cost_to_win"), get("cost_to_keep"), get("average_order"),
                             get("orders_per_year"), get("years"), get("margin"))


# --- coaching -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Hint:
    message: str
    field: str | None = None


RuleCheck = Callable[[CoachRule, WorksheetDefinition, dict[str, Any], Library, str], list[dict]]
RULES: dict[str, RuleCheck] = {}


def rule(name: str) -> Callable[[RuleCheck], RuleCheck]:
    def register(fn: RuleCheck) -> RuleCheck:
        RULES[name] = fn
        return fn
    return register


def _names(library: Library, language: str, catalogue: str | None) -> dict[str, str]:
    return {i.id: str(i.name) for i in library.catalogue(language, catalogue or "")}


@rule("empty")
def _empty(r, d, answers, lib, lang):
    """The field has no answer yet."""
    return [{}] if blank(answers.get(r.params["field"])) else []


@rule("needs")
def _needs(r, d, answers, lib, lang):
    """The field is answered while another field it depends on is empty."""
    fields = r.params["field"] if isinstance(r.params["field"], list) else [r.params["field"]]
    used = any(not blank(answers.get(f)) for f in fields)
    return [{}] if used and blank(answers.get(r.params["requires"])) else []


@rule("detail_empty")
def _detail_empty(r, d, answers, lib, lang):
    """A chosen option whose explanation (why, how...) is still empty: one hint per option."""
    f = d.field(r.params["field"])
    names = _names(lib, lang, f.catalogue if f else None)
    out = []
    for entry in answers.get(r.params["field"]) or []:
        if isinstance(entry, dict) and blank(entry.get(r.params["detail"])):
            out.append({"option": names.get(entry.get("id"), entry.get("id"))})
    return out


@rule("weights_sum")
def _weights_sum(r, d, answers, lib, lang):
    """Weights given but not adding up to the stated total."""
    weights = {k: v for k, v in (answers.get(r.params["field"]) or {}).items() if v is not None}
    total = sum(weights.values())
    want = r.params.get("total", 100)
    return [{"total": total, "want": want}] if weights and total != want else []


def zero_weight_choices(weights_field: str, tactic_fields: dict[str, str],
                        answers: dict[str, Any]) -> list[tuple[str, str]]:
    """(motivation, tactic id) for every tactic chosen for a motivation weighted zero."""
    weights = answers.get(weights_field) or {}
    return [(motivation, entry["id"])
            for motivation, field_id in tactic_fields.items() if weights.get(motivation) == 0
            for entry in answers.get(field_id) or [] if isinstance(entry, dict) and "id" in entry]


def zero_weight_tactics(definition: WorksheetDefinition, answers: dict[str, Any]) -> list[str]:
    """Tactic ids chosen for a zero-weighted motivation, wherever the definition's
    `zero_weight_tactics` coaching rules say weights and tactics live."""
    return [tactic for step in definition.steps for r in step.coach
            if r.rule == "zero_weight_tactics"
            for _, tactic in zero_weight_choices(r.params["weights"], r.params["tactics"], answers)]


@rule("zero_weight_tactics")
def _zero_weight(r, d, answers, lib, lang):
    """Tactics chosen for a motivation that was weighted zero: one hint per motivation."""
    motivations = dict.fromkeys(m for m, _ in zero_weight_choices(
        r.params["weights"], r.params["tactics"], answers))
    out = []
    for motivation in motivations:
        page = lib.page(lang, motivation)
        out.append({"motivation": page.title if page else motivation})
    return out


@rule("ladder_grows")
def _ladder_grows(r, d, answers, lib, lang):
    """A rung holds more people than the rung below it."""
    f = d.field(r.params["field"])
    ladder_id, result = ladder_of(f, answers, lib, lang)
    if result is None:
        return []
    names = _names(lib, lang, ladder_id)
    return [{"rung": names.get(rung, rung)} for rung in result.grows_upward]


@rule("goal_missing")
def _goal_missing(r, d, answers, lib, lang):
    """A ladder step without a conversion goal: its effect cannot be measured."""
    f = d.field(r.params["field"])
    ladder_id, result = ladder_of(f, answers, lib, lang)
    if result is None:
        return []
    names = _names(lib, lang, ladder_id)
    return [{"step": f"{names.get(s.from_rung)} → {names.get(s.to_rung)}"}
            for s in result.steps if s.goal is None]


@rule("below_goal")
def _below_goal(r, d, answers, lib, lang):
    """A step whose actual conversion is below its goal."""
    f = d.field(r.params["field"])
    ladder_id, result = ladder_of(f, answers, lib, lang)
    if result is None:
        return []
    names = _names(lib, lang, ladder_id)
    return [{"step": f"{names.get(s.from_rung)} → {names.get(s.to_rung)}",
             "gap": f"{abs(s.gap) * 100:.0f}"}
            for s in result.steps if s.gap is not None and s.gap < 0]


@rule("tactic_unmapped")
def _tactic_unmapped(r, d, answers, lib, lang):
    """A chosen tactic not yet placed on a ladder step."""
    f = d.field(r.params["field"])
    value = answers.get(f.id) or {}
    placed = value.get("tactics") or {}
    out = []
    names = tactic_names(d, f, lib, lang)
    for tactic in chosen_tactics(f.tactics_from, answers):
        if not placed.get(tactic):
            out.append({"tactic": names.get(tactic, tactic)})
    return out


@rule("value_below_cost")
def _value_below_cost(r, d, answers, lib, lang):
    """The lifetime value does not cover the cost of the relationship."""
    result = economics_of(r.params, answers)
    return [{}] if result.value_exceeds_cost is False else []


@rule("unchecked")
def _unchecked(r, d, answers, lib, lang):
    """A check marked done with no word on how it will be verified."""
    f = d.field(r.params["field"])
    names = _names(lib, lang, f.catalogue if f else None)
    out = []
    for oid, entry in (answers.get(r.params["field"]) or {}).items():
        if entry.get("done") and blank(entry.get(r.params["detail"])):
            out.append({"option": names.get(oid, oid)})
    return out


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def coach(definition: WorksheetDefinition, step: Step, answers: dict[str, Any],
          library: Library, language: str) -> list[Hint]:
    """Gentle, specific hints for one step, worked out from everything typed so far."""
    hints: list[Hint] = []
    for r in step.coach:
        check = RULES.get(r.rule)
        if check is None:
            continue
        for values in check(r, definition, answers, library, language):
            text = string.Formatter().vformat(r.message.get(language), (), _Blank(values))
            hints.append(Hint(text, r.params.get("field") if isinstance(
                r.params.get("field"), str) else None))
    return hints


# --- what the step page and the PDF report draw -----------------------------------------------

def funnel_words(language: str) -> dict[str, str]:
    """The words drawn into the funnel picture, in `language`."""
    return {"goal": gettext_in(language, "goal"),
            "scale": gettext_in(language, "bar width on a log scale")}


def panel_context(definition: WorksheetDefinition, step: Step, answers: dict[str, Any],
                  library: Library, language: str, ui: str | None = None
                  ) -> dict[str, Any] | None:
    """What a step's computed picture needs: the funnel or the economics verdict. The funnel
    is a picture of the canvas's ladder, all in its content `language` (as in the PDF)."""
    if step.panel == "funnel":
        field = definition.field(step.panel_params.get("field", ""))
        ladder_id, result = ladder_of(field, answers, library, language)
        if result is None:
            return {"kind": "funnel", "result": None}
        rungs = library.catalogue(language, ladder_id)
        names = {r.id: Markup(r.name).striptags() for r in rungs}
        page = library.page(language, ladder_id)
        return {"kind": "funnel", "result": result, "names": names,
                "svg": funnel_svg(result, names, page.title if page else ladder_id,
                                  funnel_words(language), language)}
    if step.panel == "economics":
        return {"kind": "economics", "result": economics_of(step.panel_params, answers)}
    return None


@dataclass(frozen=True)
class Feed:
    """What a worksheet shows in its canvas block (declared under `feeds:` in its YAML):
    the summary, the relationship types chosen and the tactics its ladder maps."""

    summary: str
    summary_is_draft: bool
    types: tuple[str, ...]
    types_title: str
    tactics: tuple[str, ...]
    tactics_title: str


def summary_field_of(definition: WorksheetDefinition) -> Field | None:
    """The field that holds the worksheet's summary text, if any."""
    if definition.feeds and definition.feeds.summary:
        return definition.field(definition.feeds.summary)
    return next((f for _, f in definition.all_fields() if f.generate == "summary"), None)


def _step_title(definition: WorksheetDefinition, field_id: str, language: str) -> str:
    return next((s.title.get(language) for s, f in definition.all_fields() if f.id == field_id),
                "")


def block_feed(definition: WorksheetDefinition, answers: dict[str, Any], library: Library,
               language: str) -> Feed | None:
    """What one worksheet shows in the block it feeds, or None if it feeds none; the draft
    stands in for an unwritten summary."""
    feeds = definition.feeds
    if feeds is None:
        return None
    summary_field = summary_field_of(definition)
    summary = answers.get(summary_field.id) if summary_field else None
    summary = summary.strip() if isinstance(summary, str) else ""
    is_draft = False
    if summary_field and not summary:
        summary = draft_summary(definition, answers, library, language).strip()
        is_draft = bool(summary)
    types: list[str] = []
    types_title = ""
    if feeds.types:
        field = definition.field(feeds.types)
        names = option_names(field, library, language)
        value = answers.get(feeds.types)
        chosen = [value] if isinstance(value, str) else [
            e.get("id") for e in value or [] if isinstance(e, dict)]
        types = [names.get(c, c) for c in chosen if c]
        types_title = _step_title(definition, feeds.types, language)
    tactics: list[str] = []
    tactics_title = ""
    ladder = definition.field(feeds.tactics) if feeds.tactics else None
    if ladder is not None and ladder.tactics_from:
        names = tactic_names(definition, ladder, library, language)
        tactics = [names.get(t, t) for t in chosen_tactics(ladder.tactics_from, answers)]
        tactics_title = _step_title(definition, ladder.tactics_from[0], language)
    return Feed(summary, is_draft, tuple(types), types_title, tuple(tactics), tactics_title)


def other_block_texts(definition: WorksheetDefinition, answers: dict[str, Any]
                      ) -> dict[str, str]:
    """Block id -> the text answer the worksheet shows in that block besides its own
    (`feeds: blocks:`; the segment and the value proposition of the first step)."""
    if definition.feeds is None:
        return {}
    out = {}
    for block, field_id in definition.feeds.others:
        value = answers.get(field_id)
        if isinstance(value, str) and value.strip():
            out[block] = value.strip()
    return out


# --- progress and summary -------------------------------------------------------------------

def step_done(step: Step, answers: dict[str, Any]) -> bool:
    """A step counts as done when at least one of its fields has an answer."""
    return any(f.kind.answered(f, answers.get(f.id)) for f in step.fields)


def missing_required(definition: WorksheetDefinition, answers: dict[str, Any]
                     ) -> list[tuple[Step, Field]]:
    """The required fields still unanswered, in the worksheet's order: what stands between
    the worksheet and handing it in. Saving never depends on it."""
    return [(s, f) for s, f in definition.all_fields()
            if f.required and not f.kind.answered(f, answers.get(f.id))]


def progress(definition: WorksheetDefinition, answers: dict[str, Any]) -> tuple[int, int]:
    """(steps done, steps in all)."""
    done = sum(1 for s in definition.steps if step_done(s, answers))
    return done, len(definition.steps)


def summary_values(definition: WorksheetDefinition, answers: dict[str, Any], library: Library,
                   language: str) -> dict[str, str]:
    """The facts the summary template can mention, as display text."""
    ctx = Context(library, language, language, answers, definition)
    values: dict[str, str] = {}
    for _, f in definition.all_fields():
        value = answers.get(f.id)
        if f.kind.answered(f, value):
            values.update(f.kind.summary(f, value, ctx))
    for step in definition.steps:
        if step.panel == "economics":
            result = economics_of(step.panel_params, answers)
            if result.lifetime_value is not None:
                values["lifetime_value"] = numbers.whole(result.lifetime_value)
            if result.relationship_cost is not None:
                values["relationship_cost"] = numbers.whole(result.relationship_cost)
    return values


def draft_summary(definition: WorksheetDefinition, answers: dict[str, Any], library: Library,
                  language: str) -> str:
    """A draft text for the canvas block: template lines whose facts are all known."""
    values = summary_values(definition, answers, library, language)
    lines = []
    for line in definition.summary_template.get(language, ()):
        wanted = [fname for _, fname, _, _ in string.Formatter().parse(line) if fname]
        if all(values.get(w) for w in wanted):
            lines.append(line.format_map(values))
    return "\n".join(lines)
