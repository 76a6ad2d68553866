"""The canvas board over HTTP: the nine blocks, the worksheet feed, JSON autosave, the
no-JavaScript item forms, cross-block findings, saved versions, and who may see what."""

from __future__ import annotations

import copy
import html
import json
import random
import re

import frontmatter
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from canvas.canvases.blocks import BLOCK_IDS, MAX_TEXT, SEGMENT_COLOURS
from canvas.canvases.service import import_canvas
from canvas.extensions import db
from canvas.library import get_definitions, load_document
from canvas.models import Canvas, Snapshot, User, Worksheet
from tests.conftest import ROOT, assert_not_found, csrf_from, path_of, stored_answers
from tests.dom import html_of

EXAMPLES = ROOT / "content" / "examples"
CR, SEG = "customer-relationships", "customer-segments"


# --- helpers --------------------------------------------------------------------------------

def import_example(app, user: User, name: str) -> tuple[int, list[int]]:
    """Import content/examples/<name>.json for the user; (canvas id, [worksheet ids])."""
    data = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    with app.app_context():
        owner = db.session.get(User, user.id)
        canvas = import_canvas(owner, load_document(data), get_definitions())
        db.session.commit()
        return canvas.id, [ws.id for ws in canvas.worksheets]


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def stored(app, canvas_id: int) -> tuple[int, dict]:
    """(version, blocks) of the canvas as stored."""
    with app.app_context():
        canvas = db.session.get(Canvas, canvas_id)
        result = canvas.version, copy.deepcopy(canvas.blocks or {})
        db.session.remove()
        return result


def snapshots(app, canvas_id: int) -> list[tuple[int, str, dict]]:
    """(number, note, data) of the canvas's saved versions, oldest first."""
    with app.app_context():
        rows = db.session.scalars(db.select(Snapshot).where(Snapshot.canvas_id == canvas_id)
                                  .order_by(Snapshot.number)).all()
        result = [(s.number, s.note, copy.deepcopy(s.data)) for s in rows]
        db.session.remove()
        return result


def everything(app, canvas_id: int):
    """All that a request could change about a canvas."""
    with app.app_context():
        canvas = db.session.get(Canvas, canvas_id)
        state = (canvas.title, canvas.version, json.dumps(canvas.blocks, sort_keys=True),
                 canvas.deleted_at,
                 [(w.id, w.version, json.dumps(w.answers, sort_keys=True))
                  for w in canvas.worksheets])
        db.session.remove()
    return state, snapshots(app, canvas_id)


def set_answers(app, worksheet_id: int, answers: dict) -> None:
    with app.app_context():
        ws = db.session.get(Worksheet, worksheet_id)
        ws.answers = answers
        db.session.commit()


def save(session, canvas_id: int, body, csrf: bool = True):
    """POST the JSON autosave; `body` is a dict (dumped) or a raw str/bytes."""
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    headers = {"Content-Type": "application/json"}
    if csrf:
        headers["X-CSRFToken"] = session.csrf
    return session.client.post(f"/canvases/{canvas_id}/blocks", data=raw, headers=headers)


def n(item_id: str, text: str, segment: str | None = None) -> dict:
    return {"id": item_id, "text": text, "segment": segment}


def full(**blocks: list) -> dict:
    """A cleaned document: the nine blocks, the given ones filled."""
    return {b: blocks.get(b.replace("-", "_"), []) for b in BLOCK_IDS}


def block_html(page: str, block: str) -> str:
    """The <section> of one block on the board."""
    start = page.index(f'id="block-{block}"')
    return page[start:page.index("</section>", start)]


def note_tag(section: str, item_id: str) -> str:
    """The classes of a note's <li>: `note`, and `tag-N` for its segment's colour."""
    match = re.search(r'<li class="([^"]*)" data-item="' + re.escape(item_id) + r'"[^>]*>',
                      section)
    assert match, f"note {item_id} is not on the board"
    return match.group(1)


def colour_class(segment_index: int) -> str:
    """The class of the n-th segment's colour (static/css/app.css, canvases/blocks.py)."""
    return f"tag-{segment_index % len(SEGMENT_COLOURS)}"


def set_language(app, user: User, language: str) -> None:
    with app.app_context():
        db.session.get(User, user.id).language = language
        db.session.commit()


def findings(page: str) -> str:
    start = page.index('id="findings"')
    return html.unescape(page[start:page.index("</section>", start)])


def flashes(page: str) -> str:
    match = re.search(r'<div class="flashes".*?</div>\s*</div>', page, re.S)
    return html.unescape(match.group(0)) if match else ""


def plain(text: str) -> str:
    """Unescaped, with the typographic quotes the content renderer makes turned straight."""
    text = html.unescape(text)
    return text.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'}))


def blocks_md(language: str) -> list[dict]:
    return frontmatter.load(ROOT / "content" / language / "blocks.md")["items"]


@pytest.fixture
def owner(make_user):
    return make_user()


@pytest.fixture
def session(login, owner):
    return login(owner)


@pytest.fixture
def canvas_id(make_canvas, owner) -> int:
    cid, _ = make_canvas(owner)
    return cid


