"""Forms of the classroom pages. Dates are typed in the app's time zone (Europe/Oslo) and
stored in UTC; `to_utc` and `to_local` convert."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
)
from wtforms.widgets import CheckboxInput, ListWidget

from .. import languages
from ..forms import choices
from .assignments import MAX_INSTRUCTIONS, MAX_TITLE
from .classes import MAX_NAME

DATE_FORMAT = "%Y-%m-%dT%H:%M"


def to_utc(local: datetime | None, zone: str) -> datetime | None:
    """A time typed in `zone` (a naive datetime from the form) as UTC."""
    if local is None:
        return None
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def to_local(moment: datetime | None, zone: str) -> datetime | None:
    """A stored time (UTC) as the form shows it: naive, in `zone`."""
    if moment is None:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None, second=0, microsecond=0)


class ClassForm(FlaskForm):
    name = StringField(_l("Name of the class"), validators=[DataRequired(),
                                                            Length(max=MAX_NAME)])
    language = SelectField(_l("Language the class works in"),
                           choices=choices(languages.pairs()))
    needs_approval = BooleanField(_l("A teacher lets in each student who joins with the code"))


class JoinForm(FlaskForm):
    code = StringField(_l("Class code"), validators=[DataRequired(), Length(max=40)])


class StudentForm(FlaskForm):
    name = StringField(_l("Student's name"), validators=[Length(max=120)])
    email = EmailField(_l("Student's e-mail"), validators=[
        DataRequired(), Email(check_deliverability=False), Length(max=254)])


class ImportForm(FlaskForm):
    file = FileField(_l("Roster file (CSV: name and e-mail on each line)"),
                     validators=[FileRequired(_l("Choose a CSV file."))])


class MoodleForm(FlaskForm):
    """Moodle's grading worksheet, to be given the released grades."""

    worksheet = FileField(_l("Moodle's grading worksheet (CSV)"),
                          validators=[FileRequired(_l("Choose the worksheet you downloaded "
                                                      "from Moodle."))])


class TeacherForm(FlaskForm):
    email = EmailField(_l("Co-teacher's e-mail"), validators=[
        DataRequired(), Email(check_deliverability=False), Length(max=254)])


KIND_CHOICES = (("worksheet", _l("A worksheet")), ("canvas", _l("The whole canvas")))


class AssignmentForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    kind = RadioField(_l("What the students work on"), choices=choices(KIND_CHOICES),
                      default="worksheet")
    definition = SelectField(_l("Worksheet"), validate_choice=False)
    instructions = TextAreaField(_l("Instructions (Markdown: **bold**, *italic*, lists, "
                                    "links)"), validators=[Length(max=MAX_INSTRUCTIONS)])
    # InputRequired, not DataRequired: a date that does not parse keeps its own message.
    opens_at = DateTimeLocalField(_l("Opens"), format=DATE_FORMAT,
                                  validators=[InputRequired()])
    due_at = DateTimeLocalField(_l("Due"), format=DATE_FORMAT, validators=[InputRequired()])
    closes_at = DateTimeLocalField(_l("Hard cut-off (optional: no first hand-in after it)"),
                                   format=DATE_FORMAT, validators=[Optional()])


class ExtensionForm(FlaskForm):
    student = SelectField(_l("Student"), coerce=int, validate_choice=True)
    due_at = DateTimeLocalField(_l("New due date (empty: take the extension away)"),
                                format=DATE_FORMAT, validators=[Optional()])
    closes_at = DateTimeLocalField(_l("New cut-off (optional)"), format=DATE_FORMAT,
                                   validators=[Optional()])


# The progress table's bulk actions, and the paper sizes of the PDFs in a class's ZIP.
BULK_ACTIONS = ("return", "extend", "download")
PAPER_SIZES = (("a4", "A4"), ("a3", "A3"), ("letter", "Letter"))


class StudentsField(SelectMultipleField):
    """Students picked with a checkbox each (the view gives the class's students as
    choices, so no one else can be picked)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class BulkForm(FlaskForm):
    """What to do with the students ticked in the progress table. Which button was pressed
    is `action`; the dates are for "more time", the paper size for the PDFs."""

    student = StudentsField(_l("Students"), coerce=int, validate_choice=True,
                            validators=[DataRequired(_l("Tick at least one student."))])
    action = StringField(validators=[AnyOf(BULK_ACTIONS)])
    due_at = DateTimeLocalField(_l("New due date"), format=DATE_FORMAT,
                                validators=[Optional()])
    closes_at = DateTimeLocalField(_l("New cut-off (optional)"), format=DATE_FORMAT,
                                   validators=[Optional()])
    size = SelectField(_l("Paper size"), choices=choices(PAPER_SIZES), default="a4")

    def validate(self, extra_validators: dict | None = None) -> bool:
        """The fields' own checks, and a due date when it is more time that is asked for
        (Optional() ends the date field's own checks when it is empty)."""
        valid = super().validate(extra_validators)
        if self.action.data == "extend" and self.due_at.data is None \
                and not self.due_at.errors:
            self.due_at.errors = [*self.due_at.errors, _l("Give the new due date.")]
            valid = False
        return valid


class ZipForm(FlaskForm):
    """The PDFs of the whole class as one ZIP."""

    size = SelectField(_l("Paper size"), choices=choices(PAPER_SIZES), default="a4",
                       validators=[InputRequired()])
