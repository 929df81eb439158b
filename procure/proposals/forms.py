"""Forms for reverse proposals."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from procure.demands.services import MAX_REQUIREMENTS
from procure.forms import IntegerField, RowList, VersionedForm

REQUIRED = _l("This field is required.")


class ResponseForm(FlaskForm):
    class Meta:
        csrf = False

    requirement_id = HiddenField()
    compliance = SelectField(_l("Compliance"), validators=[Optional()], validate_choice=False)
    offered_value = StringField(_l("Offered value"), validators=[Optional(), Length(max=200)])
    evidence = TextAreaField(_l("Evidence"), validators=[Optional(), Length(max=5000)])


class ProposalForm(VersionedForm):
    target_agency_id = SelectField(_l("Agency"), validators=[Optional()], validate_choice=False)
    target_code = StringField(
        _l("Category (CPV code)"),
        description=_l("For a proposal to a category rather than an agency, for example 35613000."),
        validators=[Optional(), Length(max=16)],
    )
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=200)])
    summary = TextAreaField(
        _l("The proposed solution"),
        description=_l("What you propose and how it solves the problem."),
        validators=[DataRequired(REQUIRED), Length(max=20_000)],
    )
    product_id = SelectField(
        _l("Product (optional)"), validators=[Optional()], validate_choice=False
    )
    price_offer = IntegerField(
        _l("Price offer (won)"), validators=[Optional(), NumberRange(min=0, max=10**15)]
    )
    delivery_days = IntegerField(
        _l("Delivery time (days)"), validators=[Optional(), NumberRange(min=1, max=3650)]
    )
    delivery_plan = TextAreaField(_l("Delivery plan"), validators=[Optional(), Length(max=5000)])
    # One answer per requirement of the demand.
    responses = RowList(
        FormField(ResponseForm),
        _l("Point-by-point answers to the performance requirements"),
        max_entries=MAX_REQUIREMENTS,
    )


class DecisionForm(FlaskForm):
    decision = HiddenField()
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])
