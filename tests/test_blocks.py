"""The canvas blocks as pure data: clean_blocks, segment colours, cross-block checks, the
no-JavaScript item actions and the comparison of two versions. No app, no database."""

from __future__ import annotations

import copy
import math
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import NotFound

from canvas.canvases.blocks import (
    BLOCK_IDS,
    MAX_ITEMS,
    MAX_TEXT,
    RELATIONSHIPS,
    SEGMENT_COLOURS,
    SEGMENTS,
    BlocksError,
    Finding,
    clean_blocks,
    cross_checks,
    segment_colours,
)
from canvas.canvases.service import apply_item_action, compare_blocks


def note(item_id: str, text: str = "", segment: str | None = None) -> dict:
    return {"id": item_id, "text": text, "segment": segment}


def empty() -> dict[str, list]:
    return {block: [] for block in BLOCK_IDS}


def problems_of(raw) -> dict[str, str]:
    with pytest.raises(BlocksError) as info:
        clean_blocks(raw)
    problems = info.value.problems
    assert problems and all(isinstance(k, str) and isinstance(v, str)
                            for k, v in problems.items())
    return problems


# --- clean_blocks: valid documents ----------------------------------------------------------

def test_nine_block_ids_in_canonical_order() -> None:
    assert BLOCK_IDS == (
        "key-partners", "key-activities", "key-resources", "value-propositions",
        "customer-relationships", "channels", "customer-segments", "cost-structure",
        "revenue-streams")
    assert (MAX_ITEMS, MAX_TEXT) == (40, 500)


def test_valid_document_is_normalised() -> None:
    raw = {
        "customer-segments": [{"id": "s1", "text": "Small offices"},
                              {"id": "s_2", "text": "Landlords", "segment": ""}],
        "customer-relationships": [{"id": "r-1", "text": "One contact", "segment": "s1"},
                                   {"id": "r2", "segment": None}],
        "channels": [{"id": "c1", "text": "Website", "segment": "s_2", "colour": "red"}],
    }
    cleaned = clean_blocks(raw)
    # All nine blocks, missing ones empty, in canonical order.
    assert list(cleaned) == list(BLOCK_IDS)
    assert cleaned["key-partners"] == [] and cleaned["revenue-streams"] == []
    # Missing text becomes "", "" segment becomes None, unknown keys are dropped.
    assert cleaned["customer-segments"] == [note("s1", "Small offices"), note("s_2", "Landlords")]
    assert cleaned["customer-relationships"] == [note("r-1", "One contact", "s1"), note("r2", "")]
    assert cleaned["channels"] == [note("c1", "Website", "s_2")]
    # The input is not changed.
    assert "segment" not in raw["customer-segments"][0]


def test_empty_document_is_nine_empty_blocks() -> None:
    assert clean_blocks({}) == empty()


def test_limits_are_inclusive() -> None:
    raw = {"key-partners": [note(f"k{n}", "x" * MAX_TEXT) for n in range(MAX_ITEMS)]}
    assert len(clean_blocks(raw)["key-partners"]) == MAX_ITEMS
    assert clean_blocks({"key-partners": [note("a" * 40)]})["key-partners"][0]["id"] == "a" * 40


# --- clean_blocks: problems -----------------------------------------------------------------

@pytest.mark.parametrize("raw", [None, [], "blocks", 3, 2.5, True])
def test_not_an_object(raw) -> None:
    assert problems_of(raw) == {"blocks": "expected an object of block ids"}


def test_unknown_block() -> None:
    problems = problems_of({"key-partners": [], "customer-happiness": []})
    assert list(problems) == ["customer-happiness"]
    assert "not a block" in problems["customer-happiness"]


def test_too_many_items() -> None:
    problems = problems_of({"channels": [note(f"c{n}", "x") for n in range(MAX_ITEMS + 1)]})
    assert list(problems) == ["channels"]
    assert str(MAX_ITEMS) in problems["channels"]


def test_text_over_the_limit_names_the_item_and_the_limit() -> None:
    problems = problems_of({"channels": [note("c1", "ok"),
                                         note("c2", "y" * (MAX_TEXT + 1))]})
    assert list(problems) == ["channels/c2"]
    assert str(MAX_TEXT) in problems["channels/c2"]
    assert str(MAX_TEXT + 1) in problems["channels/c2"]  # how long it is now


