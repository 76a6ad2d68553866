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
from ..funnel import funnel_svg
from ..ladder import Economics, LadderResult, analyse_economics, analyse_ladder
from .definition import CoachRule, Field, Step, WorksheetDefinition
from .forms import chosen_tactics
from .messages import FUNNEL_WORDS


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | dict):
        return len(value) == 0
    return False


def ladder_of(field: Field, answers: dict[str, Any], library: Library, language: str
              ) -> tuple[str | None, LadderResult | None]:
    """The chosen ladder id and its analysis, or (None, None) before a ladder is chosen."""
    value = answers.get(field.id) or {}
    ladder_id = value.get("ladder")
    if ladder_id not in field.ladders:
        return None, None
    rungs = [r.id for r in library.catalogue(language, ladder_id)]
    part = value.get(ladder_id) or {}
    return ladder_id, analyse_ladder(rungs, part.get("counts") or {}, part.get("goals") or {})


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
def _empty(r, d, answers, lib, lang):  # noqa: ANN001, ANN202
    """The field has no answer yet."""
    return [{}] if _blank(answers.get(r.params["field"])) else []


@rule("needs")
def _needs(r, d, answers, lib, lang):  # noqa: ANN001, ANN202
    """The field is answered while another field it depends on is empty."""
    fields = r.params["field"] if isinstance(r.params["field"], list) else [r.params["field"]]
    used = any(not _blank(answers.get(f)) for f in fields)
    return [{}] if used and _blank(answers.get(r.params["requires"])) else []


@rule("detail_empty")
def _detail_empty(r, d, answers, lib, lang):  # noqa: ANN001, ANN202
    """A chosen option whose explanation (why, how...) is still empty: one hint per option."""
    f = d.field(r.params["field"])
    names = _names(lib, lang, f.catalogue if f else None)
    out = []
    for entry in answers.get(r.params["field"]) or []:
        if isinstance(entry, dict) and _blank(entry.get(r.params["detail"])):
            out.append({"option": names.get(entry.get("id"), entry.get("id"))})
    return out


@rule("weights_sum")
def _weights_sum(r, d, answers, lib, lang):  # noqa: ANN001, ANN202
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
def _zero_weight(r, d, answers, lib, lang):  # noqa: ANN001, ANN202
    """Tactics chosen for a motivation that was weighted zero: one hint per motivation."""
    motivations = dict.fromkeys(m for m, _ in zero_weight_choices(
        r.params["weights"], r.params["tactics"], answers))
    out = []
    for motivation in motivations:
        page = lib.page(lang, motivation)
        out.append({"motivation": page.title if page else motivation})
    return out


@rule("ladder_grows")
def _ladder_grows(r, d, answers, lib, lang):  # noqa: ANN001, ANN202
    """A rung holds more people than the rung below it."""
    f = d.field(r.params["field"])
    ladder_id, result = ladder_of(f, answers, lib, lang)
    if result is None:
        return []
    names = _names(lib, lang, ladder_id)
    return [{"rung": names.get(rung, rung)} for rung in result.grows_upward]


@rule("goal_missing")
def _goal_missing(r, d, answers, lib, lang):  # noqa: ANN001, ANN202
    """A ladder step without a conversion goal: its effect cannot be measured."""
    f = d.field(r.params["field"])
    ladder_id, result = ladder_of(f, answers, lib, lang)
    if result is None:
        return []
    names = _names(lib, lang, ladder_id)
    return [{"step": f"{names.get(s.from_rung)} → {names.get(s.to_rung)}"}
            for s in result.steps if s.goal is None]


@rule("below_goal")
def _below_goal(r, d, answers, lib, lang):  # noqa: ANN001, ANN202
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
def _tactic_unmapped(r, d, answers, lib, lang):  # noqa: ANN001, ANN202
    """A chosen tactic not yet placed on a ladder step."""
    f = d.field(r.params["field"])
    value = answers.get(f.id) or {}
    placed = value.get("tactics") or {}
    out = []
    for tactic in chosen_tactics(f.tactics_from, answers):
        if not placed.get(tactic):
            item = next((i for m in ("acquisition", "retention", "upselling", "service")
                         for i in lib.catalogue(lang, m) if i.id == tactic), None)
            out.append({"tactic": str(item.name) if item else tactic})
    return out


@rule("value_below_cost")
def _value_below_cost(r, d, answers, lib, lang):  # noqa: ANN001, ANN202
    """The lifetime value does not cover the cost of the relationship."""
    result = economics_of(r.params, answers)
    return [{}] if result.value_exceeds_cost is False else []


@rule("unchecked")
def _unchecked(r, d, answers, lib, lang):  # noqa: ANN001, ANN202
    """A check marked done with no word on how it will be verified."""
    f = d.field(r.params["field"])
    names = _names(lib, lang, f.catalogue if f else None)
    out = []
    for oid, entry in (answers.get(r.params["field"]) or {}).items():
        if entry.get("done") and _blank(entry.get(r.params["detail"])):
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

def label_of(field: Field, library: Library, language: str) -> str:
    """A field's label: its own text, or the question of the content item it points to."""
    if field.label_from:
        item = library.item(language, field.label_from)
        if item is not None:
            return Markup(item.html.get("question") or item.name).striptags()
    return field.label.get(language)


def panel_context(definition: WorksheetDefinition, step: Step, answers: dict[str, Any],
                  library: Library, language: str) -> dict[str, Any] | None:
    """What a step's computed picture needs: the funnel or the economics verdict."""
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
                                  FUNNEL_WORDS.get(language), language)}
    if step.panel == "economics":
        return {"kind": "economics", "result": economics_of(step.panel_params, answers)}
    return None


