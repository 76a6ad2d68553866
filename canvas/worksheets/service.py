"""Saving worksheet answers: version checks, partial saves, refused saves kept."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from werkzeug.datastructures import MultiDict

from ..canvases.blocks import encodable
from ..canvases.service import Conflict, owned_worksheet, touch
from ..database import write_transaction
from ..extensions import db
from ..models import RefusedSave, User, Worksheet, utcnow

MAX_FIELDS = 2000  # far above any real step; a payload with more is refused
MAX_VERSION = 2**62  # versions are stored as 64-bit integers

__all__ = ["BadPayload", "Conflict", "SaveResult", "parse_autosave", "parse_version",
           "save_answers"]


class BadPayload(ValueError):
    """An autosave body that is not what the editor sends; the message says what is wrong."""


def _reject_constant(name: str) -> float:
    raise BadPayload(f"{name} is not a number this app accepts")


def parse_autosave(body: bytes) -> tuple[int, str, MultiDict]:
    """Decode an autosave body: {"version": int, "step": str, "fields": {name: value}}.

    Values may be strings, numbers, booleans (checkboxes) or lists of strings. NaN and
    Infinity are refused, as are nested objects.
    """
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except BadPayload:
        raise
    except (UnicodeDecodeError, RecursionError, ValueError) as exc:
        # ValueError covers JSONDecodeError and Python's limit on the digits of an integer.
        raise BadPayload("the body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise BadPayload("expected a JSON object")
    version, step, fields = data.get("version"), data.get("step"), data.get("fields")
    if isinstance(version, bool) or not isinstance(version, int) or not 0 <= version < MAX_VERSION:
        raise BadPayload("`version` must be a whole number")
    if not isinstance(step, str) or len(step) > 80:
        raise BadPayload("`step` must be a step id")
    if not isinstance(fields, dict) or len(fields) > MAX_FIELDS:
        raise BadPayload("`fields` must be an object of input names and values")
    formdata: MultiDict = MultiDict()
    for key, value in fields.items():
        if not encodable(key):
            raise BadPayload("input names must be valid text")
        if isinstance(value, bool):
            if value:
                formdata.add(key, "y")
        elif isinstance(value, int):
            if abs(value) >= 10**15:
                raise BadPayload(f"{key}: the number is too large")
            formdata.add(key, str(value))
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise BadPayload(f"{key}: not a finite number")
            # Plain digits, as a person would type them: 1e-05 becomes 0.00001.
            formdata.add(key, format(Decimal(repr(value)), "f"))
        elif isinstance(value, str):
            if not encodable(value):
                raise BadPayload(f"{key}: the text holds characters that are not valid text")
            formdata.add(key, value)
        elif value is None:
            formdata.add(key, "")
        elif isinstance(value, list) and all(isinstance(v, str) and encodable(v) for v in value):
            for v in value:
                formdata.add(key, v)
        else:
            raise BadPayload(f"{key}: values must be text, numbers, true/false or lists of text")
    return version, step, formdata


def parse_version(raw: str) -> int:
    """The version a plain form post names; -1 (always stale) when it is not a sane number."""
    raw = raw.strip()
    if not raw.isdigit() or len(raw) > 18:
        return -1
    return int(raw)


@dataclass
class SaveResult:
    version: int
    answers: dict[str, Any]


def save_answers(user: User, worksheet_id: int, step_id: str, based_on_version: int,
                 new_answers: dict[str, Any], *, refused_payload: str = "") -> SaveResult:
    """Merge a step's answers into the worksheet if nobody saved in between.

    The version check and the write happen in one transaction that holds SQLite's write
    lock from its start, so two tabs cannot both pass the check.
    """
    with write_transaction():
        worksheet = owned_worksheet(user, worksheet_id)
        if worksheet.version != based_on_version:
            worksheet_version = worksheet.version
            db.session.add(RefusedSave(worksheet_id=worksheet.id, based_on_version=based_on_version,
                                       step=step_id, payload=refused_payload[:200_000]))
            conflict = Conflict(worksheet_version)
        else:
            conflict = None
            apply_answers(worksheet, step_id, new_answers)
        result = SaveResult(worksheet.version, dict(worksheet.answers))
    if conflict:
        raise conflict
    return result


def apply_answers(worksheet: Worksheet, step_id: str, new_answers: dict[str, Any]) -> None:
    """Merge answers, bump the version, remember the step."""
    worksheet.answers = {**(worksheet.answers or {}), **new_answers}  # new dict: JSON change seen
    worksheet.version += 1
    worksheet.current_step = step_id
    worksheet.updated_at = utcnow()
    touch(worksheet.canvas)
