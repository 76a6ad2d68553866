"""The nine blocks of a canvas and their items: validation and cross-block checks (pure)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..text import encodable

# Canonical order; the layout places them (see templates/canvases/_board.html).
BLOCK_IDS = (
    "key-partners", "key-activities", "key-resources", "value-propositions",
    "customer-relationships", "channels", "customer-segments", "cost-structure",
    "revenue-streams",
)
SEGMENTS = "customer-segments"
RELATIONSHIPS = "customer-relationships"
MAX_ITEMS = 40
MAX_TEXT = 500
ITEM_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")  # used with fullmatch
# Colour tags for segments, in the order segments appear; readable on white and in print.
SEGMENT_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
                   "#e377c2", "#17becf")


class BlocksError(ValueError):
    """Items that cannot be saved; `problems` maps 'block' or 'block/item' to a message."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


def _english(message: str, **values: object) -> str:
    return message % values if values else message


def clean_blocks(raw: Any, say: Callable[..., str] = _english) -> dict[str, list[dict[str, Any]]]:
    """Check a whole blocks document and return it normalised, or raise BlocksError whose
    messages `say` words (gettext in the user's language; English by default)."""
    if not isinstance(raw, dict):
        raise BlocksError({"blocks": "expected an object of block ids"})
    problems: dict[str, str] = {}
    unknown = [k for k in raw if k not in BLOCK_IDS]
    for key in unknown[:5]:
        problems[str(key)[:60]] = say("not a block of the canvas")
    cleaned: dict[str, list[dict[str, Any]]] = {}
    for block in BLOCK_IDS:
        items = raw.get(block, [])
        if not isinstance(items, list):
            problems[block] = say("expected a list of items")
            continue
        if len(items) > MAX_ITEMS:
            problems[block] = say("at most %(max)d notes in a block", max=MAX_ITEMS)
            continue
        out = []
        seen: set[str] = set()
        for n, item in enumerate(items):
            where = f"{block}/{n}"
            if not isinstance(item, dict):
                problems[where] = say("a note is an object with an id and a text")
                continue
            item_id, text, segment = item.get("id"), item.get("text", ""), item.get("segment")
            if not isinstance(item_id, str) or not ITEM_ID.fullmatch(item_id) or item_id in seen:
                problems[where] = say("each note needs its own id (letters, digits, - or _)")
                continue
            seen.add(item_id)
            if not isinstance(text, str):
                problems[f"{block}/{item_id}"] = say("a note's text must be text")
                continue
            if not encodable(text):
                problems[f"{block}/{item_id}"] = say(
                    "the text holds characters that are not valid text")
                continue
            if len(text) > MAX_TEXT:
                problems[f"{block}/{item_id}"] = say(
                    "this note is %(length)d characters; the limit is %(max)d",
                    length=len(text), max=MAX_TEXT)
                continue
            if segment is not None and not isinstance(segment, str):
                problems[f"{block}/{item_id}"] = say("the segment tag must be a segment's id")
                continue
            out.append({"id": item_id, "text": text, "segment": segment or None})
        cleaned[block] = out
    segment_ids = {i["id"] for i in cleaned.get(SEGMENTS, [])}
    for block, items in cleaned.items():
        for item in items:
            if item["segment"] and (block == SEGMENTS or item["segment"] not in segment_ids):
                problems[f"{block}/{item['id']}"] = say(
                    "tagged with a segment that does not exist")
    if problems:
        raise BlocksError(problems)
    return cleaned


def segment_colours(blocks: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """Segment item id -> colour, by the order of the segments."""
    return {segment: SEGMENT_COLOURS[n] for segment, n in segment_tags(blocks).items()}


def segment_tags(blocks: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """Segment item id -> the number of its colour (the page's `tag-N` class)."""
    return {item["id"]: n % len(SEGMENT_COLOURS)
            for n, item in enumerate(blocks.get(SEGMENTS, []))}


@dataclass(frozen=True)
class Finding:
    """A cross-block check that failed: `kind` names it, `subject` is the item's text."""

    kind: str  # relationship-without-segment | segment-without-relationship | zero-weight-tactic
    subject: str
    block: str


def cross_checks(blocks: dict[str, list[dict[str, Any]]],
                 zero_weight_tactics: Iterable[str] = ()) -> list[Finding]:
    """Relationship items with no segment, segments with no relationship, and the tactics
    a worksheet chose for a motivation weighted zero (found by the worksheet engine)."""
    findings: list[Finding] = []
    relationships = blocks.get(RELATIONSHIPS, [])
    for item in relationships:
        if not item.get("segment"):
            findings.append(Finding("relationship-without-segment", item["text"], RELATIONSHIPS))
    served = {item.get("segment") for item in relationships}
    for segment in blocks.get(SEGMENTS, []):
        if segment["id"] not in served:
            findings.append(Finding("segment-without-relationship", segment["text"], SEGMENTS))
    findings += [Finding("zero-weight-tactic", tactic, RELATIONSHIPS)
                 for tactic in zero_weight_tactics]
    return findings