def test_duplicate_ids_in_a_block() -> None:
    problems = problems_of({"key-resources": [note("a", "one"), note("b", "two"),
                                              note("a", "three")]})
    assert list(problems) == ["key-resources/2"]
    assert "id" in problems["key-resources/2"]


def test_same_id_in_two_blocks_is_allowed() -> None:
    cleaned = clean_blocks({"key-resources": [note("a", "x")], "channels": [note("a", "y")]})
    assert cleaned["key-resources"][0]["id"] == cleaned["channels"][0]["id"] == "a"


@pytest.mark.parametrize("bad_id", [
    "", "has space", "slash/id", "dot.id", "ø", "a" * 41, "<b>", "a\tb", 7, None, ["a"],
])
def test_bad_item_ids(bad_id) -> None:
    problems = problems_of({"channels": [note("ok", "fine"), {"id": bad_id, "text": "x"}]})
    assert list(problems) == ["channels/1"]


@pytest.mark.parametrize("bad_id", ["ab\n", "s1\n"])
def test_an_id_ending_in_a_newline_is_refused(bad_id: str) -> None:
    """The id pattern allows only letters, digits, - and _; a trailing newline is none."""
    problems = problems_of({"channels": [{"id": bad_id, "text": "x"}]})
    assert list(problems) == ["channels/0"]


@pytest.mark.parametrize("item", ["text", 3, None, ["id", "text"]])
def test_an_item_that_is_not_an_object(item) -> None:
    assert list(problems_of({"channels": [item]})) == ["channels/0"]


@pytest.mark.parametrize("text", [3, None, ["a"], {"t": 1}, True])
def test_text_that_is_not_text(text) -> None:
    assert list(problems_of({"channels": [{"id": "c1", "text": text}]})) == ["channels/c1"]


@pytest.mark.parametrize("segment", [1, ["s1"], {"id": "s1"}, True])
def test_segment_tag_that_is_not_an_id(segment) -> None:
    raw = {"customer-segments": [note("s1", "x")],
           "channels": [{"id": "c1", "text": "t", "segment": segment}]}
    assert list(problems_of(raw)) == ["channels/c1"]


def test_segment_tag_pointing_to_a_missing_segment() -> None:
    raw = {"customer-segments": [note("s1", "Offices")],
           "customer-relationships": [note("r1", "Contact", "s1"), note("r2", "Hotline", "s9")]}
    problems = problems_of(raw)
    assert list(problems) == ["customer-relationships/r2"]
    assert "segment" in problems["customer-relationships/r2"]


def test_tag_naming_an_item_of_another_block_is_not_a_segment() -> None:
    raw = {"customer-segments": [note("s1", "Offices")], "channels": [note("c1", "Web")],
           "customer-relationships": [note("r1", "Contact", "c1")]}
    assert list(problems_of(raw)) == ["customer-relationships/r1"]


def test_a_segment_item_tagged_with_a_segment() -> None:
    raw = {"customer-segments": [note("s1", "Offices"), note("s2", "Landlords", "s1")]}
    problems = problems_of(raw)
    assert list(problems) == ["customer-segments/s2"]


@pytest.mark.parametrize("value", [{}, "notes", 3, None, {"id": "a"}])
def test_a_block_that_is_not_a_list(value) -> None:
    problems = problems_of({"channels": value, "key-partners": []})
    assert list(problems) == ["channels"]
    assert "list" in problems["channels"]


def test_all_problems_are_reported_at_once() -> None:
    raw = {"nope": [], "channels": "x", "cost-structure": [note("c1", "z" * 501)],
           "revenue-streams": [{"id": "a b"}]}
    assert set(problems_of(raw)) == {"nope", "channels", "cost-structure/c1",
                                     "revenue-streams/0"}


def test_blocks_error_is_a_value_error_with_a_readable_message() -> None:
    with pytest.raises(ValueError, match="channels: expected a list"):
        clean_blocks({"channels": 1})


# --- segment colours ------------------------------------------------------------------------

def test_segment_colours_follow_the_order_of_the_segments() -> None:
    blocks = {SEGMENTS: [note("b"), note("a"), note("c")]}
    assert segment_colours(blocks) == {"b": SEGMENT_COLOURS[0], "a": SEGMENT_COLOURS[1],
                                       "c": SEGMENT_COLOURS[2]}
    swapped = {SEGMENTS: [note("a"), note("b"), note("c")]}
    assert segment_colours(swapped)["a"] == SEGMENT_COLOURS[0]


