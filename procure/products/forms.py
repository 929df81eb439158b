"""Forms for listing products."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from procure.forms import ChoicesField, IntegerField, RowList, VersionedForm, choices
from procure.products.services import MAX_ROWS

REQUIRED = _l("This field is required.")


class SpecForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField(_l("Specification"), validators=[Optional(), Length(max=200)])
    value = StringField(_l("Value"), validators=[Optional(), Length(max=200)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=40)])


class CertificationForm(FlaskForm):
    class Meta:
        csrf = False

    kind = StringField(_l("Certification"), validators=[Optional(), Length(max=100)])
    number = StringField(_l("Number"), validators=[Optional(), Length(max=100)])
    issuer = StringField(_l("Issuer"), validators=[Optional(), Length(max=200)])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])


class PatentForm(FlaskForm):
    class Meta:
        csrf = False

    number = StringField(_l("Patent number"), validators=[Optional(), Length(max=100)])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=300)])


class ProductForm(VersionedForm):
    name = StringField(_l("Product name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    name_en = StringField(_l("Product name in English"), validators=[Optional(), Length(max=200)])
    summary = StringField(
        _l("Summary"),
        description=_l("One or two sentences: what it does and why it is new."),
        validators=[DataRequired(REQUIRED), Length(max=500)],
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20_000)])
    codes = StringField(
        _l("Classification codes (CPV)"),
        description=_l("One or more 8-digit CPV codes separated by commas, for example 35613000."),
        validators=[Optional(), Length(max=200)],
    )
    trl = IntegerField(
        _l("Technology readiness level (1–9)"), validators=[Optional(), NumberRange(min=1, max=9)]
    )
    price = IntegerField(_l("Price (won)"), validators=[Optional(), NumberRange(min=0, max=10**15)])
    unit = StringField(
        _l("Unit"),
        description=_l("For example 대, 식, 개, 년."),
        validators=[Optional(), Length(max=40)],
    )
    regions = ChoicesField(
        _l("Regions served"),
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[Optional()],
        validate_choice=False,
    )
    language = SelectField(
        _l("Language of this listing"),
        choices=choices([("ko", "한국어"), ("en", "English")]),
        default="ko",
    )
    specs = RowList(
        FormField(SpecForm), _l("Key specifications"), min_entries=3, max_entries=MAX_ROWS
    )
    certifications = RowList(
        FormField(CertificationForm), _l("Certifications"), min_entries=2, max_entries=MAX_ROWS
    )
    patents = RowList(FormField(PatentForm), _l("Patents"), min_entries=2, max_entries=MAX_ROWS)


class StatusForm(FlaskForm):
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