# --- the board ------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["en", "da", "nb"])
def test_board_shows_nine_blocks_in_the_canvas_language(session, make_canvas, owner,
                                                        language: str) -> None:
    cid, _ = make_canvas(owner, language=language)
    page = session.get(f"/canvases/{cid}")
    assert page.status_code == 200
    items = blocks_md(language)
    assert [i["id"] for i in items] == list(BLOCK_IDS)
    positions = []
    for item in items:
        heading = (f'<h2 id="title-{item["id"]}" lang="{language}">'
                   f'{escape(item["name"])}</h2>')
        assert heading in page.text, heading
        positions.append(page.text.index(heading))
        section = block_html(page.text, item["id"])
        assert item["questions"], item["id"]
        shown = plain(section)
        for question in item["questions"]:
            assert f"<li>{plain(question)}</li>" in shown, question
        assert f'<ul lang="{language}">' in section  # the questions are marked as content
        # An empty block offers an "Add" form with its version.
        assert f'action="/canvases/{cid}/blocks/{item["id"]}/items"' in section
    assert positions == sorted(positions)
    assert 'id="board"' in page.text


def test_danish_board_names_match_the_danish_content(session, make_canvas, owner) -> None:
    cid, _ = make_canvas(owner, language="da")
    page = session.get(f"/canvases/{cid}").text
    for name in ("Nøglepartnere", "Kunderelationer", "Kundesegmenter", "Indtægtsstrømme"):
        assert f">{name}</h2>" in page
    board = html_of(page)
    assert {h2.get("lang") for h2 in board.all("#board .block > h2")} == {"da"}
    assert board.texts("#board .block > h2") == [item["name"] for item in blocks_md("da")]
    assert not board.mentions("Key Partners")


def test_board_credits_the_canvas(session, canvas_id: int) -> None:
    page = session.get(f"/canvases/{canvas_id}").text
    credit = re.search(r'<p class="credit">.*?</p>', page, re.S).group(0)
    assert "Strategyzer" in credit
    assert "CC BY-SA 3.0" in credit
    assert "creativecommons.org/licenses/by-sa/3.0" in credit


def test_worked_example_notes_carry_their_segment_colour(app, session, owner) -> None:
    cid, _ = import_example(app, owner, "cleaning-copenhagen.da")
    data = example("cleaning-copenhagen.da")["blocks"]
    page = session.get(f"/canvases/{cid}").text
    colours = {s["id"]: colour_class(k) for k, s in enumerate(data[SEG])}
    assert len(colours) >= 2
    tagged = 0
    for block, items in data.items():
        section = block_html(page, block)
        for item in items:
            assert f">{escape(item['text'])}</textarea>" in section, item["text"]
            tag = note_tag(section, item["id"])
            if block == SEG:
                assert tag.split() == ["note", colours[item["id"]]]
            elif item["segment"]:
                tagged += 1
                assert tag.split() == ["note", colours[item["segment"]]], (block, item["id"])
            else:
                assert tag.split() == ["note"], (block, item["id"])
        # Notes appear in the stored order.
        order = [section.index(f'data-item="{i["id"]}"') for i in items]
        assert order == sorted(order)
    assert tagged > 0
    # The relationship note's segment menu shows its segment as chosen.
    cr = block_html(page, CR)
    first = data[CR][0]
    select = re.search(rf'<select id="seg-{CR}-{first["id"]}".*?</select>', cr, re.S).group(0)
    assert re.search(rf'<option value="{first["segment"]}"\s+selected', select)
    # The legend names each segment with its colour.
    for segment in data[SEG]:
        assert (f'<span class="swatch {colours[segment["id"]]}">'
                f'{escape(segment["text"])}</span>') in page


def test_relationships_block_shows_the_worksheet_feed(app, session, owner) -> None:
    cid, (ws,) = import_example(app, owner, "cleaning-copenhagen.da")
    answers = example("cleaning-copenhagen.da")["worksheets"][0]["answers"]
    page = session.get(f"/canvases/{cid}").text
    section = block_html(page, CR)
    feed = re.search(r'<div class="feed">.*?</div>', section, re.S)
    assert feed, "no worksheet feed in the Customer Relationships block"
    feed = feed.group(0)
    assert f'href="/worksheets/{ws}"' in feed
    assert escape(answers["summary"]) in feed
    for name in ("Allokeret personlig betjening", "Automatiseret tjeneste"):
        assert name in feed
    for name in ("Gratisprodukt", "Referencer", "Kundepleje", "Tillægsprodukter"):
        assert name in feed
    # Names, not ids.
    board, shown = html_of(page), f"#block-{CR} .feed"
    assert board.text(shown).startswith("From the worksheet")
    assert not board.mentions("dedicated-assistance", shown)
    assert not board.mentions("free-product", shown)
    # The relationships feed is there once; the segment and the value proposition the
    # worksheet names reach their own blocks (feeds: blocks: in the worksheet's YAML).
    assert section.count('<div class="feed">') == 1
    with_feed = [b for b in ("key-partners", "key-activities", "key-resources",
                             "value-propositions", "customer-relationships", "channels",
                             "customer-segments", "cost-structure", "revenue-streams")
                 if '<div class="feed">' in block_html(page, b)]
    assert with_feed == ["value-propositions", "customer-relationships", "customer-segments"]


def test_no_feed_without_the_worksheet(session, make_canvas, owner) -> None:
    cid, _ = make_canvas(owner, worksheets=())
    page = session.get(f"/canvases/{cid}")
    assert page.status_code == 200
    board = html_of(page)
    assert board.heading() == "My business"
    assert board.has(f"#block-{CR} ol.notes")
    assert not board.has(".feed")


def test_feed_of_a_fresh_worksheet_links_to_it(session, make_canvas, owner) -> None:
    cid, (ws,) = make_canvas(owner)
    section = block_html(session.get(f"/canvases/{cid}").text, CR)
    assert f'href="/worksheets/{ws}"' in section


