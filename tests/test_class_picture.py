"""The class picture without Flask or a database: its data from answers
(canvas/classroom/picture.py) and its charts as SVG with the same data as table rows
(canvas/classroom/charts.py), read with an XML parser."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from canvas.classroom import charts, picture
from canvas.library import load
from tests.conftest import ROOT

SVG = "{http://www.w3.org/2000/svg}"
LIBRARY, DEFINITIONS = load(ROOT / "content")
DEFINITION = DEFINITIONS["customer-relationships"]


def example(name: str) -> dict:
    data = json.loads((ROOT / "content" / "examples" / f"{name}.json").read_text("utf-8"))
    return next(ws["answers"] for ws in data["worksheets"]
                if ws["definition"] == "customer-relationships")


CLEANING, BOOTS = example("cleaning-copenhagen.en"), example("football-boots.en")
# Three students: two worked examples and one who has only just begun.
ENTRIES = [(11, CLEANING), (12, BOOTS), (13, {"segment": "Cafés", "weights": {
    "acquisition": 70, "retention": 20, "upselling": 10}})]
NAMES = {11: "Ada Ødegaard", 12: 'Bo "Boots" Berg', 13: "Cai, the third"}


def chart(charts_: list, chart_id: str) -> picture.Chart:
    return next(c for c in charts_ if c.id == chart_id)


def test_the_picture_follows_the_worksheet_definition():
    found = picture.class_picture(DEFINITION, ENTRIES, LIBRARY, "en")
    assert [c.id for c in found] == [
        "chart-types", "chart-tactics-ladder", "chart-weights-weights",
        "chart-goals-ladder-customer-ladder", "chart-goals-ladder-loyalty-ladder",
        "chart-economics-economics"]
    assert [c.title for c in found] == [
        "Relationship types", "Tactics", "What you want to achieve", "The customer ladder",
        "The loyalty ladder", "Economics"]


def test_relationship_types_count_who_chose_each():
    types = chart(picture.class_picture(DEFINITION, ENTRIES, LIBRARY, "en"), "chart-types")
    bars = {bar.id: bar.who for bar in types.groups[0].bars}
    # Every type of the catalogue, in its order, chosen or not.
    assert list(bars) == [i.id for i in LIBRARY.catalogue("en", "service")]
    assert bars["dedicated-assistance"] == (11,)
    assert bars["co-creation"] == (12,)
    assert bars["self-service"] == ()
    assert types.answered == 2


def test_tactics_are_grouped_by_motivation_in_the_class_language():
    tactics = chart(picture.class_picture(DEFINITION, ENTRIES, LIBRARY, "da"),
                    "chart-tactics-ladder")
    assert [g.label for g in tactics.groups] == [
        LIBRARY.page("da", m).title for m in ("acquisition", "retention", "upselling")]
    acquisition = {bar.id: bar.count for bar in tactics.groups[0].bars}
    assert acquisition["free-product"] == 1 and acquisition["trial-version"] == 1
    assert sum(acquisition.values()) == 4  # two each in the examples
    assert tactics.groups[2].bars[0].label == LIBRARY.catalogue("da", "upselling")[0].name


def test_weights_and_goals_are_distributions_with_the_class_median():
    found = picture.class_picture(DEFINITION, ENTRIES, LIBRARY, "en")
    weights = chart(found, "chart-weights-weights")
    winning = weights.rows[0]
    assert (winning.id, winning.label) == ("acquisition", "Win new customers")
    assert sorted(p.value for p in winning.points) == [40, 50, 70]
    assert winning.median == 50
    assert weights.answered == 3 and weights.scale_max == 100
    customer = chart(found, "chart-goals-ladder-customer-ladder")
    assert customer.answered == 1  # the cleaning company; the boots use the loyalty ladder
    assert customer.rows[0].label == "Total market → Target group"
    assert [p.value for p in customer.rows[0].points] == [12]
    loyalty = chart(found, "chart-goals-ladder-loyalty-ladder")
    assert [r.median for r in loyalty.rows] == [10, 15, 40, 25]


def test_economics_pairs_lifetime_value_with_the_relationships_cost():
    pairs = chart(picture.class_picture(DEFINITION, ENTRIES, LIBRARY, "en"),
                  "chart-economics-economics").pairs
    # Cleaning: 3500 x 12 x 3 x 25 % = 31,500 against 4000 + 600 x 3 = 5,800.
    assert [(p.key, p.x, p.y, p.above) for p in pairs] == [
        (11, 5800, 31500, True), (12, 810, 2520, True)]


def test_a_ladder_nobody_chose_has_no_chart_and_no_one_means_nothing_answered():
    found = picture.class_picture(DEFINITION, [(1, CLEANING)], LIBRARY, "en")
    assert "chart-goals-ladder-loyalty-ladder" not in [c.id for c in found]
    empty = picture.class_picture(DEFINITION, [], LIBRARY, "en")
    assert all(c.answered == 0 for c in empty)


ANSWERS = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner,
                                                                 max_size=4), max_leaves=12)
FIELD_IDS = st.sampled_from([f.id for _s, f in DEFINITION.all_fields()])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dictionaries(FIELD_IDS, ANSWERS, max_size=6), max_size=5))
def test_any_stored_answers_draw_without_error(answers):
    entries = list(enumerate(answers, start=1))
    for found in picture.class_picture(DEFINITION, entries, LIBRARY, "en"):
        assert 0 <= found.answered <= len(entries)
        svg = charts.chart_svg(found, "en", {k: f"Student {k}" for k, _ in entries})
        ET.fromstring(str(svg))  # well-formed whatever was stored
        assert charts.table_rows(found, "en") is not None


# --- the SVG ---------------------------------------------------------------------------------

def drawn(language: str = "en", names: dict | None = None) -> dict[str, ET.Element]:
    found = picture.class_picture(DEFINITION, ENTRIES, LIBRARY, language)
    return {c.id: ET.fromstring(str(charts.chart_svg(c, language, names))) for c in found}


@pytest.mark.parametrize("names", [None, NAMES], ids=["projector", "teacher"])
def test_every_chart_is_an_image_named_by_its_title_and_described(names):
    for chart_id, svg in drawn("da", names).items():
        assert svg.get("role") == "img", chart_id
        title_id, desc_id = svg.get("aria-labelledby").split()
        title = svg.find(f"{SVG}title")
        desc = svg.find(f"{SVG}desc")
        assert (title.get("id"), desc.get("id")) == (title_id, desc_id)
        assert title.text and desc.text
        assert svg.get("lang") == "da"


def test_the_projector_chart_names_no_one_and_the_teachers_names_each_answer():
    projector = "".join(ET.tostring(svg, encoding="unicode") for svg in drawn().values())
    teacher = drawn(names=NAMES)
    for name in NAMES.values():
        assert name not in projector
    assert "data-row" not in projector
    tips = [t.text for svg in teacher.values() for t in svg.iter(f"{SVG}title")]
    assert any("Ada Ødegaard" in tip for tip in tips)
    assert 'Bo "Boots" Berg: value 2' in " ".join(tips)


def test_each_mark_points_at_its_row_in_the_table():
    found = picture.class_picture(DEFINITION, ENTRIES, LIBRARY, "en")
    for one in found:
        svg = ET.fromstring(str(charts.chart_svg(one, "en", NAMES)))
        marks = [g.get("data-row") for g in svg.iter(f"{SVG}g") if g.get("data-row")]
        rows = [r.id for r in charts.table_rows(one, "en")]
        assert marks == rows, one.id
        assert len(set(rows)) == len(rows)


def test_the_tables_hold_the_charts_data():
    found = picture.class_picture(DEFINITION, ENTRIES, LIBRARY, "en")
    types = charts.table_rows(chart(found, "chart-types"), "en")
    assert [(r.label, r.count, r.who) for r in types][:2] == [
        ("Personal assistance", 0, ()), ("Dedicated personal assistance", 1, (11,))]
    weights = charts.table_rows(chart(found, "chart-weights-weights"), "en")
    winning = [r for r in weights if r.group == "Win new customers"]
    assert [(r.value, r.who) for r in winning] == [("40", (12,)), ("50", (11,)), ("70", (13,))]
    assert winning[0].median == "50" and winning[1].median == ""
    economics = charts.table_rows(chart(found, "chart-economics-economics"), "en")
    assert [(r.label, r.value, r.above) for r in economics] == [
        ("810", "2\u202f520", True), ("5\u202f800", "31\u202f500", True)]


def test_same_answers_share_one_dot_and_the_median_is_marked():
    entries = [(n, {"weights": {"acquisition": 50, "retention": 50, "upselling": 0}})
               for n in range(30)]
    weights = chart(picture.class_picture(DEFINITION, entries, LIBRARY, "en"),
                    "chart-weights-weights")
    svg = ET.fromstring(str(charts.chart_svg(weights, "en")))
    assert len(list(svg.iter(f"{SVG}circle"))) == 3  # one dot per distinct value and row
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert texts.count("median 50") == 2 and "median 0" in texts


def test_economics_draws_shapes_as_well_as_colours():
    entries = [(1, {**CLEANING}), (2, {**BOOTS, "margin": 1})]  # the boots below their cost
    economics = chart(picture.class_picture(DEFINITION, entries, LIBRARY, "en"),
                      "chart-economics-economics")
    svg = ET.fromstring(str(charts.chart_svg(economics, "en", {1: "A", 2: "B"})))
    marks = [g for g in svg.iter(f"{SVG}g") if g.get("data-row")]
    shapes = {g.find(f"{SVG}title").text.split(":")[0]: g[1].tag.removeprefix(SVG)
              for g in marks}
    assert shapes == {"A": "circle", "B": "rect"}
    assert "for 1, not for 1" in svg.find(f"{SVG}desc").text


def test_the_colours_keep_wcag_contrast_on_white():
    for colour in charts.COLOURS:
        assert charts.contrast_on_white(colour) >= 4.5, colour  # text and marks alike
