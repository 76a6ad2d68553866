"""Rubrics in worksheet definitions: the shipped one, the parser's loud failures, the content
check, and the points (pure: no app)."""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canvas.content import ContentError
from canvas.content.check import check_tree
from canvas.languages import LANGUAGES
from canvas.worksheets.definition import load_definition
from tests.conftest import ROOT

WORKSHEETS = ROOT / "content" / "worksheets"


def text(word: str) -> dict[str, str]:
    return {lang: f"{word} ({lang})" for lang in LANGUAGES}


def worksheet(rubric: object) -> dict:
    """A one-step worksheet with the given rubric section."""
    return {"id": "tiny", "title": text("Tiny"), "description": text("A tiny worksheet"),
            "steps": [{"id": "focus", "title": text("Focus"), "teaches": [], "fields": [
                {"id": "segment", "type": "short_text", "label": text("Segment")}]},
                {"id": "more", "title": text("More"), "teaches": [], "fields": [
                    {"id": "why", "type": "long_text", "label": text("Why")}]}],
            "rubric": rubric}


GOOD = {"scale": [{"id": "low", "points": 0, "title": text("Low"), "text": text("Nothing")},
                  {"id": "high", "points": 2, "title": text("High")}],
        "criteria": [{"id": "clear", "title": text("Clear"), "steps": ["focus", "more"],
                      "levels": {"high": text("Clear and specific")}}]}


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_customer_relationships_rubric_covers_what_its_steps_teach():
    definition = load_definition(WORKSHEETS / "customer-relationships.yaml")
    rubric = definition.rubric
    assert [lv.id for lv in rubric.scale] == ["not-yet", "developing", "solid", "excellent"]
    assert [lv.points for lv in rubric.scale] == [0, 1, 2, 3]
    assert len(rubric.criteria) == 7 and rubric.max_points == 21
    covered = {step for c in rubric.criteria for step in c.steps}
    assert covered == {s.id for s in definition.steps}
    for criterion in rubric.criteria:
        for level in rubric.scale:
            for lang in LANGUAGES:
                described = criterion.descriptor(level).get(lang)
                assert described.strip() and described == criterion.descriptor(
                    level).by_language[lang], (criterion.id, level.id, lang)


@pytest.mark.parametrize("lang, pronoun", [("nb", r"\bdere\b|\bdykk"), ("da", r"\bdu\b|\bdin\b")])
def test_the_rubric_speaks_as_the_worksheet_does(lang, pronoun):
    """Danish addresses a business as I/jeres, Norwegian as du: the rubric describes the
    student's work in the third person and never uses the other language's address."""
    rubric = load_definition(WORKSHEETS / "customer-relationships.yaml").rubric
    texts = [c.title.get(lang) for c in rubric.criteria]
    texts += [c.description.get(lang) for c in rubric.criteria]
    texts += [c.descriptor(lv).get(lang) for c in rubric.criteria for lv in rubric.scale]
    offending = [t for t in texts if re.search(pronoun, t, re.IGNORECASE)]
    assert offending == []


def test_points_count_the_levels_given_and_complete_means_every_criterion(tmp_path):
    rubric = load_definition(write(tmp_path, worksheet(GOOD))).rubric
    assert rubric.max_points == 2
    assert rubric.points({}) == 0 and not rubric.complete({})
    assert rubric.points({"clear": "high"}) == 2 and rubric.complete({"clear": "high"})
    assert rubric.points({"clear": "nonsense", "other": "high"}) == 0
    low = rubric.level("low")
    assert rubric.criteria[0].descriptor(low).get("da") == "Nothing (da)"  # the scale's text


def test_a_worksheet_without_a_rubric_has_none():
    assert load_definition(WORKSHEETS / "first-lesson.yaml").rubric is None


def broken(change):
    data = copy.deepcopy(GOOD)
    change(data)
    return data


