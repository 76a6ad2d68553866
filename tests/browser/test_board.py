"""The canvas board in a real Chromium: add notes with Enter, tag them with a segment,
autosave, move with the keyboard, drag with the mouse, delete, reload, and axe-core."""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import Page, Route, expect

from canvas.canvases.blocks import MAX_TEXT
from canvas.canvases.service import import_canvas, save_blocks
from canvas.extensions import db
from canvas.library import get_definitions, load_document
from canvas.models import Canvas, User
from tests.browser import helpers
from tests.browser.helpers import PASSWORD, check_axe, example, expect_home, sign_in, wait_until

pytestmark = pytest.mark.browser

CR, SEG = "customer-relationships", "customer-segments"


# --- helpers --------------------------------------------------------------------------------

def sign_up(page: Page, server, email: str) -> None:
    page.goto(server.url("/"))
    page.get_by_role("link", name="Create an account").first.click()
    page.get_by_label("Your name").fill("Board Walker")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("I am a").select_option("student")
    page.get_by_label("Language of my worksheets").select_option("en")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect_home(page)


def make_account(server, with_canvas: bool = True) -> tuple[str, int | None]:
    """A user (and a fresh English canvas with the worksheet); (e-mail, canvas id)."""
    email, canvas_id, _ = helpers.make_account(server, title="Board test",
                                               with_canvas=with_canvas)
    return email, canvas_id


def stored(server, canvas_id: int) -> tuple[int, dict]:
    with server.app.app_context():
        canvas = db.session.get(Canvas, canvas_id)
        result = canvas.version, json.loads(json.dumps(canvas.blocks or {}))
        db.session.remove()
        return result


def status(page: Page):
    return page.locator("#board-status")


def wait_saved(page: Page) -> None:
    expect(status(page)).to_have_text("Saved")


def notes(page: Page, block: str):
    return page.locator(f"#block-{block} .notes > .note")


def note_texts(page: Page, block: str) -> list[str]:
    return notes(page, block).locator('[data-role="text"]').evaluate_all(
        "els => els.map(e => e.value)")


def stored_texts(server, canvas_id: int, block: str) -> list[str]:
    return [i["text"] for i in stored(server, canvas_id)[1].get(block, [])]


def wait_stored(server, canvas_id: int, block: str, order: list[str]) -> None:
    """The autosave reached the database: the block holds these notes, in this order."""
    deadline = time.monotonic() + 10
    while (texts := stored_texts(server, canvas_id, block)) != order:
        assert time.monotonic() < deadline, f"stored {texts}, expected {order}"
        time.sleep(0.1)


def expect_order(page: Page, block: str, order: list[str]) -> None:
    """Wait until the block shows exactly these notes, in this order."""
    expect(notes(page, block)).to_have_count(len(order))
    for k, text in enumerate(order):
        expect(notes(page, block).nth(k).locator('[data-role="text"]')).to_have_value(text)


def add_with_enter(page: Page, block: str, text: str) -> None:
    """Type into the block's 'Add a note…' box and press Enter, like a person."""
    box = page.locator(f"#new-{block}")
    expect(box).to_have_attribute("placeholder", "Add a note…")
    box.click()
    box.press_sequentially(text)
    box.press("Enter")
    expect(notes(page, block).last.locator('[data-role="text"]')).to_have_value(text)
    expect(box).to_have_value("")
    expect(box).to_be_focused()


def option_value(select, label_part: str) -> str:
    """The value of the option whose label contains `label_part`."""
    option = select.locator("option", has_text=label_part)
    expect(option).to_have_count(1)
    return option.get_attribute("value")


def import_example(server, email: str, name: str) -> int:
    """Import content/examples/<name>.json for the user; the canvas id."""
    data = example(name)
    with server.app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        canvas = import_canvas(user, load_document(data), get_definitions())
        db.session.commit()
        canvas_id = canvas.id
        db.session.remove()
    return canvas_id


# --- the whole journey ----------------------------------------------------------------------

