"""The save protocol every editor uses: one versioned save, from the JSON body to the answer.

An editor (the worksheet step, the board, a teacher's review) is a small adapter that says
how to read its part of the body, load its object for writing, apply a change and describe
the result. This module does the rest, the same way for all of them:

1. the body is strict JSON (no NaN or Infinity) with a whole `version`;
2. the object is loaded and checked inside one write transaction (SQLite: BEGIN IMMEDIATE),
   so two saves cannot both pass the version check;
3. a save naming an older version is refused (409) and kept for its owner, unless it would
   change nothing (a retry of a save that already landed);
4. valid changes are written even when some inputs are refused (422 lists them);
5. every answer, whatever its status, carries the version now stored, so the page adopts it;
6. an object that may not change now (work handed in, feedback released: the editor's
   optional `locked`) refuses a save that would change it (423, kept for its owner like a
   conflict), while a save that changes nothing still passes.

The answer's JSON is the protocol: `{"protocol": 1, "status", "version", "errors", "redraw",
"theirs", "message"}`. The browser side (static/js/save-core.js) treats anything else (a
redirect to the sign-in page, an HTML error page, no answer) as "not saved".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from .database import write_transaction

PROTOCOL = 1
MAX_VERSION = 2**62  # versions are stored as 64-bit integers
# saved: everything written; partial: written but for the inputs in `errors`; refused: the
# inputs in `errors` were refused and nothing was written; conflict: stale version; invalid:
# not a body this endpoint takes; locked: the object may not change now (`message` says why).
STATUS_CODES = {"saved": 200, "partial": 422, "refused": 422, "conflict": 409, "invalid": 400,
                "locked": 423}


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


class Versioned(Protocol):
    version: int


T = TypeVar("T", bound=Versioned)
C = TypeVar("C")


@dataclass
class Applied:
    """What applying a change did: whether anything changed, the inputs refused, and what
    the answer needs to redraw the page (worked out while the object was at hand)."""

    changed: bool
    errors: dict[str, list[str]] = field(default_factory=dict)
    state: Any = None


class Editor(Protocol, Generic[T, C]):
    """An editor's part of the protocol. `read` checks the body's shape without the database;
    the rest runs inside the write transaction, except `redraw`, which runs after it. An
    editor may also have `locked(target) -> str | None`: why the object may not change now."""

    def read(self, body: Mapping[str, Any]) -> C: ...

    def load(self) -> T: ...

    def apply(self, target: T, change: C, *, dry_run: bool = False) -> Applied: ...

    def refuse(self, target: T, change: C, based_on: int) -> None: ...

    def theirs(self, target: T) -> Any: ...

    def redraw(self, applied: Applied) -> dict[str, Any]: ...


@dataclass
class Answer:
    """The protocol's answer to one save."""

    status: str  # saved | partial | refused | conflict | invalid | locked
    version: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    redraw: dict[str, Any] = field(default_factory=dict)
    theirs: Any = None
    message: str = ""

    @property
    def http_status(self) -> int:
        return STATUS_CODES[self.status]

    def as_json(self) -> dict[str, Any]:
        return {"protocol": PROTOCOL, "status": self.status, "version": self.version,
                "errors": self.errors, "redraw": self.redraw, "theirs": self.theirs,
                "message": self.message}


def read_body(body: bytes) -> dict[str, Any]:
    """The JSON object of a save, with a valid `version`; raises BadPayload."""
    data = strict_json(body)
    if not isinstance(data, dict):
        raise BadPayload("expected a JSON object")
    if not is_version(data.get("version")):
        raise BadPayload("`version` must be a whole number")
    return data


def versioned_save(editor: Editor[T, C], body: bytes) -> Answer:
    """Run one JSON save through `editor` and return the answer to send (module doc)."""
    try:
        data = read_body(body)
    except BadPayload as exc:
        return Answer("invalid", message=str(exc))
    return save(editor, data)


def save(editor: Editor[T, C], data: Mapping[str, Any]) -> Answer:
    """Run one save of an already decoded body (a JSON body, or a plain form post's
    values) through `editor`; `data["version"]` is the version the page was based on."""
    try:
        change = editor.read(data)
    except BadPayload as exc:
        return Answer("invalid", message=str(exc))
    based_on = data["version"]
    with write_transaction():
        target = editor.load()
        locked = getattr(editor, "locked", None)
        reason = locked(target) if locked is not None else None
        if reason:
            applied = editor.apply(target, change, dry_run=True)
            if applied.changed:
                editor.refuse(target, change, based_on)
                return Answer("locked", target.version, message=reason)
            # Nothing would change (a page moving between steps): nothing to refuse.
        elif target.version != based_on:
            # A retry of a save that already landed (its answer was lost) changes nothing:
            # no conflict. Anything else is kept for its owner and refused.
            applied = editor.apply(target, change, dry_run=True)
            if applied.changed or applied.errors:
                editor.refuse(target, change, based_on)
                return Answer("conflict", target.version, theirs=editor.theirs(target))
        else:
            applied = editor.apply(target, change)
        version = target.version
    status = "saved" if not applied.errors else "partial" if applied.changed else "refused"
    return Answer(status, version, applied.errors, editor.redraw(applied))
