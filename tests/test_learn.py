"""The learning pages as a student meets them: signposts, the core path, glossary links, and
self-checks that answer with feedback, without JavaScript (a form post) and with it (JSON);
answers kept per user and counted per question for a class."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from canvas.extensions import db
from canvas.learn.results import class_results
from canvas.library import get_library
from canvas.models import QuizAnswer, User
from tests.conftest import PASSWORD, csrf_from
from tests.dom import html_of

LANGUAGES = ("en", "da", "nb")


def library_of(app):
    with app.app_context():
        return get_library()


def token(client, path: str = "/learn/en/") -> str:
    """A CSRF token for a visitor's (or a signed-in) client."""
    return csrf_from(client.get(path).text)


def answer(client, page: str, answers: dict[str, str], *, asked: str | None = None,
           language: str = "en", as_json: bool = False, csrf: str | None = None):
    data = {"csrf_token": csrf or token(client), **{f"answer__{q}": o for q, o in answers.items()}}
    if asked:
        data["asked"] = asked
    headers = {"Accept": "application/json"} if as_json else {}
    return client.post(f"/learn/{language}/{page}", data=data, headers=headers)


def stored_answers(app, user_id: int) -> dict[tuple[str, str], QuizAnswer]:
    with app.app_context():
        rows = db.session.scalars(select(QuizAnswer).where(QuizAnswer.user_id == user_id)).all()
        for row in rows:
            db.session.expunge(row)
        return {(r.quiz_id, r.question_id): r for r in rows}


# --- signposts and the core path ---------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_opens_with_goals_and_three_lines_in_short(app, client, language):
    library = library_of(app)
    for page in library.pages_in(language):
        doc = html_of(client.get(f"/learn/{language}/{page.id}"))
        article = doc.one("article.learn-page")
        assert article.get("lang") == language
        goals = article.all("section.goals li")
        assert 2 <= len(goals) <= 3, page.id
        assert [g.text for g in goals] == [" ".join(str(g).split()) for g in page.goals]
        assert len(article.all("section.in-short li")) == 3, page.id
        # The signposts come before the page's own text.
        assert str(article.tag).index('class="in-short"') < str(article.tag).index(
            'class="content"')


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_index_puts_the_core_path_first_and_it_fits_a_lesson(app, client, language):
    library = library_of(app)
    doc = html_of(client.get(f"/learn/{language}/"))
    core = [a.get("href") for a in doc.all("section.core-path ol.core li h3 a")]
    assert core == [f"/learn/{language}/{step.page}" for step in library.guide.core]
    assert sum(step.minutes for step in library.guide.core) <= 45
    # The motivations and the two rules, the six types, one ladder.
    assert core == [f"/learn/{language}/{p}" for p in
                    ("customer-relationships", "service", "loyalty-ladder")]
    deeper = [a.get("href") for a in doc.all("#deeper-title ~ ul.cards li h3 a")]
    assert set(core).isdisjoint(deeper)
    assert len(core) + len(deeper) == len(library.pages_in(language))


def test_a_student_can_walk_the_core_path_by_its_next_links(client):
    path = "/learn/en/customer-relationships"
    seen = []
    while path:
        doc = html_of(client.get(path))
        badge = doc.one("p.path-badge")
        assert "core" in badge.get("class")
        seen.append(path)
        following = doc.all("nav.next-step a.button")
        path = following[0].get("href") if following else None
    assert seen == ["/learn/en/customer-relationships", "/learn/en/service",
                    "/learn/en/loyalty-ladder"]
    last = html_of(client.get(seen[-1]))
    assert last.one("nav.next-step a").get("href") == "/learn/en/#deeper-title"
    deeper = html_of(client.get("/learn/en/acquisition"))
    assert "deeper" in deeper.one("p.path-badge").get("class")
    assert deeper.one("p.path-badge").text == "Going deeper"


