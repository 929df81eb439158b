"""Forms of the one-stop demand information pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField
from wtforms.validators import DataRequired, Length

from procure.forms import choices

REQUIRED = _l("This field is required.")


class SubscribeForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED), Length(max=254)])
    frequency = RadioField(
        _l("How often"),
        choices=choices([("daily", _l("Daily")), ("weekly", _l("Weekly"))]),
        default="weekly",
        validators=[DataRequired(REQUIRED)],
    )
