"""Collect field errors while validating input, then refuse it all at once."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _

from procure.errors import FieldError, Invalid
from procure.regions import REGIONS
from procure.validators import FIRST_DAY, LAST_DAY, is_plausible_day

MAX_WON = 10**15  # a quadrillion won: far above any public budget, below BigInteger's limit

#: Control characters no typed text holds (tab and line breaks aside): escape sequences, bells,
#: C1 codes. They break XML (the Atom feed), CSV readers and terminals downstream.
CONTROL_CHARACTERS = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Characters that take no space: a text made only of them (and spaces) is empty to the eye.
INVISIBLE_CHARACTERS = re.compile(
    "[\u00ad\u034f\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0]"
)


def is_blank(value: str) -> bool:
    """True when ``value`` shows nothing: only spaces and invisible characters."""
    return not INVISIBLE_CHARACTERS.sub("", value).strip()


def day_range_message() -> str:
    """The field message for a date outside ``validators.FIRST_DAY`` … ``LAST_DAY``."""
    return _(
        "Enter a date from %(first)s to %(last)s.",
        first=FIRST_DAY.isoformat(),
        last=LAST_DAY.isoformat(),
    )


class Checker:
    """``check = Checker(); value = check.text("title", raw, 200, required=True); check.done()``."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def text(self, field: str, value, max_length: int, *, required: bool = False) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(field, _("Must be text."))
            return ""
        # A browser counts a line break as one character (maxlength) and sends it as two
        # (CRLF): the text is kept with plain line breaks, as it was counted.
        value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        if "\x00" in value:
            self.fail(field, _("Must not contain NUL characters."))
            return ""
        if CONTROL_CHARACTERS.search(value):
            self.fail(
                field,
                _("Must not contain control characters (such as escape codes); retype the text."),
            )
            return ""
        if is_blank(value):
            value = ""
        if required and not value:
            self.fail(field, _("This field is required."))
        elif len(value) > max_length:
            self.fail(field, _("Use at most %(max)d characters.", max=max_length))
        return value

    def integer(
        self, field: str, value, *, minimum: int = 0, maximum: int = MAX_WON, required: bool = False
    ) -> int | None:
        if value in (None, ""):
            if required:
                self.fail(field, _("This field is required."))
            return None
        if isinstance(value, bool):
            self.fail(field, _("Enter a whole number."))
            return None
        try:
            if isinstance(value, str):
                text = value.replace(",", "").strip()
                if not text.isascii():  # int() also reads "١٢٣" (Arabic-Indic) as 123
                    raise ValueError(text)
                number = int(text)
            else:
                number = int(value)
        except (TypeError, ValueError):
            self.fail(field, _("Enter a whole number."))
            return None
        if isinstance(value, float) and not value.is_integer():
            self.fail(field, _("Enter a whole number."))
            return None
        if not minimum <= number <= maximum:
            self.fail(
                field,
                _(
                    "Enter a number from %(min)s to %(max)s.",
                    min=f"{minimum:,}",
                    max=f"{maximum:,}",
                ),
            )
            return None
        return number

    def day(self, field: str, value, *, required: bool = False) -> date | None:
        """A date (YYYY-MM-DD text or a ``date``) within ``validators.FIRST_DAY`` … ``LAST_DAY``."""
        if value in (None, ""):
            if required:
                self.fail(field, _("This field is required."))
            return None
        if isinstance(value, date):
            day = value
        else:
            try:
                day = date.fromisoformat(str(value))
            except ValueError:
                self.fail(field, _("Enter a date as YYYY-MM-DD."))
                return None
        if not is_plausible_day(day):
            self.fail(field, day_range_message())
            return None
        return day

    def choice(self, field: str, value, allowed, *, required: bool = True) -> str | None:
        if value in (None, ""):
            if required:
                self.fail(field, _("This field is required."))
            return None
        if not isinstance(value, str) or value not in allowed:
            self.fail(field, _("Choose one of the listed options."))
            return None
        return value

    def region(self, field: str, value) -> str | None:
        return self.choice(field, value, REGIONS, required=False)

    def done(self, message: str | None = None) -> None:
        if self.errors:
            raise Invalid(message or _("Some fields need your attention."), self.errors)
