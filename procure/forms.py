"""Form helpers shared by every blueprint."""

from __future__ import annotations

from flask_babel import gettext as _
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


def _row_field(form: FlaskForm, path: str):
    """(list, row number from 1, field or None) for a service's ``list-index[-key]`` path
    into a form's ``FieldList`` of sub-forms, or ``None`` when it names no such row."""
    parts = path.split("-")
    if len(parts) not in (2, 3) or not parts[1].isdigit():
        return None
    rows = getattr(form, parts[0], None)
    entries = getattr(rows, "entries", None)
    index = int(parts[1])
    if entries is None or index >= len(entries):
        return None
    inner = getattr(entries[index], "form", None)
    field = getattr(inner, parts[2], None) if len(parts) == 3 and inner is not None else None
    return rows, index + 1, field


def add_rule_errors(form: FlaskForm, check) -> None:
    """After a form's own checks failed, also show what the service's rules say about the
    same input (``check`` raises ``ServiceError`` or returns), so that every problem is
    reported in one pass. Fields that already carry an error keep only their own."""
    try:
        check()
    except ServiceError as error:
        extra = [e for e in error.errors if not _has_errors(form, e.field)]
        if extra:
            apply_service_error(form, ServiceError(error.message, extra), summary=False)


def _has_errors(form: FlaskForm, path: str) -> bool:
    field = getattr(form, path, None)
    if field is None:
        row = _row_field(form, path)
        field = row[2] if row is not None else None
    return bool(field is not None and getattr(field, "errors", None))


def apply_service_error(form: FlaskForm, error: ServiceError, summary: bool = True) -> None:
    """Show a service's field errors next to the fields; the rest goes to the form's top.

    An error in a row of a repeated group (``specs-1-name``) is marked on that row's field and
    also listed at the top with the group, the row number and the field named, since the same
    message ("This field is required.") can otherwise not be told apart between rows.
    """
    unplaced = []
    for item in error.errors:
        field = getattr(form, item.field, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors), item.message]
            continue
        row = _row_field(form, item.field)
        if row is None:
            unplaced.append(item.message)
            continue
        rows, number, sub = row
        where = {"section": rows.label.text, "n": number, "message": item.message}
        if sub is None:
            unplaced.append(_("%(section)s, row %(n)d: %(message)s", **where))
        else:
            sub.errors = [*list(sub.errors), item.message]
            unplaced.append(
                _("%(section)s, row %(n)d, %(field)s: %(message)s", field=sub.label.text, **where)
            )
    head = [error.message] if summary else []
    form.form_errors = [*list(form.form_errors), *head, *unplaced]


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
