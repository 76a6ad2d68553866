"""User journeys in a real Chromium: sign up, fill the whole worksheet, autosave, offline,
two tabs, no JavaScript, the recycle bin and keyboard-only use."""

from __future__ import annotations

import contextlib
import functools
import re
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from canvas.extensions import db
from canvas.i18n import gettext_in
from canvas.models import User, Worksheet
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.helpers import PASSWORD, make_account, sign_in, wait_until

pytestmark = pytest.mark.browser

SAVED = {"en": "Saved", "da": "Gemt", "nb": "Lagret"}
NEXT = {"en": "Next", "da": "Næste", "nb": "Neste"}
THIN = "\u202f"


# --- helpers ------------------------------------------------------------------------------

def status(page: Page):
    return page.locator("#save-status")


def wait_saved(page: Page, lang: str = "en") -> None:
    expect(status(page)).to_have_text(SAVED[lang])


def type_into(page: Page, selector: str, text: str) -> None:
    """Click into a field and type like a person: one key at a time."""
    box = page.locator(selector)
    box.click()
    box.press_sequentially(text)


def css_id(name: str) -> str:
    return "#" + name


def stored(server, worksheet_id: int) -> dict:
    with server.app.app_context():
        ws = db.session.get(Worksheet, worksheet_id)
        answers = dict(ws.answers or {})
        db.session.remove()
        return answers


def step_url(server, worksheet_id: int, step: str) -> str:
    return server.url(f"/worksheets/{worksheet_id}/steps/{step}")


# --- (a) the whole worksheet, in every language ---------------------------------------------

@dataclass
class StepPlan:
    """What a user types and ticks on one step, as flat input names."""

    texts: dict[str, str] = field(default_factory=dict)
    ticks: list[str] = field(default_factory=list)
    radios: dict[str, str] = field(default_factory=dict)
    selects: dict[str, str] = field(default_factory=dict)


