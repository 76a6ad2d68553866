"""Small helpers shared by the app's WTForms forms."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]