def test_board_journey(live_server, page: Page) -> None:
    server = live_server
    email = "board-journey@example.org"

    # Sign up, start a canvas, open its board.
    sign_up(page, server, email)
    page.get_by_role("link", name="Start a new canvas").click()
    page.get_by_label("Title").fill("Glans Rengøring board")
    page.get_by_role("button", name="Create the canvas").click()
    page.wait_for_url(re.compile(r"/worksheets/\d+/steps/"))
    page.goto(server.url("/"))
    page.get_by_role("link", name="Glans Rengøring board").click()
    page.wait_for_url(re.compile(r"/canvases/\d+$"))
    canvas_id = int(re.search(r"/canvases/(\d+)$", page.url).group(1))
    expect(page.get_by_role("heading", name="Customer Relationships", exact=True)).to_be_visible()
    assert stored(server, canvas_id)[0] == 1

    # A customer segment, added with Enter.
    add_with_enter(page, SEG, "Small offices in Copenhagen")
    wait_saved(page)
    version, blocks = stored(server, canvas_id)
    assert version == 2
    assert [i["text"] for i in blocks[SEG]] == ["Small offices in Copenhagen"]
    segment_id = blocks[SEG][0]["id"]
    expect(page.locator("#board")).to_have_attribute("data-version", "2")

    # The segment menus are filled when the board loads (a new segment is offered at once
    # without reloading: see test_a_new_segment_can_be_chosen_without_reloading).
    page.reload()

    # A relationship, tagged with the segment in the add form's menu, then added with Enter.
    page.locator(f"#new-seg-{CR}").select_option(
        option_value(page.locator(f"#new-seg-{CR}"), "Small offices"))
    add_with_enter(page, CR, "One fixed contact person")
    wait_saved(page)
    expect(notes(page, CR).first.locator('[data-role="segment"]')).to_have_value(segment_id)
    # Two more without a segment.
    page.locator(f"#new-seg-{CR}").select_option("")
    add_with_enter(page, CR, "Online booking of extra cleaning")
    wait_saved(page)
    add_with_enter(page, CR, "A call every quarter")
    wait_saved(page)
    # The checks across the blocks follow the autosave.
    expect(page.locator("#findings")).to_contain_text(
        "“A call every quarter” in Customer Relationships is not tied to a customer segment")
    # Tag the last one through its own menu.
    last_select = notes(page, CR).nth(2).locator('[data-role="segment"]')
    held = []
    page.route("**/blocks", lambda route: held.append(route))  # hold it: seen to start
    last_select.select_option(option_value(last_select, "Small offices"))
    wait_until(page, lambda: held, "the board to save the new tag")
    expect(status(page)).to_have_text("Saving…")
    held[0].continue_()
    page.unroute("**/blocks")
    wait_saved(page)
    expect(page.locator("#findings")).not_to_contain_text("A call every quarter")
    expect(page.locator("#findings")).to_contain_text("“Online booking of extra cleaning”")
    order = ["One fixed contact person", "Online booking of extra cleaning",
             "A call every quarter"]
    assert note_texts(page, CR) == order
    version, blocks = stored(server, canvas_id)
    assert [(i["text"], i["segment"]) for i in blocks[CR]] == [
        ("One fixed contact person", segment_id), ("Online booking of extra cleaning", None),
        ("A call every quarter", segment_id)]
    # Every note has its own id on the canvas.
    all_ids = [i["id"] for items in blocks.values() for i in items]
    assert len(all_ids) == len(set(all_ids))

    # Move the third note up with the keyboard: focus the ↑ button, press Enter.
    up = notes(page, CR).nth(2).locator("[data-move=up]")
    up.focus()
    page.keyboard.press("Enter")
    order = ["One fixed contact person", "A call every quarter",
             "Online booking of extra cleaning"]
    expect_order(page, CR, order)
    wait_saved(page)
    wait_stored(server, canvas_id, CR, order)
    # Focus stays on the button that moved, whose label now tells its new place.
    moved_up = notes(page, CR).nth(1).locator("[data-move=up]")
    expect(moved_up).to_be_focused()
    expect(moved_up).to_have_attribute("aria-label", "Move note 2 up")

    # Drag the first note below the last one with the mouse (grab it by its edge, not the
    # text box).
    first, last = notes(page, CR).nth(0), notes(page, CR).nth(2)
    height = last.bounding_box()["height"]
    first.drag_to(last, source_position={"x": 3, "y": 10},
                  target_position={"x": 3, "y": height - 4})
    order = ["A call every quarter", "Online booking of extra cleaning",
             "One fixed contact person"]
    expect_order(page, CR, order)
    wait_saved(page)
    wait_stored(server, canvas_id, CR, order)

    # Delete the middle note.
    notes(page, CR).nth(1).locator("[data-delete]").click()
    order = ["A call every quarter", "One fixed contact person"]
    expect_order(page, CR, order)
    wait_saved(page)
    wait_stored(server, canvas_id, CR, order)
    version, blocks = stored(server, canvas_id)
    assert [i["segment"] for i in blocks[CR]] == [segment_id, segment_id]

    # Reload: everything is there, in order, with its tag and colour.
    page.reload()
    expect(page.locator("#board")).to_have_attribute("data-version", str(version))
    assert note_texts(page, SEG) == ["Small offices in Copenhagen"]
    assert note_texts(page, CR) == order
    for k in range(2):
        expect(notes(page, CR).nth(k).locator('[data-role="segment"]')).to_have_value(segment_id)
        expect(notes(page, CR).nth(k)).to_have_class(re.compile(r"\btag-0\b"))
    # Both notes serve a segment, and the segment has a relationship.
    expect(page.locator("#findings")).to_contain_text("Every segment has a relationship")

    # No serious or critical accessibility problem on the board as it is now.
    check_axe(page, "the board with notes")