def test_board_shows_the_canvas_version_in_every_form(app, session, canvas_id: int) -> None:
    assert save(session, canvas_id, {"version": 1, "blocks": {
        SEG: [n("s1", "Offices")]}}).status_code == 200
    page = session.get(f"/canvases/{canvas_id}").text
    versions = re.findall(r'name="version" value="(\d+)"', page)
    assert len(versions) == 10 and set(versions) == {"2"}  # nine add forms and the note
    assert 'data-version="2"' in page


def test_a_binned_or_unknown_canvas_board_is_404(app, session, canvas_id: int) -> None:
    from canvas.canvases.service import trash_canvas

    with app.app_context():
        trash_canvas(db.session.get(Canvas, canvas_id))
        db.session.commit()
    assert session.get(f"/canvases/{canvas_id}").status_code == 404
    assert session.get("/canvases/9999").status_code == 404
    assert save(session, canvas_id, {"version": 1, "blocks": {}}).status_code == 404


# --- JSON autosave --------------------------------------------------------------------------

def test_autosave_stores_the_blocks_and_returns_the_new_version(app, session,
                                                                canvas_id: int) -> None:
    blocks = {SEG: [n("s1", "Offices"), n("s2", "Landlords")],
              CR: [n("r1", "Contact", "s1"), {"id": "r2", "text": "Hotline"}],
              "channels": [n("c1", "Web", "s2")]}
    response = save(session, canvas_id, {"version": 1, "blocks": blocks})
    assert response.status_code == 200
    assert response.is_json
    body = response.get_json()
    assert body["status"] == "saved" and body["version"] == 2
    findings_html = html.unescape(body["redraw"]["findings_html"])
    assert "“Hotline” in Customer Relationships is not tied to a customer segment" \
        in findings_html
    assert "The segment “Landlords” has no customer relationship yet" in findings_html
    version, stored_blocks = stored(app, canvas_id)
    assert version == 2
    assert stored_blocks == full(customer_segments=blocks[SEG],
                                 customer_relationships=[n("r1", "Contact", "s1"),
                                                         n("r2", "Hotline")],
                                 channels=blocks["channels"])
    # The next save names version 2.
    again = save(session, canvas_id, {"version": 2, "blocks": {CR: [n("r1", "Contact")]}})
    assert again.status_code == 200 and again.get_json()["version"] == 3
    assert stored(app, canvas_id) == (3, full(customer_relationships=[n("r1", "Contact")]))
    # An empty canvas is not told that all is well: there is nothing to check yet.
    emptied = save(session, canvas_id, {"version": 3, "blocks": {}}).get_json()
    assert "Add a customer segment and a customer relationship" in \
        emptied["redraw"]["findings_html"]
    assert "Every segment has a relationship" not in emptied["redraw"]["findings_html"]
    assert "Every segment has a relationship" in save(session, canvas_id, {
        "version": 4, "blocks": {SEG: [n("s1", "Offices")], CR: [n("r1", "Calls", "s1")]}
    }).get_json()["redraw"]["findings_html"]


def test_autosave_with_a_stale_version_is_a_conflict(app, session, canvas_id: int) -> None:
    assert save(session, canvas_id, {"version": 1, "blocks": {
        "channels": [n("c1", "Mine")]}}).status_code == 200
    before = everything(app, canvas_id)
    response = save(session, canvas_id, {"version": 1, "blocks": {
        "channels": [n("c1", "Theirs")]}})
    assert response.status_code == 409
    assert response.get_json()["status"] == "conflict"
    assert response.get_json()["version"] == 2
    assert everything(app, canvas_id) == before
    future = save(session, canvas_id, {"version": 7, "blocks": {}})
    assert future.status_code == 409 and future.get_json()["version"] == 2
    assert everything(app, canvas_id) == before


@pytest.mark.parametrize("blocks, key", [
    ({"channels": [n("c1", "x" * (MAX_TEXT + 1))]}, "channels/c1"),
    ({"channels": [n("c1", "a"), n("c1", "b")]}, "channels/1"),
    ({"shoes": []}, "shoes"),
    ({"channels": [n(f"c{k}", "x") for k in range(41)]}, "channels"),
    ({CR: [n("r1", "Contact", "s9")]}, f"{CR}/r1"),
    ({SEG: [n("s1", "a"), n("s2", "b", "s1")]}, f"{SEG}/s2"),
    ({"channels": {"c1": "x"}}, "channels"),
    ([], "blocks"),
    (None, "blocks"),
])
def test_autosave_of_invalid_blocks_is_422_and_stores_nothing(app, session, canvas_id: int,
                                                              blocks, key: str) -> None:
    before = everything(app, canvas_id)
    response = save(session, canvas_id, {"version": 1, "blocks": blocks})
    assert response.status_code == 422
    body = response.get_json()
    assert body["status"] == "refused"  # nothing written
    assert key in body["errors"], body["errors"]
    assert body["version"] == 1
    assert everything(app, canvas_id) == before


@pytest.mark.parametrize("body", [
    "garbage", "", "{", "[]", "[1, 2]", '"text"', "null", "3", "true",
    '{"blocks": {}}', '{"version": "1", "blocks": {}}', '{"version": 1.0, "blocks": {}}',
    '{"version": true, "blocks": {}}', '{"version": null, "blocks": {}}',
    '{"version": NaN, "blocks": {}}', '{"version": Infinity, "blocks": {}}',
    b"\xff\xfe\x00", "[" * 100_000, '{"version": 1, "blocks": {}',
])
def test_autosave_of_garbage_is_400(app, session, canvas_id: int, body) -> None:
    before = everything(app, canvas_id)
    response = save(session, canvas_id, body)
    assert response.status_code == 400
    assert response.get_json()["status"] in ("invalid", "error")
    assert everything(app, canvas_id) == before