def test_learning_pages_speak_the_page_language_whatever_the_interface(app, login, make_user):
    session = login(make_user(language="en"))
    doc = html_of(session.get("/learn/da/loyalty-ladder"))
    assert doc.one("html").get("lang") == "en"  # the interface
    article = doc.one("article.learn-page")
    assert article.get("lang") == "da"
    assert article.one("#in-short-title").text == "Kort fortalt"
    assert article.one("#self-check-title").text == "Test dig selv"
    assert article.one("#goals-title").text == "Når du har læst siden, kan du:"


# --- the glossary ------------------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_every_glossary_term_is_linked_from_a_rendered_page(app, client, language):
    library = library_of(app)
    terms = {item.id for item in library.page(language, "glossary").items}
    linked: set[str] = set()
    for page in library.pages_in(language):
        doc = html_of(client.get(f"/learn/{language}/{page.id}"))
        for link in doc.all("article a.gloss"):
            href = link.get("href")
            assert href.startswith(f"/learn/{language}/glossary#"), href
            linked.add(href.partition("#")[2])
            # Never inside a heading or another link.
            assert not link.tag.find_parent(["h1", "h2", "h3", "a"]), (page.id, href)
    assert linked == terms


def test_a_term_links_to_its_entry_once_per_part_of_a_page(client):
    doc = html_of(client.get("/learn/en/loyalty-ladder"))
    body = doc.one("article > div.content")
    leads = [a for a in body.all("a.gloss") if a.get("href") == "/learn/en/glossary#lead"]
    assert len(leads) == 1 and leads[0].text == "leads"
    assert body.one('a.gloss[href="/learn/en/glossary#conversion-goal"]').text == "conversion goal"
    # Each item is a part of its own: the rung "Lead" links the term in its own text.
    assert doc.one("#lead a.gloss").get("href") == "/learn/en/glossary#lead"
    # Danish forms: the customer ladder's word for a lead is "emne".
    da = html_of(client.get("/learn/da/customer-ladder"))
    hrefs = {a.text.lower(): a.get("href") for a in da.all("a.gloss")}
    assert hrefs.get("emne") == "/learn/da/glossary#lead" or hrefs.get(
        "emner") == "/learn/da/glossary#lead"


def test_the_glossary_lists_the_pages_that_use_each_term(client):
    doc = html_of(client.get("/learn/nb/glossary"))
    entry = doc.one("#percentage-point")
    used = [a.get("href") for a in entry.all("p.used-on a")]
    assert "/learn/nb/loyalty-ladder" in used and "/learn/nb/customer-ladder" in used
    # The glossary page does not link to itself, and its look-up words are not shown.
    assert not doc.has("article a.gloss")
    assert not doc.has("ul.field-forms")


# --- self-checks without JavaScript ------------------------------------------------------------

def feedback(doc, question: str):
    return doc.one(f"#q-{question}-feedback")


def test_a_wrong_answer_explains_why_and_asks_for_another(client):
    response = answer(client, "loyalty-ladder", {"close-the-gap": "referrals"},
                      asked="close-the-gap")
    assert response.status_code == 200
    doc = html_of(response)
    box = feedback(doc, "close-the-gap")
    assert box.get("role") == "status"
    verdict = box.one("p.verdict.wrong")
    assert verdict.text.startswith("Not quite.")
    assert "Referrals work higher up" in verdict.text
    assert verdict.text.endswith("Try another answer.")
    # The answer stays chosen, the other questions stay unanswered.
    assert doc.one("#q-close-the-gap-referrals").get("checked") is not None
    assert not feedback(doc, "conversion-rate").has("p.verdict")


def test_the_right_answer_says_so_and_teaches(client):
    doc = html_of(answer(client, "loyalty-ladder", {"close-the-gap": "loyalty-programme"}))
    verdict = feedback(doc, "close-the-gap").one("p.verdict.right")
    assert verdict.text.startswith("Right.")
    assert "from customer to repeat buyer" in verdict.text
    assert "Try another answer" not in verdict.text


