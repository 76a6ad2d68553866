"""Worksheet definitions: YAML files under `content/worksheets/`, parsed into plain objects.

A definition declares steps and fields; every user-facing text is a mapping of language to
text, so one file carries English, Danish and Norwegian. Nothing here knows a particular
worksheet: the form builder, the coach and the summary work from these objects alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..canvases.blocks import BLOCK_IDS
from ..content.loader import ID_PATTERN, ContentError
from ..languages import LANGUAGES
from .fields import TYPES, FieldType

# Field ids become input names joined by "__", so a single "_" is allowed and "__" is not.
FIELD_ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$")

DETAIL_MAX_LENGTH = 1000


@dataclass(frozen=True)
class Text:
    """A text in several languages."""

    by_language: dict[str, str]

    def get(self, language: str) -> str:
        return self.by_language.get(language) or self.by_language.get("en", "")

    def __bool__(self) -> bool:
        return bool(self.by_language)


NO_TEXT = Text({})


@dataclass(frozen=True)
class Detail:
    """A text asked for every chosen option (why, how, cost...)."""

    id: str
    label: Text
    max_length: int = DETAIL_MAX_LENGTH


@dataclass(frozen=True)
class Field:
    id: str
    type: str
    label: Text
    hint: Text = NO_TEXT
    label_from: str | None = None  # a content item whose `question` or name is the label
    max_length: int = 0
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    unit: Text = NO_TEXT
    catalogue: str | None = None  # content page key the options come from
    only: tuple[str, ...] = ()  # restrict the catalogue to these ids
    options: tuple[tuple[str, Text], ...] = ()  # fixed options when there is no catalogue
    details: tuple[Detail, ...] = ()
    ladders: tuple[str, ...] = ()
    tactics_from: tuple[str, ...] = ()
    generate: str | None = None  # "summary": offers a draft generated from the answers
    rows: int = 4
    # Needed before the worksheet is handed in; saving half-done work still works.
    required: bool = False
    estimate: Text = NO_TEXT  # how to find or estimate the number(s) asked for
    starters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # by language
    model_answer: Text = NO_TEXT  # one good answer, to compare with (text fields)

    @property
    def kind(self) -> FieldType:
        """The field's type: everything the app does with it (worksheets/fields.py)."""
        return TYPES[self.type]

    def starters_in(self, language: str) -> tuple[str, ...]:
        """The sentence starters in `language` (English when it has none)."""
        return self.starters.get(language) or self.starters.get("en", ())


@dataclass(frozen=True)
class CoachRule:
    rule: str
    message: Text
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    id: str
    title: Text
    intro: Text
    teaches: tuple[str, ...]
    fields: tuple[Field, ...]
    coach: tuple[CoachRule, ...] = ()
    panel: str | None = None  # a computed picture: "funnel", "economics"
    panel_params: dict[str, Any] = field(default_factory=dict)

    def field(self, field_id: str) -> Field | None:
        return next((f for f in self.fields if f.id == field_id), None)


@dataclass(frozen=True)
class Feeds:
    """What a worksheet shows in a block of the canvas: its relationship types (the choices of
    `types`), the tactics its ladder field maps (`tactics`) and its summary text."""

    block: str
    types: str | None = None
    tactics: str | None = None
    summary: str | None = None
    others: tuple[tuple[str, str], ...] = ()  # (block id, text field id) shown there too


@dataclass(frozen=True)
class Level:
    """One level of a rubric's scale (lowest first), with its points and, optionally, a
    description that fits every criterion ("Not shown yet")."""

    id: str
    points: int
    title: Text
    text: Text = NO_TEXT


@dataclass(frozen=True)
class Criterion:
    """One thing a teacher judges, marked on the rubric's scale: what each level looks like
    for it, and the steps it is about (shown beside their answers on the review screen)."""

    id: str
    title: Text
    description: Text
    steps: tuple[str, ...]
    descriptors: dict[str, Text]  # level id -> what that level looks like here

    def descriptor(self, level: Level) -> Text:
        return self.descriptors.get(level.id) or level.text


@dataclass(frozen=True)
class Rubric:
    """Criteria, each marked at one level of a shared scale; points add up to the score."""

    scale: tuple[Level, ...]
    criteria: tuple[Criterion, ...]

    @property
    def max_points(self) -> int:
        return len(self.criteria) * max(level.points for level in self.scale)

    def criterion(self, criterion_id: str) -> Criterion | None:
        return next((c for c in self.criteria if c.id == criterion_id), None)

    def level(self, level_id: Any) -> Level | None:
        return next((lv for lv in self.scale if lv.id == level_id), None)

    def points(self, scores: Mapping[str, Any]) -> int:
        """The points of the levels given (criteria not marked yet count nothing)."""
        total = 0
        for criterion in self.criteria:
            level = self.level(scores.get(criterion.id))
            total += level.points if level else 0
        return total

    def complete(self, scores: Mapping[str, Any]) -> bool:
        """Whether every criterion has a level."""
        return all(self.level(scores.get(c.id)) is not None for c in self.criteria)


