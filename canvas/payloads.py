"""Bodies and form values sent by the pages, read strictly: one place for the rules the JSON
endpoints (worksheet autosave, board autosave) and the plain form posts share."""

from __future__ import annotations

import json
from typing import Any

MAX_VERSION = 2**62  # versions are stored as 64-bit integers


class BadPayload(ValueError):
    """A body that is not what the pages send; the message says what is wrong."""


def _reject_constant(name: str) -> float:
    raise BadPayload(f"{name} is not a number this app accepts")


def strict_json(body: bytes) -> Any:
    """Decode a JSON body; NaN and Infinity are refused. Raises BadPayload."""
    try:
        return json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except BadPayload:
        raise
    except (UnicodeDecodeError, RecursionError, ValueError) as exc:
        # ValueError covers JSONDecodeError and Python's limit on the digits of an integer.
        raise BadPayload("the body is not valid JSON") from exc


def is_version(value: Any) -> bool:
    """A version number as JSON carries it: a whole number, not true/false, in range."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < MAX_VERSION


def parse_version(raw: str) -> int:
    """The version a plain form post names; -1 (always stale) when it is not a sane number."""
    raw = raw.strip()
    if not raw.isdigit() or len(raw) > 18:
        return -1
    return int(raw)