def plan(lang: str) -> dict[str, StepPlan]:
    t = f"[{lang}]"
    return {
        "focus": StepPlan(texts={
            "segment": f"Små kontorer i København {t}",
            "value_proposition": f"Pålidelig aftenrengøring med fast kontaktperson {t}",
        }),
        "goals": StepPlan(texts={
            "weights__acquisition": "50", "weights__retention": "40", "weights__upselling": "10",
            "weights_why": f"Vi er nye og skal finde de første kunder {t}",
        }),
        "relationship-types": StepPlan(
            ticks=["relationship_types__dedicated-assistance",
                   "relationship_types__automated-service"],
            texts={
                "relationship_types__dedicated-assistance__why": f"Én kender kontoret {t}",
                "relationship_types__automated-service__why": f"Ekstra rengøring online {t}",
            }),
        "tactics": StepPlan(
            ticks=["tactics_acquisition__free-product", "tactics_acquisition__referrals",
                   "tactics_retention__customer-care", "tactics_upselling__add-on-products"],
            texts={
                "tactics_acquisition__free-product__how": f"Gratis prøverengøring {t}",
                "tactics_acquisition__free-product__cost": "900 kr",
                "tactics_acquisition__referrals__how": f"Halv pris ved anbefaling {t}",
                "tactics_acquisition__referrals__cost": "Halv faktura",
                "tactics_retention__customer-care__how": f"Kvartalsvis opkald {t}",
                "tactics_retention__customer-care__cost": "1 time pr kunde",
                "tactics_upselling__add-on-products__how": f"Vinduespudsning som tilkøb {t}",
                "tactics_upselling__add-on-products__cost": "Betales af kunden",
            }),
        "ladder": StepPlan(
            radios={"ladder__ladder": "customer-ladder"},
            texts={
                **{f"ladder__customer-ladder__count__{rung}": n for rung, n in (
                    ("total-market", "20000"), ("target-group", "2400"), ("lead", "600"),
                    ("warm-lead", "120"), ("buyer", "30"), ("customer", "21"))},
                **{f"ladder__customer-ladder__goal__{rung}": n for rung, n in (
                    ("total-market", "12"), ("target-group", "25"), ("lead", "20"),
                    ("warm-lead", "25"), ("buyer", "70"))},
            },
            selects={
                "ladder__tactic__free-product": "customer-ladder:warm-lead",
                "ladder__tactic__referrals": "customer-ladder:lead",
                "ladder__tactic__customer-care": "customer-ladder:buyer",
                "ladder__tactic__add-on-products": "customer-ladder:buyer",
            }),
        "after-purchase": StepPlan(
            ticks=["delivery_checks__right-time", "delivery_checks__right-quality",
                   "usage_checks__works-as-intended", "future_needs__add-on-purchase"],
            texts={
                "delivery_checks__right-time__how": f"Rengøreren logger sluttid {t}",
                "delivery_checks__right-quality__how": f"Tjekliste efter hvert besøg {t}",
                "usage_checks__works-as-intended__how": f"Vi spørger ved første opkald {t}",
                "future_needs__add-on-purchase__what": f"Vinduespudsning om foråret {t}",
            }),
        "economics": StepPlan(texts={
            "cost_to_win": "4000", "cost_to_keep": "600", "average_order": "3500",
            "orders_per_year": "12", "years": "3", "margin": "25",
        }),
        "reflection": StepPlan(texts={
            "q_key_activities": f"Det kvartalsvise opkald {t}",
            "q_long_term_goals": f"Syv ud af ti fornyer {t}",
            "q_satisfaction": f"Fejl rettes samme dag {t}",
            "q_sustainable": f"Samme rengører på hvert kontor {t}",
            "q_sustainability_engagement": f"Miljømærkede produkter {t}",
            "case_lesson": f"Spar ikke på personalet {t}",
            "own_question": f"Hvad hvis kontaktpersonen stopper? {t}",
            "own_answer": f"En reserveperson besøger to gange om året {t}",
        }),
        "summary": StepPlan(),
    }


