"""The class picture (pure): what a class chose in a worksheet, as the data of a few charts.

    relationship types   how many students chose each (the field the worksheet `feeds` as
                         its types)
    tactics              how many chose each tactic, per motivation (the fields the ladder
                         maps tactics from; a field's catalogue is its motivation's page)
    weights              every `weights` field: each student's points per option, and the
                         class median
    conversion goals     every ladder field, per ladder chosen: each student's goal per step
                         up, and the class median
    economics            every `economics` panel: each student's lifetime value against the
                         relationship's cost

Nothing names a worksheet or a field: the charts follow the definition, as the rest of the
engine does. Students are keys (ids) only; the page decides whether to name them.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from ..content.loader import Library
from ..worksheets.analysis import economics_of
from ..worksheets.definition import Field, WorksheetDefinition
from ..worksheets.options import ladder_steps, option_names

BARS, DOTS, SCATTER = "bars", "dots", "scatter"
Entry = tuple[int, Mapping[str, Any]]  # (student id, the worksheet's answers)


@dataclass(frozen=True)
class Bar:
    """One option of a count chart and who chose it."""

    id: str
    label: str
    who: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.who)


@dataclass(frozen=True)
class Group:
    """Bars under one heading (a motivation's tactics); '' for a chart of one group."""

    label: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Point:
    """One student's number."""

    key: int
    value: float


@dataclass(frozen=True)
class Row:
    """One line of a distribution chart (an option's weights, a ladder step's goals)."""

    id: str
    label: str
    points: tuple[Point, ...]

    @property
    def median(self) -> float | None:
        return statistics.median(p.value for p in self.points) if self.points else None

    def values(self) -> list[tuple[float, tuple[int, ...]]]:
        """Each distinct value with the students who gave it, lowest first."""
        found: dict[float, list[int]] = {}
        for point in self.points:
            found.setdefault(point.value, []).append(point.key)
        return [(value, tuple(keys)) for value, keys in sorted(found.items())]


@dataclass(frozen=True)
class Pair:
    """One student's two numbers: x (the relationship's cost) and y (the lifetime value)."""

    key: int
    x: float
    y: float

    @property
    def above(self) -> bool:
        """The value exceeds the cost (the point lies above the line where they are equal)."""
        return self.y > self.x


@dataclass(frozen=True)
class Chart:
    """One chart of the picture. `kind` says which of groups, rows or pairs it holds;
    `answered` is how many students it draws."""

    id: str
    kind: str
    title: str
    answered: int
    unit: str = ""  # "%" for percentages, "points" for weights, "" for amounts
    scale_max: float = 100.0  # the dots' axis runs from 0 to this
    groups: tuple[Group, ...] = ()
    rows: tuple[Row, ...] = ()
    pairs: tuple[Pair, ...] = field(default=())


def _plain(html: Any) -> str:
    return Markup(str(html)).striptags()


def _chosen(value: Any) -> list[str]:
    """The option ids of a choice answer (a single id, or a list of {id, ...})."""
    if isinstance(value, str):
        return [value] if value else []
    if not isinstance(value, list):
        return []
    return [e["id"] for e in value if isinstance(e, Mapping) and isinstance(e.get("id"), str)]


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


def _step_title(definition: WorksheetDefinition, field_id: str, language: str) -> str:
    return next((s.title.get(language) for s, f in definition.all_fields() if f.id == field_id),
                field_id)


def _count_bars(f: Field, entries: Sequence[Entry], library: Library, language: str
                ) -> tuple[Bar, ...]:
    names = option_names(f, library, language)
    who: dict[str, list[int]] = {option: [] for option in names}
    for key, answers in entries:
        for option in dict.fromkeys(_chosen(answers.get(f.id))):
            if option in who:
                who[option].append(key)
    return tuple(Bar(option, names[option], tuple(keys)) for option, keys in who.items())


def _answered(fields: Sequence[Field], entries: Sequence[Entry]) -> int:
    return sum(1 for _key, answers in entries
               if any(_chosen(answers.get(f.id)) for f in fields))


def relationship_types(definition: WorksheetDefinition, entries: Sequence[Entry],
                       library: Library, language: str) -> list[Chart]:
    """How many chose each relationship type: the field the worksheet feeds as its types."""
    if definition.feeds is None or not definition.feeds.types:
        return []
    f = definition.field(definition.feeds.types)
    if f is None:
        return []
    return [Chart("chart-types", BARS, _step_title(definition, f.id, language),
                  _answered([f], entries),
                  groups=(Group("", _count_bars(f, entries, library, language)),))]


def tactics(definition: WorksheetDefinition, entries: Sequence[Entry], library: Library,
            language: str) -> list[Chart]:
    """How many chose each tactic, grouped by motivation: the fields every ladder field maps
    its tactics from, each headed by its catalogue's page (the motivation)."""
    out = []
    for _step, ladder in definition.all_fields():
        if ladder.type != "ladder" or not ladder.tactics_from:
            continue
        sources = [f for f in (definition.field(i) for i in ladder.tactics_from) if f]
        groups = []
        for f in sources:
            page = library.page(language, f.catalogue) if f.catalogue else None
            groups.append(Group(page.title if page else f.label.get(language),
                                _count_bars(f, entries, library, language)))
        out.append(Chart(f"chart-tactics-{ladder.id}", BARS,
                         _step_title(definition, ladder.tactics_from[0], language),
                         _answered(sources, entries), groups=tuple(groups)))
    return out


def weights(definition: WorksheetDefinition, entries: Sequence[Entry], library: Library,
            language: str) -> list[Chart]:
    """Each student's points per option of every `weights` field, with the median."""
    out = []
    for _step, f in definition.all_fields():
        if f.type != "weights":
            continue
        names = option_names(f, library, language)
        rows = []
        for option, label in names.items():
            points = []
            for key, answers in entries:
                value = answers.get(f.id)
                number = _number(value.get(option)) if isinstance(value, Mapping) else None
                if number is not None:
                    points.append(Point(key, number))
            rows.append(Row(option, label, tuple(points)))
        answered = sum(1 for _key, answers in entries if isinstance(answers.get(f.id), Mapping)
                       and any(_number(v) is not None for v in answers[f.id].values()))
        out.append(Chart(f"chart-weights-{f.id}", DOTS, _step_title(definition, f.id, language),
                         answered, unit="points", scale_max=float(f.maximum or 100),
                         rows=tuple(rows)))
    return out


def conversion_goals(definition: WorksheetDefinition, entries: Sequence[Entry],
                     library: Library, language: str) -> list[Chart]:
    """For every ladder field and each ladder some student chose: the conversion goal each
    student set for every step up (a percentage), with the median."""
    out = []
    for _step, f in definition.all_fields():
        if f.type != "ladder":
            continue
        for ladder_id in f.ladders:
            chose = [(key, answers[f.id]) for key, answers in entries
                     if isinstance(answers.get(f.id), Mapping)
                     and answers[f.id].get("ladder") == ladder_id]
            if not chose:
                continue
            rows = []
            for low, high in ladder_steps(library, language, ladder_id):
                points = []
                for key, value in chose:
                    part = value.get(ladder_id)
                    goals = part.get("goals") if isinstance(part, Mapping) else None
                    number = _number(goals.get(low.id)) if isinstance(goals, Mapping) else None
                    if number is not None:
                        points.append(Point(key, number))
                rows.append(Row(low.id, f"{_plain(low.name)} → {_plain(high.name)}",
                                tuple(points)))
            page = library.page(language, ladder_id)
            out.append(Chart(f"chart-goals-{f.id}-{ladder_id}", DOTS,
                             page.title if page else ladder_id, len(chose), unit="%",
                             scale_max=100.0, rows=tuple(rows)))
    return out


def economics(definition: WorksheetDefinition, entries: Sequence[Entry], library: Library,
              language: str) -> list[Chart]:
    """Every student's lifetime value against the relationship's cost, for each step with
    an economics panel (students with both figures)."""
    out = []
    for step in definition.steps:
        if step.panel != "economics":
            continue
        pairs = []
        for key, answers in entries:
            result = economics_of(step.panel_params, dict(answers))
            if result.lifetime_value is not None and result.relationship_cost is not None:
                pairs.append(Pair(key, result.relationship_cost, result.lifetime_value))
        out.append(Chart(f"chart-economics-{step.id}", SCATTER, step.title.get(language),
                         len(pairs), pairs=tuple(pairs)))
    return out


def class_picture(definition: WorksheetDefinition, entries: Sequence[Entry],
                  library: Library, language: str) -> list[Chart]:
    """Every chart of the picture, in the order a lesson discusses them."""
    return [*relationship_types(definition, entries, library, language),
            *tactics(definition, entries, library, language),
            *weights(definition, entries, library, language),
            *conversion_goals(definition, entries, library, language),
            *economics(definition, entries, library, language)]
