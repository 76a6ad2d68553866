"""Numbers as people in each language write and read them (canvas/numbers.py)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from canvas.numbers import decimal, input_text, parse_number, percent, points, whole

LANGUAGES = ("en", "da", "nb")
THIN = "\u202f"


# --- reading what people type ----------------------------------------------------------------

@pytest.mark.parametrize(("raw", "value"), [
    ("1 200", 1200), ("12,5", 12.5), ("12.5", 12.5), (" 42 ", 42), ("1\u00a0200", 1200),
    ("1\u202f200", 1200), ("0", 0), ("-3", -3), ("+4", 4), (".5", 0.5), (",5", 0.5),
    ("1 000 000", 1_000_000), ("1,200", 1200), ("12,345,678", 12_345_678),
    ("1,200.50", 1200.5), ("1.200", 1.2), ("0,125", 0.125), ("1234,567", 1234.567),
])
def test_parse_number_accepts(raw, value):
    assert parse_number(raw) == value  # English is the default


@pytest.mark.parametrize("language", ["da", "nb"])
@pytest.mark.parametrize(("raw", "value"), [
    # In Danish and Norwegian a dot groups thousands: 1.200 kr is twelve hundred kroner.
    ("1.200", 1200), ("1.200.000", 1_200_000), ("1.200,50", 1200.5), ("12,5", 12.5),
    ("12.5", 12.5), ("0.125", 0.125), ("1 200", 1200), ("-1.500", -1500),
])
def test_parse_number_reads_danish_and_norwegian(language, raw, value):
    assert parse_number(raw, language) == value


@pytest.mark.parametrize(("language", "raw"), [
    ("en", "1.200,50"), ("da", "1,200.50"), ("nb", "1,200.50"), ("da", "1.20.000"),
    ("en", "1,20,000"), ("en", "١٢"), ("da", "\uff11\uff12"),
])
def test_parse_number_refuses_the_other_convention_and_odd_digits(language, raw):
    with pytest.raises(ValueError):
        parse_number(raw, language)


@pytest.mark.parametrize("raw", [
    "nan", "NaN", "inf", "-inf", "Infinity", "1e400", "1e5", "abc", "", "   ", "12 kr",
    "1.2.3", "1,2,3", "1_000", "0x10", "--1", "1,2.3.4",
])
def test_parse_number_rejects(raw):
    for language in LANGUAGES:
        with pytest.raises(ValueError):
            parse_number(raw, language)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=30),
                 # Mostly number-like text, so that the parsing paths are really exercised.
                 st.text(alphabet="0123456789 .,+-e\u00a0\u202f", max_size=20)),
       st.sampled_from(LANGUAGES))
def test_parse_number_raises_only_value_error_and_returns_finite(raw, language):
    try:
        value = parse_number(raw, language)
    except ValueError:
        return
    assert math.isfinite(value)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=-10**12, max_value=10**12))
def test_parse_number_reads_grouped_thousands(n):
    for language in LANGUAGES:
        assert parse_number(f"{n:,}".replace(",", " "), language) == n
        assert parse_number(str(n), language) == n
    assert parse_number(f"{n:,}", "en") == n
    assert parse_number(f"{n:,}".replace(",", "."), "da") == n
    assert parse_number(f"{n:,}".replace(",", "."), "nb") == n


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-1e15, max_value=1e15, allow_nan=False), st.sampled_from(LANGUAGES))
def test_a_shown_number_reads_back_as_itself(value, language):
    """What the form shows for a stored answer is read back unchanged when it is posted
    again: 1.125 shown to a Danish user as '1,125', not '1.125' (which is 1125 there)."""
    assert parse_number(input_text(value, language), language) == value


# --- showing numbers ---------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "value", "places", "shown"), [
    ("en", 6.6667, 1, "6.7"), ("da", 6.6667, 1, "6,7"), ("nb", 6.6667, 1, "6,7"),
    ("en", 5.0, 1, "5"), ("da", 1200.5, 2, f"1{THIN}200,5"), ("en", 1234567.891, 2,
                                                               f"1{THIN}234{THIN}567.89"),
    ("da", -0.04, 1, "0"), ("en", -2.25, 1, "-2.3"), ("nb", 6.25, 1, "6,3"), ("en", 0.5, 0, "1"),
])
def test_decimal_uses_the_language_decimal_mark_and_thin_spaces(language, value, places, shown):
    assert decimal(value, places, language) == shown


def test_percent_points_and_whole_numbers_per_language():
    assert percent(0.125, "en") == "12.5 %"
    assert percent(0.125, "da") == "12,5 %"
    assert percent(0.7, "nb") == "70 %"
    assert points(0.02, "en") == "+2.0 pp"
    assert points(-0.015, "nb") == "-1,5 pp"
    assert points(-0.0001, "en") == "+0.0 pp"
    assert points(0.00125, "da") == "+0,1 pp"
    assert whole(31500) == f"31{THIN}500"
    assert [f(None) for f in (percent, points, whole)] == ["–", "–", "–"]


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
       st.integers(min_value=0, max_value=3), st.sampled_from(LANGUAGES))
def test_a_shown_decimal_reads_back_as_the_rounded_value(value, places, language):
    """What the app shows (grouped, rounded) is itself a number the app can read."""
    shown = decimal(value, places, language)
    assert abs(parse_number(shown, language) - value) <= 0.5 * 10**-places + abs(value) * 1e-12
