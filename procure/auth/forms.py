"""Forms for signing in, registering and resetting a password."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from procure.forms import choices
from procure.validators import PASSWORD_MAX, PASSWORD_MIN

REQUIRED = _l("This field is required.")


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(REQUIRED), Length(max=PASSWORD_MAX)]
    )
    remember = BooleanField(_l("Keep me signed in on this device"))


class RegisterForm(FlaskForm):
    account_type = RadioField(
        _l("Account type"),
        choices=choices(
            [
                ("citizen", _l("Citizen: browse and submit ideas")),
                ("supplier", _l("Supplier (조달기업): list products and send proposals")),
                ("agency", _l("Agency officer (수요기관): post demands")),
            ]
        ),
        default="citizen",
        validators=[DataRequired(REQUIRED)],
    )
    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=100)])
    password = PasswordField(
        _l("Password"),
        description=_l("%(min)d to %(max)d characters.", min=PASSWORD_MIN, max=PASSWORD_MAX),
        validators=[DataRequired(REQUIRED), Length(min=PASSWORD_MIN, max=PASSWORD_MAX)],
    )
    password_confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("The passwords do not match."))],
    )
    organisation_name = StringField(
        _l("Organisation name"),
        description=_l("Suppliers and agencies only."),
        validators=[Optional(), Length(max=200)],
    )
    organisation_name_en = StringField(
        _l("Organisation name in English"), validators=[Optional(), Length(max=200)]
    )
    business_number = StringField(
        _l("Business registration number (사업자등록번호)"),
        description=_l("Suppliers only: ten digits, for example 124-81-00998."),
        validators=[Optional(), Length(max=12)],
    )
    is_sme = BooleanField(_l("Small or medium-sized enterprise (중소기업)"))
    region = SelectField(_l("Region"), validators=[Optional()], validate_choice=False)


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        description=_l("%(min)d to %(max)d characters.", min=PASSWORD_MIN, max=PASSWORD_MAX),
        validators=[DataRequired(REQUIRED), Length(min=PASSWORD_MIN, max=PASSWORD_MAX)],
    )
    password_confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(REQUIRED), EqualTo("password", _l("The passwords do not match."))],
    )
