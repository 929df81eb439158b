"""Form helpers shared by every blueprint."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.fields.choices import SelectChoice

from procure.errors import ServiceError


class ActionForm(FlaskForm):
    """A button that changes state: carries only the CSRF token."""


class VersionedForm(FlaskForm):
    """A form editing a versioned record: the version it was loaded at travels with it."""

    version = HiddenField()

    def loaded_version(self) -> int:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return -1


def apply_service_error(form: FlaskForm, error: ServiceError) -> None:
    """Show a service's field errors next to the fields; the rest goes to the form's top."""
    unplaced = []
    for item in error.errors:
        field = getattr(form, item.field, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors), item.message]
        else:
            unplaced.append(item.message)
    form.form_errors = [*list(form.form_errors), error.message, *unplaced]


REQUIRED = _l("This field is required.")


def choices(pairs) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def attempt(form: FlaskForm, action):
    """Run a service call for a submitted form: commit on success, or roll back and show why.

    Returns ``(result, None)`` on success and ``(None, status)`` when a rule refused the input,
    with the service's messages placed next to the form's fields.
    """
    from procure.extensions import db

    try:
        result = action()
    except ServiceError as error:
        db.session.rollback()
        apply_service_error(form, error)
        return None, error.status
    db.session.commit()
    return result, None
