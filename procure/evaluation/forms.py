"""Forms of the evaluation workflow. The scoring sheet is built from the scheme in the view."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from procure.forms import REQUIRED, ChoicesField, VersionedForm, choices


class RoundForm(VersionedForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=200)])
    scheme = SelectField(_l("Evaluation scheme"), validators=[DataRequired(REQUIRED)])
    deadline = DateField(
        _l("Deadline"),
        description=_l("Evaluators can score until the end of this day (Korean time)."),
        # InputRequired, not DataRequired: a day that does not exist (2026-02-30) is reported
        # as such, not as missing.
        validators=[InputRequired(REQUIRED)],
    )
    product_ids = ChoicesField(_l("Products"), coerce=int, validators=[Optional()])
    proposal_ids = StringField(
        _l("Proposals"),
        description=_l("Numbers of submitted proposals, separated by commas."),
        validators=[Optional(), Length(max=500)],
    )
    product_kind = SelectField(_l("Kind of product"), validators=[Optional()])
    evaluator_ids = ChoicesField(_l("Panel of evaluators"), coerce=int)


class ConflictForm(FlaskForm):
    has_conflict = RadioField(
        _l("Do you have a conflict of interest with this dossier or its supplier?"),
        choices=choices([("no", _l("No")), ("yes", _l("Yes"))]),
        validators=[DataRequired(REQUIRED)],
    )
    note = TextAreaField(
        _l("Describe the conflict"),
        description=_l("Required when you declare a conflict."),
        validators=[Optional(), Length(max=500)],
    )


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Committee decision"),
        choices=choices(
            [("confirm", _l("Confirm the result")), ("override", _l("Override the result"))]
        ),
        validators=[DataRequired(REQUIRED)],
    )
    reason = TextAreaField(
        _l("Reason"),
        description=_l("Required when the committee overrides the result."),
        validators=[Optional(), Length(max=5000)],
    )


class RevokeForm(VersionedForm):
    reason = TextAreaField(
        _l("Reason for revocation"), validators=[DataRequired(REQUIRED), Length(max=5000)]
    )
