"""Forms of the home page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from .. import languages
from ..forms import choices


class CanvasForm(FlaskForm):
    title = StringField(_l("Title"), validators=[
        DataRequired(message=_l("Give the canvas a title.")),
        Length(max=120, message=_l("Keep the title under 120 characters."))])
    language = SelectField(_l("Language of the worksheets"),
                           choices=choices(languages.pairs()))
    worksheet = RadioField(_l("Start with"), validate_choice=True)


class RenameForm(FlaskForm):
    title = StringField(_l("New title"), validators=[
        DataRequired(message=_l("A title cannot be empty.")),
        Length(max=120, message=_l("Keep the title under 120 characters."))])


class AddWorksheetForm(FlaskForm):
    definition = SelectField(_l("Worksheet"), validate_choice=True)