@dataclass(frozen=True)
class WorksheetDefinition:
    id: str
    title: Text
    description: Text
    steps: tuple[Step, ...]
    summary_template: dict[str, tuple[str, ...]] = field(default_factory=dict)
    labels: dict[str, Text] = field(default_factory=dict)  # phrases the summary uses
    feeds: Feeds | None = None
    rubric: Rubric | None = None
    path: Path | None = None

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def step_index(self, step_id: str) -> int:
        return next((n for n, s in enumerate(self.steps) if s.id == step_id), 0)

    def all_fields(self) -> list[tuple[Step, Field]]:
        return [(s, f) for s in self.steps for f in s.fields]

    def field(self, field_id: str) -> Field | None:
        return next((f for _, f in self.all_fields() if f.id == field_id), None)


class _Reader:
    """Walks raw YAML with a path for error messages."""

    def __init__(self, path: Path, languages: tuple[str, ...]) -> None:
        self.path, self.languages = path, languages

    def fail(self, key: str, problem: str) -> ContentError:
        return ContentError(self.path, key, problem)

    def ident(self, raw: dict, key: str, where: str, pattern: re.Pattern = ID_PATTERN) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not pattern.match(value):
            raise self.fail(f"{where}.{key}", f"expected an id, got {value!r}")
        return value

    def text(self, raw: dict, key: str, where: str, required: bool = True) -> Text:
        value = raw.get(key)
        if value is None and not required:
            return NO_TEXT
        if not isinstance(value, dict):
            raise self.fail(f"{where}.{key}", "expected a text per language (en, da, nb)")
        missing = [lang for lang in self.languages if not isinstance(value.get(lang), str)
                   or not value[lang].strip()]
        if missing:
            raise self.fail(f"{where}.{key}", f"missing language(s): {', '.join(missing)}")
        unknown = set(value) - set(self.languages)
        if unknown:
            raise self.fail(f"{where}.{key}", f"unknown language(s): {', '.join(sorted(unknown))}")
        return Text({k: str(v) for k, v in value.items()})

    def number(self, raw: dict, key: str, where: str) -> float | None:
        value = raw.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{where}.{key}", f"expected a number, got {value!r}")
        return float(value)

    def texts(self, raw: dict, key: str, where: str) -> dict[str, tuple[str, ...]]:
        """A list of texts per language, as many in each language as in the first."""
        value = raw.get(key)
        if value is None:
            return {}
        at = f"{where}.{key}"
        if not isinstance(value, dict):
            raise self.fail(at, "expected a list of texts per language (en, da, nb)")
        out = {}
        for lang in self.languages:
            texts = value.get(lang)
            if not isinstance(texts, list) or not texts or not all(
                    isinstance(t, str) and t.strip() for t in texts):
                raise self.fail(f"{at}.{lang}", "expected a list of texts")
            out[lang] = tuple(texts)
        unknown = set(value) - set(self.languages)
        if unknown:
            raise self.fail(at, f"unknown language(s): {', '.join(sorted(map(str, unknown)))}")
        first = self.languages[0]
        for lang in self.languages[1:]:
            if len(out[lang]) != len(out[first]):
                raise self.fail(f"{at}.{lang}", f"{len(out[lang])} texts, {first} has "
                                f"{len(out[first])}")
        return out

    def flag(self, raw: dict, key: str, where: str) -> bool:
        value = raw.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", f"expected true or false, got {value!r}")
        return value

    def ids(self, raw: dict, key: str, where: str) -> tuple[str, ...]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{where}.{key}", "expected a list of ids")
        return tuple(value)