def test_segment_colours_repeat_after_the_palette() -> None:
    n = len(SEGMENT_COLOURS)
    colours = segment_colours({SEGMENTS: [note(f"s{i}") for i in range(n + 2)]})
    assert colours[f"s{n}"] == SEGMENT_COLOURS[0]
    assert colours[f"s{n + 1}"] == SEGMENT_COLOURS[1]
    assert len(set(SEGMENT_COLOURS)) == n


def test_no_segments_no_colours() -> None:
    assert segment_colours({}) == {}
    assert segment_colours(empty()) == {}


# --- cross checks ---------------------------------------------------------------------------

def test_cross_checks_on_a_consistent_canvas() -> None:
    blocks = {SEGMENTS: [note("s1", "Offices")], RELATIONSHIPS: [note("r1", "Contact", "s1")]}
    assert cross_checks(blocks) == []
    assert cross_checks({}) == []


def test_relationship_without_segment() -> None:
    blocks = {SEGMENTS: [note("s1", "Offices")],
              RELATIONSHIPS: [note("r1", "Contact", "s1"), note("r2", "Hotline")]}
    assert cross_checks(blocks) == [
        Finding("relationship-without-segment", "Hotline", RELATIONSHIPS)]


def test_segment_without_relationship() -> None:
    blocks = {SEGMENTS: [note("s1", "Offices"), note("s2", "Landlords")],
              RELATIONSHIPS: [note("r1", "Contact", "s1")],
              "channels": [note("c1", "Web", "s2")]}  # a channel does not serve as relationship
    assert cross_checks(blocks) == [
        Finding("segment-without-relationship", "Landlords", SEGMENTS)]


def test_both_kinds_together() -> None:
    blocks = {SEGMENTS: [note("s1", "Offices")], RELATIONSHIPS: [note("r1", "Hotline")]}
    kinds = {f.kind for f in cross_checks(blocks)}
    assert kinds == {"relationship-without-segment", "segment-without-relationship"}


def test_zero_weight_tactics_become_findings() -> None:
    assert cross_checks({}, ["free-product", "referrals"]) == [
        Finding("zero-weight-tactic", "free-product", RELATIONSHIPS),
        Finding("zero-weight-tactic", "referrals", RELATIONSHIPS)]


# --- apply_item_action ----------------------------------------------------------------------

@pytest.fixture
def board() -> dict[str, list]:
    blocks = empty()
    blocks[SEGMENTS] = [note("s1", "Offices"), note("s2", "Landlords")]
    blocks[RELATIONSHIPS] = [note("r1", "Contact", "s1"), note("r2", "Online", "s2"),
                             note("r3", "Hotline", "s1")]
    blocks["channels"] = [note("n7", "Web", "s2")]
    return blocks


def ids(blocks: dict, block: str) -> list[str]:
    return [i["id"] for i in blocks[block]]


def test_add_appends_with_an_id_unused_on_the_canvas(board) -> None:
    before = copy.deepcopy(board)
    after = apply_item_action(board, "add", RELATIONSHIPS, None, "Newsletter", "s2")
    assert board == before  # a copy is returned
    new = after[RELATIONSHIPS][-1]
    assert new["text"] == "Newsletter" and new["segment"] == "s2"
    used = [i["id"] for items in board.values() for i in items]
    assert new["id"] not in used
    all_ids = [i["id"] for items in after.values() for i in items]
    assert len(all_ids) == len(set(all_ids))
    clean_blocks(after)  # still a valid document


def test_repeated_adds_keep_ids_unique(board) -> None:
    blocks = board
    for n in range(30):
        blocks = apply_item_action(blocks, "add", BLOCK_IDS[n % 9], None, f"note {n}")
        all_ids = [i["id"] for items in blocks.values() for i in items]
        assert len(all_ids) == len(set(all_ids))
    assert clean_blocks(blocks)


def test_add_to_a_block_missing_from_the_document() -> None:
    after = apply_item_action({}, "add", "channels", None, "Shop", "")
    assert [(i["text"], i["segment"]) for i in after["channels"]] == [("Shop", None)]


