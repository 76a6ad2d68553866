"""Ladder and economics maths (canvas/worksheets/ladder.py): worked examples and properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from canvas.worksheets.ladder import (
    FIVE_TIMES_RULE,
    Economics,
    analyse_economics,
    analyse_ladder,
    lifetime_value,
)

CUSTOMER_RUNGS = ["total-market", "target-group", "lead", "warm-lead", "buyer", "customer"]
LOYALTY_RUNGS = ["lead", "prospect", "customer", "repeat-buyer", "ambassador"]

CLEANING_COUNTS = {"total-market": 20000, "target-group": 2400, "lead": 600, "warm-lead": 120,
                   "buyer": 30, "customer": 21}
CLEANING_GOALS = {"total-market": 12, "target-group": 25, "lead": 20, "warm-lead": 25,
                  "buyer": 70}
BOOTS_COUNTS = {"lead": 40000, "prospect": 4000, "customer": 600, "repeat-buyer": 240,
                "ambassador": 60}
BOOTS_GOALS = {"lead": 10, "prospect": 15, "customer": 40, "repeat-buyer": 25}


# --- worked examples -------------------------------------------------------------------------

def test_cleaning_firm_customer_ladder():
    result = analyse_ladder(CUSTOMER_RUNGS, CLEANING_COUNTS, CLEANING_GOALS)
    assert result.rungs == tuple(CUSTOMER_RUNGS)
    assert result.counts == (20000, 2400, 600, 120, 30, 21)
    assert len(result.steps) == 5
    assert [(s.from_rung, s.to_rung) for s in result.steps] == list(
        zip(CUSTOMER_RUNGS, CUSTOMER_RUNGS[1:], strict=False))
    assert [s.from_count for s in result.steps] == [20000, 2400, 600, 120, 30]
    assert [s.to_count for s in result.steps] == [2400, 600, 120, 30, 21]
    assert [s.actual for s in result.steps] == pytest.approx([0.12, 0.25, 0.2, 0.25, 0.7])
    assert [s.goal for s in result.steps] == pytest.approx([0.12, 0.25, 0.2, 0.25, 0.7])
    for step in result.steps:
        assert step.gap == pytest.approx(0, abs=1e-12)
    assert result.expected_top == pytest.approx(21.0)
    assert result.expected_top == pytest.approx(20000 * 0.12 * 0.25 * 0.2 * 0.25 * 0.7)
    # Expected head count after each step.
    assert [s.expected for s in result.steps] == pytest.approx([2400, 600, 120, 30, 21])
    assert result.actual_top == 21
    assert result.grows_upward == ()


def test_boot_maker_loyalty_ladder():
    result = analyse_ladder(LOYALTY_RUNGS, BOOTS_COUNTS, BOOTS_GOALS)
    assert [s.actual for s in result.steps] == pytest.approx([0.1, 0.15, 0.4, 0.25])
    assert [s.goal for s in result.steps] == pytest.approx([0.10, 0.15, 0.40, 0.25])
    for step in result.steps:
        assert step.gap == pytest.approx(0, abs=1e-12)
    assert result.expected_top == pytest.approx(60)
    assert result.actual_top == 60
    assert result.grows_upward == ()


def test_gap_is_negative_below_goal_and_positive_above():
    counts = {"lead": 1000, "prospect": 50, "customer": 40}
    goals = {"lead": 10, "prospect": 50}
    result = analyse_ladder(["lead", "prospect", "customer"], counts, goals)
    below, above = result.steps
    assert below.actual == pytest.approx(0.05)
    assert below.gap == pytest.approx(-0.05)
    assert above.actual == pytest.approx(0.8)
    assert above.gap == pytest.approx(0.3)
    assert result.expected_top == pytest.approx(1000 * 0.1 * 0.5)


def test_cleaning_economics():
    econ = analyse_economics(cost_to_win=4000, cost_to_keep=600, average_order=3500,
                             orders_per_year=12, years=3, margin_pct=25)
    assert econ.lifetime_value == pytest.approx(31500)
    assert econ.relationship_cost == pytest.approx(5800)
    assert econ.net_value == pytest.approx(31500 - 5800)
    assert econ.value_exceeds_cost is True
    assert econ.win_to_keep_ratio == pytest.approx(4000 / 600)
    assert econ.follows_five_times_rule is True
    assert lifetime_value(3500, 12, 3, 25) == pytest.approx(31500)


def test_boot_maker_economics():
    econ = analyse_economics(450, 90, 1800, 1, 4, 35)
    assert econ.lifetime_value == pytest.approx(2520)
    assert econ.relationship_cost == pytest.approx(810)
    assert econ.net_value == pytest.approx(1710)
    assert econ.value_exceeds_cost is True
    assert econ.win_to_keep_ratio == pytest.approx(5.0)
    # Exactly five times counts as following the rule.
    assert econ.follows_five_times_rule is True


def test_value_below_cost_verdict_false():
    econ = analyse_economics(5000, 1000, 100, 2, 1, 10)
    assert econ.lifetime_value == pytest.approx(20)
    assert econ.relationship_cost == pytest.approx(6000)
    assert econ.value_exceeds_cost is False
    assert econ.win_to_keep_ratio == pytest.approx(5)


def test_value_equal_to_cost_does_not_exceed():
    econ = analyse_economics(100, 0, 100, 1, 1, 100)
    assert econ.net_value == 0
    assert econ.value_exceeds_cost is False


def test_ratio_below_five_times_rule():
    econ = analyse_economics(400, 100, 1000, 1, 1, 50)
    assert econ.win_to_keep_ratio == pytest.approx(4)
    assert econ.follows_five_times_rule is False
    assert FIVE_TIMES_RULE == 5.0


# --- missing values ---------------------------------------------------------------------------

@pytest.mark.parametrize("missing", range(4))
def test_lifetime_value_none_when_any_input_missing(missing):
    args = [3500.0, 12.0, 3.0, 25.0]
    args[missing] = None
    assert lifetime_value(*args) is None


@pytest.mark.parametrize("missing", range(6))
def test_economics_missing_values_give_none(missing):
    names = ["cost_to_win", "cost_to_keep", "average_order", "orders_per_year", "years",
             "margin_pct"]
    args = dict(zip(names, [4000.0, 600.0, 3500.0, 12.0, 3.0, 25.0], strict=True))
    args[names[missing]] = None
    econ = analyse_economics(**args)
    assert isinstance(econ, Economics)
    assert econ.net_value is None
    assert econ.value_exceeds_cost is None
    if names[missing] in ("average_order", "orders_per_year", "margin_pct"):
        assert econ.lifetime_value is None
        assert econ.relationship_cost == pytest.approx(5800)
    elif names[missing] == "years":
        assert econ.lifetime_value is None
        assert econ.relationship_cost is None
    else:
        assert econ.lifetime_value == pytest.approx(31500)
        assert econ.relationship_cost is None
    if names[missing] in ("cost_to_win", "cost_to_keep"):
        assert econ.win_to_keep_ratio is None
        assert econ.follows_five_times_rule is None
    else:
        assert econ.win_to_keep_ratio == pytest.approx(4000 / 600)


def test_economics_all_missing():
    econ = analyse_economics(None, None, None, None, None, None)
    assert econ == Economics(None, None, None, None, None, None)


def test_zero_cost_to_keep_gives_no_ratio():
    econ = analyse_economics(4000, 0, 3500, 12, 3, 25)
    assert econ.win_to_keep_ratio is None
    assert econ.follows_five_times_rule is None
    assert econ.relationship_cost == 4000


def test_missing_count_and_goal_give_none():
    counts = dict(CLEANING_COUNTS, lead=None)
    goals = dict(CLEANING_GOALS, **{"warm-lead": None})
    result = analyse_ladder(CUSTOMER_RUNGS, counts, goals)
    steps = {s.from_rung: s for s in result.steps}
    # target-group -> lead: top count missing.
    assert steps["target-group"].actual is None
    assert steps["target-group"].gap is None
    assert steps["target-group"].goal == pytest.approx(0.25)
    # lead -> warm-lead: bottom count missing.
    assert steps["lead"].actual is None
    assert steps["lead"].gap is None
    # warm-lead -> buyer: goal missing, so no gap and no expected number from here up.
    assert steps["warm-lead"].actual == pytest.approx(0.25)
    assert steps["warm-lead"].goal is None
    assert steps["warm-lead"].gap is None
    assert steps["warm-lead"].expected is None
    assert steps["buyer"].expected is None
    assert result.expected_top is None
    # Steps below the missing goal still carry an expected number.
    assert steps["lead"].expected == pytest.approx(120)


def test_keys_absent_are_missing():
    result = analyse_ladder(CUSTOMER_RUNGS, {}, {})
    assert result.counts == (None,) * 6
    assert all(s.actual is None and s.goal is None and s.gap is None and s.expected is None
               for s in result.steps)
    assert result.expected_top is None
    assert result.actual_top is None
    assert result.grows_upward == ()


def test_missing_bottom_count_gives_no_expected_top():
    counts = dict(CLEANING_COUNTS, **{"total-market": None})
    result = analyse_ladder(CUSTOMER_RUNGS, counts, CLEANING_GOALS)
    assert result.expected_top is None
    assert result.steps[0].actual is None
    assert result.steps[1].actual == pytest.approx(0.25)


def test_zero_bottom_count_gives_none_actual():
    counts = {"lead": 0, "prospect": 0, "customer": 0, "repeat-buyer": 0, "ambassador": 0}
    result = analyse_ladder(LOYALTY_RUNGS, counts, BOOTS_GOALS)
    assert all(s.actual is None for s in result.steps)
    assert all(s.gap is None for s in result.steps)
    # Zero people at the bottom and goals met: zero expected at the top, not an error.
    assert result.expected_top == 0
    assert result.actual_top == 0


def test_zero_in_the_middle():
    counts = {"lead": 100, "prospect": 0, "customer": 5}
    result = analyse_ladder(["lead", "prospect", "customer"], counts, {"lead": 10})
    assert result.steps[0].actual == 0
    assert result.steps[0].gap == pytest.approx(-0.1)
    assert result.steps[1].actual is None
    assert result.grows_upward == ("customer",)


def test_grows_upward_detection():
    counts = {"lead": 100, "prospect": 200, "customer": 50, "repeat-buyer": 60,
              "ambassador": 60}
    result = analyse_ladder(LOYALTY_RUNGS, counts, {})
    assert result.grows_upward == ("prospect", "repeat-buyer")
    assert result.steps[0].actual == pytest.approx(2.0)


def test_grows_upward_ignores_missing_counts():
    counts = {"lead": 100, "prospect": None, "customer": 500}
    result = analyse_ladder(["lead", "prospect", "customer"], counts, {})
    assert result.grows_upward == ()


def test_single_rung_and_empty_ladder():
    one = analyse_ladder(["lead"], {"lead": 10}, {"lead": 50})
    assert one.steps == ()
    assert one.expected_top is None
    assert one.actual_top == 10
    empty = analyse_ladder([], {}, {})
    assert empty.steps == ()
    assert empty.expected_top is None
    assert empty.actual_top is None


# --- properties ---------------------------------------------------------------------------------

counts_st = st.one_of(st.none(), st.integers(min_value=0, max_value=10**9))
goal_st = st.one_of(st.none(), st.floats(min_value=0, max_value=100, allow_nan=False))


@st.composite
def ladders(draw, goals=goal_st, counts=counts_st):
    n = draw(st.integers(min_value=2, max_value=7))
    rungs = [f"r{i}" for i in range(n)]
    count_values = {r: draw(counts) for r in rungs}
    goal_values = {r: draw(goals) for r in rungs[:-1]}
    return rungs, count_values, goal_values


@settings(max_examples=100, deadline=None)
@given(ladders())
def test_conversions_are_to_over_from_and_gap_is_actual_minus_goal(ladder):
    rungs, counts, goals = ladder
    result = analyse_ladder(rungs, counts, goals)
    assert len(result.steps) == len(rungs) - 1
    for n, step in enumerate(result.steps):
        low, high = counts[rungs[n]], counts[rungs[n + 1]]
        assert (step.from_count, step.to_count) == (low, high)
        if low is None or high is None or low == 0:
            assert step.actual is None
        else:
            assert step.actual == high / low
        goal = goals[rungs[n]]
        assert step.goal == (None if goal is None else goal / 100)
        if step.actual is None or step.goal is None:
            assert step.gap is None
        else:
            assert step.gap == step.actual - step.goal


@settings(max_examples=100, deadline=None)
@given(ladders(goals=st.floats(min_value=0, max_value=100, allow_nan=False),
               counts=st.integers(min_value=0, max_value=10**9)))
def test_expected_top_is_bottom_times_product_of_goals(ladder):
    rungs, counts, goals = ladder
    result = analyse_ladder(rungs, counts, goals)
    n = len(rungs) - 1
    want = counts[rungs[0]] * math.prod(goals[r] for r in rungs[:-1]) / 100 ** n
    assert result.expected_top == pytest.approx(want, rel=1e-9, abs=1e-9)
    assert result.steps[-1].expected == result.expected_top


@settings(max_examples=100, deadline=None)
@given(ladders(goals=st.floats(min_value=0, max_value=100, allow_nan=False),
               counts=st.integers(min_value=0, max_value=10**12)))
def test_expected_never_exceeds_bottom_when_goals_at_most_100(ladder):
    rungs, counts, goals = ladder
    result = analyse_ladder(rungs, counts, goals)
    bottom = counts[rungs[0]]
    previous = float(bottom)
    for step in result.steps:
        assert step.expected is not None
        assert 0 <= step.expected <= previous <= bottom
        previous = step.expected
    assert result.expected_top <= bottom


@settings(max_examples=100, deadline=None)
@given(ladders())
def test_expected_is_none_from_the_first_missing_goal(ladder):
    rungs, counts, goals = ladder
    result = analyse_ladder(rungs, counts, goals)
    broken = counts[rungs[0]] is None
    for n, step in enumerate(result.steps):
        broken = broken or goals[rungs[n]] is None
        assert (step.expected is None) == broken


@settings(max_examples=100, deadline=None)
@given(ladders())
def test_grows_upward_lists_exactly_the_rungs_above_a_smaller_one(ladder):
    rungs, counts, goals = ladder
    result = analyse_ladder(rungs, counts, goals)
    want = tuple(rungs[n + 1] for n in range(len(rungs) - 1)
                 if counts[rungs[n]] is not None and counts[rungs[n + 1]] is not None
                 and counts[rungs[n + 1]] > counts[rungs[n]])
    assert result.grows_upward == want
    assert result.actual_top == counts[rungs[-1]]


money = st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False)
pct = st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False)
any_nonneg = st.floats(min_value=0, allow_nan=False, allow_infinity=False)


@settings(max_examples=100, deadline=None)
@given(money, money, money, pct)
def test_lifetime_value_is_the_product(order, per_year, years, margin):
    value = lifetime_value(order, per_year, years, margin)
    assert value == pytest.approx(order * per_year * years * margin / 100, rel=1e-9, abs=1e-9)
    assert value >= 0


@settings(max_examples=100, deadline=None)
@given(st.lists(money, min_size=3, max_size=3), pct, st.integers(min_value=0, max_value=3),
       st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_lifetime_value_is_monotone_in_each_input(three, margin, which, extra):
    args = [*three, margin]
    bigger = list(args)
    bigger[which] = args[which] + extra
    if which == 3:
        bigger[3] = min(bigger[3], 100.0)
    assert lifetime_value(*bigger) >= lifetime_value(*args)


@settings(max_examples=100, deadline=None)
@given(money, money, money, money, st.floats(min_value=0, max_value=100, allow_nan=False), pct)
def test_value_exceeds_cost_matches_net_sign(win, keep, order, per_year, years, margin):
    econ = analyse_economics(win, keep, order, per_year, years, margin)
    assert econ.lifetime_value == lifetime_value(order, per_year, years, margin)
    assert econ.relationship_cost == pytest.approx(win + keep * years)
    assert econ.net_value == econ.lifetime_value - econ.relationship_cost
    assert econ.value_exceeds_cost is (econ.net_value > 0)
    if keep == 0:
        assert econ.win_to_keep_ratio is None
        assert econ.follows_five_times_rule is None
    elif econ.win_to_keep_ratio is not None:
        assert econ.follows_five_times_rule is (econ.win_to_keep_ratio >= FIVE_TIMES_RULE)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), any_nonneg, st.just(0.0)), min_size=6, max_size=6))
def test_economics_never_raises_for_non_negative_floats(values):
    econ = analyse_economics(*values)
    assert isinstance(econ, Economics)
    if econ.win_to_keep_ratio is not None:
        assert math.isfinite(econ.win_to_keep_ratio)
    assert econ.value_exceeds_cost in (None, True, False)


@settings(max_examples=100, deadline=None)
@given(ladders(goals=st.one_of(st.none(), any_nonneg),
               counts=st.one_of(st.none(), st.integers(min_value=0, max_value=10**30))))
def test_ladder_never_raises_for_non_negative_numbers(ladder):
    rungs, counts, goals = ladder
    result = analyse_ladder(rungs, counts, goals)
    assert len(result.steps) == len(rungs) - 1


def test_zero_everywhere():
    econ = analyse_economics(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    assert econ.lifetime_value == 0
    assert econ.relationship_cost == 0
    assert econ.net_value == 0
    assert econ.value_exceeds_cost is False
    assert econ.win_to_keep_ratio is None


def test_every_funnel_label_has_aa_contrast_on_its_bar_and_fits_it():
    """WCAG AA: 4.5:1 between a label and the bar under it, whatever the bar's shade; and a
    bar is never narrower than its label (text beside a bar stands on white)."""
    import re

    from canvas.worksheets.funnel import BAR, CHAR_WIDTH, _blend, contrast, funnel_svg

    result = analyse_ladder(["a", "b", "c", "d", "e", "f"],
                            {"a": 20000, "b": 2400, "c": 600, "d": 120, "e": 30, "f": 1},
                            {"a": 12, "b": 25, "c": 20, "d": 25, "e": 70})
    names = {"a": "Total market", "b": "Target group", "c": "Lead", "d": "Warm lead",
             "e": "Buyer", "f": "Customer"}
    svg = str(funnel_svg(result, names, "Customer ladder"))
    bars = re.findall(r'<rect [^>]*width="([\d.]+)"[^>]*fill-opacity="([\d.]+)"', svg)
    labels = re.findall(r'<text [^>]*fill="(#[0-9a-f]{6})" font-weight="bold">([^<]+)</text>', svg)
    assert len(bars) == len(labels) == 6
    for (width, opacity), (fill, text) in zip(bars, labels, strict=True):
        colour = tuple(int(fill[i:i + 2], 16) / 255 for i in (1, 3, 5))
        assert contrast(_blend(BAR, float(opacity)), colour) >= 4.5, (text, opacity, fill)
        assert float(width) >= len(text) * CHAR_WIDTH, text