# --- a new segment is offered at once -------------------------------------------------------

def test_a_new_segment_can_be_chosen_without_reloading(live_server, page: Page) -> None:
    """Add the first segment, then tag a relationship with it on the same page."""
    server = live_server
    email, canvas_id = make_account(server)
    sign_in(page, server, email)
    page.goto(server.url(f"/canvases/{canvas_id}"))
    add_with_enter(page, SEG, "Small offices")
    wait_saved(page)
    segment_id = stored(server, canvas_id)[1][SEG][0]["id"]

    add_with_enter(page, CR, "One fixed contact person")
    wait_saved(page)
    # Either the new note's own menu or the add form's menu must offer the segment.
    note_select = notes(page, CR).first.locator('[data-role="segment"]')
    expect(note_select).to_have_count(1)
    note_select.select_option(option_value(note_select, "Small offices"))
    wait_saved(page)
    assert stored(server, canvas_id)[1][CR][0]["segment"] == segment_id
    expect(page.locator("#findings")).to_contain_text("Every segment has a relationship")


def test_deleting_a_segment_on_the_board_clears_its_tags(live_server, page: Page) -> None:
    """Like the no-JavaScript form: notes tagged with a deleted segment lose the tag, and the
    board still saves (a tag pointing at a missing segment cannot be stored)."""
    server = live_server
    email, _ = make_account(server, with_canvas=False)
    canvas_id = import_example(server, email, "cleaning-copenhagen.en")
    before = stored(server, canvas_id)[1]
    second = before[SEG][1]
    tagged = {b: [i["id"] for i in items if i["segment"] == second["id"]]
              for b, items in before.items()}
    assert any(tagged.values())
    sign_in(page, server, email)
    page.goto(server.url(f"/canvases/{canvas_id}"))
    notes(page, SEG).nth(1).locator("[data-delete]").click()
    expect_order(page, SEG, [before[SEG][0]["text"]])
    wait_saved(page)
    version, blocks = stored(server, canvas_id)
    assert [i["id"] for i in blocks[SEG]] == [before[SEG][0]["id"]]
    for block, item_ids in tagged.items():
        for item in blocks[block]:
            if item["id"] in item_ids:
                assert item["segment"] is None, (block, item["id"])
    # The deleted segment is no longer offered in the menus.
    expect(page.locator(f'#board option[value="{second["id"]}"]')).to_have_count(0)


def test_dragging_a_tagged_note_into_customer_segments_still_saves(live_server,
                                                                   page: Page) -> None:
    """Drag and drop works across blocks; a note that lands in Customer Segments cannot keep
    a segment tag, and the board must not be left unable to save."""
    server = live_server
    email, _ = make_account(server, with_canvas=False)
    canvas_id = import_example(server, email, "cleaning-copenhagen.en")
    before = stored(server, canvas_id)[1]
    moved = before[CR][0]
    assert moved["segment"]
    sign_in(page, server, email)
    page.goto(server.url(f"/canvases/{canvas_id}"))
    source, target = notes(page, CR).first, notes(page, SEG).last
    height = target.bounding_box()["height"]
    source.drag_to(target, source_position={"x": 3, "y": 10},
                   target_position={"x": 3, "y": height - 4})
    expect_order(page, SEG, [*(i["text"] for i in before[SEG]), moved["text"]])
    wait_saved(page)
    blocks = stored(server, canvas_id)[1]
    assert [i["id"] for i in blocks[SEG]][-1] == moved["id"]
    assert blocks[SEG][-1]["segment"] is None
    assert moved["id"] not in [i["id"] for i in blocks[CR]]


# --- accessibility of the board -------------------------------------------------------------

def test_axe_on_an_empty_board(live_server, page: Page) -> None:
    email, canvas_id = make_account(live_server)
    sign_in(page, live_server, email)
    page.goto(live_server.url(f"/canvases/{canvas_id}"))
    check_axe(page, "an empty board")


