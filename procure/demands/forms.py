"""Forms for posting and managing demands."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from procure.demands.services import MAX_REQUIREMENTS
from procure.forms import IntegerField, RowList, VersionedForm, choices
from procure.labels import DEMAND_OUTCOME, DEMAND_TYPE

REQUIRED = _l("This field is required.")
BLANK_REQUIREMENT_ROWS = 3


class RequirementForm(FlaskForm):
    class Meta:
        csrf = False  # part of the demand form, which carries the token

    name = StringField(_l("Requirement"), validators=[Optional(), Length(max=200)])
    target_value = StringField(_l("Target value"), validators=[Optional(), Length(max=100)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=40)])
    mandatory = BooleanField(_l("Mandatory"), default=True)


class DemandForm(VersionedForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=200)])
    problem = TextAreaField(
        _l("Problem to solve"),
        description=_l("Describe the problem and the situation, not a product or a brand."),
        validators=[DataRequired(REQUIRED), Length(max=10_000)],
    )
    desired_outcome = TextAreaField(
        _l("Desired outcome"), validators=[Optional(), Length(max=5_000)]
    )
    demand_type = SelectField(_l("Type"), validators=[DataRequired(REQUIRED)])
    codes = StringField(
        _l("Classification codes (CPV)"),
        description=_l("One or more 8-digit CPV codes separated by commas, for example 35613000."),
        validators=[Optional(), Length(max=200)],
    )
    budget = IntegerField(
        _l("Estimated budget (won)"), validators=[Optional(), NumberRange(min=0, max=10**15)]
    )
    quantity = IntegerField(
        _l("Quantity"), validators=[Optional(), NumberRange(min=1, max=10_000_000)]
    )
    region = SelectField(_l("Delivery region"), validators=[Optional()], validate_choice=False)
    opens_on = DateField(_l("Opens on"), validators=[Optional()])
    closes_on = DateField(_l("Closes on"), validators=[Optional()])
    expected_purchase_on = DateField(_l("Expected purchase date"), validators=[Optional()])
    contact_name = StringField(_l("Contact name"), validators=[Optional(), Length(max=100)])
    contact_email = StringField(_l("Contact e-mail"), validators=[Optional(), Length(max=254)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=32)])
    language = SelectField(
        _l("Language of this demand"),
        choices=choices([("ko", "한국어"), ("en", "English")]),
        default="ko",
    )
    requirements = RowList(
        FormField(RequirementForm),
        _l("Performance requirements"),
        min_entries=BLANK_REQUIREMENT_ROWS,
        max_entries=MAX_REQUIREMENTS,
    )
    note = StringField(
        _l("What changed (shown with the new version)"), validators=[Optional(), Length(max=500)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.demand_type.choices = choices([(k, str(v)) for k, v in DEMAND_TYPE.items()])


class CloseForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), validators=[DataRequired(REQUIRED)])
    outcome_note = TextAreaField(
        _l("Public note"),
        description=_l(
            "Published with the demand and sent to the suppliers whose proposals are still "
            "waiting, as the reason they are declined. Do not name other suppliers."
        ),
        validators=[Optional(), Length(max=2000)],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome.choices = choices([(k, str(v)) for k, v in DEMAND_OUTCOME.items()])


class QuestionForm(FlaskForm):
    body = TextAreaField(_l("Your question"), validators=[DataRequired(REQUIRED), Length(max=2000)])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(REQUIRED), Length(max=5000)])