def test_edit_changes_text_and_segment_in_place(board) -> None:
    after = apply_item_action(board, "edit", RELATIONSHIPS, "r2", "Online booking", "s1")
    assert ids(after, RELATIONSHIPS) == ["r1", "r2", "r3"]
    assert after[RELATIONSHIPS][1] == note("r2", "Online booking", "s1")
    assert board[RELATIONSHIPS][1] == note("r2", "Online", "s2")
    untagged = apply_item_action(board, "edit", RELATIONSHIPS, "r2", "Online", "")
    assert untagged[RELATIONSHIPS][1]["segment"] is None


def test_delete(board) -> None:
    after = apply_item_action(board, "delete", RELATIONSHIPS, "r2")
    assert ids(after, RELATIONSHIPS) == ["r1", "r3"]
    assert ids(board, RELATIONSHIPS) == ["r1", "r2", "r3"]


def test_up_and_down(board) -> None:
    assert ids(apply_item_action(board, "up", RELATIONSHIPS, "r2"), RELATIONSHIPS) == [
        "r2", "r1", "r3"]
    assert ids(apply_item_action(board, "down", RELATIONSHIPS, "r2"), RELATIONSHIPS) == [
        "r1", "r3", "r2"]


def test_up_at_the_top_and_down_at_the_bottom_change_nothing(board) -> None:
    assert apply_item_action(board, "up", RELATIONSHIPS, "r1") == board
    assert apply_item_action(board, "down", RELATIONSHIPS, "r3") == board
    assert apply_item_action(board, "up", "channels", "n7") == board
    assert apply_item_action(board, "down", "channels", "n7") == board


def test_deleting_a_segment_clears_the_tags_pointing_to_it(board) -> None:
    after = apply_item_action(board, "delete", SEGMENTS, "s2")
    assert ids(after, SEGMENTS) == ["s1"]
    assert [i["segment"] for i in after[RELATIONSHIPS]] == ["s1", None, "s1"]
    assert after["channels"][0]["segment"] is None
    assert clean_blocks(after)[RELATIONSHIPS][1] == note("r2", "Online")
    # The original keeps its tags.
    assert board["channels"][0]["segment"] == "s2"


def test_deleting_another_item_leaves_tags_alone(board) -> None:
    board["channels"].append(note("s1", "same id as a segment"))
    after = apply_item_action(board, "delete", "channels", "s1")
    assert [i["segment"] for i in after[RELATIONSHIPS]] == ["s1", "s2", "s1"]


@pytest.mark.parametrize("action", ["edit", "delete", "up", "down"])
def test_unknown_item_is_not_found(board, action: str) -> None:
    with pytest.raises(NotFound):
        apply_item_action(board, action, RELATIONSHIPS, "nope", "x")
    with pytest.raises(NotFound):  # an id from another block
        apply_item_action(board, action, RELATIONSHIPS, "n7", "x")


# --- compare_blocks -------------------------------------------------------------------------

def test_compare_statuses() -> None:
    a = {SEGMENTS: [note("s1", "Offices"), note("s2", "Landlords")],
         RELATIONSHIPS: [note("r1", "Contact", "s1"), note("r2", "Hotline", "s1"),
                         note("r3", "Gone")]}
    b = {SEGMENTS: [note("s1", "Offices"), note("s2", "Landlords")],
         RELATIONSHIPS: [note("r1", "Contact", "s1"), note("r2", "Hotline", "s2"),
                         note("r4", "New")],
         "channels": [note("c1", "Web")]}
    rows = compare_blocks(a, b, BLOCK_IDS)
    assert list(rows) == list(BLOCK_IDS)
    rel = [(r["status"], (r["a"] or r["b"])["id"]) for r in rows[RELATIONSHIPS]]
    assert rel == [("same", "r1"), ("changed", "r2"), ("removed", "r3"), ("added", "r4")]
    assert rows[RELATIONSHIPS][2]["b"] is None and rows[RELATIONSHIPS][3]["a"] is None
    assert [r["status"] for r in rows[SEGMENTS]] == ["same", "same"]
    assert [r["status"] for r in rows["channels"]] == ["added"]
    assert rows["key-partners"] == []


def test_compare_text_change_and_missing_segment_key() -> None:
    a = {"channels": [{"id": "c1", "text": "Web"}, {"id": "c2", "text": "Shop"}]}
    b = {"channels": [note("c1", "Web"), note("c2", "Shop!")]}
    assert [r["status"] for r in compare_blocks(a, b, ("channels",))["channels"]] == [
        "same", "changed"]


