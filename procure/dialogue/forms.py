"""Forms for competitive dialogue; the services check the rules and give field messages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from procure.forms import IntegerField, VersionedForm


class DialogueForm(VersionedForm):
    title = StringField(_l("Title of the procedure"))
    notice = TextAreaField(
        _l("Notice"),
        description=_l("What the agency needs, how the dialogue runs and how it will choose."),
    )
    technical_weight = IntegerField(_l("Weight of the technical score"), validators=[Optional()])
    price_weight = IntegerField(_l("Weight of the price score"), validators=[Optional()])
    min_partners = IntegerField(
        _l("Minimum number of dialogue partners"),
        description=_l("Fewer are selected only when fewer basic proposals meet the threshold."),
        validators=[Optional()],
    )
    basic_due_on = DateField(_l("Basic proposals due"), validators=[Optional()])
    dialogue_1_due_on = DateField(_l("Dialogue stage 1 ends"), validators=[Optional()])
    dialogue_2_due_on = DateField(_l("Dialogue stage 2 ends"), validators=[Optional()])
    final_due_on = DateField(_l("Final proposals due"), validators=[Optional()])


class ProposalForm(VersionedForm):
    title = StringField(_l("Title"))
    summary = TextAreaField(_l("Your proposal"))
    price = IntegerField(_l("Price (won, VAT included)"), validators=[Optional()])


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Message"))
    parent_id = HiddenField()


class SpecForm(FlaskForm):
    body = TextAreaField(_l("Specification"))
    note = StringField(_l("What changed"))


class DeadlinesForm(VersionedForm):
    basic_due_on = DateField(_l("Basic proposals due"), validators=[Optional()])
    dialogue_1_due_on = DateField(_l("Dialogue stage 1 ends"), validators=[Optional()])
    dialogue_2_due_on = DateField(_l("Dialogue stage 2 ends"), validators=[Optional()])
    final_due_on = DateField(_l("Final proposals due"), validators=[Optional()])
    reason = TextAreaField(
        _l("Why the deadlines move"),
        description=_l("Every participant is told, with this reason."),
    )


class MoveForm(VersionedForm):
    action = HiddenField()
    reason = TextAreaField(_l("Reason"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PartnersForm(VersionedForm):
    participant_ids = MultiCheckboxField(
        _l("Dialogue partners"), validators=[Optional()], validate_choice=False
    )


class AwardForm(VersionedForm):
    reason = TextAreaField(_l("Reasons for the award"))
    winner = SelectField(
        _l("Winner"),
        description=_l("The highest combined score wins unless you record why not."),
        validators=[Optional()],
        validate_choice=False,
    )
    override_reason = TextAreaField(_l("Why not the highest combined score"))


class CommitteeForm(FlaskForm):
    user_id = SelectField(
        _l("Evaluator"),
        description=_l("Evaluators from outside the agency and the participating suppliers."),
        validators=[Optional()],
        validate_choice=False,
    )
