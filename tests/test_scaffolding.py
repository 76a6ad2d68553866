"""The worksheet's help with the numbers and the writing: how to estimate every number,
sentence starters and a model answer for the reflection, two required answers that never
stop a save, and an economics panel that notices the five-times rule in a student's figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from canvas.content import ContentError
from canvas.content.check import check_tree
from canvas.library import get_definitions
from canvas.worksheets.analysis import missing_required
from canvas.worksheets.definition import load_definition
from tests.conftest import ROOT, stored_answers
from tests.dom import html_of

WORKSHEET = ROOT / "content" / "worksheets" / "customer-relationships.yaml"
LANGUAGES = ("en", "da", "nb")
REFLECTION = ("q_key_activities", "q_long_term_goals", "q_satisfaction", "q_sustainable",
              "q_sustainability_engagement", "case_lesson")


@pytest.fixture
def sheet(make_user, make_canvas, login):
    def make(language: str = "en", ui: str | None = None):
        user = make_user(language=ui or language)
        _, (ws,) = make_canvas(user, language=language)
        return login(user), ws

    return make


# --- the definition --------------------------------------------------------------------------

def test_the_worksheet_declares_help_for_every_number_and_every_reflection_question():
    definition = load_definition(WORKSHEET)
    numbers = [f for _, f in definition.all_fields() if f.kind.asks_for_numbers]
    assert {f.id for f in numbers} == {"ladder", "cost_to_win", "cost_to_keep", "average_order",
                                       "orders_per_year", "years", "margin"}
    for f in numbers:
        assert all(f.estimate.get(lang).strip() for lang in LANGUAGES), f.id
    for field_id in REFLECTION:
        f = definition.field(field_id)
        assert f.model_answer and len(f.starters_in("en")) >= 2, field_id
        assert len({len(f.starters_in(lang)) for lang in LANGUAGES}) == 1, field_id
    required = [f.id for _, f in definition.all_fields() if f.required]
    assert required == ["q_key_activities", "case_lesson"]
    # Where to find counts, in each language's own statistics office.
    ladder = definition.field("ladder")
    assert "statistikbanken.dk" in ladder.estimate.get("da")
    assert "ssb.no" in ladder.estimate.get("nb")


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = WORKSHEET.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / "customer-relationships.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize("old, new, key, problem", [
    ('        required: true\n        starters:\n          en:\n'
     '            - "The activity our customers',
     '        required: "yes"\n        starters:\n          en:\n'
     '            - "The activity our customers',
     "steps[7].fields[0].required", "expected true or false, got 'yes'"),
    ('            - "We will know that it works when …"\n',
     "", "steps[7].fields[0].starters.da", "3 texts, en has 2"),
    ('          nb: >-\n            Expert glemte at kundene vurderer',
     '          no: >-\n            Expert glemte at kundene vurderer',
     "steps[7].fields[5].model_answer", "missing language(s): nb"),
    ("        label:\n          en: Average order\n",
     '        starters: {en: ["About"], da: ["Cirka"], nb: ["Omtrent"]}\n'
     "        label:\n          en: Average order\n",
     "steps[6].fields[2].starters", "a number field has no text to write"),
], ids=["required-not-a-flag", "starters-count-differs", "model-answer-without-nb",
        "starters-on-a-number"])
def test_bad_scaffolding_is_refused_naming_file_and_key(tmp_path, old, new, key, problem):
    path = _broken(tmp_path, old, new)
    with pytest.raises(ContentError) as caught:
        load_definition(path)
    assert caught.value.path == str(path)
    assert caught.value.key == key
    assert problem in caught.value.problem


def test_content_check_asks_for_help_with_every_number(tmp_path):
    import shutil

    tree = tmp_path / "content"
    shutil.copytree(ROOT / "content", tree)
    path = tree / "worksheets" / "customer-relationships.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("        estimate:\n", text.index("      - id: orders_per_year"))
    end = text.index("      - id: years")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert check_tree(tree) == [
        f"{path}: economics.orders_per_year.estimate: say how to find or estimate the numbers "
        "this field asks for"]


def test_missing_required_lists_the_empty_required_fields_in_order(app):
    with app.app_context():
        definition = get_definitions()["customer-relationships"]
    ids = [f.id for _, f in missing_required(definition, {})]
    assert ids == ["q_key_activities", "case_lesson"]
    assert [f.id for _, f in missing_required(definition, {"case_lesson": "Expert forgot.",
                                                           "q_key_activities": "  "})] == \
        ["q_key_activities"]
    assert missing_required(definition, {"case_lesson": "x", "q_key_activities": "y"}) == []


# --- the editor ------------------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_the_reflection_step_shows_starters_a_model_answer_and_marks_two_required(sheet,
                                                                                  language):
    session, ws = sheet(language, ui="en")
    doc = html_of(session.get(f"/worksheets/{ws}/steps/reflection"))
    for field_id in REFLECTION:
        box = doc.one(f'div[data-field="{field_id}"]')
        assert len(box.all(".starters li")) >= 2, field_id
        details = box.one("details.model-answer")
        assert details.one("summary").text == "See a model answer"
        assert details.one("summary").get("lang") == "en"
        assert details.one("p").text
        required = field_id in ("q_key_activities", "case_lesson")
        area = box.one("textarea")
        assert (area.get("aria-required") == "true") == required, field_id
        # Never the `required` attribute: it would stop the form posting half-done work.
        assert area.get("required") is None
        marks = box.all("label .required")
        assert len(marks) == (1 if required else 0), field_id
        if required:
            assert marks[0].text == "(required)" and marks[0].get("lang") == "en"
    # The content inside keeps the canvas's language.
    assert doc.one('div[data-field="case_lesson"]').tag.find_parent(attrs={"lang": language})


@pytest.mark.parametrize("step, fields", [
    ("economics", ["cost_to_win", "cost_to_keep", "average_order", "orders_per_year", "years",
                   "margin"]),
    ("ladder", ["ladder"])])
def test_every_number_comes_with_help_to_estimate_it(sheet, step, fields):
    session, ws = sheet("nb", ui="en")
    doc = html_of(session.get(f"/worksheets/{ws}/steps/{step}"))
    for field_id in fields:
        details = doc.one(f'div[data-field="{field_id}"] details.estimate')
        assert details.one("summary").text == "How to estimate this"
        assert details.all("p"), field_id
    if step == "ladder":
        paragraphs = [p.text for p in doc.all('[data-field="ladder"] details.estimate p')]
        assert len(paragraphs) == 2 and "ssb.no" in paragraphs[0]
        assert "÷" in paragraphs[1]


def test_required_answers_never_stop_a_save_and_the_last_step_lists_them(app, sheet):
    session, ws = sheet("da", ui="en")
    # A plain post of the reflection step with only an optional answer saves and moves on.
    response = session.post(f"/worksheets/{ws}/steps/reflection", {
        "version": "1", "go": "next", "q_satisfaction": "Vi spørger efter hver reparation.",
        "q_key_activities": "", "case_lesson": ""})
    assert response.status_code == 302
    version, answers = stored_answers(app, ws)
    assert answers["q_satisfaction"] == "Vi spørger efter hver reparation." and version == 2
    # So does an autosave of half a sentence.
    assert session.autosave(ws, "reflection", version, {
        "q_long_term_goals": "Om tre år"}).status_code == 200
    ready = html_of(session.get(f"/worksheets/{ws}/steps/summary")).one("section.ready")
    assert ready.one("h2").text == "Ready to hand in?"
    assert "2 required answers are still empty" in ready.text
    links = [(a.get("href"), a.text) for a in ready.all("li a")]
    assert [href for href, _ in links] == [
        f"/worksheets/{ws}/steps/reflection#q_key_activities",
        f"/worksheets/{ws}/steps/reflection#case_lesson"]
    assert links[1][1] == "Refleksion: Hvad lærer Expert-casen jer om jeres egen plan?"
    assert all(li.get("lang") == "da" for li in ready.all("li"))
    version, _ = stored_answers(app, ws)
    assert session.autosave(ws, "reflection", version, {
        "q_key_activities": "Hurtige reparationer.",
        "case_lesson": "Sig tingene ligeud."}).status_code == 200
    ready = html_of(session.get(f"/worksheets/{ws}/steps/summary")).one("section.ready")
    assert ready.text.endswith("All required answers are in.")
    assert not ready.has("li")
    # Only the last step carries the box.
    assert not html_of(session.get(f"/worksheets/{ws}/steps/reflection")).has("section.ready")


def test_the_first_lesson_helps_with_why(sheet, make_user, make_canvas, login):
    user = make_user(language="nb")
    _, (ws,) = make_canvas(user, language="nb", worksheets=("first-lesson",))
    doc = html_of(login(user).get(f"/worksheets/{ws}/steps/serve"))
    assert doc.one("#relationship_why-hint").text.startswith("For eksempel: «Selvbetjening")


# --- the economics panel and the five-times rule ---------------------------------------------

def economics(session, ws: int, cost_to_win: str, cost_to_keep: str):
    response = session.autosave(ws, "economics", 1, {
        "cost_to_win": cost_to_win, "cost_to_keep": cost_to_keep, "average_order": "3500",
        "orders_per_year": "12", "years": "3", "margin": "25"})
    assert response.status_code == 200
    return html_of(response.get_json()["redraw"]["panel_html"])


def test_the_panel_points_out_when_your_own_figures_show_the_five_times_rule(sheet):
    session, ws = sheet("en")
    panel = economics(session, ws, "4000", "600")  # the cleaning firm's figures
    check = panel.one("p.rule-check")
    assert check.get("data-five-times") == "yes"
    assert "Your own figures illustrate the rule" in check.text
    assert "keeping a customer for 6.7 years" in check.text
    # Reloading the step shows the same.
    doc = html_of(session.get(f"/worksheets/{ws}/steps/economics"))
    assert doc.one("#panel p.rule-check").get("data-five-times") == "yes"


def test_the_panel_asks_what_the_cost_to_win_includes_when_below_five_times(sheet):
    session, ws = sheet("da", ui="en")
    check = economics(session, ws, "1000", "600").one("p.rule-check")
    assert check.get("data-five-times") == "no"
    assert "check that the cost to win includes everything" in check.text