@pytest.mark.parametrize("lang", ["en", "da", "nb"])
def test_register_start_and_fill_every_step(live_server, page: Page, lang: str) -> None:
    server = live_server
    email = f"new-{lang}@example.org"

    # Sign up through the form.
    page.goto(server.url("/"))
    page.get_by_role("link", name="Create an account").first.click()
    page.get_by_label("Your name").fill(f"Ny Bruger {lang}")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("I am a").select_option("entrepreneur")
    page.get_by_label("Language of my worksheets").select_option(lang)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    # From here on the interface speaks the language chosen at sign-up.
    say = functools.partial(gettext_in, lang)
    expect(page.get_by_role("heading", name=say("My canvases"))).to_be_visible()
    with server.app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        assert user is not None and user.language == lang and user.role == "entrepreneur"
        db.session.remove()

    # Start a canvas: the language follows the account, the full worksheet is preselected.
    page.get_by_role("link", name=say("Start a new canvas")).click()
    page.get_by_label(say("Title")).fill(f"Glans Rengøring {lang}")
    expect(page.get_by_label(say("Language of the worksheets"))).to_have_value(lang)
    page.get_by_label(say("Language of the worksheets")).select_option(lang)
    expect(page.locator('input[name="worksheet"][value="customer-relationships"]')).to_be_checked()
    page.get_by_role("button", name=say("Create the canvas")).click()
    page.wait_for_url(re.compile(r"/worksheets/\d+/steps/focus$"))
    worksheet_id = int(re.search(r"/worksheets/(\d+)/", page.url).group(1))
    expect(page.locator("html")).to_have_attribute("lang", lang)

    steps = plan(lang)
    order = list(steps)
    for n, (step_id, todo) in enumerate(steps.items()):
        assert page.url.endswith(f"/steps/{step_id}"), page.url

        for radio_name, value in todo.radios.items():
            # Choosing a ladder saves at once and redraws the page (the tactic map changes).
            with page.expect_navigation():
                page.locator(f'input[name="{radio_name}"][value="{value}"]').click()
            expect(page.locator(f'input[name="{radio_name}"][value="{value}"]')).to_be_checked()
        for box in todo.ticks:
            page.locator(css_id(box)).check()
        for name, text in todo.texts.items():
            type_into(page, css_id(name), text)
        for name, value in todo.selects.items():
            page.locator(css_id(name)).select_option(value)

        if step_id == "summary":
            draft = page.locator("#draft-text")
            expect(draft).to_contain_text(steps["focus"].texts["segment"])
            page.locator("#use-draft").click()
            wait_saved(page, lang)
            draft_text = draft.text_content()
            assert draft_text and steps["focus"].texts["segment"] in draft_text
            expect(page.locator("#summary")).to_have_value(draft_text)
            todo.texts["summary"] = draft_text
        else:
            # Leave the last field (a click on the heading), as people do before they read
            # the status. Clicking Next straight from a field is its own test below.
            page.locator("h1").click()
            wait_saved(page, lang)

        if step_id == "ladder":
            expect(page.locator("#panel svg")).to_be_visible()
            expect(page.locator('#panel tr[data-step="total-market"] [data-actual]')
                   ).to_have_text("12 %")
            expect(page.locator("#panel [data-expected-top]")).to_have_text("21")
        if step_id == "economics":
            expect(page.locator("#panel [data-clv]")).to_have_text(f"31{THIN}500 kr")
            expect(page.locator("#panel [data-verdict]")).to_have_text(gettext_in(
                lang, "Yes: a customer is worth more than the relationship costs."))
            expect(page.locator("#panel [data-verdict]")).to_have_class(re.compile(r"\bgood\b"))

        if n + 1 < len(order):
            page.get_by_role("button", name=NEXT[lang]).click()
            page.wait_for_url(re.compile(rf"/steps/{re.escape(order[n + 1])}$"))

    # Every step, reloaded from the server, shows what was typed and ticked.
    for step_id, todo in steps.items():
        page.goto(step_url(server, worksheet_id, step_id))
        for name, text in todo.texts.items():
            expect(page.locator(css_id(name)), f"{step_id}: {name}").to_have_value(text)
        for box in todo.ticks:
            expect(page.locator(css_id(box)), f"{step_id}: {box}").to_be_checked()
        for radio_name, value in todo.radios.items():
            expect(page.locator(f'input[name="{radio_name}"][value="{value}"]')).to_be_checked()
        for name, value in todo.selects.items():
            expect(page.locator(css_id(name)), f"{step_id}: {name}").to_have_value(value)
        if step_id == "ladder":
            expect(page.locator("#panel svg")).to_be_visible()
            expect(page.locator('#panel tr[data-step="total-market"] [data-actual]')
                   ).to_have_text("12 %")
        if step_id == "economics":
            expect(page.locator("#panel [data-clv]")).to_have_text(f"31{THIN}500 kr")
        expect(page.locator(f'[data-step-id="{step_id}"]')).to_have_class(re.compile(r"\bdone\b"))

    answers = stored(server, worksheet_id)
    assert answers["segment"] == steps["focus"].texts["segment"]
    assert answers["weights"] == {"acquisition": 50, "retention": 40, "upselling": 10}
    assert answers["ladder"]["ladder"] == "customer-ladder"
    assert answers["ladder"]["tactics"]["free-product"] == "customer-ladder:warm-lead"
    assert answers["margin"] == 25
    assert answers["summary"] == steps["summary"].texts["summary"]


# --- Next, straight from the field just typed in ------------------------------------------