def test_axe_on_the_worked_example_board(live_server, page: Page) -> None:
    email, _ = make_account(live_server, with_canvas=False)
    canvas_id = import_example(live_server, email, "cleaning-copenhagen.da")
    sign_in(page, live_server, email)
    page.goto(live_server.url(f"/canvases/{canvas_id}"))
    expect(page.get_by_role("heading", name="Kunderelationer", exact=True)).to_be_visible()
    check_axe(page, "the Danish worked example board")


# --- nothing typed on the board is lost: the worksheet editor's rules ------------------------

def open_board(page: Page, server, email: str, canvas_id: int) -> None:
    sign_in(page, server, email)
    page.goto(server.url(f"/canvases/{canvas_id}"))
    expect(page.locator("#board")).to_be_visible()


def test_notes_added_offline_survive_closing_the_tab(live_server, context, page: Page) -> None:
    """Notes that never reached the server wait in the browser, come back when the board is
    opened again, tagged as they were, and are saved then."""
    email, canvas_id = make_account(live_server)
    open_board(page, live_server, email, canvas_id)
    add_with_enter(page, SEG, "Small offices")
    wait_saved(page)
    segment_id = stored(live_server, canvas_id)[1][SEG][0]["id"]
    page.reload()

    # This tab's saves never arrive (see the worksheet test of the same name for why offline
    # emulation alone is not enough).
    page.route("**/blocks", lambda route: route.abort("internetdisconnected"))
    context.set_offline(True)
    page.locator(f"#new-seg-{CR}").select_option(segment_id)
    add_with_enter(page, CR, "A named contact person")
    notes(page, SEG).first.locator('[data-role="text"]').fill("Small offices in Aarhus")
    expect(status(page)).to_have_text("Offline, will retry")
    page.close(run_before_unload=False)
    assert stored_texts(live_server, canvas_id, CR) == []

    context.set_offline(False)
    again = context.new_page()
    again.goto(live_server.url(f"/canvases/{canvas_id}"))
    expect_order(again, CR, ["A named contact person"])
    expect_order(again, SEG, ["Small offices in Aarhus"])
    expect(notes(again, CR).first.locator('[data-role="segment"]')).to_have_value(segment_id)
    wait_saved(again)
    expect(again.locator("#conflict")).to_be_hidden()
    version, blocks = stored(live_server, canvas_id)
    assert [(i["text"], i["segment"]) for i in blocks[CR]] == [
        ("A named contact person", segment_id)]
    assert [i["text"] for i in blocks[SEG]] == ["Small offices in Aarhus"]
    # Saved, the local copy is gone: opening the board again shows no conflict and no status.
    again.reload()
    expect_order(again, CR, ["A named contact person"])
    expect(status(again)).to_have_text("")
    again.close()


def leave_an_unsent_note(page: Page, server, email: str, canvas_id: int) -> None:
    """Add a note in a tab whose saves never arrive, then close it."""
    open_board(page, server, email, canvas_id)
    page.route("**/blocks", lambda route: route.abort("internetdisconnected"))
    add_with_enter(page, CR, "Written on the train")
    expect(status(page)).to_have_text("Offline, will retry")
    page.close(run_before_unload=False)


def change_on_the_server(server, canvas_id: int) -> None:
    """Somebody saves the canvas elsewhere (the version moves on)."""
    with server.app.app_context():
        canvas = db.session.get(Canvas, canvas_id)
        save_blocks(canvas, canvas.version,
                    {"key-partners": [{"id": "k1", "text": "Valby laundry", "segment": None}]})
        db.session.commit()
        db.session.remove()


def reopen_after_another_save(server, context, page: Page) -> tuple[Page, int]:
    """A note left unsent, then a save elsewhere, then the board opened again: the page
    must ask which to keep. Returns the new tab and the canvas id."""
    email, canvas_id = make_account(server)
    leave_an_unsent_note(page, server, email, canvas_id)
    change_on_the_server(server, canvas_id)
    again = context.new_page()
    again.goto(server.url(f"/canvases/{canvas_id}"))
    expect(again.locator("#conflict")).to_be_visible()
    return again, canvas_id


