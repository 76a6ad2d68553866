"""Ladder and economics maths: pure functions, no Flask, no database.

Percentages come in as 0-100 numbers (what people type); fractions are used inside.
Missing numbers are None and make the results that depend on them None, never an error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Acquiring a customer costs over five times as much as keeping one (the sources' rule).
FIVE_TIMES_RULE = 5.0


@dataclass(frozen=True)
class LadderStep:
    """The move from one rung to the next one up."""

    from_rung: str
    to_rung: str
    from_count: int | None
    to_count: int | None
    actual: float | None  # share of `from_count` that reached `to_rung`, as a fraction
    goal: float | None  # the conversion goal, as a fraction
    gap: float | None  # actual - goal, in fraction points; negative means below goal
    expected: float | None  # people expected on `to_rung` if every goal up to here is met


@dataclass(frozen=True)
class LadderResult:
    rungs: tuple[str, ...]
    counts: tuple[int | None, ...]
    steps: tuple[LadderStep, ...]
    expected_top: float | None  # bottom count carried up by every goal
    actual_top: int | None
    grows_upward: tuple[str, ...]  # rungs holding more people than the rung below them


def _ratio(top: int | None, bottom: int | None) -> float | None:
    if top is None or bottom is None or bottom <= 0:
        return None
    return top / bottom


def analyse_ladder(rungs: Sequence[str], counts: Mapping[str, int | None],
                   goals_pct: Mapping[str, float | None]) -> LadderResult:
    """Conversion per step, the gap to each goal and the expected number at the top.

    `goals_pct` is keyed by the lower rung of each step (the goal for lead -> prospect sits
    on `lead`).
    """
    values = tuple(counts.get(r) for r in rungs)
    steps: list[LadderStep] = []
    expected: float | None = float(values[0]) if values and values[0] is not None else None
    for n in range(len(rungs) - 1):
        low, high = rungs[n], rungs[n + 1]
        goal_pct = goals_pct.get(low)
        goal = goal_pct / 100 if goal_pct is not None else None
        actual = _ratio(values[n + 1], values[n])
        expected = expected * goal if expected is not None and goal is not None else None
        steps.append(LadderStep(
            from_rung=low, to_rung=high, from_count=values[n], to_count=values[n + 1],
            actual=actual, goal=goal,
            gap=actual - goal if actual is not None and goal is not None else None,
            expected=expected,
        ))
    grows = tuple(
        rungs[n + 1] for n in range(len(rungs) - 1)
        if values[n] is not None and values[n + 1] is not None and values[n + 1] > values[n]
    )
    return LadderResult(rungs=tuple(rungs), counts=values, steps=tuple(steps),
                        expected_top=expected if len(rungs) > 1 else None,
                        actual_top=values[-1] if values else None, grows_upward=grows)


@dataclass(frozen=True)
class Economics:
    lifetime_value: float | None  # average order x orders a year x years x margin
    relationship_cost: float | None  # cost to win + cost to keep x years
    net_value: float | None
    value_exceeds_cost: bool | None
    win_to_keep_ratio: float | None  # how many times dearer winning is than keeping (a year)
    follows_five_times_rule: bool | None


def lifetime_value(average_order: float | None, orders_per_year: float | None,
                   years: float | None, margin_pct: float | None) -> float | None:
    """Customer lifetime value: average order x orders a year x years x margin."""
    if None in (average_order, orders_per_year, years, margin_pct):
        return None
    return average_order * orders_per_year * years * (margin_pct / 100)


def analyse_economics(cost_to_win: float | None, cost_to_keep: float | None,
                      average_order: float | None, orders_per_year: float | None,
                      years: float | None, margin_pct: float | None) -> Economics:
    """The plain verdict: does a customer's value exceed what the relationship costs?"""
    value = lifetime_value(average_order, orders_per_year, years, margin_pct)
    cost = (cost_to_win + cost_to_keep * years
            if None not in (cost_to_win, cost_to_keep, years) else None)
    net = value - cost if value is not None and cost is not None else None
    ratio = (cost_to_win / cost_to_keep
             if cost_to_win is not None and cost_to_keep not in (None, 0) else None)
    if ratio is not None and not math.isfinite(ratio):
        ratio = None
    return Economics(
        lifetime_value=value, relationship_cost=cost, net_value=net,
        value_exceeds_cost=None if net is None else net > 0,
        win_to_keep_ratio=ratio,
        follows_five_times_rule=None if ratio is None else ratio >= FIVE_TIMES_RULE,
    )
