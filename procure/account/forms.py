"""Forms for the profile, password change, API tokens and closing the account."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from procure.forms import VersionedForm, choices
from procure.validators import PASSWORD_MAX, PASSWORD_MIN

REQUIRED = _l("This field is required.")


class ProfileForm(VersionedForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=100)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    locale = SelectField(
        _l("Language"),
        choices=choices([("", _l("As my browser")), ("ko", "한국어"), ("en", "English")]),
        validators=[Optional()],
    )


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(REQUIRED), Length(max=PASSWORD_MAX)]
    )
    new_password = PasswordField(
        _l("New password"),
        description=_l("%(min)d to %(max)d characters.", min=PASSWORD_MIN, max=PASSWORD_MAX),
        validators=[DataRequired(REQUIRED), Length(min=PASSWORD_MIN, max=PASSWORD_MAX)],
    )
    new_password_confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(REQUIRED),
            EqualTo("new_password", _l("The passwords do not match.")),
        ],
    )


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        description=_l("What the token is for, for example 'agency ERP sync'."),
        validators=[DataRequired(REQUIRED), Length(max=100)],
    )


class CloseAccountForm(FlaskForm):
    password = PasswordField(
        _l("Password"), validators=[DataRequired(REQUIRED), Length(max=PASSWORD_MAX)]
    )
    confirmation = StringField(
        _l("Your e-mail address"),
        description=_l("Type it to confirm that you mean to close this account."),
        validators=[DataRequired(REQUIRED), Length(max=254)],
    )