@pytest.mark.parametrize("body", [
    '{"version": 1, "blocks": {"channels": [{"id": "c1", "text": NaN}]}}',
    '{"version": 1, "blocks": {"channels": [{"id": "c1", "text": "x", "segment": -Infinity}]}}',
    '{"version": 1, "blocks": {"channels": [{"id": "c1", "text": "x", "size": NaN}]}}',
    '{"version": 1, "blocks": {}, "note": Infinity}',
])
def test_autosave_refuses_nan_and_infinity_anywhere(app, session, canvas_id: int,
                                                    body: str) -> None:
    """NaN and Infinity are not JSON: refused as a bad body (400), like the worksheet
    autosave does, wherever they stand."""
    before = everything(app, canvas_id)
    response = save(session, canvas_id, body)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert everything(app, canvas_id) == before


def test_autosave_without_the_csrf_header_is_400(app, session, canvas_id: int) -> None:
    before = everything(app, canvas_id)
    response = save(session, canvas_id, {"version": 1, "blocks": {"channels": [n("c", "x")]}},
                    csrf=False)
    assert response.status_code == 400
    forged = session.client.post(
        f"/canvases/{canvas_id}/blocks", data=json.dumps({"version": 1, "blocks": {}}),
        headers={"Content-Type": "application/json", "X-CSRFToken": "forged"})
    assert forged.status_code == 400
    assert everything(app, canvas_id) == before


def test_autosave_of_another_users_canvas_is_404(app, login, make_user, canvas_id: int) -> None:
    intruder = login(make_user())
    before = everything(app, canvas_id)
    response = save(intruder, canvas_id, {"version": 1, "blocks": {"channels": [n("c", "x")]}})
    assert response.status_code == 404
    assert everything(app, canvas_id) == before


def test_a_saved_note_can_always_be_shown(app, session, canvas_id: int) -> None:
    """Whatever the autosave accepts, the board and the versions can render afterwards."""
    body = ('{"version": 1, "blocks": {"customer-segments": '
            '[{"id": "s1", "text": "Offices \\ud800 here"}]}}')
    response = save(session, canvas_id, body)
    if response.status_code == 200:
        try:
            board = session.get(f"/canvases/{canvas_id}")
        except UnicodeEncodeError as exc:  # the test app propagates errors
            pytest.fail(f"the board cannot be rendered after saving a lone surrogate: {exc}")
        assert board.status_code == 200
    else:
        assert response.status_code in (400, 422)
        assert stored(app, canvas_id)[0] == 1


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 2**70) | st.floats(allow_nan=False)
    | st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("\ud800\udfff<>&\"'"),
              max_size=20),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30,
)
CURRENT = object()
item_strategy = st.one_of(
    st.fixed_dictionaries({"id": st.one_of(st.sampled_from(["s1", "s2", "r1", "c1", "x y"]),
                                           json_values)},
                          optional={"text": st.one_of(st.text(max_size=30), json_values),
                                    "segment": st.one_of(st.sampled_from(["s1", "s2", None]),
                                                         json_values)}),
    json_values,
)
block_docs = st.dictionaries(st.sampled_from([*BLOCK_IDS, "other"]),
                             st.one_of(st.lists(item_strategy, max_size=4), json_values),
                             max_size=9)
bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({"version": st.one_of(st.just(CURRENT), json_values),
                           "blocks": st.one_of(block_docs, json_values)},
                          optional={"extra": json_values}),
)


def test_arbitrary_json_bodies_never_give_5xx(app, session, canvas_id: int) -> None:
    state = {"version": 1}

    @settings(max_examples=80, deadline=None)
    @given(bodies)
    def post(body) -> None:
        if isinstance(body, dict) and body.get("version") is CURRENT:
            body = {**body, "version": state["version"]}
        response = save(session, canvas_id, json.dumps(body))
        assert response.status_code in (200, 400, 409, 422), response.status_code
        assert response.is_json
        event(f"HTTP {response.status_code}")
        if response.status_code == 200:
            state["version"] = response.get_json()["version"]
            assert stored(app, canvas_id)[0] == state["version"]
        else:
            assert stored(app, canvas_id)[0] == state["version"]

    post()


# --- no-JavaScript item forms ---------------------------------------------------------------

def add(session, canvas_id: int, block: str, text: str, version: int,
        segment: str = "", **kw):
    return session.post(f"/canvases/{canvas_id}/blocks/{block}/items",
                        {"text": text, "segment": segment, "version": str(version)}, **kw)


def change(session, canvas_id: int, block: str, item_id: str, action: str,
           version: int, text: str = "", segment: str = "", **kw):
    return session.post(f"/canvases/{canvas_id}/blocks/{block}/items/{item_id}",
                        {"action": action, "text": text, "segment": segment,
                         "version": str(version)}, **kw)


def texts(blocks: dict, block: str) -> list[str]:
    return [i["text"] for i in blocks.get(block, [])]


