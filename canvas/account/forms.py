"""Forms of the account page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from ..auth.forms import TOO_LONG, confirm_field, new_password_field, policy_error
from ..passwords import MAX_LENGTH


class ChangePasswordForm(FlaskForm):
    """The user's own change; `email` and `name` are set by the view, for the policy."""

    current = PasswordField(_l("Current password"), validators=[
        DataRequired(), Length(max=MAX_LENGTH, message=TOO_LONG)])
    password = new_password_field(_l("New password"))
    confirm = confirm_field()
    email = name = ""

    def validate_password(self, field: PasswordField) -> None:
        policy_error(field.data, self.email, self.name)


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Confirm with your password"), validators=[
        DataRequired(), Length(max=MAX_LENGTH, message=TOO_LONG)])
