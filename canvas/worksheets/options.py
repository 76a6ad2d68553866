"""What a worksheet field offers to choose from, found in the content library (pure).

Choice-like fields take their options from a content catalogue (`catalogue: retention`) or
list fixed options; ladders take their rungs from a ladder page; the ladder field offers the
tactics chosen in the fields it names (`tactics_from`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from ..content.loader import Item, Library

if TYPE_CHECKING:  # definition.py imports the field types, which import this module
    from .definition import Field, WorksheetDefinition


@dataclass(frozen=True)
class Option:
    """One choice: its id, its name as HTML from the content (or escaped text), its item."""

    id: str
    label: Markup
    item: Item | None

    @property
    def text(self) -> str:
        """The name as plain text."""
        return Markup(self.label).striptags()


def options_for(field: Field, library: Library, language: str) -> list[Option]:
    """The choices of a choice-like field, from its catalogue or its fixed options."""
    if field.catalogue:
        items = library.catalogue(language, field.catalogue)
        if field.only:
            items = tuple(i for i in items if i.id in field.only)
        return [Option(i.id, Markup(i.name), i) for i in items]
    return [Option(oid, Markup.escape(text.get(language)), None) for oid, text in field.options]


def option_names(field: Field | None, library: Library, language: str) -> dict[str, str]:
    """Option id -> plain-text name (empty for a missing field)."""
    return {o.id: o.text for o in options_for(field, library, language)} if field else {}


def ladder_steps(library: Library, language: str, ladder_id: str) -> list[tuple[Item, Item]]:
    """Pairs of (lower rung, upper rung) of a ladder, bottom first."""
    rungs = library.catalogue(language, ladder_id)
    return list(zip(rungs, rungs[1:], strict=False))


def chosen_tactics(step_fields: tuple[str, ...], answers: Mapping[str, Any]) -> list[str]:
    """Ids of the tactics chosen in the fields a ladder maps from, in order, without repeats."""
    out: list[str] = []
    for field_id in step_fields:
        value = answers.get(field_id)
        for entry in value if isinstance(value, list) else ():
            if isinstance(entry, Mapping) and isinstance(entry.get("id"), str) \
                    and entry["id"] not in out:
                out.append(entry["id"])
    return out


def tactic_names(definition: WorksheetDefinition | None, field: Field, library: Library,
                 language: str) -> dict[str, str]:
    """Tactic id -> plain name, from the catalogues of the fields a ladder maps from."""
    names: dict[str, str] = {}
    for source in field.tactics_from:
        names.update(option_names(definition.field(source) if definition else None,
                                  library, language))
    return names
