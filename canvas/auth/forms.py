"""Forms for signing up, signing in and resetting a password."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from .. import languages
from ..forms import choices
from ..passwords import MAX_LENGTH, PasswordRejected, check_password

# Anyone may sign up as a teacher (a teacher sees only the classes they make); admins are
# made with `flask create-user --role admin`.
SIGN_UP_ROLES = (("student", _l("Student")), ("teacher", _l("Teacher")),
                 ("entrepreneur", _l("Entrepreneur")))
TOO_LONG = _l("Use at most %(max)d characters.", max=MAX_LENGTH)
DIFFERENT = _l("The two passwords differ.")


def new_password_field(label) -> PasswordField:
    """A field for a new password; the policy is checked by the form (it needs the e-mail)."""
    return PasswordField(label, validators=[DataRequired()])


def confirm_field() -> PasswordField:
    return PasswordField(_l("Repeat the password"), validators=[
        DataRequired(), EqualTo("password", message=DIFFERENT)])


def policy_error(password: str, email: str, name: str) -> None:
    """Raise ValidationError with the policy's words when the password breaks it."""
    try:
        check_password(password or "", email or "", name or "")
    except PasswordRejected as exc:
        raise ValidationError(str(exc.message)) from None


class RegisterForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(check_deliverability=False),
                                                 Length(max=254)])
    role = SelectField(_l("I am a"), choices=choices(SIGN_UP_ROLES))
    language = SelectField(_l("Language of my worksheets"), choices=choices(languages.pairs()))
    password = new_password_field(_l("Password"))
    confirm = confirm_field()

    def validate_password(self, field: PasswordField) -> None:
        policy_error(field.data, self.email.data, self.name.data)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(), Length(max=MAX_LENGTH, message=TOO_LONG)])


class ResetRequestForm(FlaskForm):
    # Only looked up, never stored: any text gets the same answer.
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])


class ResetForm(FlaskForm):
    """A new password, from the link in a reset e-mail; `email` and `name` are set by the
    view from the token's user, for the policy."""

    password = new_password_field(_l("New password"))
    confirm = confirm_field()
    email = name = ""

    def validate_password(self, field: PasswordField) -> None:
        policy_error(field.data, self.email, self.name)
