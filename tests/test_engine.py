"""The worksheet engine without Flask: definitions, generated forms, coaching and summary."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

import pytest

from canvas.content import load_library
from canvas.i18n import gettext_in
from canvas.worksheets.analysis import (
    RULES,
    coach,
    draft_summary,
    progress,
    step_done,
    summary_values,
)
from canvas.worksheets.definition import WorksheetDefinition, load_definitions
from canvas.worksheets.fields import TYPES, Context, ladder_of
from canvas.worksheets.service import StepReading, form_inputs, read_step, shown_values
from tests.conftest import ROOT

CONTENT = ROOT / "content"
LANGUAGES = ("en", "da", "nb")
# The validation messages, by the names the tests use (English msgids of the catalogues).
MESSAGES = {
    "too_long": "This is %(length)d characters; the limit is %(max)d. Shorten it a little; "
                "your text is kept.",
    "not_number": "“%(value)s” is not a number. Use digits, for example %(whole)s or "
                  "%(decimal)s.",
    "not_whole": "Use a whole number here, without decimals.",
    "below_min": "The smallest allowed value is %(min)s.",
    "above_max": "The largest allowed value is %(max)s.",
    "goal_range": "A conversion goal is a percentage between 0 and 100.",
    "unknown_choice": "That choice is not on the list. Pick one of the options shown.",
}


def message(key: str, language: str, **values: object) -> str:
    if key == "not_number":
        values = {"whole": "1200", "decimal": "12.5" if language == "en" else "12,5", **values}
    return gettext_in(language, MESSAGES[key], **values)


@pytest.fixture(scope="module")
def library():
    return load_library(CONTENT)


@pytest.fixture(scope="module")
def definitions() -> dict[str, WorksheetDefinition]:
    return load_definitions(CONTENT / "worksheets")


@pytest.fixture(scope="module")
def cr(definitions) -> WorksheetDefinition:
    return definitions["customer-relationships"]


def example(name: str) -> tuple[str, dict[str, Any]]:
    """(language, answers) of a worked example's customer-relationships worksheet."""
    data = json.loads((CONTENT / "examples" / f"{name}.json").read_text(encoding="utf-8"))
    (worksheet,) = data["worksheets"]
    assert worksheet["definition"] == "customer-relationships"
    return data["language"], worksheet["answers"]


def as_posted(shown: dict[str, Any]) -> dict[str, str]:
    """What a browser would post for these input values (unticked boxes are left out)."""
    return {k: "y" if v is True else str(v) for k, v in shown.items()
            if v is not None and v is not False}


@dataclass
class Posted:
    """A step posted as a plain form: what was stored before, and what reading it gave."""

    before: dict[str, Any]
    reading: StepReading

    @property
    def saved(self) -> dict[str, Any]:
        """The answers after the save: the stored ones with the changes applied."""
        return {**self.before, **self.reading.changes}

    @property
    def field_errors(self) -> dict[str, list[str]]:
        """Errors by field id (a field is in error when any of its inputs is)."""
        out: dict[str, list[str]] = {}
        for name, errors in self.reading.errors.items():
            out.setdefault(name.split("__")[0], []).extend(errors)
        return out


def post(step, library, language, answers, formdata: dict[str, str], definition=None):
    """Read a plain form post of the step over the stored `answers`; messages in `language`."""
    ctx = Context(library, language, language, answers, definition)
    return Posted(dict(answers), read_step(step, form_inputs(step, formdata, ctx), ctx))


def normalise(field_type: str, value: Any) -> Any:
    """Differences that carry no meaning: checkbox order, ladder rungs left empty."""
    if field_type == "multi_choice" and isinstance(value, list):
        return sorted(value, key=lambda e: e["id"])
    if field_type == "ladder" and isinstance(value, dict):
        out = {}
        for key, part in value.items():
            if isinstance(part, dict) and "counts" in part:
                part = {k: {r: v for r, v in (part.get(k) or {}).items() if v is not None}
                        for k in ("counts", "goals")}
            out[key] = part
        return out
    return value


# --- definitions ---------------------------------------------------------------------------

def test_definitions_load_by_id(definitions):
    assert list(definitions) == ["customer-relationships", "first-lesson"]


