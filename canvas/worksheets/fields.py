"""Worksheet field types: one class per type owns everything the app does with such a field.

A type says how it is declared in the worksheet YAML, which inputs the editor shows (flat
names `field`, `field__option`, `field__option__detail`, the same for the plain form post and
the JSON autosave), how it reads them (text from a form; text, numbers or true/false from
JSON), how an answer is stored and checked when it comes from outside (import, restore), how
it is shown in the editor, the PDF report and a comparison, and what it adds to the summary.

Adding a type is one class here (or anywhere: `register` it) and two template partials:
`templates/worksheets/fields/<template>.html` (the editor) and
`templates/pdf/fields/<template>.html` (the report). Nothing else switches on field types.

Reading is partial: only the inputs present change the stored answer, so a body that leaves a
field out keeps it, and an input that is refused keeps its stored part while the others save.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from markupsafe import Markup

from .. import numbers
from ..content.loader import Library
from ..i18n import gettext_in
from .ladder import LadderResult, analyse_ladder
from .options import Option, chosen_tactics, ladder_steps, option_names, options_for, tactic_names

if TYPE_CHECKING:  # definition.py imports this module to check declarations
    from .definition import Field, WorksheetDefinition

SEP = "__"
MAX_NUMBER = 10**18  # larger values are refused: no count or price in a worksheet is near it


def name(*parts: str) -> str:
    """The flat input name of a field part."""
    return SEP.join(parts)


class AnswerError(ValueError):
    """A stored or imported answer that does not fit its field; the message says why."""


@dataclass(frozen=True)
class Context:
    """What reading and showing answers needs besides the field and its value."""

    library: Library
    language: str  # the canvas's content language: option names, how numbers are written
    ui: str = "en"  # the interface language, for messages
    answers: Mapping[str, Any] = field(default_factory=dict)  # the whole worksheet's answers
    definition: WorksheetDefinition | None = None

    def say(self, message: str, **values: object) -> str:
        """An interface message in the user's language."""
        return gettext_in(self.ui, message, **values)

    def options(self, f: Field) -> list[Option]:
        return options_for(f, self.library, self.language)

    def label(self, f: Field) -> str:
        """A field's label: its own text, or the question of the content item it points to."""
        return label_of(f, self.library, self.language)


def label_of(f: Field, library: Library, language: str) -> str:
    """A field's label: its own text, or the question of the content item it points to."""
    if f.label_from:
        item = library.item(language, f.label_from)
        if item is not None:
            return Markup(item.html.get("question") or item.name).striptags()
    return f.label.get(language)


def ladder_of(f: Field, answers: Mapping[str, Any], library: Library, language: str
              ) -> tuple[str | None, LadderResult | None]:
    """The chosen ladder id and its analysis, or (None, None) before a ladder is chosen."""
    value = answers.get(f.id) or {}
    ladder_id = value.get("ladder") if isinstance(value, Mapping) else None
    if ladder_id not in f.ladders:
        return None, None
    rungs = [r.id for r in library.catalogue(language, ladder_id)]
    part = value.get(ladder_id) or {}
    return ladder_id, analyse_ladder(rungs, part.get("counts") or {}, part.get("goals") or {})


@dataclass(frozen=True)
class Input:
    """One input of the editor: its flat name, its kind and (for selects and radios) its
    choices as (value, label) pairs."""

    name: str
    kind: str  # text | textarea | number | checkbox | radio | select
    label: str | Markup = ""
    choices: tuple[tuple[str, str | Markup], ...] = ()


@dataclass
class Reading:
    """The answer after the present inputs were applied, and the refused inputs' messages."""

    value: Any
    errors: dict[str, list[str]] = field(default_factory=dict)

    def refuse(self, input_name: str, message: str) -> None:
        self.errors.setdefault(input_name, []).append(message)


@dataclass(frozen=True)
class Line:
    """One line of an answer as plain text, for comparisons: a key, a label and the text."""

    key: str
    label: str
    text: str


# --- reading raw input values ------------------------------------------------------------------

class Refused(ValueError):
    """One input value refused; the message is for the user."""


def read_text(raw: Any, ctx: Context, max_length: int) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise Refused(ctx.say("This answer must be text."))
    # Browsers post textarea line breaks as CRLF, the autosave LF: store and count LF only.
    text = raw.replace("\r\n", "\n")
    if len(text) > max_length:
        raise Refused(ctx.say("This is %(length)d characters; the limit is %(max)d. Shorten "
                              "it a little; your text is kept.", length=len(text),
                              max=max_length))
    return text


def read_flag(raw: Any, ctx: Context) -> bool:
    if isinstance(raw, bool):
        return raw
    if raw is None or raw == "":
        return False
    if isinstance(raw, str):
        return True  # a ticked box posts its value ("y")
    raise Refused(ctx.say("That choice is not on the list. Pick one of the options shown."))