CASES = {
    "not a mapping": (["scale"], "rubric", "expected a mapping"),
    "unknown key": (broken(lambda d: d.update(weights=1)), "rubric", "unknown key"),
    "one level": (broken(lambda d: d["scale"].pop()), "rubric.scale", "at least two"),
    "points fall": (broken(lambda d: d["scale"][1].update(points=0)), "rubric.scale[1].points",
                    "lowest to the highest"),
    "points not whole": (broken(lambda d: d["scale"][0].update(points=1.5)),
                         "rubric.scale[0].points", "whole number"),
    "points true": (broken(lambda d: d["scale"][0].update(points=True)),
                    "rubric.scale[0].points", "whole number"),
    "negative points": (broken(lambda d: d["scale"][0].update(points=-1)),
                        "rubric.scale[0].points", "whole number"),
    "level twice": (broken(lambda d: d["scale"][1].update(id="low", points=3)),
                    "rubric.scale[1].id", "used twice"),
    "level without nb": (broken(lambda d: d["scale"][1]["title"].pop("nb")),
                         "rubric.scale[1].title", "missing language(s): nb"),
    "no criteria": (broken(lambda d: d.update(criteria=[])), "rubric.criteria", "at least one"),
    "criterion twice": (broken(lambda d: d["criteria"].append(copy.deepcopy(d["criteria"][0]))),
                        "rubric.criteria[1].id", "used twice"),
    "unknown step": (broken(lambda d: d["criteria"][0].update(steps=["nowhere"])),
                     "rubric.criteria[0].steps", "no step 'nowhere'"),
    "unknown level": (broken(lambda d: d["criteria"][0]["levels"].update(top=text("Top"))),
                      "rubric.criteria[0].levels.top", "no level 'top'"),
    "level not described": (broken(lambda d: d["criteria"][0]["levels"].pop("high")),
                            "rubric.criteria[0].levels.high", "expected a text per language"),
    "descriptor without da": (broken(lambda d: d["criteria"][0]["levels"]["high"].pop("da")),
                              "rubric.criteria[0].levels.high", "missing language(s): da"),
    "criterion key": (broken(lambda d: d["criteria"][0].update(weight=2)),
                      "rubric.criteria[0]", "unknown key"),
    "levels a list": (broken(lambda d: d["criteria"][0].update(levels=["high"])),
                      "rubric.criteria[0].levels", "what each level looks like"),
}


@pytest.mark.parametrize("name", CASES)
def test_a_broken_rubric_fails_loudly_naming_file_and_key(tmp_path, name):
    rubric, key, problem = CASES[name]
    path = write(tmp_path, worksheet(rubric))
    with pytest.raises(ContentError) as caught:
        load_definition(path)
    message = str(caught.value)
    assert str(path) in message and key in message and problem in message, message


@pytest.fixture
def tree(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target


def test_content_check_reports_a_broken_rubric_and_a_step_no_criterion_covers(tree):
    path = tree / "worksheets" / "customer-relationships.yaml"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("      steps: [after-purchase]\n", "      steps: []\n"),
                    encoding="utf-8")
    assert check_tree(tree) == [f"{path}: rubric.criteria: no criterion covers the step "
                                "'after-purchase' (name it in a criterion's `steps`)"]
    path.write_text(original.replace("      points: 2\n", "      points: 1\n"), encoding="utf-8")
    problems = check_tree(tree)
    assert len(problems) == 1 and problems[0].startswith(f"{path}: rubric.scale[2].points")


def test_the_shipped_content_passes_the_check():
    assert check_tree(ROOT / "content") == []


rubric_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 5) | st.text(max_size=4)
    | st.sampled_from(["low", "high", "focus", "clear"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["id", "points", "title", "text", "levels", "steps", "scale",
                         "criteria", "low", "high", "en", "da", "nb"]), inner, max_size=5),
    max_leaves=20)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(rubric=rubric_values)
def test_any_rubric_section_parses_or_fails_with_a_content_error(tmp_path, rubric):
    path = write(tmp_path, worksheet(rubric))
    try:
        definition = load_definition(path)
    except ContentError as exc:
        assert str(path) in str(exc)
        return
    if definition.rubric is not None:
        points = [lv.points for lv in definition.rubric.scale]
        assert points == sorted(set(points)) and len(points) >= 2
        assert definition.rubric.max_points == len(definition.rubric.criteria) * points[-1]
