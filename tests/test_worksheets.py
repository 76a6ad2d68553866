"""The worksheet editor: every step in every language, the no-JavaScript form post, conflicts
and the JSON autosave endpoint, through the Flask test client."""

from __future__ import annotations

import html
import json
import re

import pytest
from sqlalchemy import select

from canvas.extensions import db
from canvas.library import get_definitions, get_library
from canvas.models import RefusedSave
from tests.conftest import field_error, input_value, path_of, stored_answers
from tests.dom import html_of

LANGUAGES = ("en", "da", "nb")
CL = "ladder__customer-ladder"  # input-name prefix of the customer ladder
NARROW_NBSP = "\u202f"

# Every number input of the economics step, with values that give a lifetime value of
# 1500 x 7 x 5 x 60 % = 31 500 and a relationship cost of 1000 + 200 x 5 = 2 000.
ECONOMICS = {"cost_to_win": "1000", "cost_to_keep": "200", "average_order": "1500",
             "orders_per_year": "7", "years": "5", "margin": "60"}


# --- helpers ---------------------------------------------------------------------------------

def page_version(page: str) -> int:
    match = re.search(r'<input type="hidden" name="version" value="(\d+)"', page)
    assert match, "no version on the page"
    return int(match.group(1))


def refused_saves(app, worksheet_id: int) -> list[RefusedSave]:
    with app.app_context():
        rows = list(db.session.scalars(select(RefusedSave).where(
            RefusedSave.editor == "worksheet", RefusedSave.object_id == worksheet_id)
            .order_by(RefusedSave.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def raw_autosave(session, worksheet_id: int, step: str, body: str | bytes,
                 content_type: str = "application/json", csrf: bool = True):
    headers = {"Content-Type": content_type}
    if csrf:
        headers["X-CSRFToken"] = session.csrf
    return session.client.post(f"/worksheets/{worksheet_id}/steps/{step}/autosave",
                               data=body, headers=headers)


@pytest.fixture
def sheet(make_user, make_canvas, login):
    """A signed-in session and a fresh customer-relationships worksheet; the user works in the
    canvas's language unless `ui` says otherwise."""

    def make(language: str = "en", worksheet: str = "customer-relationships",
             ui: str | None = None):
        user = make_user(language=ui or language)
        _, (ws,) = make_canvas(user, language=language, worksheets=(worksheet,))
        return login(user), ws

    return make


# --- every step renders, in the canvas's language --------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("worksheet", ["customer-relationships", "first-lesson"])
def test_every_step_renders_in_the_canvas_language(app, sheet, worksheet, language):
    session, ws = sheet(language, worksheet)
    with app.app_context():
        definition = get_definitions()[worksheet]
        library = get_library()
        expected = {s.id: (s.title.get(language),
                           [library.page(language, ref.partition("#")[0]).title
                            for ref in s.teaches])
                    for s in definition.steps}
    assert len(expected) >= 3
    for step_id, (title, page_titles) in expected.items():
        page = session.get(f"/worksheets/{ws}/steps/{step_id}")
        assert page.status_code == 200, (step_id, page.status_code)
        assert f'<html lang="{language}">' in page.text, step_id
        text = html.unescape(page.text)
        assert title in text, (step_id, title)
        for page_title in page_titles:  # the learning content linked from the step
            assert page_title in text, (step_id, page_title)
        assert page_version(page.text) == 1


def test_the_interface_speaks_the_user_s_language_the_content_the_canvas_s(sheet):
    """An English-speaking user with a Danish canvas: English buttons, Danish questions."""
    session, ws = sheet("da", ui="en")
    page = html_of(session.get(f"/worksheets/{ws}/steps/focus"))
    assert page.one("html").get("lang") == "en"
    assert page.one("button[value=next]").get_text(strip=True) == "Next →"
    questions = page.one("#step-form > div[lang]")
    assert questions.get("lang") == "da"
    assert questions.select_one("label[for=segment]").get_text(strip=True) == "Kundesegment"
    assert page.one("aside.learning").get("lang") == "da"


@pytest.mark.parametrize("language, word, absent", [
    ("da", "Kundehverving", "Winning new customers"),
    ("nb", "Kundeverving", "Winning new customers"),
    ("en", "Winning new customers", "Kundehverving"),
])
def test_tactics_step_teaches_in_the_canvas_language(sheet, language, word, absent):
    session, ws = sheet(language)
    page = session.get(f"/worksheets/{ws}/steps/tactics")
    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.text
    assert word in page.text
    step = html_of(page)
    assert step.one("#editor")["data-step"] == "tactics"
    assert step.mentions(word) and not step.mentions(absent)


def test_worksheet_url_continues_where_the_user_left_off(sheet):
    session, ws = sheet()
    assert path_of(session.get(f"/worksheets/{ws}")) == f"/worksheets/{ws}/steps/focus"
    assert session.autosave(ws, "economics", 1, ECONOMICS).status_code == 200
    assert path_of(session.get(f"/worksheets/{ws}")) == f"/worksheets/{ws}/steps/economics"


def test_step_page_shows_stored_answers(sheet):
    session, ws = sheet()
    assert session.autosave(ws, "focus", 1, {"segment": "Cyclists <in> Aarhus",
                                             "value_proposition": "Fast & cheap"}
                            ).status_code == 200
    page = session.get(f"/worksheets/{ws}/steps/focus")
    assert input_value(page.text, "segment") == "Cyclists <in> Aarhus"
    assert input_value(page.text, "value_proposition") == "Fast & cheap"
    focus = html_of(page)
    assert focus.one("#editor")["data-step"] == "focus"
    assert not focus.has("in")  # escaped, not markup...
    assert 'value="Cyclists &lt;in&gt; Aarhus"' in page.text  # ...in the attribute too
    assert page_version(page.text) == 2


# --- the plain form post (no JavaScript) -----------------------------------------------------

def test_plain_post_saves_and_navigates(app, sheet):
    session, ws = sheet()
    response = session.post(f"/worksheets/{ws}/steps/focus", {
        "version": "1", "segment": "Students", "value_proposition": "Cheap repairs",
        "go": "next"})
    assert response.status_code == 302
    assert path_of(response) == f"/worksheets/{ws}/steps/goals"
    assert stored_answers(app, ws) == (2, {"segment": "Students",
                                           "value_proposition": "Cheap repairs"})

    response = session.post(f"/worksheets/{ws}/steps/goals", {
        "version": "2", "weights__acquisition": "60", "weights__retention": "30",
        "weights__upselling": "10", "weights_why": "A new shop", "go": "previous"})
    assert response.status_code == 302
    assert path_of(response) == f"/worksheets/{ws}/steps/focus"
    version, answers = stored_answers(app, ws)
    assert version == 3
    assert answers["weights"] == {"acquisition": 60, "retention": 30, "upselling": 10}
    assert answers["segment"] == "Students"

    response = session.post(f"/worksheets/{ws}/steps/goals", {
        "version": "3", "weights__acquisition": "50", "weights__retention": "50",
        "weights__upselling": "0", "weights_why": "Changed my mind", "go": "stay"})
    assert response.status_code == 302
    assert path_of(response) == f"/worksheets/{ws}/steps/goals"
    assert "Saved." in session.get(path_of(response)).text

    # The first step has no previous and the last step no next: they stay put.
    response = session.post(f"/worksheets/{ws}/steps/focus", {
        "version": "4", "segment": "Students", "go": "previous"})
    assert path_of(response) == f"/worksheets/{ws}/steps/focus"
    # That post changed nothing (the value proposition, left out, is kept): no new version.
    assert stored_answers(app, ws) == (4, {**answers, "weights": {
        "acquisition": 50, "retention": 50, "upselling": 0}, "weights_why": "Changed my mind"})
    response = session.post(f"/worksheets/{ws}/steps/summary", {
        "version": "4", "summary": "We keep students close.", "go": "next"})
    assert path_of(response) == f"/worksheets/{ws}/steps/summary"
    assert stored_answers(app, ws)[1]["summary"] == "We keep students close."


def test_plain_post_too_long_text_keeps_it_and_saves_the_rest(app, sheet):
    session, ws = sheet()
    long_text = "Fodboldklubber i Aarhus " * 9  # 216 characters; the limit is 200
    response = session.post(f"/worksheets/{ws}/steps/focus", {
        "version": "1", "segment": long_text, "value_proposition": "Boots that last",
        "go": "next"})
    assert response.status_code == 422
    message = field_error(response.text, "segment")
    assert f"This is {len(long_text)} characters; the limit is 200." in message
    assert field_error(response.text, "value_proposition") == ""
    assert input_value(response.text, "segment") == long_text
    assert 'aria-invalid="true"' in response.text
    version, answers = stored_answers(app, ws)
    assert answers == {"value_proposition": "Boots that last"}
    assert page_version(response.text) == version


def test_plain_post_messages_follow_the_canvas_language(sheet):
    session, ws = sheet("da")
    response = session.post(f"/worksheets/{ws}/steps/focus", {
        "version": "1", "segment": "x" * 201, "value_proposition": ""})
    assert response.status_code == 422
    assert "Teksten er på 201 tegn; grænsen er 200." in field_error(response.text, "segment")
    assert '<html lang="da">' in response.text


BAD_LADDER_NUMBERS = [
    (f"{CL}__count__lead", "-3", "The smallest allowed value is 0."),
    (f"{CL}__count__lead", "abc", "“abc” is not a number."),
    (f"{CL}__count__lead", "2.5", "Use a whole number here, without decimals."),
    (f"{CL}__count__lead", "10.000", "“10.000” is not a whole number."),
    (f"{CL}__goal__total-market", "150", "A conversion goal is a percentage between 0 and 100."),
    (f"{CL}__goal__total-market", "-5", "A conversion goal is a percentage between 0 and 100."),
    (f"{CL}__goal__lead", "NaN", "“NaN” is not a number."),
    (f"{CL}__count__buyer", "Infinity", "“Infinity” is not a number."),
]


def test_plain_post_bad_ladder_numbers(app, sheet):
    session, ws = sheet()
    problems = []
    for name, typed, message in BAD_LADDER_NUMBERS:
        response = session.post(f"/worksheets/{ws}/steps/ladder", {
            "version": str(stored_answers(app, ws)[0]), "ladder__ladder": "customer-ladder",
            f"{CL}__count__total-market": "1000", f"{CL}__count__target-group": "120",
            name: typed, "go": "next"})
        _, answers = stored_answers(app, ws)
        kind, rung = name.split("__")[2:]
        part = (answers.get("ladder") or {}).get("customer-ladder") or {}
        checks = {
            "status 422": response.status_code == 422,
            "message beside the field": message in field_error(response.text, name),
            "typed text kept": input_value(response.text, name) == typed,
            # The valid numbers typed beside it are still in the page.
            "other inputs kept": (
                input_value(response.text, f"{CL}__count__total-market") == "1000"
                and input_value(response.text, f"{CL}__count__target-group") == "120"),
            "bad value not stored": (part.get(f"{kind}s") or {}).get(rung) is None,
        }
        problems += [(name, typed, what) for what, ok in checks.items() if not ok]
    assert problems == []


NON_NUMBERS = ["NaN", "nan", "Infinity", "-Infinity", "inf", "0x10", "12 kr", "∞"]


def test_plain_post_non_numbers_in_a_number_field(app, sheet):
    session, ws = sheet()
    problems = []
    for typed in NON_NUMBERS:
        response = session.post(f"/worksheets/{ws}/steps/economics", {
            "version": str(stored_answers(app, ws)[0]), **ECONOMICS, "cost_to_win": typed})
        _, answers = stored_answers(app, ws)
        checks = {
            "status 422": response.status_code == 422,
            "message beside the field": "is not a number" in field_error(response.text,
                                                                          "cost_to_win"),
            "typed text kept": input_value(response.text, "cost_to_win") == typed,
            "bad value not stored": "cost_to_win" not in answers,
            "valid ones saved": answers.get("cost_to_keep") == 200 and answers.get("years") == 5,
        }
        problems += [(typed, what) for what, ok in checks.items() if not ok]
    assert problems == []


def test_plain_post_number_formats_people_type(app, sheet):
    session, ws = sheet()
    response = session.post(f"/worksheets/{ws}/steps/economics", {
        "version": "1", **ECONOMICS, "cost_to_win": "1 200", "margin": "12,5"})
    assert response.status_code == 302
    _, answers = stored_answers(app, ws)
    assert answers["cost_to_win"] == 1200
    assert answers["margin"] == 12.5


@pytest.mark.parametrize(("language", "typed", "meant", "shown"), [
    ("da", "1.200", 1200, "1200"), ("nb", "1.200,50", 1200.5, "1200,5"),
    ("en", "1,200", 1200, "1200"), ("en", "1.125", 1.125, "1.125"), ("da", "1,125", 1.125, "1,125"),
])
def test_numbers_are_read_and_shown_the_way_the_canvas_language_writes_them(
        app, sheet, language, typed, meant, shown):
    """1.200 kr is twelve hundred kroner to a Dane, and a stored 1.125 is shown to a Dane as
    1,125 so that saving the page again does not turn it into 1125."""
    session, ws = sheet(language)
    response = session.post(f"/worksheets/{ws}/steps/economics", {
        "version": "1", **ECONOMICS, "cost_to_win": typed})
    assert response.status_code == 302
    _, answers = stored_answers(app, ws)
    assert answers["cost_to_win"] == meant
    page = session.get(f"/worksheets/{ws}/steps/economics")
    assert input_value(page.text, "cost_to_win") == shown
    again = session.post(f"/worksheets/{ws}/steps/economics", {
        "version": str(page_version(page.text)), **ECONOMICS, "cost_to_win": shown})
    assert again.status_code == 302
    assert stored_answers(app, ws)[1]["cost_to_win"] == meant


@pytest.mark.parametrize(("language", "sent", "meant"), [
    ("da", 1.234, 1.234), ("nb", 1.5, 1.5), ("en", 1.234, 1.234), ("da", 1200, 1200)])
def test_json_numbers_in_an_autosave_mean_the_same_in_every_language(app, sheet, language,
                                                                      sent, meant):
    """A JSON number is a number: 1.234 is not twelve hundred and thirty-four in Danish."""
    session, ws = sheet(language)
    response = session.autosave(ws, "economics", 1, {**ECONOMICS, "cost_to_win": sent})
    assert response.status_code == 200, response.json
    assert stored_answers(app, ws)[1]["cost_to_win"] == meant


def test_plain_post_unknown_single_choice(app, sheet):
    session, ws = sheet(worksheet="first-lesson")
    response = session.post(f"/worksheets/{ws}/steps/serve", {
        "version": "1", "relationship_type": "telepathy",
        "relationship_why": "They like it", "go": "next"})
    assert response.status_code == 422
    assert "That choice is not on the list." in field_error(response.text, "relationship_type")
    _, answers = stored_answers(app, ws)
    assert "relationship_type" not in answers
    assert answers["relationship_why"] == "They like it"

    ok = session.post(f"/worksheets/{ws}/steps/serve", {
        "version": str(page_version(response.text)), "relationship_type": "self-service",
        "relationship_why": "They like it", "go": "next"})
    assert ok.status_code == 302
    assert stored_answers(app, ws)[1]["relationship_type"] == "self-service"


def test_plain_post_conflict_keeps_typed_text_and_the_refused_save(app, sheet):
    session, ws = sheet()
    # Another tab saves first.
    assert session.autosave(ws, "focus", 1, {"segment": "Other tab",
                                             "value_proposition": ""}).status_code == 200

    response = session.post(f"/worksheets/{ws}/steps/focus", {
        "version": "1", "segment": "This tab", "value_proposition": "Mine", "go": "next"})
    assert response.status_code == 409
    assert not html_of(response).one("#conflict").has_attr("hidden")
    assert "This worksheet was saved in another tab or window after you opened it." in (
        response.text)
    assert input_value(response.text, "segment") == "This tab"
    assert input_value(response.text, "value_proposition") == "Mine"
    assert page_version(response.text) == 2
    assert stored_answers(app, ws) == (2, {"segment": "Other tab", "value_proposition": ""})
    (refused,) = refused_saves(app, ws)
    assert refused.based_on_version == 1
    assert refused.step == "focus"
    assert refused.payload["segment"] == "This tab"

    # Saving again from the re-rendered page (which now names version 2) keeps this tab's text.
    again = session.post(f"/worksheets/{ws}/steps/focus", {
        "version": str(page_version(response.text)), "segment": "This tab",
        "value_proposition": "Mine", "go": "next"})
    assert again.status_code == 302
    assert stored_answers(app, ws) == (3, {"segment": "This tab", "value_proposition": "Mine"})


def test_plain_post_with_a_bad_version_is_a_conflict_not_a_crash(app, sheet):
    session, ws = sheet()
    for version in ["", "abc", "-1", "1.5", "0"]:
        response = session.post(f"/worksheets/{ws}/steps/focus", {
            "version": version, "segment": "Typed", "go": "next"})
        assert response.status_code == 409, version
        assert input_value(response.text, "segment") == "Typed"
    assert stored_answers(app, ws) == (1, {})


def test_plain_post_with_a_huge_version_is_not_a_crash(app, sheet):
    session, ws = sheet()
    response = session.post(f"/worksheets/{ws}/steps/focus", {
        "version": "9" * 30, "segment": "Typed", "go": "next"})
    assert response.status_code == 409
    assert input_value(response.text, "segment") == "Typed"
    assert stored_answers(app, ws) == (1, {})


# --- the JSON autosave -----------------------------------------------------------------------

def test_autosave_success(app, sheet):
    session, ws = sheet()
    response = session.autosave(ws, "focus", 1, {"segment": "", "value_proposition": ""})
    assert response.status_code == 200
    assert "Start with the segment." in response.json["redraw"]["hints_html"]

    response = session.autosave(ws, "focus", 2, {"segment": "Cyclists",
                                                 "value_proposition": "Repairs"})
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "saved"
    assert body["version"] == 3
    assert body["errors"] == {}
    assert body["redraw"]["done"] == 1 and body["redraw"]["total"] == 9
    steps_done = body["redraw"]["steps_done"]
    assert steps_done["focus"] is True and steps_done["goals"] is False
    hints = html_of(body["redraw"]["hints_html"])
    assert hints.texts("li") == []
    assert hints.text() == "Nothing to point out. Good work."
    assert body["redraw"]["panel_html"] is None  # the focus step has no computed picture
    assert stored_answers(app, ws) == (3, {"segment": "Cyclists", "value_proposition": "Repairs"})


def test_autosave_ladder_panel_shows_the_funnel(app, sheet):
    session, ws = sheet()
    response = session.autosave(ws, "ladder", 1, {
        "ladder__ladder": "customer-ladder",
        f"{CL}__count__total-market": "1000", f"{CL}__count__target-group": "120",
        f"{CL}__count__lead": "30",
        f"{CL}__goal__total-market": "10", f"{CL}__goal__target-group": "50"})
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "saved"
    panel = body["redraw"]["panel_html"]
    assert panel
    svg = re.search(r"<svg\b.*?</svg>", panel, re.S)
    assert svg, "no funnel SVG in the panel"
    svg = svg.group(0)
    assert 'role="img"' in svg
    assert re.search(r"<title[^>]*>The customer ladder</title>", svg)
    assert "↑ 12 %" in svg  # 120 of 1000 climbed from the market to the target group
    assert "(goal 10 %)" in svg
    assert re.search(r'data-step="total-market">.*?<td data-actual>12 %</td>', panel, re.S)
    assert re.search(r'data-step="target-group">.*?<td data-actual>25 %</td>', panel, re.S)
    assert re.search(r'data-step="target-group">.*?<td data-gap class="short">-25.0 pp</td>',
                     panel, re.S)
    _, answers = stored_answers(app, ws)
    assert answers["ladder"]["ladder"] == "customer-ladder"
    assert answers["ladder"]["customer-ladder"]["counts"]["target-group"] == 120
    assert answers["ladder"]["customer-ladder"]["goals"]["total-market"] == 10


def test_autosave_ladder_panel_in_danish(sheet):
    session, ws = sheet("da")
    response = session.autosave(ws, "ladder", 1, {
        "ladder__ladder": "customer-ladder",
        f"{CL}__count__total-market": "1000", f"{CL}__count__target-group": "120",
        f"{CL}__goal__total-market": "10"})
    assert response.status_code == 200, response.json
    panel = response.json["redraw"]["panel_html"]
    assert "(mål 10 %)" in panel
    assert "Faktisk konvertering" in panel
    # Danish numbers: a decimal comma and thin spaces between thousands.
    assert f"Totalmarkedet: 1{NARROW_NBSP}000" in panel
    assert re.search(r'data-step="total-market">.*?<td data-gap class="good">\+2,0 pp</td>',
                     panel, re.S)


def test_autosave_economics_panel_in_norwegian(sheet):
    session, ws = sheet("nb")
    response = session.autosave(ws, "economics", 1, {**ECONOMICS, "cost_to_win": "1.250"})
    assert response.status_code == 200, response.json
    panel = response.json["redraw"]["panel_html"]
    assert "6,3 ganger" in panel  # 1 250 kr to win against 200 kr a year to keep


def test_autosave_economics_panel(app, sheet):
    session, ws = sheet()
    response = session.autosave(ws, "economics", 1, ECONOMICS)
    assert response.status_code == 200
    panel = response.json["redraw"]["panel_html"]
    assert f"<dd data-clv>31{NARROW_NBSP}500 kr</dd>" in panel
    assert f"<dd data-cost>2{NARROW_NBSP}000 kr</dd>" in panel
    assert f"<dd data-net>29{NARROW_NBSP}500 kr</dd>" in panel
    assert "Yes: a customer is worth more than the relationship costs." in panel
    assert stored_answers(app, ws)[1]["average_order"] == 1500


def test_autosave_errors_are_keyed_by_input_and_valid_fields_saved(app, sheet):
    session, ws = sheet()
    response = session.autosave(ws, "economics", 1, {
        **ECONOMICS, "cost_to_win": "abc", "years": "-5"})
    assert response.status_code == 422
    body = response.json
    assert body["status"] == "partial"
    assert set(body["errors"]) == {"cost_to_win", "years"}
    assert "“abc” is not a number." in body["errors"]["cost_to_win"][0]
    assert "The smallest allowed value is 0." in body["errors"]["years"][0]
    assert body["version"] == 2
    version, answers = stored_answers(app, ws)
    assert version == 2
    assert "cost_to_win" not in answers and "years" not in answers
    assert answers["cost_to_keep"] == 200 and answers["margin"] == 60


def test_autosave_ladder_errors_keyed_by_input_name(app, sheet):
    session, ws = sheet()
    response = session.autosave(ws, "ladder", 1, {
        "ladder__ladder": "customer-ladder", f"{CL}__count__lead": "-1",
        f"{CL}__goal__lead": "150"})
    assert response.status_code == 422
    errors = response.json["errors"]
    assert set(errors) == {f"{CL}__count__lead", f"{CL}__goal__lead"}
    assert "between 0 and 100" in errors[f"{CL}__goal__lead"][0]


def test_autosave_unknown_choice_and_unknown_field(app, sheet):
    session, ws = sheet(worksheet="first-lesson")
    response = session.autosave(ws, "serve", 1, {
        "relationship_type": "telepathy", "relationship_why": "Because",
        "not_a_field": "x"})
    assert response.status_code == 422
    errors = response.json["errors"]
    assert "That choice is not on the list." in errors["relationship_type"][0]
    assert errors["not_a_field"]
    _, answers = stored_answers(app, ws)
    assert answers["relationship_why"] == "Because"
    assert "relationship_type" not in answers and "not_a_field" not in answers


def assert_all_refused(app, session, ws: int, cases) -> None:
    """Each (step, body, content type) is refused with a 400 JSON message; nothing stored."""
    problems = []
    for step, body, content_type in cases:
        response = raw_autosave(session, ws, step, body, content_type)
        payload = response.get_json(silent=True) or {}
        if response.status_code != 400 or not payload.get("message"):
            problems.append((body[:120], response.status_code, payload))
    assert problems == []
    assert stored_answers(app, ws) == (1, {})
    assert refused_saves(app, ws) == []


def test_autosave_refuses_non_finite_json_literals(app, sheet):
    session, ws = sheet()
    cases = []
    for literal in ("NaN", "Infinity", "-Infinity"):
        cases += [
            f'{{"version": 1, "step": "economics", "fields": {{"cost_to_win": {literal}}}}}',
            f'{{"version": {literal}, "step": "economics", "fields": {{}}}}',
            f'{{"version": 1, "step": "economics", "fields": {{"years": [{literal}]}}}}',
            f'{{"version": 1, "step": "economics", "fields": {{"years": "x"}}, "x": {literal}}}',
        ]
    cases.append('{"version": 1, "step": "economics", "fields": {"cost_to_win": 1e400}}')
    cases.append('{"version": 1, "step": "economics", "fields": {"cost_to_win": -1e400}}')
    assert_all_refused(app, session, ws,
                       [("economics", body, "application/json") for body in cases])


def test_autosave_refuses_bodies_that_are_not_a_json_object(app, sheet):
    session, ws = sheet()
    assert_all_refused(app, session, ws, [("focus", body, content_type) for body, content_type in [
        ("this is not JSON", "application/json"),
        ("segment=x&version=1", "application/x-www-form-urlencoded"),
        ('{"version": 1, "step": "focus", "fields": {"segment": "x"}', "application/json"),
        (b'\xff\xfe{"version": 1}', "application/json"),
        ("", "application/json"),
        ("[]", "application/json"),
        ('"a string"', "application/json"),
        ("null", "application/json"),
    ]])


MALFORMED = [
    {"step": "focus", "fields": {}},
    {"version": "1", "step": "focus", "fields": {}},
    {"version": True, "step": "focus", "fields": {}},
    {"version": 1.0, "step": "focus", "fields": {}},
    {"version": -1, "step": "focus", "fields": {}},
    {"version": 1, "fields": {}},
    {"version": 1, "step": ["focus"], "fields": {}},
    {"version": 1, "step": "focus"},
    {"version": 1, "step": "focus", "fields": ["segment"]},
    {"version": 1, "step": "focus", "fields": {"segment": {"nested": "object"}}},
    {"version": 1, "step": "focus", "fields": {"segment": [{"nested": "object"}]}},
    {"version": 1, "step": "focus", "fields": {"segment": [["nested list"]]}},
    {"version": 1, "step": "focus", "fields": {"segment": ["a", 1]}},
]


def test_autosave_refuses_malformed_payloads(app, sheet):
    session, ws = sheet()
    assert_all_refused(app, session, ws, [("focus", json.dumps(payload), "application/json")
                                          for payload in MALFORMED])


def test_autosave_wrong_step_in_body(app, sheet):
    session, ws = sheet()
    response = raw_autosave(session, ws, "focus", json.dumps(
        {"version": 1, "step": "goals", "fields": {"weights_why": "x"}}))
    assert response.status_code == 400
    assert "step" in response.json["message"]
    assert stored_answers(app, ws) == (1, {})


def test_autosave_too_large_body_is_413_json(app, sheet):
    session, ws = sheet()
    body = json.dumps({"version": 1, "step": "focus",
                       "fields": {"value_proposition": "x" * (300 * 1024)}})
    assert len(body) > app.config["MAX_CONTENT_LENGTH"] == 256 * 1024
    response = raw_autosave(session, ws, "focus", body)
    assert response.status_code == 413
    assert response.is_json
    assert "256 KB" in response.json["message"]
    assert "shorten" in response.json["message"]
    assert stored_answers(app, ws) == (1, {})


def test_autosave_stale_version_is_a_conflict(app, sheet):
    session, ws = sheet()
    assert session.autosave(ws, "focus", 1, {"segment": "First tab",
                                             "value_proposition": "A"}).status_code == 200
    response = session.autosave(ws, "focus", 1, {"segment": "Second tab",
                                                 "value_proposition": "B"})
    assert response.status_code == 409
    body = response.json
    assert body["status"] == "conflict"
    assert body["version"] == 2
    assert body["theirs"]["segment"] == "First tab"
    assert body["theirs"]["value_proposition"] == "A"
    assert stored_answers(app, ws) == (2, {"segment": "First tab", "value_proposition": "A"})
    (refused,) = refused_saves(app, ws)
    assert refused.based_on_version == 1
    assert refused.payload["segment"] == "Second tab"

    # Keeping this tab's text: save again naming the version the conflict reported.
    keep = session.autosave(ws, "focus", body["version"], {"segment": "Second tab",
                                                           "value_proposition": "B"})
    assert keep.status_code == 200
    assert stored_answers(app, ws) == (3, {"segment": "Second tab", "value_proposition": "B"})


def test_autosave_future_version_is_a_conflict(app, sheet):
    session, ws = sheet()
    response = session.autosave(ws, "focus", 7, {"segment": "From the future"})
    assert response.status_code == 409
    assert response.json["version"] == 1
    assert stored_answers(app, ws) == (1, {})


def test_autosave_missing_csrf_header(app, sheet):
    session, ws = sheet()
    response = raw_autosave(session, ws, "focus", json.dumps(
        {"version": 1, "step": "focus", "fields": {"segment": "x"}}), csrf=False)
    assert response.status_code == 400
    assert response.is_json
    assert response.json["message"]
    assert stored_answers(app, ws) == (1, {})
    assert refused_saves(app, ws) == []


def test_autosave_accepts_json_numbers_and_booleans(app, sheet):
    session, ws = sheet()
    response = session.autosave(ws, "economics", 1, {
        "cost_to_win": 1000, "cost_to_keep": 200.5, "average_order": 1500,
        "orders_per_year": 7, "years": 5, "margin": 60})
    assert response.status_code == 200, response.json
    _, answers = stored_answers(app, ws)
    assert answers["cost_to_keep"] == 200.5 and answers["years"] == 5

    response = session.autosave(ws, "relationship-types", 2, {
        "relationship_types__self-service": True,
        "relationship_types__self-service__why": "They are busy",
        "relationship_types__communities": False})
    assert response.status_code == 200, response.json
    assert stored_answers(app, ws)[1]["relationship_types"] == [
        {"id": "self-service", "why": "They are busy"}]


def test_autosave_json_numbers_in_any_notation_are_numbers(app, sheet):
    """A JSON number in range is a number, whatever notation Python would print it in."""
    session, ws = sheet()
    problems = []
    for kind, value in (("goal", 0.00001), ("goal", 1e-7), ("goal", 99.99999999),
                        ("goal", 12.5), ("count", 1e16), ("count", 2.0)):
        version = stored_answers(app, ws)[0]
        response = session.autosave(ws, "ladder", version, {
            "ladder__ladder": "customer-ladder", f"{CL}__{kind}__total-market": value})
        part = ((stored_answers(app, ws)[1].get("ladder") or {}).get("customer-ladder") or {})
        stored = (part.get(f"{kind}s") or {}).get("total-market")
        if response.status_code != 200 or stored != pytest.approx(value):
            problems.append((kind, value, response.status_code, response.json["errors"]))
    assert problems == []


HUGE_INTEGERS = {
    "value of 401 digits":
        '{"version": 1, "step": "economics", "fields": {"cost_to_win": 1%s}}' % ("0" * 400),
    "negative value of 401 digits":
        '{"version": 1, "step": "economics", "fields": {"cost_to_win": -1%s}}' % ("0" * 400),
    "version of 31 digits": '{"version": 1%s, "step": "economics", "fields": {}}' % ("0" * 30),
    "version of 5001 digits":
        '{"version": 1%s, "step": "economics", "fields": {}}' % ("0" * 5000),
    "value of 5001 digits":
        '{"version": 1, "step": "economics", "fields": {"years": 1%s}}' % ("0" * 5000),
}


def test_autosave_huge_integers_are_refused_not_a_crash(app, sheet):
    session, ws = sheet()
    problems = []
    for case, body in HUGE_INTEGERS.items():
        response = raw_autosave(session, ws, "economics", body)
        payload = response.get_json(silent=True) or {}
        if response.status_code not in (400, 409, 422) or not (
                payload.get("message") or payload.get("errors") or payload.get("theirs")):
            problems.append((case, response.status_code, payload.get("message")))
    assert problems == []
    _, answers = stored_answers(app, ws)
    assert answers.get("cost_to_win") is None and answers.get("years") is None


def test_autosave_lone_surrogate_does_not_break_the_page(app, sheet):
    session, ws = sheet()
    body = '{"version": 1, "step": "focus", "fields": {"segment": "bad \\ud800 text"}}'
    response = raw_autosave(session, ws, "focus", body)
    assert response.status_code in (200, 400, 422)
    assert response.is_json
    # Whatever was stored, the step must still render for its owner.
    page = session.get(f"/worksheets/{ws}/steps/focus")
    assert page.status_code == 200


def test_autosave_null_is_empty_text_and_lists_are_refused(app, sheet):
    session, ws = sheet()
    response = session.autosave(ws, "focus", 1, {"segment": "Students",
                                                 "value_proposition": None})
    assert response.status_code == 200, response.json
    assert stored_answers(app, ws) == (2, {"segment": "Students", "value_proposition": ""})
    # The editor never sends lists: a body holding one is refused whole, nothing stored.
    response = session.autosave(ws, "focus", 2, {"segment": ["Pupils", "ignored"]})
    assert response.status_code == 400
    assert "values must be text" in response.json["message"]
    assert stored_answers(app, ws) == (2, {"segment": "Students", "value_proposition": ""})


def test_autosave_saves_text_exactly_as_typed(app, sheet):
    session, ws = sheet()
    problems = []
    for typed in ["Line one\r\nLine two", "  padded  ", "ends with a carriage return\r",
                  "\rstarts with one", "\r", "<b>not markup</b> & “quotes”", "emoji 😀 and æøå",
                  "tab\tand\x00nul"]:
        version = stored_answers(app, ws)[0]
        response = session.autosave(ws, "focus", version, {"segment": "",
                                                           "value_proposition": typed})
        stored = stored_answers(app, ws)[1].get("value_proposition")
        # Line breaks are stored as LF whichever way they came (form posts send CRLF);
        # every other character, lone CRs included, is kept.
        if response.status_code != 200 or stored != typed.replace("\r\n", "\n"):
            problems.append((typed, response.status_code, stored))
    assert problems == []