def read_number(raw: Any, ctx: Context, minimum: float | None, maximum: float | None,
                integer: bool, range_message: str | None = None) -> int | float | None:
    """A number from what was typed (in the canvas's notation) or sent as a JSON number."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise Refused(ctx.say("This answer must be a number."))
    if isinstance(raw, str):
        try:
            value = numbers.parse_number(raw, ctx.language)
        except ValueError:
            raise Refused(ctx.say(
                "“%(value)s” is not a number. Use digits, for example %(whole)s or %(decimal)s.",
                value=raw[:40], whole="1200",
                decimal=numbers.input_text(12.5, ctx.language))) from None
        decimal_mark = numbers.MARKS.get(ctx.language, numbers.MARKS["en"])[0]
        if integer and re.search(rf"{re.escape(decimal_mark)}[0-9]{{3}}(?![0-9])", raw):
            # 10,000 in Danish is ten with three decimals, not ten thousand: a count with
            # three digits after its decimal mark is a thousands group typed the other
            # language's way. Never guess: ask.
            raise Refused(ctx.say(
                "“%(value)s” is not a whole number. Counts have no decimals; for thousands "
                "write %(example)s.", value=raw[:40], example="10 000"))
        shown = raw[:40]
    elif isinstance(raw, int):  # a JSON number; huge integers do not fit a float
        value = float(raw) if abs(raw) < MAX_NUMBER else math.inf
        shown = str(raw)[:40]
    else:
        value = raw
        shown = repr(raw)[:40]
    if not math.isfinite(value) or abs(value) >= MAX_NUMBER:
        raise Refused(ctx.say("“%(value)s” is not a number this worksheet can use.",
                              value=shown))
    if integer and not value.is_integer():
        raise Refused(ctx.say("Use a whole number here, without decimals."))
    if minimum is not None and value < minimum:
        raise Refused(range_message or ctx.say(
            "The smallest allowed value is %(min)s.",
            min=numbers.input_text(minimum, ctx.language)))
    if maximum is not None and value > maximum:
        raise Refused(range_message or ctx.say(
            "The largest allowed value is %(max)s.",
            max=numbers.input_text(maximum, ctx.language)))
    return int(value) if integer else value


def _apply(reading: Reading, inputs: Mapping[str, Any], input_name: str,
           read: Callable[[Any], Any], store: Callable[[Any], None]) -> None:
    """If the input is present, read it and store the result, or record why it was refused."""
    if input_name not in inputs:
        return
    try:
        value = read(inputs[input_name])
    except Refused as exc:
        reading.refuse(input_name, str(exc))
        return
    store(value)


def unknown_choice(ctx: Context) -> str:
    return ctx.say("That choice is not on the list. Pick one of the options shown.")


def blank(value: Any) -> bool:
    """Whether an answer says nothing: missing, only spaces, or an empty list or table."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | dict):
        return len(value) == 0
    return False


def _number_text(value: Any, f: Field, ctx: Context) -> str:
    if value is None:
        return ""
    unit = f.unit.get(ctx.language) if f.unit else ""
    return f"{numbers.decimal(value, 2, ctx.language)} {unit}".strip()


# --- the registry ----------------------------------------------------------------------------

TYPES: dict[str, FieldType] = {}


def register(type_name: str, *, template: str | None = None, **options: Any
             ) -> Callable[[type[FieldType]], type[FieldType]]:
    """Class decorator: make a field type available in worksheet YAML as `type: <name>`."""
    def add(cls: type[FieldType]) -> type[FieldType]:
        TYPES[type_name] = cls(type_name, template or type_name, **options)
        return cls
    return add


def type_of(f: Field) -> FieldType:
    return TYPES[f.type]


class FieldType:
    """The behaviour every field type provides; subclasses override what differs."""

    choice_like: ClassVar[bool] = False  # needs a catalogue or options
    default_max_length: ClassVar[int] = 0
    free_text: ClassVar[bool] = False  # the student writes: sentence starters, a model answer
    asks_for_numbers: ClassVar[bool] = False  # needs help to estimate (`estimate:`)

    def __init__(self, type_name: str, template: str) -> None:
        self.name, self.template = type_name, template

    def declare(self, f: Field, fail: Callable[[str, str], Exception]) -> None:
        """Check what the YAML declares for this type; raise `fail(key, problem)`."""
        if self.choice_like and not (f.catalogue or f.options):
            raise fail("", f"a {self.name} field needs a catalogue or options")

    def inputs(self, f: Field, ctx: Context) -> list[Input]:
        """Every input the editor shows for the field."""
        return [Input(f.id, "text")]

    def read(self, f: Field, stored: Any, inputs: Mapping[str, Any], ctx: Context) -> Reading:
        """The stored answer with the present inputs applied."""
        raise NotImplementedError

    def clean(self, f: Field, value: Any, ctx: Context) -> Any:
        """A value from storage or an import, checked; raises AnswerError."""
        raise NotImplementedError

    def shown(self, f: Field, value: Any, ctx: Context) -> dict[str, Any]:
        """Input name -> what the input shows for the stored answer (text or true/false)."""
        return {}

    def answered(self, f: Field, value: Any) -> bool:
        return not blank(value)

    def summary(self, f: Field, value: Any, ctx: Context) -> dict[str, str]:
        """Facts the worksheet's summary template may use, as display text."""
        return {}

    def report(self, f: Field, value: Any, ctx: Context) -> dict[str, Any]:
        """What the report partial needs; `empty` when there is nothing to show."""
        return {"empty": not self.answered(f, value)}

    def lines(self, f: Field, value: Any, ctx: Context) -> list[Line]:
        """The answer as lines of plain text, for comparing two versions of it."""
        return []