@dataclass(frozen=True)
class Feed:
    """What a worksheet contributes to its canvas block: summary, relationship types, tactics.

    Found from the definition alone: the summary is the field that offers a generated draft,
    the types are choices from the `service` catalogue, the tactics those a ladder maps.
    """

    summary: str
    summary_is_draft: bool
    types: tuple[str, ...]
    types_title: str
    tactics: tuple[str, ...]
    tactics_title: str


def summary_field_of(definition: WorksheetDefinition) -> Field | None:
    """The field that holds the worksheet's summary text (`generate: summary`), if any."""
    return next((f for _, f in definition.all_fields() if f.generate == "summary"), None)


def relationship_feed(definition: WorksheetDefinition, answers: dict[str, Any],
                      library: Library, language: str) -> Feed:
    """The feed of one worksheet; the draft stands in for an unwritten summary."""
    summary_field = summary_field_of(definition)
    summary = answers.get(summary_field.id) if summary_field else None
    summary = summary.strip() if isinstance(summary, str) else ""
    is_draft = False
    if summary_field and not summary:
        summary = draft_summary(definition, answers, library, language).strip()
        is_draft = bool(summary)
    types: list[str] = []
    types_title = ""
    tactics: list[str] = []
    tactics_title = ""
    for step, f in definition.all_fields():
        if f.type == "multi_choice" and f.catalogue == "service":
            names = _names(library, language, f.catalogue)
            types += [Markup(names.get(e["id"], e["id"])).striptags()
                      for e in answers.get(f.id) or [] if isinstance(e, dict) and "id" in e]
            types_title = types_title or step.title.get(language)
        if f.type == "ladder" and f.tactics_from:
            names = {}
            for source in f.tactics_from:
                source_field = definition.field(source)
                if source_field is not None:
                    names.update(_names(library, language, source_field.catalogue))
                    tactics_title = tactics_title or next(
                        s.title.get(language) for s, g in definition.all_fields() if g.id == source)
            tactics += [Markup(names.get(t, t)).striptags()
                        for t in chosen_tactics(f.tactics_from, answers)]
    return Feed(summary, is_draft, tuple(types), types_title, tuple(tactics), tactics_title)


# --- progress and summary -------------------------------------------------------------------

def step_done(step: Step, answers: dict[str, Any]) -> bool:
    """A step counts as done when at least one of its fields has an answer."""
    return any(_answered(f, answers.get(f.id)) for f in step.fields)


def _answered(field: Field, value: Any) -> bool:
    if field.type == "checklist":
        return any(e.get("done") for e in (value or {}).values())
    if field.type == "weights":
        return any(v is not None for v in (value or {}).values())
    if field.type == "ladder":
        return bool((value or {}).get("ladder"))
    return not _blank(value)


def progress(definition: WorksheetDefinition, answers: dict[str, Any]) -> tuple[int, int]:
    """(steps done, steps in all)."""
    done = sum(1 for s in definition.steps if step_done(s, answers))
    return done, len(definition.steps)


def _join(names: list[str], language: str) -> str:
    word = {"en": "and", "da": "og", "nb": "og"}.get(language, "and")
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {word} {names[-1]}"


def _money(value: float | None) -> str:
    """Whole kroner as the panels show them (thin spaces between thousands); '' if unknown."""
    return "" if value is None else numbers.whole(value)


def summary_values(definition: WorksheetDefinition, answers: dict[str, Any], library: Library,
                   language: str) -> dict[str, str]:
    """The facts the summary template can mention, as display text."""
    def plain(html: str) -> str:
        return Markup(html).striptags()

    values: dict[str, str] = {}
    for _, f in definition.all_fields():
        value = answers.get(f.id)
        if f.type in ("short_text", "long_text") and isinstance(value, str):
            values[f.id] = value.strip()
        elif f.type == "number" and value is not None:
            values[f.id] = _money(value)
        elif f.type == "single_choice" and value:
            item = next((i for i in library.catalogue(language, f.catalogue or "")
                         if i.id == value), None)
            values[f.id] = plain(item.name).lower() if item else str(value)
        elif f.type == "multi_choice" and value:
            names = _names(library, language, f.catalogue)
            values[f.id] = _join([plain(names.get(e["id"], e["id"])).lower() for e in value],
                                 language)
        elif f.type == "weights" and value:
            ranked = sorted(((v, k) for k, v in value.items() if v), reverse=True)
            if ranked:
                label = dict(f.options).get(ranked[0][1])
                text = label.get(language) if label else ranked[0][1]
                values[f"{f.id}_top"] = text[:1].lower() + text[1:]
        elif f.type == "ladder" and value:
            ladder_id, result = ladder_of(f, answers, library, language)
            if result is not None:
                page = library.page(language, ladder_id)
                title = page.title if page else ladder_id
                # Used mid-sentence: "On the customer ladder", "På kundestigen".
                values[f"{f.id}_name"] = title[:1].lower() + title[1:]
                top = library.catalogue(language, ladder_id)[-1]
                values[f"{f.id}_top_rung"] = plain(top.name).lower()
                if result.expected_top is not None:
                    values[f"{f.id}_expected_top"] = _money(result.expected_top)
    for step in definition.steps:
        if step.panel == "economics":
            result = economics_of(step.panel_params, answers)
            if result.lifetime_value is not None:
                values["lifetime_value"] = _money(result.lifetime_value)
            if result.relationship_cost is not None:
                values["relationship_cost"] = _money(result.relationship_cost)
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