@pytest.mark.parametrize("wait_for_saved", [True, False], ids=["after-saved", "while-unsaved"])
def test_next_straight_after_typing_moves_on_without_a_false_conflict(
        live_server, page: Page, wait_for_saved: bool) -> None:
    """Typing and then clicking Next is the most common move on every step.

    The form post carries everything typed, so the page must neither ask "Leave site?" nor
    race its own autosave into a conflict with itself.
    """
    email, _, ws = make_account(live_server)
    sign_in(page, live_server, email)
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", on_dialog)
    page.goto(step_url(live_server, ws, "focus"))
    type_into(page, "#segment", "Cyclists in Aarhus")
    if wait_for_saved:
        wait_saved(page)
    page.get_by_role("button", name="Next").click()
    # With a save still pending, the page finishes it before it posts and moves on.
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_url(re.compile(rf"/worksheets/{ws}/steps/goals$"), timeout=10_000)
    outcome = {"dialogs": dialogs, "conflict shown": page.locator("#conflict").is_visible(),
               "url": page.url.removeprefix(live_server)}
    assert outcome == {"dialogs": [], "conflict shown": False,
                       "url": f"/worksheets/{ws}/steps/goals"}
    assert stored(live_server, ws)["segment"] == "Cyclists in Aarhus"


def test_back_to_a_step_after_next_saves_again(live_server, browser) -> None:
    """Back after Next can show the step from the back-forward cache, as it was left: in the
    middle of its post, with the version from before it. The page must load afresh, so that
    autosave works again, without a conflict with its own post."""
    email, _, ws = make_account(live_server)
    # Playwright turns the back-forward cache off; this test needs it on.
    cached = browser.browser_type.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
        ignore_default_args=["--disable-back-forward-cache"])
    try:
        page = cached.new_context(locale="en-GB").new_page()
        page.add_init_script("""addEventListener("pageshow", (event) => {
            if (event.persisted) sessionStorage.setItem("from-cache", "yes"); });""")
        sign_in(page, live_server, email)
        page.goto(step_url(live_server, ws, "focus"))
        type_into(page, "#segment", "Cyclists")
        page.get_by_role("button", name="Next").click()
        page.wait_for_url(re.compile(r"/steps/goals$"))
        page.go_back(wait_until="commit")  # a page from the cache fires no "load"

        # Signed-in pages are sent with Cache-Control: no-store, which keeps Chromium from
        # putting them in the back-forward cache at all: then Back loads the step from the
        # server ("back_forward"); a browser that caches it anyway must reload it ("reload").
        def loaded_afresh() -> bool:
            with contextlib.suppress(PlaywrightError):  # the page may be navigating
                return page.evaluate("['reload', 'back_forward'].includes(performance"
                                     ".getEntriesByType('navigation')[0].type)"
                                     " && document.readyState === 'complete'")
            return False

        wait_until(page, loaded_afresh, "the step to load afresh after Back")
        if page.evaluate("sessionStorage.getItem('from-cache')") != "yes":
            assert page.evaluate("performance.getEntriesByType('navigation')[0].type") \
                == "back_forward"
        expect(page.locator("#segment")).to_have_value("Cyclists")
        type_into(page, "#segment", " in Aarhus")
        wait_saved(page)
        expect(page.locator("#conflict")).to_be_hidden()
        assert stored(live_server, ws)["segment"] == "Cyclists in Aarhus"
    finally:
        cached.close()


# --- the status never says "Saved" while typed text is still unsent -------------------------

def test_saved_status_is_not_shown_while_newer_typing_is_unsent(live_server, page: Page) -> None:
    """Text typed while a save is on its way must not be reported as saved.

    If it is, a person who sees "Saved" and closes the tab loses those last words: the
    page no longer warns before unloading, and they are not in localStorage either.
    """
    email, _, ws = make_account(live_server)
    sign_in(page, live_server, email)
    page.goto(step_url(live_server, ws, "focus"))
    held = []
    page.route("**/autosave", lambda route: held.append(route))  # hold the first save
    type_into(page, "#segment", "Cyclists")
    expect(status(page)).to_have_text("Saving…")
    wait_until(page, lambda: held, "the held save to reach the route")
    assert len(held) == 1
    page.keyboard.type(" in Aarhus")  # typed while that save is in flight
    expect(status(page)).to_have_text("Not saved yet")
    held[0].continue_()
    page.unroute("**/autosave")

    wait_saved(page)
    # At the first moment the page says "Saved", all of the text must be on the server.
    on_server = stored(live_server, ws).get("segment")
    assert on_server == "Cyclists in Aarhus", (
        f"the page says Saved while the server holds {on_server!r}")