def test_add_notes_without_javascript(app, session, canvas_id: int) -> None:
    response = add(session, canvas_id, SEG, "Small offices", 1)
    assert response.status_code == 302
    assert path_of(response) == f"/canvases/{canvas_id}"
    assert response.headers["Location"].endswith(f"#block-{SEG}")
    version, blocks = stored(app, canvas_id)
    assert version == 2
    assert len(blocks[SEG]) == 1 and blocks[SEG][0]["text"] == "Small offices"
    segment_id = blocks[SEG][0]["id"]

    assert add(session, canvas_id, CR, "One contact person", 2, segment=segment_id
               ).status_code == 302
    assert add(session, canvas_id, CR, "Online booking", 3).status_code == 302
    version, blocks = stored(app, canvas_id)
    assert version == 4
    assert [(i["text"], i["segment"]) for i in blocks[CR]] == [
        ("One contact person", segment_id), ("Online booking", None)]
    all_ids = [i["id"] for items in blocks.values() for i in items]
    assert len(all_ids) == len(set(all_ids))
    # The board shows them, the tagged one in the segment's colour.
    page = session.get(f"/canvases/{canvas_id}").text
    section = block_html(page, CR)
    assert colour_class(0) in note_tag(section, blocks[CR][0]["id"]).split()
    assert ">One contact person</textarea>" in section


@pytest.fixture
def filled(app, session, canvas_id: int) -> int:
    """The canvas with two segments and three relationships, at version 2."""
    blocks = {SEG: [n("s1", "Offices"), n("s2", "Landlords")],
              CR: [n("r1", "Contact", "s1"), n("r2", "Booking", "s2"), n("r3", "Calls", "s1")]}
    assert save(session, canvas_id, {"version": 1, "blocks": blocks}).status_code == 200
    return canvas_id


def test_edit_a_note_without_javascript(app, session, filled: int) -> None:
    response = change(session, filled, CR, "r2", "edit", 2, "Online booking", "s1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#block-{CR}")
    version, blocks = stored(app, filled)
    assert version == 3
    assert blocks[CR][1] == n("r2", "Online booking", "s1")
    assert [i["id"] for i in blocks[CR]] == ["r1", "r2", "r3"]
    # Choosing "No segment" clears the tag.
    assert change(session, filled, CR, "r2", "edit", 3, "Online booking", "").status_code == 302
    assert stored(app, filled)[1][CR][1] == n("r2", "Online booking")


def test_delete_a_note_without_javascript(app, session, filled: int) -> None:
    assert change(session, filled, CR, "r2", "delete", 2).status_code == 302
    version, blocks = stored(app, filled)
    assert version == 3 and [i["id"] for i in blocks[CR]] == ["r1", "r3"]


def test_deleting_a_segment_without_javascript_clears_its_tags(app, session,
                                                               filled: int) -> None:
    assert change(session, filled, SEG, "s1", "delete", 2).status_code == 302
    version, blocks = stored(app, filled)
    assert version == 3
    assert [i["id"] for i in blocks[SEG]] == ["s2"]
    assert [i["segment"] for i in blocks[CR]] == [None, "s2", None]


def test_move_notes_without_javascript(app, session, filled: int) -> None:
    assert change(session, filled, CR, "r3", "up", 2).status_code == 302
    assert [i["id"] for i in stored(app, filled)[1][CR]] == ["r1", "r3", "r2"]
    assert change(session, filled, CR, "r1", "down", 3).status_code == 302
    version, blocks = stored(app, filled)
    assert version == 4 and [i["id"] for i in blocks[CR]] == ["r3", "r1", "r2"]
    # Texts and tags travel with their notes.
    assert blocks[CR][0] == n("r3", "Calls", "s1")
    # At the edges nothing moves (the save still goes through).
    assert change(session, filled, CR, "r3", "up", 4).status_code == 302
    assert change(session, filled, CR, "r2", "down", 5).status_code == 302
    version, blocks = stored(app, filled)
    assert version == 6 and [i["id"] for i in blocks[CR]] == ["r3", "r1", "r2"]


def test_stale_version_changes_nothing_and_says_why(app, session, filled: int) -> None:
    before = everything(app, filled)
    response = change(session, filled, CR, "r2", "edit", 1, "My careful rewording", "s1",
                      follow_redirects=True)
    assert response.status_code == 200
    message = flashes(response.text)
    assert "changed in another tab" in message
    assert "My careful rewording" in message  # the typed text is not lost
    assert everything(app, filled) == before
    for action in ("delete", "up", "down"):
        response = change(session, filled, CR, "r2", action, 1, follow_redirects=True)
        assert "changed in another tab" in flashes(response.text)
    added = add(session, filled, CR, "A new idea", 1, follow_redirects=True)
    assert "A new idea" in flashes(added.text)
    garbled = add(session, filled, CR, "Another", "two", follow_redirects=True)  # type: ignore[arg-type]
    assert "changed in another tab" in flashes(garbled.text)
    assert everything(app, filled) == before


def test_a_stale_page_editing_a_note_deleted_elsewhere_keeps_the_text(app, session,
                                                                      filled: int) -> None:
    """Another tab deleted the note; this tab, still at version 2, saves its edit of it. The
    answer is the usual "changed in another tab" with the text, not a 404 that loses it."""
    assert change(session, filled, CR, "r2", "delete", 2).status_code == 302
    before = everything(app, filled)
    response = change(session, filled, CR, "r2", "edit", 2, "My careful rewording", "s1",
                      follow_redirects=True)
    assert response.status_code == 200
    message = flashes(response.text)
    assert "changed in another tab" in message
    assert "My careful rewording" in message
    assert everything(app, filled) == before
    # At the current version a note that does not exist is still simply not found.
    assert change(session, filled, CR, "r2", "edit", 3, "Again").status_code == 404