def _parse_field(r: _Reader, raw: Any, where: str) -> Field:
    if not isinstance(raw, dict):
        raise r.fail(where, "a field must be a mapping")
    field_id = r.ident(raw, "id", where, FIELD_ID_PATTERN)
    kind = raw.get("type")
    if kind not in TYPES:
        raise r.fail(f"{where}.type", f"unknown field type {kind!r}; use one of "
                     f"{', '.join(sorted(TYPES))}")
    label_from = raw.get("label_from")
    label = r.text(raw, "label", where, required=label_from is None)
    details = tuple(
        Detail(id=r.ident(d, "id", f"{where}.details[{n}]"),
               label=r.text(d, "label", f"{where}.details[{n}]"),
               max_length=int(d.get("max_length", DETAIL_MAX_LENGTH)))
        for n, d in enumerate(raw.get("details", []))
    )
    options = tuple(
        (r.ident(o, "id", f"{where}.options[{n}]"), r.text(o, "label", f"{where}.options[{n}]"))
        for n, o in enumerate(raw.get("options", []))
    )
    max_length = int(raw.get("max_length", TYPES[kind].default_max_length))
    declared = Field(
        id=field_id, type=kind, label=label, hint=r.text(raw, "hint", where, required=False),
        label_from=label_from, max_length=max_length,
        minimum=r.number(raw, "min", where), maximum=r.number(raw, "max", where),
        integer=bool(raw.get("integer", False)), unit=r.text(raw, "unit", where, required=False),
        catalogue=raw.get("catalogue"), only=r.ids(raw, "only", where), options=options,
        details=details, ladders=r.ids(raw, "ladders", where),
        tactics_from=r.ids(raw, "tactics_from", where), generate=raw.get("generate"),
        rows=int(raw.get("rows", 4)), required=r.flag(raw, "required", where),
        estimate=r.text(raw, "estimate", where, required=False),
        starters=r.texts(raw, "starters", where),
        model_answer=r.text(raw, "model_answer", where, required=False),
    )
    if (declared.starters or declared.model_answer) and not declared.kind.free_text:
        key = "starters" if declared.starters else "model_answer"
        raise r.fail(f"{where}.{key}", f"sentence starters and a model answer help with "
                     f"writing; a {kind} field has no text to write")
    declared.kind.declare(declared, lambda key, problem: r.fail(
        f"{where}.{key}" if key else where, problem))
    return declared


def _parse_step(r: _Reader, raw: Any, where: str) -> Step:
    if not isinstance(raw, dict):
        raise r.fail(where, "a step must be a mapping")
    fields = tuple(_parse_field(r, f, f"{where}.fields[{n}]")
                   for n, f in enumerate(raw.get("fields", [])))
    coach = []
    for n, c in enumerate(raw.get("coach", [])):
        cw = f"{where}.coach[{n}]"
        if not isinstance(c, dict) or not isinstance(c.get("rule"), str):
            raise r.fail(cw, "a coaching rule needs `rule:`")
        params = {k: v for k, v in c.items() if k not in ("rule", "message")}
        coach.append(CoachRule(rule=c["rule"], message=r.text(c, "message", cw), params=params))
    panel = raw.get("panel")
    panel_params = {}
    if isinstance(panel, dict):
        panel_params = {k: v for k, v in panel.items() if k != "kind"}
        panel = panel.get("kind")
    return Step(id=r.ident(raw, "id", where), title=r.text(raw, "title", where),
                intro=r.text(raw, "intro", where, required=False),
                teaches=r.ids(raw, "teaches", where), fields=fields, coach=tuple(coach),
                panel=panel, panel_params=panel_params)


