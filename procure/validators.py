"""Validation rules shared by forms, services and the API."""

from __future__ import annotations

import re
from datetime import date, datetime

# 사업자등록번호 check digit: weights for the first nine digits; the ninth digit also adds
# the tens of (digit × 5). The check digit makes the total a multiple of ten.
_BIZNO_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")

PASSWORD_MIN = 10
PASSWORD_MAX = 128  # a bound keeps the KDF from being used to burn our CPU

#: The dates a person may enter anywhere: web forms, API bodies and query filters. Nothing in
#: public procurement is dated outside them, and a bound keeps date arithmetic (the day after,
#: a test period added) from overflowing past 9999-12-31 on a page everyone reads.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


def normalise_business_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def is_valid_business_number(value: str) -> bool:
    """True when ``value`` (with or without hyphens, 123-45-67890) passes the check digit."""
    digits = normalise_business_number(value)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    numbers = [int(c) for c in digits]
    total = sum(d * w for d, w in zip(numbers[:9], _BIZNO_WEIGHTS, strict=True))
    total += numbers[8] * 5 // 10
    return (10 - total % 10) % 10 == numbers[9]


def business_number_with_check_digit(first_nine: str) -> str:
    """Complete nine digits with their check digit (used for demo data and tests)."""
    for last in "0123456789":
        if is_valid_business_number(first_nine + last):
            return first_nine + last
    raise ValueError("no check digit fits")  # unreachable: one digit always fits


def format_business_number(value: str) -> str:
    digits = normalise_business_number(value)
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}" if len(digits) == 10 else value


def is_valid_email(value: str) -> bool:
    return bool(value) and len(value) <= 254 and bool(_EMAIL.match(value))


#: A telephone number as people write it: digits with spaces, hyphens, dots or brackets, an
#: optional leading +, and an optional extension ("내선 123", "ext. 12", "x12").
_PHONE = re.compile(r"^\+?\(?[0-9][0-9 ().\-]*[0-9](?:\s*(?:내선|ext\.?|x)\s*[0-9]{1,6})?$", re.I)
PHONE_DIGITS = (7, 15)  # 1588-1234 has 8; E.164 allows at most 15


def is_valid_phone(value: str) -> bool:
    if not value or not _PHONE.match(value):
        return False
    number = re.split(r"(?i)내선|ext|x", value)[0]
    return PHONE_DIGITS[0] <= sum(c.isdigit() for c in number) <= PHONE_DIGITS[1]


def is_plausible_day(value: date) -> bool:
    """True when ``value`` (a date, or the calendar day of a datetime) is one a person may enter."""
    day = value.date() if isinstance(value, datetime) else value
    return FIRST_DAY <= day <= LAST_DAY


def whole_number(text, minimum: int, maximum: int) -> int | None:
    """``text`` as a whole number from ``minimum`` to ``maximum`` when it is one, else ``None``.

    ASCII digits only, and not too many of them: ``str.isdigit()`` also accepts ``²`` and other
    digits that ``int()`` refuses, and ``int()`` refuses more than 4,300 digits; both were 500s.
    """
    if not isinstance(text, str) or not re.fullmatch(r"[0-9]{1,19}", text):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def posted_id(value) -> int | None:
    """A record id sent as form text: ``None`` when blank, ``-1`` when it cannot be an id.

    ``str.isdigit()`` is not enough: it accepts ``²`` and other digits that ``int()`` refuses
    (a 500), and a number beyond a key's range makes the database refuse the query. ``-1``
    (also for 0, which services read as "none") matches no record, so the service answers with
    its usual field message.
    """
    from procure.urls import MAX_ID

    text = str(value or "").strip()
    if not text:
        return None
    number = whole_number(text, 1, MAX_ID)
    return -1 if number is None else number
