"""Build a WTForms form for one worksheet step from its definition, and map answers.

Fields are flattened into form inputs named `field`, `field__option` and
`field__option__detail`; the same names are used by the plain form post and by the JSON
autosave, so both go through one set of validators.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from wtforms import BooleanField, Form, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from ..content.loader import Item, Library
from ..formkit import choices
from ..numbers import input_text, parse_number
from .definition import Field, Step
from .messages import message

SEP = "__"


def name(*parts: str) -> str:
    """The flat input name for a field part."""
    return SEP.join(parts)


class NumberInput(StringField):
    """A number typed as text: keeps exactly what was typed when it is not valid."""

    def __init__(self, *args: Any, language: str = "en", minimum: float | None = None,
                 maximum: float | None = None, integer: bool = False,
                 range_message: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language, self.minimum, self.maximum = language, minimum, maximum
        self.integer, self.range_message = integer, range_message
        self.number: float | None = None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None or self.data == "":
            return ""
        return input_text(float(self.data), self.language)

    def pre_validate(self, form: Form) -> None:
        raw = self.data if isinstance(self.data, str) else (
            "" if self.data is None else str(self.data))
        self.number = None
        if not raw.strip():
            return
        try:
            value = parse_number(raw, self.language)
        except ValueError:
            raise ValidationError(message("not_number", self.language, value=raw[:40])) from None
        if self.integer and not value.is_integer():
            raise ValidationError(message("not_whole", self.language))
        if self.minimum is not None and value < self.minimum:
            raise ValidationError(self.range_message or message(
                "below_min", self.language, min=input_text(self.minimum, self.language)))
        if self.maximum is not None and value > self.maximum:
            raise ValidationError(self.range_message or message(
                "above_max", self.language, max=input_text(self.maximum, self.language)))
        self.number = int(value) if self.integer else value


class LimitedText(StringField):
    """Text with a length limit whose message keeps the typed text and states the numbers."""

    def __init__(self, *args: Any, language: str = "en", max_length: int = 200, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.language, self.max_length = language, max_length

    def process_formdata(self, valuelist: list[str]) -> None:
        # Browsers post textarea line breaks as CRLF; the autosave sends LF. One form, one
        # count: store and measure LF only.
        super().process_formdata(valuelist)
        if isinstance(self.data, str):
            self.data = self.data.replace("\r\n", "\n")

    def pre_validate(self, form: Form) -> None:
        text = self.data or ""
        if len(text) > self.max_length:
            raise ValidationError(message("too_long", self.language, length=len(text),
                                          max=self.max_length))


class LimitedTextArea(TextAreaField, LimitedText):
    """A long text with the same limit behaviour."""


@dataclass(frozen=True)
class Option:
    id: str
    label: Markup
    item: Item | None


def options_for(field: Field, library: Library, language: str) -> list[Option]:
    """The choices of a choice-like field, from its catalogue or its fixed options."""
    if field.catalogue:
        items = library.catalogue(language, field.catalogue)
        if field.only:
            items = tuple(i for i in items if i.id in field.only)
        return [Option(i.id, Markup(i.name), i) for i in items]
    return [Option(oid, Markup.escape(text.get(language)), None) for oid, text in field.options]


def ladder_steps(library: Library, language: str, ladder_id: str) -> list[tuple[Item, Item]]:
    """Pairs of (lower rung, upper rung) of a ladder, bottom first."""
    rungs = library.catalogue(language, ladder_id)
    return list(zip(rungs, rungs[1:], strict=False))


def chosen_tactics(step_fields: tuple[str, ...], answers: dict[str, Any]) -> list[str]:
    """Ids of the tactics chosen in the fields a ladder maps from, in order, without repeats."""
    out: list[str] = []
    for field_id in step_fields:
        for entry in answers.get(field_id) or []:
            if isinstance(entry, dict) and entry.get("id") not in out:
                out.append(entry["id"])
    return out


def build_form_class(step: Step, library: Library, language: str, answers: dict[str, Any],
                     base: type[Form] = Form) -> type[Form]:
    """A form class with one flat input per field part of the step."""
    attrs: dict[str, Any] = {}

    def text_input(flat: str, label: str, max_length: int, long: bool = False) -> None:
        cls = LimitedTextArea if long else LimitedText
        attrs[flat] = cls(label, language=language, max_length=max_length)

    for f in step.fields:
        label = f.label.get(language)
        if f.type in ("short_text", "long_text"):
            text_input(f.id, label, f.max_length, long=f.type == "long_text")
        elif f.type == "number":
            attrs[f.id] = NumberInput(label, language=language, minimum=f.minimum,
                                      maximum=f.maximum, integer=f.integer)
        elif f.type == "single_choice":
            attrs[f.id] = RadioField(label, validate_choice=False, choices=choices(
                (o.id, o.label) for o in options_for(f, library, language)))
        elif f.type in ("multi_choice", "checklist"):
            for o in options_for(f, library, language):
                attrs[name(f.id, o.id)] = BooleanField(o.label)
                for d in f.details:
                    text_input(name(f.id, o.id, d.id), d.label.get(language), d.max_length,
                               long=True)
        elif f.type == "weights":
            for o in options_for(f, library, language):
                attrs[name(f.id, o.id)] = NumberInput(
                    o.label, language=language, minimum=f.minimum if f.minimum is not None else 0,
                    maximum=f.maximum if f.maximum is not None else 100, integer=True)
        elif f.type == "ladder":
            ladder_choices = [(lid, library.page(language, lid).title)
                              for lid in f.ladders if library.page(language, lid)]
            attrs[name(f.id, "ladder")] = RadioField(label, choices=choices(ladder_choices),
                                                     validate_choice=False)
            step_choices = [("", message("no_step", language))]
            chosen_ladder = (answers.get(f.id) or {}).get("ladder")
            for lid in f.ladders:
                for rung in library.catalogue(language, lid):
                    attrs[name(f.id, lid, "count", rung.id)] = NumberInput(
                        rung.name, language=language, minimum=0, integer=True)
                for low, high in ladder_steps(library, language, lid):
                    attrs[name(f.id, lid, "goal", low.id)] = NumberInput(
                        f"{low.name} → {high.name}", language=language, minimum=0, maximum=100,
                        range_message=message("goal_range", language))
                    # Offer the chosen ladder's steps (both ladders, named, before a choice).
                    if chosen_ladder in (None, lid) or chosen_ladder not in f.ladders:
                        title = library.page(language, lid).title
                        prefix = "" if chosen_ladder == lid else f"{title}: "
                        text = Markup(f"{prefix}{low.name} → {high.name}").striptags()
                        step_choices.append((f"{lid}:{low.id}", text))
            for tactic in chosen_tactics(f.tactics_from, answers):
                item = _find_tactic(library, language, tactic)
                attrs[name(f.id, "tactic", tactic)] = SelectField(
                    Markup(item.name) if item else tactic, choices=choices(step_choices),
                    validate_choice=False)
    form_class = type(f"{step.id.title().replace('-', '')}StepForm", (base,), attrs)
    form_class.step_definition = step  # type: ignore[attr-defined]
    return form_class


def _find_tactic(library: Library, language: str, tactic_id: str) -> Item | None:
    for motivation in ("acquisition", "service", "retention", "upselling"):
        for item in library.catalogue(language, motivation):
            if item.id == tactic_id:
                return item
    return None


def formdata_from_answers(step: Step, answers: dict[str, Any]) -> dict[str, Any]:
    """Flat input values for the stored answers of a step (what `Form(data=...)` takes)."""
    data: dict[str, Any] = {}
    for f in step.fields:
        value = answers.get(f.id)
        if value is None:
            continue
        if f.type in ("short_text", "long_text", "number", "single_choice"):
            data[f.id] = value
        elif f.type == "multi_choice" and isinstance(value, list):
            for entry in value:
                if isinstance(entry, dict) and "id" in entry:
                    data[name(f.id, entry["id"])] = True
                    for d in f.details:
                        data[name(f.id, entry["id"], d.id)] = entry.get(d.id, "")
        elif f.type == "checklist" and isinstance(value, dict):
            for oid, entry in value.items():
                data[name(f.id, oid)] = bool(entry.get("done"))
                for d in f.details:
                    data[name(f.id, oid, d.id)] = entry.get(d.id, "")
        elif f.type == "weights" and isinstance(value, dict):
            for oid, weight in value.items():
                data[name(f.id, oid)] = weight
        elif f.type == "ladder" and isinstance(value, dict):
            data[name(f.id, "ladder")] = value.get("ladder")
            for lid in f.ladders:
                part = value.get(lid) or {}
                for rung, count in (part.get("counts") or {}).items():
                    data[name(f.id, lid, "count", rung)] = count
                for rung, goal in (part.get("goals") or {}).items():
                    data[name(f.id, lid, "goal", rung)] = goal
            for tactic, where in (value.get("tactics") or {}).items():
                data[name(f.id, "tactic", tactic)] = where
    return data


def _text(form: Form, flat: str) -> str:
    return (form[flat].data or "") if flat in form else ""


def _number(form: Form, flat: str) -> float | int | None:
    return form[flat].number if flat in form else None


def field_errors(step: Step, form: Form) -> dict[str, list[str]]:
    """Errors by step field id (a field is in error when any of its inputs is)."""
    out: dict[str, list[str]] = {}
    for flat, errs in form.errors.items():
        if errs and flat != "csrf_token":
            out.setdefault(flat.split(SEP)[0], []).extend(errs)
    return out


def answers_from_form(step: Step, form: Form, library: Library, language: str
                      ) -> dict[str, Any]:
    """Structured answers for every field of a validated step without errors.

    Fields whose inputs failed validation are left out, so the stored answer stays as it was.
    """
    bad = field_errors(step, form)
    answers: dict[str, Any] = {}
    for f in step.fields:
        if f.id in bad:
            continue
        if f.type in ("short_text", "long_text"):
            answers[f.id] = _text(form, f.id)
        elif f.type == "number":
            answers[f.id] = _number(form, f.id)
        elif f.type == "single_choice":
            valid = {o.id for o in options_for(f, library, language)}
            choice = form[f.id].data
            answers[f.id] = choice if choice in valid else None
        elif f.type == "multi_choice":
            chosen = []
            for o in options_for(f, library, language):
                if form[name(f.id, o.id)].data:
                    entry: dict[str, Any] = {"id": o.id}
                    for d in f.details:
                        entry[d.id] = _text(form, name(f.id, o.id, d.id))
                    chosen.append(entry)
            answers[f.id] = chosen
        elif f.type == "checklist":
            checks = {}
            for o in options_for(f, library, language):
                entry = {"done": bool(form[name(f.id, o.id)].data)}
                for d in f.details:
                    entry[d.id] = _text(form, name(f.id, o.id, d.id))
                checks[o.id] = entry
            answers[f.id] = checks
        elif f.type == "weights":
            answers[f.id] = {o.id: _number(form, name(f.id, o.id))
                             for o in options_for(f, library, language)}
        elif f.type == "ladder":
            chosen_ladder = form[name(f.id, "ladder")].data
            value: dict[str, Any] = {
                "ladder": chosen_ladder if chosen_ladder in f.ladders else None,
                "tactics": {},
            }
            for lid in f.ladders:
                rungs = library.catalogue(language, lid)
                value[lid] = {
                    "counts": {r.id: _number(form, name(f.id, lid, "count", r.id)) for r in rungs},
                    "goals": {r.id: _number(form, name(f.id, lid, "goal", r.id))
                              for r in rungs[:-1]},
                }
            valid_steps = {f"{lid}:{r.id}" for lid in f.ladders
                           for r in library.catalogue(language, lid)[:-1]}
            prefix = name(f.id, "tactic", "")
            for flat in form.data:
                if flat.startswith(prefix):
                    where = form[flat].data
                    value["tactics"][flat[len(prefix):]] = where if where in valid_steps else None
            answers[f.id] = value
    return answers


def validate_choices(step: Step, form: Form, library: Library, language: str) -> None:
    """Add a clear error to choice inputs whose value is not one of the options."""
    for f in step.fields:
        if f.type == "single_choice":
            valid = {o.id for o in options_for(f, library, language)}
            if form[f.id].data not in (None, "", *valid):
                form[f.id].errors = [*form[f.id].errors, message("unknown_choice", language)]
        elif f.type == "ladder":
            flat = name(f.id, "ladder")
            if form[flat].data not in (None, "", *f.ladders):
                form[flat].errors = [*form[flat].errors, message("unknown_choice", language)]
            valid_steps = {f"{lid}:{r.id}" for lid in f.ladders
                           for r in library.catalogue(language, lid)[:-1]}
            prefix = name(f.id, "tactic", "")
            for flat in list(form.data):
                if flat.startswith(prefix) and form[flat].data not in ("", None, *valid_steps):
                    form[flat].errors = [*form[flat].errors, message("unknown_choice", language)]


def validate_step(step: Step, form: Form, library: Library, language: str) -> bool:
    """Run WTForms validation plus the choice checks; True when nothing is wrong."""
    form.validate()
    validate_choices(step, form, library, language)
    return not field_errors(step, form)