def load_definition(path: Path, languages: tuple[str, ...] = LANGUAGES
                    ) -> WorksheetDefinition:
    """Parse one worksheet file, or raise ContentError naming the file and key."""
    r = _Reader(path, languages)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise r.fail("yaml", f"not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise r.fail("worksheet", "expected a mapping")
    steps = tuple(_parse_step(r, s, f"steps[{n}]") for n, s in enumerate(raw.get("steps", [])))
    if not steps:
        raise r.fail("steps", "a worksheet needs at least one step")
    seen: set[str] = set()
    for step in steps:
        for f in step.fields:
            if f.id in seen:
                raise r.fail(f"steps.{step.id}.{f.id}", "field ids must be unique in a worksheet")
            seen.add(f.id)
    template = raw.get("summary_template", {})
    summary = {lang: tuple(template.get(lang, [])) for lang in languages} if template else {}
    labels = {k: r.text(raw["labels"], k, "labels") for k in raw.get("labels", {})}
    return WorksheetDefinition(
        id=r.ident(raw, "id", "worksheet"), title=r.text(raw, "title", "worksheet"),
        description=r.text(raw, "description", "worksheet"), steps=steps,
        summary_template=summary, labels=labels, feeds=_parse_feeds(r, raw.get("feeds"), seen),
        rubric=_parse_rubric(r, raw.get("rubric"), {s.id for s in steps}), path=path,
    )


RUBRIC_KEYS = {"scale", "criteria"}
LEVEL_KEYS = {"id", "points", "title", "text"}
CRITERION_KEYS = {"id", "title", "description", "steps", "levels"}
MAX_POINTS = 1000  # per level; far above any real scale


def _unknown_keys(r: _Reader, raw: dict, allowed: set[str], where: str) -> None:
    unknown = set(raw) - allowed
    if unknown:
        raise r.fail(where, f"unknown key(s): {', '.join(sorted(map(str, unknown)))}; use "
                     f"{', '.join(sorted(allowed))}")


def _parse_rubric(r: _Reader, raw: Any, step_ids: set[str]) -> Rubric | None:
    """The `rubric:` section: a scale of levels (lowest first, points rising) and criteria
    that say what each level looks like for them."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise r.fail("rubric", "expected a mapping with `scale` and `criteria`")
    _unknown_keys(r, raw, RUBRIC_KEYS, "rubric")
    raw_scale = raw.get("scale")
    if not isinstance(raw_scale, list) or len(raw_scale) < 2:
        raise r.fail("rubric.scale", "expected a list of at least two levels, lowest first")
    scale: list[Level] = []
    for n, item in enumerate(raw_scale):
        where = f"rubric.scale[{n}]"
        if not isinstance(item, dict):
            raise r.fail(where, "a level must be a mapping with id, points and title")
        _unknown_keys(r, item, LEVEL_KEYS, where)
        level_id = r.ident(item, "id", where)
        points = item.get("points")
        if isinstance(points, bool) or not isinstance(points, int) \
                or not 0 <= points <= MAX_POINTS:
            raise r.fail(f"{where}.points", f"expected a whole number from 0 to {MAX_POINTS}, "
                         f"got {points!r}")
        if any(lv.id == level_id for lv in scale):
            raise r.fail(f"{where}.id", f"level {level_id!r} is used twice")
        if scale and points <= scale[-1].points:
            raise r.fail(f"{where}.points", "levels go from the lowest to the highest, each "
                         "worth more points than the one before")
        scale.append(Level(level_id, points, r.text(item, "title", where),
                           r.text(item, "text", where, required=False)))
    raw_criteria = raw.get("criteria")
    if not isinstance(raw_criteria, list) or not raw_criteria:
        raise r.fail("rubric.criteria", "expected a list of at least one criterion")
    criteria: list[Criterion] = []
    level_ids = [lv.id for lv in scale]
    for n, item in enumerate(raw_criteria):
        where = f"rubric.criteria[{n}]"
        if not isinstance(item, dict):
            raise r.fail(where, "a criterion must be a mapping with id, title and levels")
        _unknown_keys(r, item, CRITERION_KEYS, where)
        criterion_id = r.ident(item, "id", where)
        if any(c.id == criterion_id for c in criteria):
            raise r.fail(f"{where}.id", f"criterion {criterion_id!r} is used twice")
        steps = r.ids(item, "steps", where)
        for step_id in steps:
            if step_id not in step_ids:
                raise r.fail(f"{where}.steps", f"no step {step_id!r} in this worksheet")
        raw_levels = item.get("levels")
        if not isinstance(raw_levels, dict):
            raise r.fail(f"{where}.levels", "expected what each level looks like: level id: "
                         "{en, da, nb}")
        for level_id in raw_levels:
            if level_id not in level_ids:
                raise r.fail(f"{where}.levels.{level_id}", f"no level {level_id!r} on the "
                             f"scale; use {', '.join(level_ids)}")
        descriptors = {lv.id: r.text(raw_levels, lv.id, f"{where}.levels")
                       for lv in scale if lv.id in raw_levels or not lv.text}
        criteria.append(Criterion(criterion_id, r.text(item, "title", where),
                                  r.text(item, "description", where, required=False),
                                  steps, descriptors))
    return Rubric(tuple(scale), tuple(criteria))


def _parse_feeds(r: _Reader, raw: Any, field_ids: set[str]) -> Feeds | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or raw.get("block") not in BLOCK_IDS:
        raise r.fail("feeds", "expected a mapping with the `block` the worksheet feeds")
    for key in ("types", "tactics", "summary"):
        if raw.get(key) is not None and raw[key] not in field_ids:
            raise r.fail(f"feeds.{key}", f"no field {raw[key]!r} in this worksheet")
    unknown = set(raw) - {"block", "types", "tactics", "summary", "blocks"}
    if unknown:
        raise r.fail("feeds", f"unknown key(s): {', '.join(sorted(unknown))}")
    others = raw.get("blocks") or {}
    if not isinstance(others, dict):
        raise r.fail("feeds.blocks", "expected block id: field id")
    for block, field_id in others.items():
        if block not in BLOCK_IDS:
            raise r.fail(f"feeds.blocks.{block}", "not a block of the canvas")
        if field_id not in field_ids:
            raise r.fail(f"feeds.blocks.{block}", f"no field {field_id!r} in this worksheet")
    return Feeds(raw["block"], raw.get("types"), raw.get("tactics"), raw.get("summary"),
                 tuple(others.items()))


def load_definitions(folder: Path, languages: tuple[str, ...] = LANGUAGES
                     ) -> dict[str, WorksheetDefinition]:
    """Every `*.yaml` under `content/worksheets/`, by id, in file-name order."""
    found: dict[str, WorksheetDefinition] = {}
    for path in sorted(folder.glob("*.yaml")):
        definition = load_definition(path, languages)
        if definition.id in found:
            raise ContentError(path, "id", f"worksheet id {definition.id!r} is used twice")
        found[definition.id] = definition
    return found