def empty_answers(inputs: list[Input]) -> dict[str, Any]:
    """What a form post means by leaving inputs out: unticked boxes, no radio chosen."""
    return {i.name: False if i.kind == "checkbox" else "" for i in inputs
            if i.kind in ("checkbox", "radio")}


def diff(a: list[Line], b: list[Line]) -> list[tuple[str, str, str]]:
    """(label, before, after) for every line that differs between two versions."""
    before = {line.key: line for line in a}
    after = {line.key: line for line in b}
    keys = [line.key for line in a] + [line.key for line in b if line.key not in before]
    out = []
    for key in keys:
        x, y = before.get(key), after.get(key)
        if (x.text if x else "") != (y.text if y else ""):
            out.append(((x or y).label, x.text if x else "", y.text if y else ""))
    return out


# --- the types -------------------------------------------------------------------------------

@register("short_text", template="text", rows=0)
@register("long_text", template="text", rows=4)
class TextType(FieldType):
    """Free text with a length limit; long text is a textarea."""

    free_text = True

    def __init__(self, type_name: str, template: str, rows: int) -> None:
        super().__init__(type_name, template)
        self.long = bool(rows)

    @property
    def default_max_length(self) -> int:  # type: ignore[override]
        return 4000 if self.long else 200

    def inputs(self, f: Field, ctx: Context) -> list[Input]:
        return [Input(f.id, "textarea" if self.long else "text")]

    def read(self, f: Field, stored: Any, inputs: Mapping[str, Any], ctx: Context) -> Reading:
        reading = Reading(stored)
        _apply(reading, inputs, f.id, lambda raw: read_text(raw, ctx, f.max_length),
               lambda value: setattr(reading, "value", value))
        return reading

    def clean(self, f: Field, value: Any, ctx: Context) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise AnswerError("expected text")
        if len(value) > f.max_length:
            raise AnswerError(f"longer than {f.max_length} characters")
        return value

    def shown(self, f: Field, value: Any, ctx: Context) -> dict[str, Any]:
        return {f.id: value if isinstance(value, str) else ""}

    def summary(self, f: Field, value: Any, ctx: Context) -> dict[str, str]:
        return {f.id: value.strip()} if isinstance(value, str) else {}

    def report(self, f: Field, value: Any, ctx: Context) -> dict[str, Any]:
        text = value.strip() if isinstance(value, str) else ""
        return {"empty": not text, "text": text}

    def lines(self, f: Field, value: Any, ctx: Context) -> list[Line]:
        return [Line(f.id, ctx.label(f), value if isinstance(value, str) else "")]


@register("number")
class NumberType(FieldType):
    """A number, typed the way the canvas's language writes numbers."""

    asks_for_numbers = True

    def inputs(self, f: Field, ctx: Context) -> list[Input]:
        return [Input(f.id, "number")]

    def read(self, f: Field, stored: Any, inputs: Mapping[str, Any], ctx: Context) -> Reading:
        reading = Reading(stored)
        _apply(reading, inputs, f.id,
               lambda raw: read_number(raw, ctx, f.minimum, f.maximum, f.integer),
               lambda value: setattr(reading, "value", value))
        return reading

    def clean(self, f: Field, value: Any, ctx: Context) -> Any:
        return clean_number(value, f.minimum, f.maximum, f.integer)

    def shown(self, f: Field, value: Any, ctx: Context) -> dict[str, Any]:
        return {f.id: "" if value is None else numbers.input_text(float(value), ctx.language)}

    def answered(self, f: Field, value: Any) -> bool:
        return value is not None

    def summary(self, f: Field, value: Any, ctx: Context) -> dict[str, str]:
        return {} if value is None else {f.id: numbers.whole(value)}

    def report(self, f: Field, value: Any, ctx: Context) -> dict[str, Any]:
        return {"empty": value is None, "text": _number_text(value, f, ctx), "group": "numbers"}

    def lines(self, f: Field, value: Any, ctx: Context) -> list[Line]:
        return [Line(f.id, ctx.label(f), _number_text(value, f, ctx))]