def test_a_huge_note_gets_a_message_that_fits_in_the_session_cookie(app, session,
                                                                    filled: int) -> None:
    """Only a client that ignores the textarea's maxlength can send this; the message must
    still arrive (a cookie over about 4 KB is dropped by browsers)."""
    # Varied letters: the session cookie is compressed, so repeated ones would prove nothing.
    typed = "".join(random.Random(7).choices("abcdefghijklmnopqrstuvwxyzæøå ", k=40_000))
    response = add(session, filled, CR, typed, 2)
    cookie = response.headers.get("Set-Cookie", "")
    assert response.status_code == 302 and 0 < len(cookie) < 4000
    message = flashes(session.get(f"/canvases/{filled}").text)
    assert f"That note is 40000 characters; the limit is {MAX_TEXT}." in message


def test_too_long_text_is_refused_and_kept_for_the_user(app, session, filled: int) -> None:
    before = everything(app, filled)
    typed = "Vi ringer til hver kunde <hvert> kvartal & spørger. " * 12
    assert len(typed) > MAX_TEXT
    for response in (add(session, filled, CR, typed, 2, follow_redirects=True),
                     change(session, filled, CR, "r1", "edit", 2, typed, "s1",
                            follow_redirects=True)):
        assert response.status_code == 200
        message = flashes(response.text)
        assert str(MAX_TEXT) in message
        assert typed.strip() in message
    assert everything(app, filled) == before


def test_an_empty_note_is_not_added(app, session, filled: int) -> None:
    before = everything(app, filled)
    response = add(session, filled, CR, "   ", 2, follow_redirects=True)
    assert "Write something" in flashes(response.text)
    assert everything(app, filled) == before


def test_a_tag_to_a_missing_segment_is_refused(app, session, filled: int) -> None:
    before = everything(app, filled)
    response = add(session, filled, CR, "Hotline", 2, segment="s9", follow_redirects=True)
    assert "segment" in flashes(response.text)
    response = change(session, filled, SEG, "s2", "edit", 2, "Landlords", "s1",
                      follow_redirects=True)
    assert "segment" in flashes(response.text)
    assert everything(app, filled) == before


def test_unknown_block_or_action_is_400(app, session, filled: int) -> None:
    before = everything(app, filled)
    assert add(session, filled, "shoes", "x", 2).status_code == 400
    assert change(session, filled, "shoes", "r1", "delete", 2).status_code == 400
    assert change(session, filled, CR, "r1", "explode", 2).status_code == 400
    assert everything(app, filled) == before


def test_unknown_item_is_404(app, session, filled: int) -> None:
    before = everything(app, filled)
    for action in ("edit", "delete", "up", "down"):
        assert change(session, filled, CR, "nope", action, 2, "x").status_code == 404
        assert change(session, filled, "channels", "r1", action, 2, "x").status_code == 404
    assert everything(app, filled) == before


def test_item_forms_need_the_csrf_token(app, session, filled: int) -> None:
    before = everything(app, filled)
    client = session.client
    assert client.post(f"/canvases/{filled}/blocks/{CR}/items",
                       data={"text": "x", "version": "2"}).status_code == 400
    assert client.post(f"/canvases/{filled}/blocks/{CR}/items/r1",
                       data={"action": "delete", "version": "2"}).status_code == 400
    assert everything(app, filled) == before


# --- findings on the page -------------------------------------------------------------------

def test_findings_on_the_board(app, session, filled: int) -> None:
    assert save(session, filled, {"version": 2, "blocks": {
        SEG: [n("s1", "Offices"), n("s2", "Landlords"), n("s3", "Schools")],
        CR: [n("r1", "Contact", "s1"), n("r2", "Booking", "s2"), n("r9", "Hotline")],
    }}).status_code == 200
    page = session.get(f"/canvases/{filled}").text
    text = findings(page)
    assert "“Hotline” in Customer Relationships is not tied to a customer segment" in text
    assert "The segment “Schools” has no customer relationship yet" in text
    board = html_of(page)
    listed = board.texts("#findings li")
    assert len(listed) == 2 and listed[0].startswith("“Hotline”"), listed
    assert not [f for f in listed if "Offices" in f or "Landlords" in f]
    assert not board.has("#findings p")  # no "every segment has a relationship"


def test_no_findings_on_a_consistent_board(session, filled: int) -> None:
    text = findings(session.get(f"/canvases/{filled}").text)
    assert "Every segment has a relationship, and every relationship has a segment." in text


def test_zero_weight_tactic_finding(app, session, make_canvas, owner) -> None:
    cid, (ws,) = make_canvas(owner)
    set_answers(app, ws, {"weights": {"acquisition": 0, "retention": 70, "upselling": 30},
                          "tactics_acquisition": [{"id": "free-product", "how": "A trial"}],
                          "tactics_retention": [{"id": "customer-care", "how": "Calls"}]})
    page = session.get(f"/canvases/{cid}").text
    text = findings(page)
    assert "The tactic “Free product” was chosen for a goal you weighted zero" in text
    board = html_of(page)
    (listed,) = board.texts("#findings li")
    assert listed.startswith("The tactic “Free product”"), listed
    assert not board.mentions("Customer care", "#findings")
    assert not board.mentions("customer-care", "#findings")


