"""Form helpers shared by every blueprint."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import repeat

import wtforms
from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, HiddenField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.utils import unset_value

from procure.errors import FieldError, ServiceError
from procure.validators import whole_number

INVALID_CHOICES = _l("Choose only from the list: one of the chosen items is not offered here.")


class ChoicesField(SelectMultipleField):
    """Several values chosen from a list (records, regions), refused in our own words.

    WTForms' Korean catalogue words a value that is not a number as "한개 이상의 값을 변화할
    수 없습니다" (a mistranslation of "could not be coerced") and names the raw values it
    refused; one message in the user's language says what to do instead.
    """

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_value_message", INVALID_CHOICES)
        kwargs.setdefault("invalid_choice_message", INVALID_CHOICES)
        super().__init__(label, validators, **kwargs)


class IntegerField(wtforms.IntegerField):
    """WTForms' whole-number field, reading ASCII digits only: Python's ``int()`` also reads
    Arabic-Indic and other Unicode digits ("١٢٣" as 123), which no one means as a price.

    Thousands separators are read as people write amounts ("1,500,000", as the API's
    services read them too), and a value that is not a number gets that one message, not a
    second one from the range check about a number nobody typed."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0] and not str(valuelist[0]).strip().isascii():
            self.data = None
            raise ValueError(_("Enter a whole number with the digits 0 to 9."))
        if valuelist and isinstance(valuelist[0], str) and _GROUPED.fullmatch(valuelist[0].strip()):
            valuelist = [valuelist[0].replace(",", "").strip()]
        super().process_formdata(valuelist)

    def pre_validate(self, form):
        # Only for something typed: an empty field is left to its validators (Optional clears
        # WTForms' complaint that "" is no number; DataRequired says it is required).
        typed = bool(self.raw_data and str(self.raw_data[0]).strip())
        if self.process_errors and typed:
            raise wtforms.validators.StopValidation()


#: A whole number written with thousands separators: 1,500,000 (not 1,5 or 15,00).
_GROUPED = re.compile(r"-?\d{1,3}(,\d{3})+")


class ActionForm(FlaskForm):
    """A button that changes state: carries only the CSRF token."""


def posted_version() -> int:
    """The version of the record the page showed, posted with an action's button.

    Missing or not a number reads as -1, which matches no record, so the service refuses the
    action as stale (409) instead of skipping the check: services take ``None`` to mean "do
    not check", which only the API's callers that send no version may ask for.
    """
    return read_version(request.form.get("version", ""))


def read_version(raw) -> int:
    """A posted version as a number; -1, which matches no record, when it is not one."""
    value = whole_number("" if raw is None else str(raw), 0, 2**31 - 1)
    return -1 if value is None else value


class VersionedForm(FlaskForm):
    """A form editing a versioned record: the version it was loaded at travels with it."""

    version = HiddenField()

    def loaded_version(self) -> int:
        return read_version(self.version.data)


class RowList(FieldList):
    """A ``FieldList`` of rows that refuses a submission with more rows than it holds.

    WTForms keeps the first ``max_entries`` rows of posted data and drops the rest without a
    word, so saving would lose them. The distinct row numbers posted under the list's prefix
    (``requirements-<i>-...``) are counted before that cut, and validation fails with a message
    in the user's language: next to the list, and in the form's summary at the top, since the
    row templates show only the rows' own errors.
    """

    def __init__(self, *args, max_entries: int, **kwargs):
        super().__init__(*args, max_entries=max_entries, **kwargs)
        self.rows_posted = 0

    def _extract_indices(self, prefix, formdata):
        # Only ASCII digits: "²".isdigit() is true, but int("²") raises (a 500 in WTForms).
        start = f"{prefix}{self._separator}"
        for key in formdata:
            if key.startswith(start):
                head = key[len(start) :].split(self._field_separator, 1)[0]
                if head.isascii() and head.isdigit():
                    yield int(head)

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.rows_posted = len(set(self._extract_indices(self.name, formdata))) if formdata else 0
        super().process(formdata, data, extra_filters)

    def validate(self, form, extra_validators=()):
        valid = super().validate(form, extra_validators)
        if self.rows_posted <= self.max_entries:
            return valid
        message = _(
            "At most %(n)d rows can be entered; %(sent)d were sent. Nothing was saved.",
            n=self.max_entries,
            sent=self.rows_posted,
        )
        self.errors.append(message)
        form.form_errors = [
            *list(form.form_errors),
            _("%(field)s: %(message)s", field=self.label.text, message=message),
        ]
        return False


def append_rows(rows: FieldList, items: Iterable) -> None:
    """Add a row for each of ``items`` while the list has room: past its ``max_entries``
    WTForms raises ``AssertionError`` (a 500) instead."""
    for data in items:
        if rows.max_entries and len(rows.entries) >= rows.max_entries:
            return
        rows.append_entry(data)


def pad_rows(rows: FieldList, n: int, data=unset_value) -> None:
    """Add up to ``n`` blank rows to fill in (``data``: their defaults), as many as fit."""
    append_rows(rows, repeat(data, max(n, 0)))


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


def labelled(error: ServiceError, labels: dict[str, str]) -> ServiceError:
    """The same refusal with each field's message named by the field's label ("Quantity: …"),
    for actions posted from small forms that show their refusals on the error page, where no
    field stands beside its message."""
    errors = [
        FieldError(e.field, f"{labels[e.field]}: {e.message}" if e.field in labels else e.message)
        for e in error.errors
    ]
    copy = ServiceError(error.message, errors)
    copy.status = error.status
    return copy


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


def csrf_field(form) -> str:
    """The form's CSRF field without an ``id``: a page with several forms (each notification,
    each decision button) would otherwise repeat ``id="csrf_token"``. Empty when the form has
    no CSRF field (protection switched off, as in most tests)."""
    field = getattr(form, "csrf_token", None)
    return field(id=False) if field is not None else ""


def init_app(app) -> None:
    app.jinja_env.globals["csrf_field"] = csrf_field
