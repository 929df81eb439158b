"""Forms for citizen ideas."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from procure.forms import VersionedForm

REQUIRED = _l("This field is required.")


class IdeaForm(VersionedForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=200)])
    problem = TextAreaField(
        _l("The problem you saw"),
        description=_l("Where and when it happens, who it affects, why it matters."),
        validators=[DataRequired(REQUIRED), Length(max=5000)],
    )
    suggestion = TextAreaField(
        _l("Your suggestion (optional)"), validators=[Optional(), Length(max=5000)]
    )
    region = SelectField(_l("Region"), validators=[Optional()], validate_choice=False)