# --- the step's draft button ------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "da"])
def test_use_draft_asks_before_replacing_typed_text(live_server, page: Page, lang: str) -> None:
    email, _, ws = make_account(live_server, lang=lang)
    with live_server.app.app_context():
        worksheet = db.session.get(Worksheet, ws)
        worksheet.answers = {"segment": "Cyclists in Aarhus",
                             "relationship_types": [{"id": "self-service", "why": "Night owls"}]}
        db.session.commit()
        db.session.remove()
    sign_in(page, live_server, email)
    page.goto(step_url(live_server, ws, "summary"))
    draft = page.locator("#draft-text").text_content()
    assert draft and "Cyclists in Aarhus" in draft
    type_into(page, "#summary", "My own words")
    page.locator("h1").click()
    wait_saved(page, lang)

    questions: list[str] = []
    page.once("dialog", lambda d: (questions.append(d.message), d.dismiss()))
    page.locator("#use-draft").click()
    expect(page.locator("#summary")).to_have_value("My own words")
    assert len(questions) == 1 and questions[0].strip()
    if lang != "en":
        assert questions[0] != "Replace your text with the draft?", (
            f"the question is in English on a {lang} worksheet")

    page.once("dialog", lambda d: d.accept())
    page.locator("#use-draft").click()
    expect(page.locator("#summary")).to_have_value(draft)
    wait_saved(page, lang)
    assert stored(live_server, ws)["summary"] == draft


# --- (b) offline ------------------------------------------------------------------------------

def test_offline_typing_is_kept_and_saved_when_back_online(live_server, context: BrowserContext,
                                                           page: Page) -> None:
    email, _, ws = make_account(live_server)
    sign_in(page, live_server, email)
    page.goto(step_url(live_server, ws, "focus"))

    context.set_offline(True)
    type_into(page, "#segment", "Typed on the train")
    expect(status(page)).to_have_text("Offline, will retry")
    assert stored(live_server, ws).get("segment") in (None, "")

    context.set_offline(False)
    wait_saved(page)
    assert stored(live_server, ws)["segment"] == "Typed on the train"
    page.reload()
    expect(page.locator("#segment")).to_have_value("Typed on the train")


def type_with_no_signal(server, context: BrowserContext, page: Page, selector: str,
                        text: str) -> int:
    """A new account's focus step, typed into offline; the worksheet id.

    Offline emulation alone is not enough: a slow machine can still run this tab's retry
    timer after the context is back online, and then the save lands before a new tab opens.
    Refusing this tab's autosaves outright makes "never reached the server" certain.
    """
    email, _, ws = make_account(server)
    sign_in(page, server, email)
    page.goto(step_url(server, ws, "focus"))
    page.route("**/autosave", lambda route: route.abort("internetdisconnected"))
    context.set_offline(True)
    type_into(page, selector, text)
    expect(status(page)).to_have_text("Offline, will retry")
    return ws


