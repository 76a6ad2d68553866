"""Saving worksheet answers: version checks, partial saves, refused saves kept."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from ..canvases.blocks import encodable
from ..canvases.service import Conflict, owned_worksheet, touch
from ..database import write_transaction
from ..extensions import db
from ..models import RefusedSave, User, Worksheet, utcnow
from ..numbers import input_text
from ..payloads import BadPayload, is_version, parse_version, strict_json

MAX_FIELDS = 2000  # far above any real step; a payload with more is refused

__all__ = ["BadPayload", "Conflict", "SaveResult", "parse_autosave", "parse_version",
           "save_answers"]


def parse_autosave(body: bytes, language: str = "en") -> tuple[int, str, MultiDict]:
    """Decode an autosave body: {"version": int, "step": str, "fields": {name: value}}.

    Values may be strings, numbers, booleans (checkboxes) or lists of strings. NaN and
    Infinity are refused, as are nested objects. Numbers become text as a person of the
    canvas's `language` would type them, since the form reads them in that language.
    """
    data = strict_json(body)
    if not isinstance(data, dict):
        raise BadPayload("expected a JSON object")
    version, step, fields = data.get("version"), data.get("step"), data.get("fields")
    if not is_version(version):
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
            # Plain digits, as a person would type them: 1e-05 becomes 0.00001, and 1.5
            # becomes 1,5 on a Danish canvas (where 1.500 would read as fifteen hundred).
            formdata.add(key, input_text(value, language))
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
