"""Forms of the home page."""

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from .. import languages
from ..forms import choices


class CanvasForm(FlaskForm):
    title = StringField("Title", validators=[
        DataRequired(message="Give the canvas a title."),
        Length(max=120, message="Keep the title under 120 characters.")])
    language = SelectField("Language of the worksheets", choices=choices(languages.pairs()))
    worksheet = RadioField("Start with", validate_choice=True)


class RenameForm(FlaskForm):
    title = StringField("New title", validators=[
        DataRequired(message="A title cannot be empty."),
        Length(max=120, message="Keep the title under 120 characters.")])


class AddWorksheetForm(FlaskForm):
    definition = SelectField("Worksheet", validate_choice=True)

