"""Form helpers every area shares."""

from __future__ import annotations

from collections.abc import Iterable

from flask import abort
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class ConfirmForm(FlaskForm):
    """An empty form: only the CSRF token, for buttons that change something."""


def require_confirmation() -> None:
    """A button's post must carry its CSRF token (ConfirmForm); anything else is a 400."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