def test_text_typed_offline_survives_closing_the_tab(live_server, context: BrowserContext,
                                                     page: Page) -> None:
    """Unsent text waits in the browser and is saved when the step is opened again online."""
    ws = type_with_no_signal(live_server, context, page, "#value_proposition",
                             "Written with no signal")
    page.close(run_before_unload=False)
    assert stored(live_server, ws).get("value_proposition") in (None, "")

    context.set_offline(False)
    again = context.new_page()
    again.goto(step_url(live_server, ws, "focus"))
    expect(again.locator("#value_proposition")).to_have_value("Written with no signal")
    try:
        wait_saved(again)
    except AssertionError as error:  # say what the page and the server held, for CI logs
        local = again.evaluate("JSON.stringify(Object.entries(localStorage))")
        raise AssertionError(f"{error}\nlocalStorage: {local}\n"
                             f"server: {stored(live_server, ws)}") from None
    expect(again.locator("#conflict")).to_be_hidden()
    assert stored(live_server, ws)["value_proposition"] == "Written with no signal"
    again.close()


def test_next_while_offline_keeps_the_text_until_it_is_saved(live_server,
                                                              context: BrowserContext,
                                                              page: Page) -> None:
    """Next with no network: the post cannot arrive either, so the text must stay in the
    browser and be saved when the step is opened again online."""
    ws = type_with_no_signal(live_server, context, page, "#segment",
                             "Typed before Next on the train")
    # The page tries to save once more, then posts the form: that post fails too.
    def the_post(request) -> bool:
        return request.method == "POST" and request.url.endswith(f"/worksheets/{ws}/steps/focus")

    with page.expect_event("requestfailed", the_post), contextlib.suppress(PlaywrightError):
        page.get_by_role("button", name="Next").click()
    page.close(run_before_unload=False)
    assert stored(live_server, ws).get("segment") in (None, "")

    context.set_offline(False)
    again = context.new_page()
    again.goto(step_url(live_server, ws, "focus"))
    expect(again.locator("#segment")).to_have_value("Typed before Next on the train")
    wait_saved(again)
    expect(again.locator("#conflict")).to_be_hidden()
    assert stored(live_server, ws)["segment"] == "Typed before Next on the train"
    again.close()


def copy_key(page: Page, kind: str, object_id: int, scope: str) -> str:
    """The localStorage key under which this tab keeps unsent text (static/js/save-core.js):
    per user, per editor and object, per tab."""
    return page.evaluate("""([kind, id, scope]) => 'canvas:v2:'
        + document.querySelector('meta[name=user-id]').content + ':' + kind + ':' + id + ':'
        + scope + ':' + sessionStorage.getItem('canvas:tab')""", [kind, object_id, scope])


# --- (c) the same step in two tabs ------------------------------------------------------------

def test_second_tab_conflict_keep_my_text(live_server, context: BrowserContext, page: Page) -> None:
    email, _, ws = make_account(live_server)
    sign_in(page, live_server, email)
    tab_a = page
    tab_b = context.new_page()
    tab_a.goto(step_url(live_server, ws, "focus"))
    tab_b.goto(step_url(live_server, ws, "focus"))

    type_into(tab_a, "#segment", "Written in tab A")
    wait_saved(tab_a)
    assert stored(live_server, ws)["segment"] == "Written in tab A"

    type_into(tab_b, "#segment", "Written in tab B")
    expect(tab_b.locator("#conflict")).to_be_visible()
    expect(status(tab_b)).to_have_text("Not saved yet")
    assert stored(live_server, ws)["segment"] == "Written in tab A"

    # Both versions are shown side by side; tab B keeps its own text.
    row = tab_b.locator("#conflict-rows .conflict-row")
    expect(row).to_have_count(1)
    expect(row.locator("legend")).to_have_text("Customer segment")
    expect(row.locator("textarea")).to_have_value("Written in tab B")
    expect(row.locator("pre")).to_have_text("Written in tab A")
    expect(row.get_by_role("radio", name="Keep yours")).to_be_checked()
    tab_b.get_by_role("button", name="Save my choices").click()
    wait_saved(tab_b)
    expect(tab_b.locator("#conflict")).to_be_hidden()
    assert stored(live_server, ws)["segment"] == "Written in tab B"
    tab_b.reload()
    expect(tab_b.locator("#segment")).to_have_value("Written in tab B")
    expect(tab_b.locator("#conflict")).to_be_hidden()
    tab_b.close()