def test_findings_in_danish(app, session, owner) -> None:
    set_language(app, owner, "da")  # the checks speak the user's language
    cid, _ = import_example(app, owner, "cleaning-copenhagen.da")
    version, blocks = stored(app, cid)
    blocks[CR].append(n("cr9", "Nyhedsbrev"))
    assert save(session, cid, {"version": version, "blocks": blocks}).status_code == 200
    text = findings(session.get(f"/canvases/{cid}").text)
    assert "“Nyhedsbrev” under Kunderelationer er ikke knyttet til et kundesegment" in text


# --- versions -------------------------------------------------------------------------------

def test_versions_save_compare_and_restore(app, session, make_canvas, owner) -> None:
    cid, (ws,) = make_canvas(owner)
    set_answers(app, ws, {"segment": "Offices", "summary": "The first summary"})
    v1_blocks = {SEG: [n("s1", "Offices")],
                 CR: [n("r1", "Contact", "s1"), n("r2", "Booking", "s1"),
                      n("r3", "Calls", "s1")]}
    assert save(session, cid, {"version": 1, "blocks": v1_blocks}).status_code == 200

    empty = session.get(f"/canvases/{cid}/versions")
    assert empty.status_code == 200 and "No saved versions yet" in empty.text

    response = session.post(f"/canvases/{cid}/versions", {"note": "  First draft  "})
    assert response.status_code == 302 and path_of(response) == f"/canvases/{cid}/versions"
    (number, note, data), = snapshots(app, cid)
    assert (number, note) == (1, "First draft")
    assert data["blocks"] == full(customer_segments=v1_blocks[SEG],
                                  customer_relationships=v1_blocks[CR])
    ws_data = {w["definition"]: w["answers"] for w in data["worksheets"]}
    assert ws_data[CR]["summary"] == "The first summary"
    listing = session.get(f"/canvases/{cid}/versions").text
    assert "First draft" in listing and "Restore version 1" in listing
    assert "Saved as version 1." in html.unescape(listing)

    # Change the blocks and the worksheet.
    assert save(session, cid, {"version": 2, "blocks": {
        SEG: [n("s1", "Offices")],
        CR: [n("r1", "Contact", "s1"), n("r2", "Online booking", "s1"), n("r4", "Newsletter",
                                                                           "s1")],
    }}).status_code == 200
    set_answers(app, ws, {"segment": "Offices", "summary": "The second summary"})

    compare = session.get(f"/canvases/{cid}/versions/compare?a=1&b=current")
    assert compare.status_code == 200
    page = compare.text
    assert "Version 1: First draft" in page and "Current" in page
    rows = re.findall(r'<tr class="diff-(\w+)">(.*?)</tr>', page, re.S)
    by_status: dict[str, list[str]] = {}
    for status, row in rows:
        by_status.setdefault(status, []).append(html.unescape(row))
    assert any("Contact" in r for r in by_status["same"])
    changed = [r for r in by_status["changed"] if "Booking" in r]
    assert changed and "Online booking" in changed[0]
    assert any("Calls" in r and "(not there)" in r for r in by_status["removed"])
    assert any("Newsletter" in r and "(not there)" in r for r in by_status["added"])
    assert "The first summary" in page and "The second summary" in page
    # The other way round, added and removed swap.
    reverse = session.get(f"/canvases/{cid}/versions/compare?a=current&b=1").text
    assert re.search(r'<tr class="diff-removed">(?:(?!</tr>).)*Newsletter', reverse, re.S)
    assert re.search(r'<tr class="diff-added">(?:(?!</tr>).)*Calls', reverse, re.S)
    assert session.get(f"/canvases/{cid}/versions/compare?a=x&b=1").status_code == 400
    assert session.get(f"/canvases/{cid}/versions/compare?a=7&b=1").status_code == 404

    before_restore_version, before_restore_blocks = stored(app, cid)
    ws_version_before, _ = stored_answers(app, ws)
    response = session.post(f"/canvases/{cid}/versions/1/restore")
    assert response.status_code == 302 and path_of(response) == f"/canvases/{cid}"
    version, blocks = stored(app, cid)
    assert blocks == full(customer_segments=v1_blocks[SEG], customer_relationships=v1_blocks[CR])
    assert version == before_restore_version + 1  # open tabs see a conflict, not a silent loss
    ws_version, answers = stored_answers(app, ws)
    assert answers["summary"] == "The first summary"
    assert ws_version == ws_version_before + 1

    # Nothing was destroyed: the state before the restore is version 2.
    saved = snapshots(app, cid)
    assert [s[0] for s in saved] == [1, 2]
    number, note, data = saved[1]
    assert "restor" in note.lower() and "1" in note
    assert data["blocks"] == before_restore_blocks
    assert {w["definition"]: w["answers"] for w in data["worksheets"]}[CR]["summary"] \
        == "The second summary"
    assert saved[0][2]["blocks"]["customer-relationships"] == v1_blocks[CR]
    board = session.get(f"/canvases/{cid}")
    assert "Version 1 restored" in html.unescape(board.text)
    assert ">Calls</textarea>" in board.text
    restored = html_of(board)
    assert restored.texts(f"#block-{CR} li.note textarea") == ["Contact", "Booking", "Calls"]
    assert not restored.mentions("Newsletter")
    # The board saves on from the restored version.
    assert save(session, cid, {"version": version - 1, "blocks": {}}).status_code == 409
    assert save(session, cid, {"version": version, "blocks": blocks}).status_code == 200