def test_each_question_is_a_fieldset_with_a_legend_posting_back_to_its_feedback(client):
    doc = html_of(client.get("/learn/en/service"))
    forms = doc.all("section.self-check form.quiz.question")
    assert len(forms) == 3
    for form in forms:
        fieldset = form.one("fieldset")
        assert fieldset.one("legend").text
        radios = fieldset.all("input[type=radio]")
        assert len(radios) >= 2 and len({r.get("name") for r in radios}) == 1
        for radio in radios:
            assert form.one(f'label[for="{radio.get("id")}"]').text
        question = form.one("input[name=asked]").get("value")
        assert form.get("action") == f"/learn/en/service#q-{question}-feedback"
        assert form.one("input[name=csrf_token]").get("value")
    # Options named by content items take the item's name in the page's language.
    nb = html_of(client.get("/learn/nb/service"))
    assert nb.one('label[for="q-cinema-app-automated-service"]').text == "Automatisert tjeneste"


def test_checking_without_an_answer_asks_for_one_beside_that_question(client):
    response = answer(client, "service", {}, asked="not-a-type")
    assert response.status_code == 422
    doc = html_of(response)
    assert feedback(doc, "not-a-type").one("p.notice").text == "Choose an answer first."
    assert not feedback(doc, "cinema-app").has("p.notice")


def test_the_sorting_exercise_checks_every_case_at_once_with_a_score(client):
    response = answer(client, "look-alikes", {"spotify": "freemium", "ice-cream": "freemium",
                                              "phone-case": "add-on-products"}, language="da")
    doc = html_of(response)
    form = doc.one("form.quiz.sort")
    assert len(form.all("fieldset.question-box")) == 12
    assert form.one("#self-check-score").get("role") == "status"
    assert form.one("#self-check-score").text == "2 af 12 rigtige."
    assert feedback(doc, "spotify").one("p.verdict.right")
    assert feedback(doc, "ice-cream").one("p.verdict.wrong").text.startswith("Ikke helt.")
    assert not feedback(doc, "stamp-card").has("p.verdict")
    # Each case's own feedback is not a live region: the score announces the result.
    assert feedback(doc, "spotify").get("role") is None


def test_a_page_without_a_self_check_or_language_is_not_found(app, client):
    csrf = token(client)
    assert client.post("/learn/xx/service", data={"csrf_token": csrf}).status_code == 404
    assert client.post("/learn/en/nowhere", data={"csrf_token": csrf}).status_code == 404


def test_a_post_without_the_csrf_token_is_refused(client):
    response = client.post("/learn/en/service", data={"answer__not-a-type": "loyalty-programme"})
    assert response.status_code == 400


# --- self-checks with JavaScript (the JSON answer quiz.js uses) ---------------------------------

def test_the_json_answer_carries_the_same_feedback(client):
    response = answer(client, "customer-ladder", {"leads-to-warm": "rate-5"}, as_json=True)
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert set(data["answers"]) == {"leads-to-warm"}
    part = data["answers"]["leads-to-warm"]
    assert part["right"] is False
    assert "wrong way round" in html_of(part["html"]).one("p.verdict.wrong").text
    empty = answer(client, "customer-ladder", {}, as_json=True)
    assert empty.status_code == 422 and empty.get_json()["message"] == "Choose an answer first."
    sort = answer(client, "look-alikes", {"flat-pack": "self-service"}, as_json=True,
                  language="nb").get_json()
    assert html_of(sort["score_html"]).text() == "1 av 12 riktige."


def test_the_page_loads_the_quiz_script_as_a_module_and_nothing_inline(client):
    doc = html_of(client.get("/learn/en/service"))
    scripts = doc.all("script")
    assert all(s.get("src") for s in scripts)
    assert any(re.search(r"/js/quiz(\.[0-9a-f]{12})?\.js$", s.get("src"))
               and s.get("type") == "module" for s in scripts)
    assert not doc.has("[style]")


# --- results kept per user -------------------------------------------------------------------