def test_a_local_copy_from_before_another_save_can_be_kept(live_server, context,
                                                           page: Page) -> None:
    again, canvas_id = reopen_after_another_save(live_server, context, page)
    expect(status(again)).to_have_text("Not saved yet")
    expect_order(again, CR, ["Written on the train"])  # the local copy is shown, not lost
    assert stored_texts(live_server, canvas_id, "key-partners") == ["Valby laundry"]
    assert stored_texts(live_server, canvas_id, CR) == []  # nothing overwritten unasked
    # Both versions are shown, note by note; each side's own note is kept unless chosen away.
    rows = again.locator("#conflict-rows .conflict-row")
    expect(rows).to_have_count(2)
    mine = rows.filter(has_text="Note in Customer Relationships")
    theirs = rows.filter(has_text="Note in Key Partners")
    expect(mine.locator("textarea")).to_have_value("Written on the train")  # editable
    expect(theirs).to_contain_text("Valby laundry")
    expect(mine.get_by_role("radio", name="Keep yours")).to_be_checked()
    expect(theirs.get_by_role("radio", name="Keep the other")).to_be_checked()
    again.get_by_role("button", name="Save my choices").click()
    wait_saved(again)
    expect(again.locator("#conflict")).to_be_hidden()
    assert stored_texts(live_server, canvas_id, CR) == ["Written on the train"]
    assert stored_texts(live_server, canvas_id, "key-partners") == ["Valby laundry"]
    again.close()


def test_a_local_copy_from_before_another_save_can_be_dropped(live_server, context,
                                                              page: Page) -> None:
    again, _ = reopen_after_another_save(live_server, context, page)
    again.get_by_role("link", name="Load the other version").click()
    expect_order(again, "key-partners", ["Valby laundry"])
    expect(notes(again, CR)).to_have_count(0)
    expect(again.locator("#conflict")).to_be_hidden()
    again.reload()  # the dropped copy is gone for good
    expect(again.locator("#conflict")).to_be_hidden()
    expect(notes(again, CR)).to_have_count(0)
    again.close()


def test_saved_is_not_shown_while_a_newer_edit_is_unsent(live_server, page: Page) -> None:
    """If "Saved" appeared while newer typing was unsent, closing the tab would lose it
    without the browser's warning."""
    email, canvas_id = make_account(live_server)
    open_board(page, live_server, email, canvas_id)
    held = []
    page.route("**/blocks", lambda route: held.append(route))  # hold the first save
    add_with_enter(page, CR, "Quarterly call")
    expect(status(page)).to_have_text("Saving…")
    wait_until(page, lambda: held, "the held save to reach the route")
    assert len(held) == 1
    notes(page, CR).first.locator('[data-role="text"]').press_sequentially(" and a visit")
    held[0].continue_()
    page.unroute("**/blocks")
    wait_saved(page)
    on_server = stored_texts(live_server, canvas_id, CR)
    assert on_server == ["Quarterly call and a visit"], (
        f"the board says Saved while the server holds {on_server!r}")


# --- a new note keeps the server's rules ----------------------------------------------------

def test_the_first_note_of_an_empty_block_has_the_text_limit(live_server, page: Page) -> None:
    """A note longer than the server allows would make every later save of the board fail,
    so the first note of a block (made in the browser) must carry the limit like the rest."""
    email, canvas_id = make_account(live_server)
    open_board(page, live_server, email, canvas_id)
    assert page.locator("#board").get_attribute("data-max") == str(MAX_TEXT)
    for block in (CR, SEG):
        add_with_enter(page, block, "Short at first")
        wait_saved(page)
        area = notes(page, block).first.locator('[data-role="text"]')
        expect(area).to_have_attribute("maxlength", str(MAX_TEXT))
        # Typing on past the limit stops at it, and the board still saves.
        area.click()
        page.keyboard.press("End")
        page.keyboard.insert_text("x" * MAX_TEXT)
        expect(area).to_have_value("Short at first" + "x" * (MAX_TEXT - len("Short at first")))
        wait_saved(page)
        assert [len(t) for t in stored_texts(live_server, canvas_id, block)] == [MAX_TEXT]
    # Notes made in the browser are labelled like the server's (the segment menu too).
    check_axe(page, "a board with notes added in the browser")


# --- a server error is not the end of it ----------------------------------------------------

def test_a_brief_server_error_is_retried_until_saved(live_server, page: Page) -> None:
    """A 503 (a restart, a proxy hiccup) is like no network: keep the notes, try again."""
    email, canvas_id = make_account(live_server)
    open_board(page, live_server, email, canvas_id)
    answered = []

    def unavailable_once(route: Route) -> None:
        answered.append(route.request.url)
        if len(answered) == 1:
            route.fulfill(status=503, content_type="text/html", body="<h1>Unavailable</h1>")
        else:
            route.continue_()

    page.route("**/blocks", unavailable_once)
    add_with_enter(page, CR, "Saved after a hiccup")
    wait_saved(page)
    assert len(answered) >= 2
    assert stored_texts(live_server, canvas_id, CR) == ["Saved after a hiccup"]
