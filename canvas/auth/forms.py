"""Forms for signing up and signing in."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from .. import languages
from ..forms import choices


class RegisterForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("E-mail", validators=[DataRequired(), Email(check_deliverability=False),
                                             Length(max=254)])
    role = SelectField("I am a", choices=choices([("student", "Student"),
                                                  ("entrepreneur", "Entrepreneur")]))
    language = SelectField("Language of my worksheets", choices=choices(languages.pairs()))
    password = PasswordField("Password", validators=[
        DataRequired(), Length(min=8, max=200, message="Use at least 8 characters.")])
    confirm = PasswordField("Repeat the password", validators=[
        DataRequired(), EqualTo("password", message="The two passwords differ.")])


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