def test_customer_relationships_steps_in_order(cr):
    assert [s.id for s in cr.steps] == [
        "focus", "goals", "relationship-types", "tactics", "ladder", "after-purchase",
        "economics", "reflection", "summary"]
    assert cr.step_index("ladder") == 4
    assert cr.step("economics").panel == "economics"
    assert cr.step("ladder").panel == "funnel"
    assert cr.field("margin").maximum == 100
    for language in LANGUAGES:
        assert cr.title.get(language)
        assert all(s.title.get(language) for s in cr.steps)


def test_first_lesson_has_three_steps(definitions):
    lesson = definitions["first-lesson"]
    assert len(lesson.steps) == 3
    assert [s.id for s in lesson.steps] == ["customer", "serve", "keep"]


def test_every_field_type_is_used(definitions):
    used = {f.type for d in definitions.values() for _, f in d.all_fields()}
    assert used == set(TYPES)


def test_every_coach_rule_is_known(definitions):
    for d in definitions.values():
        for step in d.steps:
            for r in step.coach:
                assert r.rule in RULES, (d.id, step.id, r.rule)


# --- reading posted steps --------------------------------------------------------------------

EXAMPLES = ["cleaning-copenhagen.en", "football-boots.nb", "cleaning-copenhagen.da",
            "football-boots.da"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_answers_round_trip_through_posted_forms(cr, library, name):
    """Every step of a worked example, shown in the editor and posted back unchanged as a
    browser would post it, reads back as the same answers."""
    language, answers = example(name)
    for step in cr.steps:
        ctx = Context(library, language, language, answers, cr)
        posted = as_posted(shown_values(step, answers, ctx))
        reading = read_step(step, form_inputs(step, posted, Context(
            library, language, language, {}, cr) if step.id != "ladder" else ctx), ctx)
        assert not reading.errors, (step.id, reading.errors)
        back = {**answers, **reading.changes}
        for f in step.fields:
            assert normalise(f.type, back[f.id]) == normalise(f.type, answers.get(f.id)), (
                step.id, f.id)


@pytest.mark.parametrize("name", EXAMPLES[:2])
def test_example_answers_read_from_nothing_give_the_same_answers(cr, library, name):
    """Posting a worked example's inputs over an empty worksheet stores its answers."""
    language, answers = example(name)
    for step in cr.steps:
        shown = shown_values(step, answers, Context(library, language, language, answers, cr))
        # The ladder offers the tactics chosen in earlier steps, so those must be stored.
        before = {k: v for k, v in answers.items() if k not in {f.id for f in step.fields}}
        ctx = Context(library, language, language, before, cr)
        reading = read_step(step, form_inputs(step, as_posted(shown), ctx), ctx)
        assert not reading.errors, (step.id, reading.errors)
        for f in step.fields:
            value = reading.changes.get(f.id, before.get(f.id))
            assert normalise(f.type, value) == normalise(f.type, answers.get(f.id)), f.id


def test_ladder_round_trip_keeps_numbers_and_types(cr, library):
    language, answers = example("cleaning-copenhagen.en")
    step = cr.step("ladder")
    before = {k: v for k, v in answers.items() if k != "ladder"}
    ctx = Context(library, language, language, before, cr)
    shown = shown_values(step, answers, Context(library, language, language, answers, cr))
    ladder = read_step(step, form_inputs(step, as_posted(shown), ctx), ctx).changes["ladder"]
    counts = ladder["customer-ladder"]["counts"]
    assert counts["total-market"] == 20000 and isinstance(counts["total-market"], int)
    assert ladder["customer-ladder"]["goals"]["buyer"] == 70
    # Every rung of both ladders is present, the unused one empty.
    assert set(ladder["loyalty-ladder"]["counts"]) == {
        "lead", "prospect", "customer", "repeat-buyer", "ambassador"}
    assert all(v is None for v in ladder["loyalty-ladder"]["counts"].values())
    assert ladder["tactics"]["referrals"] == "customer-ladder:lead"


def test_first_lesson_round_trip(definitions, library):
    lesson = definitions["first-lesson"]
    answers = {"segment": "First-year students who cycle", "value_proposition": "Quick repairs",
               "relationship_type": "self-service", "relationship_why": "They fix it themselves",
               "retention_tactic": "membership", "retention_how": "A yearly repair club"}
    for language in LANGUAGES:
        for step in lesson.steps:
            shown = shown_values(step, answers, Context(library, language, language, answers))
            posted = post(step, library, language, {}, as_posted(shown))
            assert not posted.reading.errors
            assert posted.saved == {f.id: answers[f.id] for f in step.fields}


def test_unchecked_boxes_and_blank_numbers(cr, library):
    step = cr.step("after-purchase")
    posted = post(step, library, "en", {}, {
        "delivery_checks__right-time": "y", "delivery_checks__right-time__how": "Log it",
        "future_needs__repeat-purchase": "y"})
    back = posted.saved
    assert back["delivery_checks"]["right-time"] == {"done": True, "how": "Log it"}
    assert back["delivery_checks"]["right-price"] == {"done": False, "how": ""}
    assert back["future_needs"] == [{"id": "repeat-purchase", "what": ""}]
    econ = cr.step("economics")
    posted = post(econ, library, "en", {"cost_to_win": 40}, {"cost_to_win": "", "margin": "  "})
    assert not posted.field_errors
    assert posted.saved["cost_to_win"] is None  # emptied
    assert posted.saved.get("margin") is None


def test_unknown_choices_are_refused(definitions, cr, library):
    serve = definitions["first-lesson"].step("serve")
    posted = post(serve, library, "en", {"relationship_type": "self-service"},
                  {"relationship_type": "bribery"})
    assert posted.field_errors["relationship_type"] == [message("unknown_choice", "en")]
    assert posted.saved["relationship_type"] == "self-service"  # the stored one stays
    ladder = cr.step("ladder")
    answers = {"tactics_acquisition": [{"id": "referrals"}]}
    posted = post(ladder, library, "en", answers, {
        "ladder__ladder": "stairs", "ladder__tactic__referrals": "customer-ladder:nowhere"},
        cr)
    assert set(posted.field_errors) == {"ladder"}
    assert set(posted.reading.errors) == {"ladder__ladder", "ladder__tactic__referrals"}


# --- numbers -------------------------------------------------------------------------------

def test_empty_number_is_no_answer_not_an_error(cr, library):
    step = cr.step("economics")
    posted = post(step, library, "en", {}, {"cost_to_win": "", "years": "3"})
    assert not posted.field_errors
    assert posted.saved.get("cost_to_win") is None
    assert posted.saved["years"] == 3


@pytest.mark.parametrize("raw", ["nan", "inf", "1e400", "abc"])
def test_bad_number_keeps_the_old_answer(cr, library, raw):
    step = cr.step("economics")
    posted = post(step, library, "en", {"cost_to_win": 4000}, {"cost_to_win": raw, "years": "3"})
    assert posted.field_errors["cost_to_win"] == [message("not_number", "en", value=raw)]
    assert posted.saved["cost_to_win"] == 4000
    assert posted.saved["years"] == 3


@pytest.mark.parametrize(("language", "raw"), [("da", "10,000"), ("nb", "2,500"),
                                               ("en", "10.000")])
def test_a_count_with_a_decimal_mark_is_refused_not_read_as_a_small_number(cr, library,
                                                                          language, raw):
    """10,000 people in Danish would be ten: a count is whole, so it is refused with a hint."""
    step = cr.step("ladder")
    name = "ladder__customer-ladder__count__total-market"
    posted = post(step, library, language, {}, {"ladder__ladder": "customer-ladder", name: raw},
                  cr)
    assert posted.reading.errors[name] == [gettext_in(
        language, "“%(value)s” is not a whole number. Counts have no decimals; for thousands "
        "write %(example)s.", value=raw, example="10 000")]
    assert posted.saved["ladder"]["customer-ladder"]["counts"]["total-market"] is None


@pytest.mark.parametrize(("language", "raw", "count"), [("da", "10.000", 10000),
                                                        ("en", "10,000", 10000),
                                                        ("nb", "10 000", 10000)])
def test_a_count_grouped_the_language_s_way_is_read(cr, library, language, raw, count):
    step = cr.step("ladder")
    name = "ladder__customer-ladder__count__total-market"
    posted = post(step, library, language, {}, {"ladder__ladder": "customer-ladder", name: raw},
                  cr)
    assert not posted.reading.errors
    assert posted.saved["ladder"]["customer-ladder"]["counts"]["total-market"] == count


# --- messages in the user's language ---------------------------------------------------------

def _errors_for(cr, library, language):
    econ = cr.step("economics")
    form = post(econ, library, language, {}, {"cost_to_win": "abc", "margin": "150",
                                              "years": "-1"})
    ladder = cr.step("ladder")
    lform = post(ladder, library, language, {}, {
        "ladder__ladder": "customer-ladder", "ladder__customer-ladder__count__lead": "12.5"
        if language != "en" else "12,5",
        "ladder__customer-ladder__goal__lead": "120"}, cr)
    focus = cr.step("focus")
    fform = post(focus, library, language, {}, {"segment": "x" * 201})
    return {
        "not_number": form.reading.errors["cost_to_win"],
        "above_max": form.reading.errors["margin"],
        "below_min": form.reading.errors["years"],
        "not_whole": lform.reading.errors["ladder__customer-ladder__count__lead"],
        "goal_range": lform.reading.errors["ladder__customer-ladder__goal__lead"],
        "too_long": fform.reading.errors["segment"],
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_validation_messages_are_in_the_language_asked_for(cr, library, language):
    errors = _errors_for(cr, library, language)
    assert errors == {
        "not_number": [message("not_number", language, value="abc")],
        "above_max": [message("above_max", language, max="100")],
        "below_min": [message("below_min", language, min="0")],
        "not_whole": [message("not_whole", language)],
        "goal_range": [message("goal_range", language)],
        "too_long": [message("too_long", language, length=201, max=200)],
    }


@pytest.mark.parametrize("language", ["da", "nb"])
def test_danish_and_norwegian_messages_are_not_english(cr, library, language):
    english = _errors_for(cr, library, "en")
    local = _errors_for(cr, library, language)
    for key in english:
        assert local[key] != english[key], key
    assert "tegn" in local["too_long"][0]
    word = {"da": "er ikke et tal.", "nb": "er ikke et tall."}[language]
    assert word in local["not_number"][0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_too_long_text_is_refused_and_the_rest_saved(cr, library, language):
    step = cr.step("focus")
    typed = "Small offices in Copenhagen " * 8  # 224 characters
    posted = post(step, library, language, {"segment": "Offices"},
                  {"segment": typed, "value_proposition": "Clean"})
    assert posted.field_errors == {
        "segment": [message("too_long", language, length=len(typed), max=200)]}
    # The valid field is still taken; the refused one is left out, so it is not overwritten.
    assert posted.reading.changes == {"value_proposition": "Clean"}
    assert posted.saved["segment"] == "Offices"


def test_detail_text_limit(cr, library):
    step = cr.step("relationship-types")
    typed = "y" * 1001
    posted = post(step, library, "en", {}, {
        "relationship_types__self-service": "y", "relationship_types__self-service__why": typed})
    assert posted.field_errors == {
        "relationship_types": [message("too_long", "en", length=1001, max=1000)]}
    # The box was ticked; the refused text does not overwrite the (empty) stored one.
    assert posted.saved["relationship_types"] == [{"id": "self-service", "why": ""}]


def test_text_at_the_limit_is_accepted(cr, library):
    step = cr.step("focus")
    posted = post(step, library, "en", {}, {"segment": "x" * 200})
    assert not posted.field_errors
    assert posted.saved["segment"] == "x" * 200


def test_a_missing_input_keeps_its_stored_answer(cr, library):
    """Only the inputs present change anything: a JSON body that leaves a field out keeps it."""
    step = cr.step("focus")
    ctx = Context(library, "en", "en", {"segment": "Offices", "value_proposition": "Clean"}, cr)
    reading = read_step(step, {"value_proposition": "Spotless"}, ctx)
    assert reading.changes == {"value_proposition": "Spotless"}
    relationship = cr.step("relationship-types")
    stored = [{"id": "self-service", "why": "They book online"}]
    ctx = Context(library, "en", "en", {"relationship_types": stored}, cr)
    reading = read_step(relationship, {"relationship_types__communities": True}, ctx)
    assert reading.changes["relationship_types"] == [
        {"id": "self-service", "why": "They book online"}, {"id": "communities", "why": ""}]


# --- coaching ------------------------------------------------------------------------------

def hints(cr, library, step_id, answers, language="en"):
    return coach(cr, cr.step(step_id), answers, library, language)


def messages_of(found):
    return [h.message for h in found]


def rule_message(cr, step_id, rule, language="en", **params):
    step = cr.step(step_id)
    for r in step.coach:
        if r.rule == rule and all(r.params.get(k) == v for k, v in params.items()):
            return r.message.get(language)
    raise AssertionError(f"no rule {rule} on {step_id}")


def test_empty_focus_asks_for_the_segment(cr, library):
    found = hints(cr, library, "focus", {})
    assert messages_of(found) == [rule_message(cr, "focus", "empty")]
    assert found[0].field == "segment"
    assert hints(cr, library, "focus", {"segment": "Offices"}) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_tactics_without_segment(cr, library, language):
    answers = {"tactics_acquisition": [{"id": "referrals", "how": "Ask", "cost": "Little"}]}
    found = hints(cr, library, "tactics", answers, language)
    expected = rule_message(cr, "tactics", "needs", language)
    assert expected in messages_of(found)
    assert next(h for h in found if h.message == expected).field is None
    answers["segment"] = "Offices"
    assert expected not in messages_of(hints(cr, library, "tactics", answers, language))
    assert "segment" in expected or language != "en"


@pytest.mark.parametrize("language", LANGUAGES)
def test_empty_why_names_the_option(cr, library, language):
    answers = {"segment": "Offices", "relationship_types": [
        {"id": "self-service", "why": "  "}, {"id": "communities", "why": "They talk"}]}
    found = hints(cr, library, "relationship-types", answers, language)
    name = str(library.item(language, "service#self-service").name)
    want = rule_message(cr, "relationship-types", "detail_empty", language).format(option=name)
    assert messages_of(found) == [want]
    assert found[0].field == "relationship_types"
    other = str(library.item(language, "service#communities").name)
    assert other not in found[0].message


def test_relationship_types_before_segment(cr, library):
    answers = {"relationship_types": [{"id": "self-service", "why": "Fast"}]}
    assert messages_of(hints(cr, library, "relationship-types", answers)) == [
        rule_message(cr, "relationship-types", "needs")]


@pytest.mark.parametrize(("weights", "total"), [
    ({"acquisition": 50, "retention": 30, "upselling": 10}, 90),
    ({"acquisition": 80, "retention": 40, "upselling": None}, 120),
    ({"acquisition": 0, "retention": 0, "upselling": 0}, 0),
])
def test_weights_not_summing_to_100(cr, library, weights, total):
    found = hints(cr, library, "goals", {"weights": weights, "weights_why": "Because"})
    assert messages_of(found) == [
        rule_message(cr, "goals", "weights_sum").format(total=total, want=100)]
    assert f"add up to {total}, not 100" in found[0].message


@pytest.mark.parametrize("weights", [
    {"acquisition": 50, "retention": 40, "upselling": 10},
    {"acquisition": 100, "retention": None, "upselling": None},
    {"acquisition": None, "retention": None, "upselling": None},
    {},
])
def test_weights_summing_to_100_or_blank_are_fine(cr, library, weights):
    assert hints(cr, library, "goals", {"weights": weights, "weights_why": "Because"}) == []


def test_weights_message_in_danish(cr, library):
    found = hints(cr, library, "goals", {"weights": {"acquisition": 70}, "weights_why": "x"}, "da")
    assert messages_of(found) == [
        "Jeres point giver 70 i alt, ikke 100. Justér dem, så fordelingen viser, hvad der "
        "betyder mest."]


def _cleaning_ladder(**changes):
    _, answers = example("cleaning-copenhagen.en")
    answers = copy.deepcopy(answers)
    part = answers["ladder"]["customer-ladder"]
    for key, value in changes.items():
        kind, rung = key.split("__")
        if value is None:
            part[kind].pop(rung, None)
        else:
            part[kind][rung] = value
    return answers


def test_cleaning_example_needs_no_coaching(cr, library):
    for name in ("cleaning-copenhagen.en", "football-boots.nb"):
        language, answers = example(name)
        for step in cr.steps:
            assert hints(cr, library, step.id, answers, language) == [], (name, step.id)


def test_ladder_growing_upward(cr, library):
    answers = _cleaning_ladder(counts__lead=3000)
    found = hints(cr, library, "ladder", answers)
    want = rule_message(cr, "ladder", "ladder_grows").format(rung="Lead")
    assert want in messages_of(found)
    assert found[messages_of(found).index(want)].field == "ladder"
    assert 'more people on "Lead"' in want


def test_ladder_goal_missing(cr, library):
    answers = _cleaning_ladder(goals__lead=None)
    found = messages_of(hints(cr, library, "ladder", answers))
    assert found == [rule_message(cr, "ladder", "goal_missing").format(step="Lead → Warm lead")]


def test_ladder_below_goal(cr, library):
    answers = _cleaning_ladder(counts__customer=15)  # 50 % of buyers against a 70 % goal
    found = messages_of(hints(cr, library, "ladder", answers))
    assert found == [rule_message(cr, "ladder", "below_goal").format(
        step="Buyer → Customer", gap="20")]


def test_tactic_not_placed_on_the_ladder(cr, library):
    answers = _cleaning_ladder()
    del answers["ladder"]["tactics"]["referrals"]
    found = messages_of(hints(cr, library, "ladder", answers))
    assert found == [rule_message(cr, "ladder", "tactic_unmapped").format(tactic="Referrals")]


def test_no_ladder_chosen_gives_no_ladder_hints(cr, library):
    assert hints(cr, library, "ladder", {"ladder": {"ladder": None}}) == []
    assert hints(cr, library, "ladder", {}) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_zero_weight_tactics(cr, library, language):
    answers = {"segment": "Offices",
               "weights": {"acquisition": 0, "retention": 100, "upselling": 0},
               "tactics_acquisition": [{"id": "referrals", "how": "Ask", "cost": "x"}],
               "tactics_retention": [{"id": "membership", "how": "Club", "cost": "x"}]}
    found = messages_of(hints(cr, library, "tactics", answers, language))
    title = library.page(language, "acquisition").title
    want = rule_message(cr, "tactics", "zero_weight_tactics", language).format(motivation=title)
    assert found == [want]
    assert library.page(language, "retention").title not in want


def test_value_below_cost(cr, library):
    answers = {"cost_to_win": 5000, "cost_to_keep": 1000, "average_order": 100,
               "orders_per_year": 2, "years": 1, "margin": 10}
    found = messages_of(hints(cr, library, "economics", answers))
    assert found == [rule_message(cr, "economics", "value_below_cost")]
    _, cleaning = example("cleaning-copenhagen.en")
    assert hints(cr, library, "economics", cleaning) == []
    # Missing numbers: no verdict, so no hint.
    assert hints(cr, library, "economics", {"cost_to_win": 5000}) == []


def test_ticked_check_without_how(cr, library):
    answers = {"delivery_checks": {"right-time": {"done": True, "how": ""},
                                   "right-place": {"done": False, "how": ""}},
               "future_needs": [{"id": "repeat-purchase", "what": "x"}]}
    found = messages_of(hints(cr, library, "after-purchase", answers))
    assert found == [rule_message(cr, "after-purchase", "unchecked").format(
        option="At the right time")]


# --- summary and progress -------------------------------------------------------------------

def test_draft_summary_for_the_cleaning_example(cr, library):
    language, answers = example("cleaning-copenhagen.en")
    text = draft_summary(cr, answers, library, language)
    assert "Small offices with 10-50 employees in Copenhagen" in text
    for type_id in ("dedicated-assistance", "automated-service"):
        name = str(library.item(language, f"service#{type_id}").name).lower()
        assert name in text
    assert "31\u202f500" in text  # thin spaces between thousands, as in the panels
    assert "5\u202f800" in text
    assert "21 people" in text
    assert len(text.splitlines()) == len(cr.summary_template["en"])


@pytest.mark.parametrize("name", ["cleaning-copenhagen.en", "football-boots.en"])
def test_draft_summary_reads_naturally(cr, library, name):
    language, answers = example(name)
    text = draft_summary(cr, answers, library, language)
    lines = text.splitlines()
    assert len(lines) == len(cr.summary_template["en"])  # the whole draft, ladder line too
    assert [line for line in lines if line.startswith("On the ") and " ladder " in line]
    # The ladder's page title already starts with "The".
    assert "the The " not in text
    assert "the the " not in text.lower()


def test_draft_summary_for_the_boot_maker(cr, library):
    language, answers = example("football-boots.nb")
    text = draft_summary(cr, answers, library, language)
    assert "2\u202f520" in text and "810" in text
    assert "60 personer" in text
    for type_id in ("co-creation", "communities"):
        assert str(library.item("nb", f"service#{type_id}").name).lower() in text


def test_draft_summary_leaves_out_lines_with_missing_facts(cr, library):
    text = draft_summary(cr, {"segment": "Cyclists"}, library, "en")
    assert text == "Segment: Cyclists."
    assert draft_summary(cr, {}, library, "en") == ""


def test_summary_values_ladder_facts(cr, library):
    language, answers = example("cleaning-copenhagen.en")
    values = summary_values(cr, answers, library, language)
    assert values["ladder_expected_top"] == "21"
    assert values["ladder_top_rung"] == "customer"
    assert values["lifetime_value"] == "31\u202f500"
    assert values["relationship_cost"] == "5\u202f800"
    ladder_id, result = ladder_of(cr.field("ladder"), answers, library, language)
    assert ladder_id == "customer-ladder"
    assert result.expected_top == pytest.approx(21)


def test_progress_counts_steps_with_answers(cr, library):
    assert progress(cr, {}) == (0, 9)
    assert progress(cr, {"segment": "Offices"}) == (1, 9)
    assert progress(cr, {"segment": "  "}) == (0, 9)
    # Answers that say nothing do not count.
    empty_like = {
        "weights": {"acquisition": None, "retention": None, "upselling": None},
        "relationship_types": [],
        "ladder": {"ladder": None, "tactics": {}},
        "delivery_checks": {"right-time": {"done": False, "how": ""}},
        "cost_to_win": None,
    }
    assert progress(cr, empty_like) == (0, 9)
    some = {"segment": "Offices", "weights": {"acquisition": 0},
            "ladder": {"ladder": "loyalty-ladder"},
            "delivery_checks": {"right-time": {"done": True, "how": ""}},
            "cost_to_win": 0}
    assert progress(cr, some) == (5, 9)
    assert step_done(cr.step("economics"), {"cost_to_win": 0})
    for name in ("cleaning-copenhagen.en", "football-boots.nb"):
        _, answers = example(name)
        assert progress(cr, answers) == (9, 9)


def test_progress_of_first_lesson(definitions):
    lesson = definitions["first-lesson"]
    assert progress(lesson, {}) == (0, 3)
    assert progress(lesson, {"relationship_type": "self-service"}) == (1, 3)


# --- what the canvas takes from a worksheet ---------------------------------------------------

def test_zero_weight_tactics_follow_the_definitions_rule(cr):
    from canvas.worksheets.analysis import zero_weight_tactics

    answers = {"weights": {"acquisition": 0, "retention": 60, "upselling": 40},
               "tactics_acquisition": [{"id": "free-product", "how": "x"}],
               "tactics_retention": [{"id": "customer-care", "how": "y"}]}
    assert zero_weight_tactics(cr, answers) == ["free-product"]
    # No weights yet, or weights above zero: nothing to report.
    assert zero_weight_tactics(cr, {"tactics_acquisition": [{"id": "free-product"}]}) == []
    assert zero_weight_tactics(cr, {"weights": {"upselling": 5},
                                    "tactics_upselling": [{"id": "add-on-products"}]}) == []


def test_relationship_feed_from_the_cleaning_example(cr, library):
    from canvas.worksheets.analysis import block_feed

    language, answers = example("cleaning-copenhagen.da")
    feed = block_feed(cr, answers, library, language)
    assert feed.summary == answers["summary"].strip() and not feed.summary_is_draft
    assert feed.types == ("Allokeret personlig betjening", "Automatiseret tjeneste")
    assert feed.tactics == ("Gratisprodukt", "Referencer", "Kundepleje", "Tillægsprodukter")
    # Without a written summary, the draft stands in and says so.
    feed = block_feed(cr, {**answers, "summary": ""}, library, language)
    assert feed.summary_is_draft and "Segment: Små kontorer" in feed.summary