# --- (d) without JavaScript -------------------------------------------------------------------

def test_without_javascript_the_form_posts_and_errors_keep_the_text(live_server, browser) -> None:
    email, _, ws = make_account(live_server)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_server, email)
        page.goto(step_url(live_server, ws, "focus"))
        page.get_by_label("Customer segment").fill("Cyclists in Aarhus")
        page.get_by_label("Value proposition for this segment").fill("Repairs while you wait")
        page.get_by_role("button", name="Next").click()
        page.wait_for_url(re.compile(r"/steps/goals$"))
        assert stored(live_server, ws)["segment"] == "Cyclists in Aarhus"

        page.goto(step_url(live_server, ws, "focus"))
        expect(page.locator("#segment")).to_have_value("Cyclists in Aarhus")
        expect(page.locator("#value_proposition")).to_have_value("Repairs while you wait")

        too_long = "x" * 250
        page.get_by_label("Customer segment").fill(too_long)
        page.get_by_role("button", name="Next").click()
        assert page.url.endswith("/steps/focus")
        error = page.locator("#segment-error")
        expect(error).to_be_visible()
        expect(error).to_contain_text("250 characters")
        expect(error).to_contain_text("200")
        beside = page.locator('.field.has-error[data-field="segment"] #segment-error')
        expect(beside).to_have_count(1)
        expect(page.locator("#segment")).to_have_value(too_long)
        expect(page.locator("#segment")).to_have_attribute("aria-invalid", "true")
        expect(page.locator(".form-errors")).to_be_visible()
        # The bad field kept its stored answer.
        assert stored(live_server, ws)["segment"] == "Cyclists in Aarhus"

        # Buttons that need the script are not offered without it.
        page.goto(step_url(live_server, ws, "summary"))
        expect(page.locator("#use-draft")).to_be_hidden()
        expect(page.get_by_role("button", name="Save")).to_be_visible()
    finally:
        context.close()


# --- (e) recycle bin and undo -----------------------------------------------------------------

def test_delete_from_home_then_undo(live_server, page: Page) -> None:
    email, canvas_id, _ = make_account(live_server, title="Bike Repairs")
    sign_in(page, live_server, email)
    card = page.locator(".card", has=page.get_by_role("link", name="Bike Repairs"))
    expect(card).to_have_count(1)

    card.get_by_role("link", name="Delete…").click()
    page.wait_for_url(re.compile(rf"/canvases/{canvas_id}/delete$"))
    expect(page.get_by_role("heading", name="Delete “Bike Repairs”?")).to_be_visible()
    page.get_by_role("button", name="Move to the recycle bin").click()

    expect(page.locator(".flash")).to_contain_text("“Bike Repairs” was moved to the recycle bin.")
    expect(page.get_by_role("link", name="Bike Repairs")).to_have_count(0)

    page.locator(".flash").get_by_role("button", name="Undo").click()
    expect(page.locator(".flash")).to_contain_text("“Bike Repairs” is back.")
    expect(card).to_have_count(1)
    page.goto(live_server.url("/bin"))
    expect(page.get_by_text("The recycle bin is empty.")).to_be_visible()


# --- (f) keyboard only ------------------------------------------------------------------------

FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {id: null, visible: false};
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const r = el.getBoundingClientRect();
  return {id: el.id, tag: el.tagName, name: el.getAttribute('name'), value: el.value || null,
          text: (el.textContent || '').trim().slice(0, 40),
          visible: outline || s.boxShadow !== 'none',
          onScreen: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0};
}"""


def tab_to(page: Page, predicate, limit: int = 80) -> list[dict]:
    """Press Tab until the focused element matches; every stop must show its focus."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = page.evaluate(FOCUS_VISIBLE)
        seen.append(now)
        assert now["visible"], f"focus is not visible on {now}"
        assert now["onScreen"], f"focused element is off screen: {now}"
        if predicate(now):
            return seen
    raise AssertionError(f"never reached the target; focus went through {seen}")


