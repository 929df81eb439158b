"""Forms for pilot purchases: rounds, plans, applications, field reports, follow-on purchases."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from procure.forms import ChoicesField, IntegerField, RowList, choices
from procure.products.services import MAX_ROWS as MAX_SPECS

REQUIRED = _l("This field is required.")
MAX_WON = 10**15
MAX_DEFECTS = 30


class RoundForm(FlaskForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode.choices = choices(
            [("purchase", _l("Purchase")), ("rental", _l("Rental or subscription"))]
        )

    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=200)])
    budget = IntegerField(
        _l("Budget (won)"), validators=[InputRequired(REQUIRED), NumberRange(min=1, max=MAX_WON)]
    )
    mode = SelectField(_l("Kind of pilot"), validators=[Optional()], validate_choice=False)
    starts_on = DateField(_l("Period starts"), validators=[InputRequired(REQUIRED)])
    ends_on = DateField(_l("Period ends"), validators=[InputRequired(REQUIRED)])
    applications_close_on = DateField(_l("Applications close"), validators=[Optional()])
    per_agency_cap = IntegerField(
        _l("Cap per agency (won)"),
        description=_l("Leave empty for no cap."),
        validators=[Optional(), NumberRange(min=1, max=MAX_WON)],
    )
    product_ids = ChoicesField(
        _l("Eligible designated products"), validators=[Optional()], validate_choice=False
    )


class PlanForm(FlaskForm):
    product_id = SelectField(_l("Product"), validators=[Optional()], validate_choice=False)
    units_offered = IntegerField(
        _l("Units offered"), validators=[InputRequired(REQUIRED), NumberRange(min=1, max=100_000)]
    )
    unit_price = IntegerField(
        _l("Unit price (won)"),
        validators=[InputRequired(REQUIRED), NumberRange(min=1, max=MAX_WON)],
    )
    support_offered = TextAreaField(
        _l("Support offered"),
        description=_l("Installation, training, maintenance during the test."),
        validators=[Optional(), Length(max=5000)],
    )
    test_period_days = IntegerField(
        _l("Test period (days)"), validators=[InputRequired(REQUIRED), NumberRange(min=7, max=730)]
    )


class ApplicationForm(FlaskForm):
    plan_id = SelectField(_l("Product"), validators=[Optional()], validate_choice=False)
    quantity = IntegerField(
        _l("Quantity"), validators=[InputRequired(REQUIRED), NumberRange(min=1, max=100_000)]
    )
    intended_use = TextAreaField(
        _l("Intended use"), validators=[DataRequired(REQUIRED), Length(max=5000)]
    )
    site = StringField(_l("Site"), validators=[DataRequired(REQUIRED), Length(max=200)])
    expected_improvement = TextAreaField(
        _l("The improvement you expect"),
        validators=[DataRequired(REQUIRED), Length(max=5000)],
    )
    plans_follow_on = BooleanField(_l("We plan to buy more afterwards with our own budget"))
    small_agency = BooleanField(_l("Small agency"))
    local_agency = BooleanField(_l("Local government or local agency"))


class MeasurementForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField(_l("Specification item"), validators=[Optional(), Length(max=200)])
    target = StringField(_l("Target"), validators=[Optional(), Length(max=100)])
    measured = StringField(_l("Measured"), validators=[Optional(), Length(max=100)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=40)])
    met = BooleanField(_l("Met"))


class DefectForm(FlaskForm):
    class Meta:
        csrf = False

    description = StringField(_l("Problem or defect"), validators=[Optional(), Length(max=2000)])
    fixed = BooleanField(_l("Fixed by the supplier"))
    fixed_on = DateField(_l("Fixed on"), validators=[Optional()])


class ReportForm(FlaskForm):
    summary = TextAreaField(
        _l("Summary of the pilot"), validators=[DataRequired(REQUIRED), Length(max=10_000)]
    )
    satisfaction = RadioField(
        _l("Satisfaction"), validators=[InputRequired(REQUIRED)], validate_choice=False
    )
    would_buy_again = RadioField(
        _l("Would your agency buy it again?"),
        validators=[InputRequired(REQUIRED)],
        validate_choice=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.satisfaction.choices = choices([(str(n), str(n)) for n in range(1, 6)])
        self.would_buy_again.choices = choices([("yes", _l("Yes")), ("no", _l("No"))])

    # A row for each specification of the product, so as many as a product may have.
    measurements = RowList(
        FormField(MeasurementForm),
        _l("Performance against each specification item"),
        min_entries=3,
        max_entries=MAX_SPECS,
    )
    defects = RowList(
        FormField(DefectForm), _l("Problems and defects"), min_entries=2, max_entries=MAX_DEFECTS
    )


class FollowOnForm(FlaskForm):
    product_id = SelectField(_l("Product"), validators=[Optional()], validate_choice=False)
    purchased_on = DateField(_l("Purchased on"), validators=[InputRequired(REQUIRED)])
    amount = IntegerField(
        _l("Amount (won)"), validators=[InputRequired(REQUIRED), NumberRange(min=1, max=MAX_WON)]
    )
    quantity = IntegerField(
        _l("Quantity"), default=1, validators=[InputRequired(REQUIRED), NumberRange(min=1)]
    )
    contract_number = StringField(_l("Contract number"), validators=[Optional(), Length(max=64)])
