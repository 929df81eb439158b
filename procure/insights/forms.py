"""Forms of the insights pages: the analysis parameters and publishing a gap as R&D demand."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from procure.forms import IntegerField

REQUIRED = _l("This field is required.")
MAX_WON = 10**15
MAX_SEED = 2**31 - 1
MAX_MIN_SIZE = 1000


class GapFilterForm(FlaskForm):
    """The analysis parameters, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    seed = IntegerField(
        _l("Seed"),
        description=_l("The same seed on the same data gives the same clusters."),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=MAX_SEED)],
    )
    min_size = IntegerField(
        _l("Fewest demands in a gap"),
        default=2,
        validators=[Optional(), NumberRange(min=1, max=MAX_MIN_SIZE)],
    )

    def values(self) -> tuple[int, int]:
        seed = self.seed.data if self.seed.data is not None else 0
        min_size = self.min_size.data if self.min_size.data is not None else 2
        return seed, min_size


class PublishGapForm(FlaskForm):
    """Publish a gap cluster as an R&D demand (수요기반 R&D)."""

    seed = HiddenField()
    min_size = HiddenField()
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=200)])
    budget = IntegerField(
        _l("R&D budget (won)"),
        description=_l("Leave empty if the budget is not decided yet."),
        validators=[Optional(), NumberRange(min=0, max=MAX_WON)],
    )
    closes_on = DateField(_l("Closing date"), validators=[InputRequired(REQUIRED)])


class RequestAnalysisForm(FlaskForm):
    """Ask for a new stored analysis with the page's parameters (the worker runs it)."""

    seed = HiddenField()
    min_size = HiddenField()