def test_keyboard_only_focus_step(live_server, page: Page) -> None:
    email, _, ws = make_account(live_server)
    sign_in(page, live_server, email)
    page.goto(step_url(live_server, ws, "focus"))

    # The first Tab lands on the skip link, which shows itself.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    expect(page.get_by_role("link", name="Skip to content")).to_be_in_viewport()

    tab_to(page, lambda el: el["id"] == "segment")
    page.keyboard.type("Students who cycle")
    tab_to(page, lambda el: el["id"] == "value_proposition")
    page.keyboard.type("Same-day repairs")
    tab_to(page, lambda el: el["tag"] == "BUTTON" and el["value"] == "next")
    wait_saved(page)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/steps/goals$"))
    answers = stored(live_server, ws)
    assert answers["segment"] == "Students who cycle"
    assert answers["value_proposition"] == "Same-day repairs"

    # A choice step with Space: tick a relationship type, say why, move on with Enter.
    page.goto(step_url(live_server, ws, "relationship-types"))
    tab_to(page, lambda el: el["id"] == "relationship_types__self-service")
    page.keyboard.press("Space")
    expect(page.locator("#relationship_types__self-service")).to_be_checked()
    tab_to(page, lambda el: el["id"] == "relationship_types__self-service__why")
    page.keyboard.type("They book online at night")
    tab_to(page, lambda el: el["tag"] == "BUTTON" and el["value"] == "next")
    wait_saved(page)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/steps/tactics$"))
    assert stored(live_server, ws)["relationship_types"] == [
        {"id": "self-service", "why": "They book online at night"}]


def test_a_leftover_copy_the_server_already_has_is_no_conflict(live_server, page: Page) -> None:
    """A save can land just as the tab closes, before the page forgets its local copy."""
    email, _, ws = make_account(live_server)
    sign_in(page, live_server, email)
    page.goto(step_url(live_server, ws, "focus"))
    type_into(page, "#segment", "Saved as the tab closed")
    wait_saved(page)
    key = copy_key(page, "worksheet", ws, "focus")
    # The copy names the version before that save, and holds exactly what was saved.
    page.evaluate("""([key]) => {
        const fields = {};
        for (const el of document.getElementById('step-form').elements) {
            if (!el.name || ['csrf_token', 'version', 'go'].includes(el.name)) continue;
            if (el.type === 'checkbox') fields[el.name] = el.checked;
            else if (el.type === 'radio') {
                if (el.checked || !(el.name in fields))
                    fields[el.name] = el.checked ? el.value : '';
            }
            else fields[el.name] = el.value;
        }
        localStorage.setItem(key, JSON.stringify({version: 1, data: fields, at: Date.now()}));
    }""", [key])
    page.reload()
    expect(page.locator("#conflict")).to_be_hidden()
    assert page.evaluate("([key]) => localStorage.getItem(key)", [key]) is None


def test_a_leftover_copy_that_differs_asks_which_to_keep(live_server, page: Page) -> None:
    email, _, ws = make_account(live_server)
    sign_in(page, live_server, email)
    page.goto(step_url(live_server, ws, "focus"))
    type_into(page, "#segment", "What the server has")
    wait_saved(page)
    page.evaluate("""([key]) => localStorage.setItem(key, JSON.stringify(
        {version: 1, data: {segment: 'Typed in a tab that never got to save'}, at: 1}))""",
                  [copy_key(page, "worksheet", ws, "focus")])
    page.reload()
    expect(page.locator("#conflict")).to_be_visible()
    expect(page.locator("#segment")).to_have_value("Typed in a tab that never got to save")
    assert stored(live_server, ws)["segment"] == "What the server has"