def test_a_students_answers_are_kept_first_and_latest(app, login, make_user):
    student = make_user()
    session = login(student)
    answer(session.client, "loyalty-ladder", {"close-the-gap": "free-product"}, csrf=session.csrf)
    answer(session.client, "loyalty-ladder", {"close-the-gap": "loyalty-programme"},
           csrf=session.csrf)
    row = stored_answers(app, student.id)[("loyalty-ladder", "close-the-gap")]
    assert (row.first_choice, row.first_right) == ("free-product", False)
    assert (row.last_choice, row.last_right) == ("loyalty-programme", True)
    assert row.attempts == 2
    # Back on the page later: the latest answer is chosen and its feedback shown.
    doc = html_of(session.get("/learn/en/loyalty-ladder"))
    assert doc.one("#q-close-the-gap-loyalty-programme").get("checked") is not None
    assert feedback(doc, "close-the-gap").one("p.verdict.right")
    assert doc.one("section.self-check").text.count("Your answers are saved") == 1


def test_answers_are_never_shown_to_another_user_or_kept_for_visitors(app, login, make_user,
                                                                     client):
    student, other = make_user(), make_user()
    mine = login(student)
    answer(mine.client, "service", {"not-a-type": "loyalty-programme"}, csrf=mine.csrf)
    theirs = html_of(login(other).get("/learn/en/service"))
    assert not feedback(theirs, "not-a-type").has("p.verdict")
    assert theirs.one("#q-not-a-type-loyalty-programme").get("checked") is None
    visitor = answer(client, "service", {"not-a-type": "co-creation"})
    assert html_of(visitor).one("section.self-check a").get("href").startswith("/auth/login")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAnswer)) == 1
    assert not html_of(client.get("/learn/en/service")).has("p.verdict")


def test_class_results_count_per_question_for_the_given_users_only(app, login, make_user):
    a, b, outsider = make_user(), make_user(), make_user()
    for user, choices in ((a, ["referrals", "loyalty-programme"]), (b, ["loyalty-programme"]),
                          (outsider, ["free-product"])):
        session = login(user)
        for choice in choices:
            answer(session.client, "loyalty-ladder", {"close-the-gap": choice}, csrf=session.csrf)
    b_again = login(b)
    answer(b_again.client, "look-alikes", {"spotify": "trial-version"}, csrf=b_again.csrf)
    with app.app_context():
        results = class_results([a.id, b.id], get_library())
        nobody = class_results([], get_library())
        library = get_library()
    by_question = {(r.quiz_id, r.question_id): r for r in results}
    gap = by_question[("loyalty-ladder", "close-the-gap")]
    assert (gap.answered, gap.right_first_try, gap.right_now) == (2, 1, 2)
    assert gap.first_choices == {"referrals": 1, "loyalty-programme": 1}
    assert gap.last_choices == {"loyalty-programme": 2}
    assert gap.page == "loyalty-ladder"
    spotify = by_question[("look-alikes", "spotify")]
    assert (spotify.answered, spotify.right_now) == (1, 0)
    # Every question of the content is listed, answered or not, in page order.
    every = [(q.id, question.id) for q in library.quizzes.values() for question in q.questions]
    assert sorted(by_question) == sorted(every)
    assert by_question[("service", "cinema-app")].answered == 0
    assert [r.quiz_id for r in results][0] == "customer-relationships"
    assert all(r.answered == 0 and not r.last_choices for r in nobody)


def test_the_data_download_has_the_answers_and_deleting_the_account_removes_them(
        app, login, make_user):
    student = make_user()
    session = login(student)
    answer(session.client, "glossary", {"points": "five-points"}, csrf=session.csrf)
    data = json.loads(session.get("/account/data.json").text)
    assert data["self_checks"] == [{
        "quiz": "glossary", "question": "points", "first_choice": "five-points",
        "first_right": True, "latest_choice": "five-points", "latest_right": True,
        "attempts": 1, "first_at": data["self_checks"][0]["first_at"],
        "latest_at": data["self_checks"][0]["latest_at"]}]
    with app.app_context():
        from canvas.accounts import delete_account

        delete_account(db.session.get(User, student.id))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(QuizAnswer)) == 0