def clean_number(value: Any, minimum: float | None, maximum: float | None,
                 integer: bool) -> int | float | None:
    """A stored number checked against its field's rules; raises AnswerError."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not math.isfinite(value) or abs(value) >= MAX_NUMBER:
        raise AnswerError(f"expected a number, got {value!r}")
    if integer and not float(value).is_integer():
        raise AnswerError(f"expected a whole number, got {value!r}")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise AnswerError(f"{value!r} is out of range")
    return int(value) if integer else value


@register("single_choice")
class SingleChoiceType(FieldType):
    """One option, as radio buttons."""

    choice_like = True

    def inputs(self, f: Field, ctx: Context) -> list[Input]:
        return [Input(f.id, "radio", choices=tuple((o.id, o.label) for o in ctx.options(f)))]

    def read(self, f: Field, stored: Any, inputs: Mapping[str, Any], ctx: Context) -> Reading:
        valid = {o.id for o in ctx.options(f)}

        def choose(raw: Any) -> str | None:
            if raw is None or raw == "":
                return None
            if raw not in valid:
                raise Refused(unknown_choice(ctx))
            return raw

        reading = Reading(stored)
        _apply(reading, inputs, f.id, choose, lambda value: setattr(reading, "value", value))
        return reading

    def clean(self, f: Field, value: Any, ctx: Context) -> Any:
        if value is None or value in {o.id for o in ctx.options(f)}:
            return value
        raise AnswerError(f"unknown option {value!r}")

    def shown(self, f: Field, value: Any, ctx: Context) -> dict[str, Any]:
        return {f.id: value or ""}

    def summary(self, f: Field, value: Any, ctx: Context) -> dict[str, str]:
        name_ = option_names(f, ctx.library, ctx.language).get(value) if value else None
        return {f.id: name_.lower()} if name_ else {}

    def report(self, f: Field, value: Any, ctx: Context) -> dict[str, Any]:
        names = option_names(f, ctx.library, ctx.language)
        return {"empty": not value, "text": names.get(value, value or "")}

    def lines(self, f: Field, value: Any, ctx: Context) -> list[Line]:
        names = option_names(f, ctx.library, ctx.language)
        return [Line(f.id, ctx.label(f), names.get(value, value or ""))]


def option_inputs(f: Field, ctx: Context) -> list[Input]:
    """A box per option, each with its detail texts."""
    out = []
    for o in ctx.options(f):
        out.append(Input(name(f.id, o.id), "checkbox", o.label))
        out += [Input(name(f.id, o.id, d.id), "textarea", d.label.get(ctx.language))
                for d in f.details]
    return out


def _details(f: Field, entry: Mapping[str, Any]) -> dict[str, str]:
    return {d.id: entry.get(d.id, "") if isinstance(entry.get(d.id), str) else ""
            for d in f.details}


def _clean_details(f: Field, entry: Mapping[str, Any]) -> dict[str, str]:
    out = {}
    for d in f.details:
        text = entry.get(d.id, "")
        if not isinstance(text, str) or len(text) > d.max_length:
            raise AnswerError(f"{d.id}: expected text of at most {d.max_length} characters")
        out[d.id] = text
    return out


@register("multi_choice", template="choices")
class MultiChoiceType(FieldType):
    """Several options as checkboxes, each chosen one with its detail texts (why, how...).

    Stored as a list of {"id", detail...} in the order of the options."""

    choice_like = True

    def inputs(self, f: Field, ctx: Context) -> list[Input]:
        return option_inputs(f, ctx)

    def read(self, f: Field, stored: Any, inputs: Mapping[str, Any], ctx: Context) -> Reading:
        chosen = {e["id"]: dict(e) for e in stored or [] if isinstance(e, Mapping) and "id" in e}
        reading = Reading(stored)
        for o in ctx.options(f):
            _apply(reading, inputs, name(f.id, o.id), lambda raw: read_flag(raw, ctx),
                   lambda on, oid=o.id: chosen.setdefault(oid, {"id": oid, **{
                       d.id: "" for d in f.details}}) if on else chosen.pop(oid, None))
            for d in f.details:
                _apply(reading, inputs, name(f.id, o.id, d.id),
                       lambda raw, d=d: read_text(raw, ctx, d.max_length),
                       lambda text, oid=o.id, did=d.id: chosen[oid].__setitem__(did, text)
                       if oid in chosen else None)
        reading.value = [{"id": o.id, **_details(f, chosen[o.id])} for o in ctx.options(f)
                         if o.id in chosen]
        return reading

    def clean(self, f: Field, value: Any, ctx: Context) -> Any:
        if value is None:
            return []
        if not isinstance(value, list):
            raise AnswerError("expected a list of chosen options")
        valid = {o.id for o in ctx.options(f)}
        out, seen = [], set()
        for entry in value:
            if not isinstance(entry, Mapping) or entry.get("id") not in valid \
                    or entry["id"] in seen:
                raise AnswerError(f"unknown or repeated option {entry!r}"[:120])
            seen.add(entry["id"])
            out.append({"id": entry["id"], **_clean_details(f, entry)})
        return out

    def shown(self, f: Field, value: Any, ctx: Context) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for entry in value or []:
            out[name(f.id, entry["id"])] = True
            for d in f.details:
                out[name(f.id, entry["id"], d.id)] = entry.get(d.id, "")
        return out

    def summary(self, f: Field, value: Any, ctx: Context) -> dict[str, str]:
        names = option_names(f, ctx.library, ctx.language)
        chosen = [names.get(e["id"], e["id"]).lower() for e in value or []]
        return {f.id: join_names(chosen, ctx.language)} if chosen else {}

    def report(self, f: Field, value: Any, ctx: Context) -> dict[str, Any]:
        names = option_names(f, ctx.library, ctx.language)
        rows = [{"name": names.get(e["id"], e["id"]),
                 "details": [(d.label.get(ctx.language), (e.get(d.id) or "").strip())
                             for d in f.details]} for e in value or []]
        out: dict[str, Any] = {"empty": not rows, "rows": rows,
                               "ids": [e["id"] for e in value or []]}
        if feeding_ladder(f, ctx) is not None:
            # Tactics a ladder maps: one table for the step, with where each moves people.
            out.update(group="tactics", columns=[d.label.get(ctx.language) for d in f.details])
        return out

    def lines(self, f: Field, value: Any, ctx: Context) -> list[Line]:
        names = option_names(f, ctx.library, ctx.language)
        label = ctx.label(f)
        out = [Line(f.id, label, ", ".join(names.get(e["id"], e["id"]) for e in value or []))]
        for e in value or []:
            option = names.get(e["id"], e["id"])
            out += [Line(name(f.id, e["id"], d.id), f"{label}: {option}, "
                         f"{d.label.get(ctx.language)}", e.get(d.id) or "") for d in f.details]
        return out


@register("checklist")
class ChecklistType(FieldType):
    """Every option is a check to tick, with detail texts (how it is verified...).

    Stored as {option id: {"done": bool, detail...}} for every option."""

    choice_like = True

    def inputs(self, f: Field, ctx: Context) -> list[Input]:
        return option_inputs(f, ctx)

    def read(self, f: Field, stored: Any, inputs: Mapping[str, Any], ctx: Context) -> Reading:
        stored = stored if isinstance(stored, Mapping) else {}
        checks = {o.id: {"done": bool((stored.get(o.id) or {}).get("done")),
                         **_details(f, stored.get(o.id) or {})} for o in ctx.options(f)}
        reading = Reading(stored)
        for o in ctx.options(f):
            _apply(reading, inputs, name(f.id, o.id), lambda raw: read_flag(raw, ctx),
                   lambda on, oid=o.id: checks[oid].__setitem__("done", on))
            for d in f.details:
                _apply(reading, inputs, name(f.id, o.id, d.id),
                       lambda raw, d=d: read_text(raw, ctx, d.max_length),
                       lambda text, oid=o.id, did=d.id: checks[oid].__setitem__(did, text))
        reading.value = checks
        return reading

    def clean(self, f: Field, value: Any, ctx: Context) -> Any:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise AnswerError("expected checks by option")
        valid = {o.id for o in ctx.options(f)}
        out = {}
        for oid, entry in value.items():
            if oid not in valid or not isinstance(entry, Mapping) \
                    or not isinstance(entry.get("done", False), bool):
                raise AnswerError(f"unknown option or bad check {oid!r}")
            out[oid] = {"done": entry.get("done", False), **_clean_details(f, entry)}
        return out

    def shown(self, f: Field, value: Any, ctx: Context) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for oid, entry in (value or {}).items():
            out[name(f.id, oid)] = bool(entry.get("done"))
            for d in f.details:
                out[name(f.id, oid, d.id)] = entry.get(d.id, "")
        return out

    def answered(self, f: Field, value: Any) -> bool:
        return any(e.get("done") for e in (value or {}).values())

    def report(self, f: Field, value: Any, ctx: Context) -> dict[str, Any]:
        value = value or {}
        rows = [{"name": o.text, "done": bool((value.get(o.id) or {}).get("done")),
                 "details": [((value.get(o.id) or {}).get(d.id) or "").strip()
                             for d in f.details]} for o in ctx.options(f)]
        return {"empty": not any(r["done"] or any(r["details"]) for r in rows), "rows": rows,
                "columns": [d.label.get(ctx.language) for d in f.details]}

    def lines(self, f: Field, value: Any, ctx: Context) -> list[Line]:
        label = ctx.label(f)
        out = []
        for o in ctx.options(f):
            entry = (value or {}).get(o.id) or {}
            out.append(Line(name(f.id, o.id), f"{label}: {o.text}",
                            "✓" if entry.get("done") else ""))
            out += [Line(name(f.id, o.id, d.id), f"{label}: {o.text}, {d.label.get(ctx.language)}",
                         entry.get(d.id) or "") for d in f.details]
        return out


@register("weights")
class WeightsType(FieldType):
    """Points shared out between the options (0 to 100 each unless the YAML says otherwise).

    Stored as {option id: whole number or null} for every option."""

    choice_like = True

    def _bounds(self, f: Field) -> tuple[float, float]:
        return (f.minimum if f.minimum is not None else 0,
                f.maximum if f.maximum is not None else 100)

    def inputs(self, f: Field, ctx: Context) -> list[Input]:
        return [Input(name(f.id, o.id), "number", o.label) for o in ctx.options(f)]

    def read(self, f: Field, stored: Any, inputs: Mapping[str, Any], ctx: Context) -> Reading:
        stored = stored if isinstance(stored, Mapping) else {}
        low, high = self._bounds(f)
        weights = {o.id: stored.get(o.id) for o in ctx.options(f)}
        reading = Reading(stored)
        for o in ctx.options(f):
            _apply(reading, inputs, name(f.id, o.id),
                   lambda raw: read_number(raw, ctx, low, high, True),
                   lambda value, oid=o.id: weights.__setitem__(oid, value))
        reading.value = weights
        return reading

    def clean(self, f: Field, value: Any, ctx: Context) -> Any:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise AnswerError("expected points by option")
        valid = {o.id for o in ctx.options(f)}
        low, high = self._bounds(f)
        if set(value) - valid:
            raise AnswerError(f"unknown options {sorted(set(value) - valid)!r}"[:120])
        return {oid: clean_number(v, low, high, True) for oid, v in value.items()}

    def shown(self, f: Field, value: Any, ctx: Context) -> dict[str, Any]:
        return {name(f.id, oid): "" if v is None else numbers.input_text(v, ctx.language)
                for oid, v in (value or {}).items()}

    def answered(self, f: Field, value: Any) -> bool:
        return any(v is not None for v in (value or {}).values())

    def summary(self, f: Field, value: Any, ctx: Context) -> dict[str, str]:
        ranked = sorted(((v, k) for k, v in (value or {}).items() if v), reverse=True)
        if not ranked:
            return {}
        text = option_names(f, ctx.library, ctx.language).get(ranked[0][1], ranked[0][1])
        return {f"{f.id}_top": text[:1].lower() + text[1:]}

    def report(self, f: Field, value: Any, ctx: Context) -> dict[str, Any]:
        names = option_names(f, ctx.library, ctx.language)
        rows = [{"name": names.get(oid, oid), "value": v}
                for oid, v in (value or {}).items() if v is not None]
        return {"empty": not rows, "rows": rows}

    def lines(self, f: Field, value: Any, ctx: Context) -> list[Line]:
        label = ctx.label(f)
        return [Line(name(f.id, o.id), f"{label}: {o.text}",
                     "" if (value or {}).get(o.id) is None else str((value or {})[o.id]))
                for o in ctx.options(f)]


@register("ladder")
class LadderType(FieldType):
    """A customer ladder: which ladder, how many people on each rung, a conversion goal per
    step (on the rung people leave), and which step each chosen tactic moves people up.

    Stored as {"ladder": id, "tactics": {tactic: "ladder:rung"}, <ladder id>: {"counts":
    {rung: n}, "goals": {rung: percent}}} for every ladder offered."""

    asks_for_numbers = True

    def declare(self, f: Field, fail: Callable[[str, str], Exception]) -> None:
        if not f.ladders:
            raise fail("ladders", "a ladder field names the ladders it offers")

    def _steps(self, f: Field, ctx: Context) -> dict[str, str]:
        """"ladder:rung" -> the step's name, for every step of every offered ladder."""
        out = {}
        for lid in f.ladders:
            for low, high in ladder_steps(ctx.library, ctx.language, lid):
                out[f"{lid}:{low.id}"] = Markup(f"{low.name} → {high.name}").striptags()
        return out

    def _tactic_choices(self, f: Field, ctx: Context, chosen_ladder: Any
                        ) -> tuple[tuple[str, str], ...]:
        choices = [("", ctx.say("Not mapped yet"))]
        for lid in f.ladders:
            # The chosen ladder's steps; before a choice, both ladders' steps, named.
            if chosen_ladder in (None, lid) or chosen_ladder not in f.ladders:
                page = ctx.library.page(ctx.language, lid)
                prefix = "" if chosen_ladder == lid else f"{page.title if page else lid}: "
                for low, high in ladder_steps(ctx.library, ctx.language, lid):
                    choices.append((f"{lid}:{low.id}", Markup(
                        f"{prefix}{low.name} → {high.name}").striptags()))
        return tuple(choices)

    def inputs(self, f: Field, ctx: Context) -> list[Input]:
        value = ctx.answers.get(f.id) or {}
        chosen_ladder = value.get("ladder") if isinstance(value, Mapping) else None
        ladders = tuple((lid, ctx.library.page(ctx.language, lid).title) for lid in f.ladders
                        if ctx.library.page(ctx.language, lid))
        out = [Input(name(f.id, "ladder"), "radio", ctx.label(f), ladders)]
        for lid in f.ladders:
            rungs = ctx.library.catalogue(ctx.language, lid)
            out += [Input(name(f.id, lid, "count", r.id), "number",
                          Markup(r.name).striptags()) for r in rungs]
            out += [Input(name(f.id, lid, "goal", low.id), "number",
                          Markup(f"{low.name} → {high.name}").striptags())
                    for low, high in ladder_steps(ctx.library, ctx.language, lid)]
        names = tactic_names(ctx.definition, f, ctx.library, ctx.language)
        choices = self._tactic_choices(f, ctx, chosen_ladder)
        out += [Input(name(f.id, "tactic", tactic), "select", names.get(tactic, tactic), choices)
                for tactic in chosen_tactics(f.tactics_from, ctx.answers)]
        return out

    def _empty(self, f: Field, ctx: Context) -> dict[str, Any]:
        value: dict[str, Any] = {"ladder": None, "tactics": {}}
        for lid in f.ladders:
            rungs = ctx.library.catalogue(ctx.language, lid)
            value[lid] = {"counts": {r.id: None for r in rungs},
                          "goals": {r.id: None for r in rungs[:-1]}}
        return value

    def read(self, f: Field, stored: Any, inputs: Mapping[str, Any], ctx: Context) -> Reading:
        value = self._empty(f, ctx)
        old = stored if isinstance(stored, Mapping) else {}
        value["ladder"] = old.get("ladder") if old.get("ladder") in f.ladders else None
        value["tactics"] = dict(old.get("tactics") or {})
        for lid in f.ladders:
            part = old.get(lid) or {}
            for kind in ("counts", "goals"):
                for rung in value[lid][kind]:
                    value[lid][kind][rung] = (part.get(kind) or {}).get(rung)
        reading = Reading(value)

        def pick_ladder(raw: Any) -> str | None:
            if raw in (None, ""):
                return None
            if raw not in f.ladders:
                raise Refused(unknown_choice(ctx))
            return raw

        _apply(reading, inputs, name(f.id, "ladder"), pick_ladder,
               lambda lid: value.__setitem__("ladder", lid))
        goal_range = ctx.say("A conversion goal is a percentage between 0 and 100.")
        for lid in f.ladders:
            for rung in value[lid]["counts"]:
                _apply(reading, inputs, name(f.id, lid, "count", rung),
                       lambda raw: read_number(raw, ctx, 0, None, True),
                       lambda n, lid=lid, rung=rung: value[lid]["counts"].__setitem__(rung, n))
            for rung in value[lid]["goals"]:
                _apply(reading, inputs, name(f.id, lid, "goal", rung),
                       lambda raw: read_number(raw, ctx, 0, 100, False, goal_range),
                       lambda n, lid=lid, rung=rung: value[lid]["goals"].__setitem__(rung, n))
        steps = self._steps(f, ctx)
        tactics = chosen_tactics(f.tactics_from, ctx.answers)

        def place(raw: Any) -> str | None:
            if raw in (None, ""):
                return None
            if raw not in steps:
                raise Refused(unknown_choice(ctx))
            return raw

        for tactic in tactics:
            _apply(reading, inputs, name(f.id, "tactic", tactic), place,
                   lambda where, t=tactic: value["tactics"].__setitem__(t, where))
        return reading

    def clean(self, f: Field, value: Any, ctx: Context) -> Any:
        if value is None:
            return self._empty(f, ctx)
        if not isinstance(value, Mapping):
            raise AnswerError("expected a ladder answer")
        out = self._empty(f, ctx)
        if value.get("ladder") not in (None, *f.ladders):
            raise AnswerError(f"unknown ladder {value.get('ladder')!r}")
        out["ladder"] = value.get("ladder")
        steps = self._steps(f, ctx)
        tactics = value.get("tactics") or {}
        if not isinstance(tactics, Mapping) or any(
                not isinstance(t, str) or w not in (None, *steps) for t, w in tactics.items()):
            raise AnswerError("tactics: expected tactic -> ladder step")
        out["tactics"] = dict(tactics)
        for lid in f.ladders:
            part = value.get(lid) or {}
            if not isinstance(part, Mapping):
                raise AnswerError(f"{lid}: expected counts and goals")
            for kind, bounds in (("counts", (0, None, True)), ("goals", (0, 100, False))):
                given = part.get(kind) or {}
                if not isinstance(given, Mapping) or set(given) - set(out[lid][kind]):
                    raise AnswerError(f"{lid}.{kind}: unknown rungs")
                for rung, n in given.items():
                    out[lid][kind][rung] = clean_number(n, *bounds)
        return out

    def shown(self, f: Field, value: Any, ctx: Context) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            return {}
        out: dict[str, Any] = {name(f.id, "ladder"): value.get("ladder") or ""}
        for lid in f.ladders:
            part = value.get(lid) or {}
            for kind, key in (("counts", "count"), ("goals", "goal")):
                for rung, n in (part.get(kind) or {}).items():
                    out[name(f.id, lid, key, rung)] = "" if n is None else \
                        numbers.input_text(float(n), ctx.language)
        for tactic, where in (value.get("tactics") or {}).items():
            out[name(f.id, "tactic", tactic)] = where or ""
        return out

    def answered(self, f: Field, value: Any) -> bool:
        return bool((value or {}).get("ladder"))

    def summary(self, f: Field, value: Any, ctx: Context) -> dict[str, str]:
        ladder_id, result = ladder_of(f, ctx.answers, ctx.library, ctx.language)
        if result is None:
            return {}
        page = ctx.library.page(ctx.language, ladder_id)
        title = page.title if page else ladder_id
        top = ctx.library.catalogue(ctx.language, ladder_id)[-1]
        # Used mid-sentence: "On the customer ladder", "På kundestigen".
        out = {f"{f.id}_name": title[:1].lower() + title[1:],
               f"{f.id}_top_rung": Markup(top.name).striptags().lower()}
        if result.expected_top is not None:
            out[f"{f.id}_expected_top"] = numbers.whole(result.expected_top)
        return out

    def report(self, f: Field, value: Any, ctx: Context) -> dict[str, Any]:
        ladder_id, result = ladder_of(f, {f.id: value}, ctx.library, ctx.language)
        if result is None:
            return {"empty": True}
        page = ctx.library.page(ctx.language, ladder_id)
        names = {r.id: Markup(r.name).striptags() for r in ctx.library.catalogue(
            ctx.language, ladder_id)}
        return {"empty": False, "ladder_id": ladder_id, "title": page.title if page else ladder_id,
                "names": names, "result": result,
                "rows": [{"name": names.get(r, r), "count": c}
                         for r, c in zip(result.rungs, result.counts, strict=False)],
                "steps": [{"name": f"{names.get(s.from_rung)} → {names.get(s.to_rung)}",
                           "step": s} for s in result.steps]}

    def lines(self, f: Field, value: Any, ctx: Context) -> list[Line]:
        value = value if isinstance(value, Mapping) else {}
        label = ctx.label(f)
        chosen = value.get("ladder")
        page = ctx.library.page(ctx.language, chosen) if chosen else None
        out = [Line(name(f.id, "ladder"), label, page.title if page else "")]
        for lid in f.ladders:
            part = value.get(lid) or {}
            for r in ctx.library.catalogue(ctx.language, lid):
                n = (part.get("counts") or {}).get(r.id)
                out.append(Line(name(f.id, lid, "count", r.id), Markup(r.name).striptags(),
                                "" if n is None else numbers.whole(n)))
                g = (part.get("goals") or {}).get(r.id)
                if g is not None:
                    out.append(Line(name(f.id, lid, "goal", r.id),
                                    f"{Markup(r.name).striptags()} %", numbers.decimal(
                                        g, 1, ctx.language)))
        steps = self._steps(f, ctx)
        names = tactic_names(ctx.definition, f, ctx.library, ctx.language)
        for tactic, where in (value.get("tactics") or {}).items():
            out.append(Line(name(f.id, "tactic", tactic), names.get(tactic, tactic),
                            steps.get(where or "", "")))
        return out


# --- what the types share with the report and the feed ---------------------------------------

def feeding_ladder(f: Field, ctx: Context) -> Field | None:
    """The ladder field that maps the tactics chosen in `f`, if any."""
    if ctx.definition is None:
        return None
    return next((g for _, g in ctx.definition.all_fields()
                 if g.type == "ladder" and f.id in g.tactics_from), None)


def join_names(names: list[str], language: str) -> str:
    """'a, b and c' in the content language (the summary is content, not interface)."""
    if len(names) <= 1:
        return "".join(names)
    word = gettext_in(language, "and")
    return f"{', '.join(names[:-1])} {word} {names[-1]}"