def test_restoring_twice_keeps_every_state(app, session, filled: int) -> None:
    session.post(f"/canvases/{filled}/versions", {"note": "one"})
    assert save(session, filled, {"version": 2, "blocks": {}}).status_code == 200
    session.post(f"/canvases/{filled}/versions/1/restore")
    session.post(f"/canvases/{filled}/versions/2/restore")
    saved = snapshots(app, filled)
    assert [s[0] for s in saved] == [1, 2, 3]
    assert stored(app, filled)[1] == full()  # version 2 held the emptied board
    assert saved[2][2]["blocks"][CR] == [n("r1", "Contact", "s1"), n("r2", "Booking", "s2"),
                                         n("r3", "Calls", "s1")]


def test_restore_of_an_unknown_version_is_404_and_needs_csrf(app, session, filled: int) -> None:
    session.post(f"/canvases/{filled}/versions", {"note": "one"})
    before = everything(app, filled)
    assert session.post(f"/canvases/{filled}/versions/9/restore").status_code == 404
    assert session.client.post(f"/canvases/{filled}/versions/1/restore").status_code == 400
    assert everything(app, filled) == before


def test_a_version_note_is_cut_to_200_characters(app, session, filled: int) -> None:
    session.post(f"/canvases/{filled}/versions", {"note": "n" * 300})
    assert snapshots(app, filled)[0][1] == "n" * 200


# --- access ---------------------------------------------------------------------------------

def board_requests(cid: int) -> list[tuple[str, str, dict | None]]:
    return [
        ("GET", f"/canvases/{cid}", None),
        ("GET", f"/canvases/{cid}/versions", None),
        ("POST", f"/canvases/{cid}/versions", {"note": "intruder"}),
        ("GET", f"/canvases/{cid}/versions/compare?a=1&b=current", None),
        ("GET", f"/canvases/{cid}/versions/compare", None),
        ("POST", f"/canvases/{cid}/versions/1/restore", {}),
        ("JSON", f"/canvases/{cid}/blocks", {"version": 3, "blocks": {}}),
        ("POST", f"/canvases/{cid}/blocks/{CR}/items", {"text": "x", "version": "3"}),
        ("POST", f"/canvases/{cid}/blocks/{CR}/items/r1",
         {"action": "edit", "text": "x", "version": "3"}),
        ("POST", f"/canvases/{cid}/blocks/{CR}/items/r1", {"action": "delete", "version": "3"}),
        ("POST", f"/canvases/{cid}/blocks/{CR}/items/r1", {"action": "up", "version": "3"}),
        ("POST", f"/canvases/{cid}/blocks/{CR}/items/r2", {"action": "down", "version": "3"}),
    ]


@pytest.fixture
def victim(app, session, filled: int) -> int:
    """A canvas with notes and a saved version, owned by someone else."""
    assert session.post(f"/canvases/{filled}/versions", {"note": "secret"}).status_code == 302
    return filled


def test_another_user_gets_404_on_every_board_url(app, login, make_user, victim: int) -> None:
    intruder = login(make_user())
    before = everything(app, victim)
    for method, url, data in board_requests(victim):
        if method == "GET":
            response = intruder.get(url)
        elif method == "JSON":
            response = save(intruder, victim, data)
        else:
            response = intruder.post(url, data)
        assert_not_found(response, "Booking", "secret")
    assert everything(app, victim) == before


def test_anonymous_users_are_sent_to_login(app, client, victim: int) -> None:
    token = csrf_from(client.get("/auth/login").text)
    before = everything(app, victim)
    for method, url, data in board_requests(victim):
        if method == "GET":
            response = client.get(url)
        elif method == "JSON":
            response = client.post(url, data=json.dumps(data), headers={
                "X-CSRFToken": token, "Content-Type": "application/json"})
        else:
            response = client.post(url, data={"csrf_token": token, **data})
        if method == "JSON":
            # A save is told it was not saved (never a redirect a script could follow).
            assert response.status_code == 401, (url, response.status_code)
            assert response.get_json()["status"] == "signed-out"
        else:
            assert response.status_code == 302, (method, url, response.status_code)
            assert path_of(response) == "/auth/login", (method, url)
    assert everything(app, victim) == before


def test_the_worksheet_s_segment_and_value_proposition_reach_their_blocks(app, session,
                                                                          owner) -> None:
    """Step 1 of the worksheet names the segment and the value proposition: the board shows
    them in Customer Segments and Value Propositions, linked to the worksheet."""
    cid, (ws,) = import_example(app, owner, "cleaning-copenhagen.en")
    answers = example("cleaning-copenhagen.en")["worksheets"][0]["answers"]
    page = html_of(session.get(f"/canvases/{cid}"))
    for block, field in (("customer-segments", "segment"),
                         ("value-propositions", "value_proposition")):
        feed = page.one(f"#block-{block} .feed")
        assert page.text(f"#block-{block} .feed .feed-summary") == " ".join(answers[field].split())
        assert feed.select_one("a").get("href") == f"/worksheets/{ws}"
    assert not page.has("#block-channels .feed")  # only where the worksheet says


def test_a_worksheet_cannot_feed_a_block_that_does_not_exist(tmp_path) -> None:
    from canvas.content.loader import ContentError
    from canvas.worksheets.definition import load_definition

    source = (ROOT / "content" / "worksheets" / "customer-relationships.yaml").read_text(
        encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(source.replace("    customer-segments: segment",
                                     "    customer-sections: segment"), encoding="utf-8")
    with pytest.raises(ContentError, match="feeds.blocks.customer-sections"):
        load_definition(broken)