def test_compare_with_itself_is_all_same(board) -> None:
    rows = compare_blocks(board, board, BLOCK_IDS)
    assert {r["status"] for block_rows in rows.values() for r in block_rows} == {"same"}


# --- properties -----------------------------------------------------------------------------

json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=6)
    | st.dictionaries(st.text(max_size=12), children, max_size=6),
    max_leaves=40,
)

item_ids = st.one_of(
    st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=1, max_size=6),
    st.sampled_from(["s1", "s2", "r1", "", "a b", "ab\n"]),
    json_like,
)
items = st.one_of(
    st.fixed_dictionaries(
        {"id": item_ids},
        optional={"text": st.one_of(st.text(max_size=30), st.just("x" * 501), json_like),
                  "segment": st.one_of(st.none(), st.sampled_from(["s1", "s2", "", "zz"]),
                                       json_like),
                  "extra": json_like}),
    json_like,
)
documents = st.one_of(
    st.dictionaries(st.sampled_from([*BLOCK_IDS, "unknown", "blocks"]),
                    st.one_of(st.lists(items, max_size=6), json_like), max_size=9),
    json_like,
)
# Mostly valid documents, to exercise the output side.
valid_ids = st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=1,
                    max_size=8)
valid_documents = st.dictionaries(
    st.sampled_from(BLOCK_IDS),
    st.lists(st.fixed_dictionaries({"id": valid_ids, "text": st.text(max_size=40)}),
             max_size=5, unique_by=lambda i: i["id"]),
)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_clean_blocks_raises_only_blocks_error(raw) -> None:
    try:
        cleaned = clean_blocks(raw)
    except BlocksError as exc:
        assert exc.problems
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in exc.problems.items())
        return
    assert list(cleaned) == list(BLOCK_IDS)
    for block, block_items in cleaned.items():
        assert len(block_items) <= MAX_ITEMS
        for item in block_items:
            assert set(item) == {"id", "text", "segment"}
            assert isinstance(item["text"], str) and len(item["text"]) <= MAX_TEXT
            assert item["segment"] is None or (
                block != SEGMENTS and item["segment"] in {s["id"] for s in cleaned[SEGMENTS]})


@settings(max_examples=300, deadline=None)
@given(st.one_of(documents, valid_documents))
def test_clean_blocks_is_idempotent(raw) -> None:
    try:
        once = clean_blocks(raw)
    except BlocksError:
        return
    twice = clean_blocks(copy.deepcopy(once))
    assert twice == once


def expected_after(blocks: dict, action: str, block: str, item_id: str | None, text: str,
                   new_id: str) -> dict:
    """What an item action should make of the blocks, written out plainly (no segments)."""
    result = copy.deepcopy(blocks)
    notes = result[block]
    at = next((k for k, i in enumerate(notes) if i["id"] == item_id), None)
    if action == "add":
        notes.append(note(new_id, text))
    elif action == "edit":
        notes[at] = note(item_id, text)
    elif action == "delete":
        del notes[at]
    elif action == "up" and at > 0:
        notes[at - 1:at + 1] = [notes[at], notes[at - 1]]
    elif action == "down" and at < len(notes) - 1:
        notes[at:at + 2] = [notes[at + 1], notes[at]]
    return result


@settings(max_examples=100, deadline=None)
@given(valid_documents, st.data())
def test_item_actions_do_what_they_say_and_keep_a_document_valid(raw, data) -> None:
    blocks = clean_blocks(raw)
    for _ in range(5):
        block = data.draw(st.sampled_from(BLOCK_IDS))
        present = [i["id"] for i in blocks[block]]
        action = data.draw(st.sampled_from(["add", "edit", "delete", "up", "down"]))
        if action != "add" and not present:
            continue
        item_id = None if action == "add" else data.draw(st.sampled_from(present))
        text = data.draw(st.text(max_size=20))
        before = copy.deepcopy(blocks)
        after = apply_item_action(blocks, action, block, item_id, text)
        assert blocks == before  # a copy is returned
        new_id = after[block][-1]["id"] if action == "add" else ""
        if action == "add":
            assert new_id not in {i["id"] for items in blocks.values() for i in items}
        assert after == expected_after(blocks, action, block, item_id, text, new_id), action
        blocks = clean_blocks(after)
        assert blocks == after  # still valid, and already in its cleaned form


def test_nan_is_not_text() -> None:
    assert list(problems_of({"channels": [{"id": "c", "text": math.nan}]})) == ["channels/c"]