# --- any form post: never a server error, only valid answers kept -------------------------------

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])
QUESTIONS = ["cinema-app", "climbing-discord", "not-a-type", "nowhere", "", "../x"]
OPTIONS = ["self-service", "automated-service", "co-creation", "loyalty-programme",
           "communities", "x" * 200, "", "\u0000", "💥"]


def test_any_form_post_is_answered_and_keeps_only_valid_answers(app, login, make_user):
    session = login(make_user())
    with app.app_context():
        quiz = get_library().quiz_for("service")
        valid = {q.id: {o.id for o in q.options} for q in quiz.questions}
    keys = st.sampled_from([f"answer__{q}" for q in QUESTIONS] + ["asked", "answer__"]) | \
        st.text(max_size=30)
    values = st.sampled_from(OPTIONS) | st.text(max_size=50)

    @SETTINGS
    @given(form=st.dictionaries(keys, values, max_size=8), as_json=st.booleans())
    def check(form, as_json) -> None:
        form = {k: v for k, v in form.items() if k != "csrf_token"}
        response = session.client.post(
            "/learn/en/service", data={"csrf_token": session.csrf, **form},
            headers={"Accept": "application/json"} if as_json else {})
        if any("\x00" in k or "\x00" in v for k, v in form.items()):
            # Refused before any view (canvas/web.py): PostgreSQL cannot hold a NUL.
            assert response.status_code == 400
            return
        assert response.status_code in (200, 422), response.status_code
        chosen = {k.removeprefix("answer__"): v for k, v in form.items()
                  if k.startswith("answer__") and v in valid.get(k.removeprefix("answer__"), ())}
        assert (response.status_code == 200) == bool(chosen)
        if as_json:
            assert set(response.get_json()["answers"]) == set(chosen)
        rows = stored_answers(app, session.user.id)
        for (quiz_id, question_id), row in rows.items():
            assert quiz_id == "service"
            assert row.first_choice in valid[question_id]
            assert row.last_choice in valid[question_id]
        for question_id, option_id in chosen.items():
            assert rows[("service", question_id)].last_choice == option_id

    check()


def test_visitors_never_sign_in_by_answering(client):
    response = answer(client, "service", {"not-a-type": "loyalty-programme"})
    assert response.status_code == 200
    assert PASSWORD not in response.text


# --- the migration --------------------------------------------------------------------------

def test_the_migration_makes_the_table_the_model_describes_and_goes_back(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    with app.app_context():
        with db.engine.connect() as connection:
            diffs = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert [d for d in diffs if "quiz_answers" in repr(d)] == []
        downgrade(revision="f4100bd35f25")
        assert "quiz_answers" not in inspect(db.engine).get_table_names()
        upgrade()
        assert "quiz_answers" in inspect(db.engine).get_table_names()


@pytest.mark.parametrize(("page", "language", "example", "top"), [
    ("customer-ladder", "en", "cleaning-copenhagen", "Total market: 20\u202f000"),
    ("customer-ladder", "da", "cleaning-copenhagen", "Totalmarkedet: 20\u202f000"),
    ("loyalty-ladder", "nb", "football-boots", "Ambassadør: 60"),
])
def test_the_ladder_pages_draw_a_worked_example_as_a_funnel(client, page, language, example,
                                                          top):
    doc = html_of(client.get(f"/learn/{language}/{page}"))
    figure = doc.one("figure.ladder-example")
    svg = figure.one("svg")
    assert svg.get("role") == "img"
    assert figure.one("figcaption a").get("href") == f"/learn/{language}/examples#{example}"
    # The example's own figures on its rungs, named in the page's language.
    drawn = svg.text
    assert top in drawn
    names = [item.text for item in doc.all(".item h2")]
    assert names and all(name.split(" (")[0] in drawn for name in names[:2])


def test_a_page_no_example_climbs_has_no_ladder_picture(client):
    doc = html_of(client.get("/learn/en/service"))
    assert doc.heading()
    assert not doc.has("figure.ladder-example")
