"""Shared helpers for list pages: reading filters from the query string safely."""

from __future__ import annotations

import re

from flask import request
from sqlalchemy import func, or_

from procure.regions import REGIONS


def arg_text(name: str, max_length: int = 100) -> str:
    return (request.args.get(name) or "").strip()[:max_length]


def arg_choice(name: str, allowed) -> str:
    value = request.args.get(name) or ""
    return value if value in allowed else ""


def arg_int(name: str, minimum: int = 0, maximum: int = 10**15) -> int | None:
    raw = (request.args.get(name) or "").replace(",", "").strip()
    if not re.fullmatch(r"[0-9]{1,16}", raw):
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def arg_region() -> str:
    return arg_choice("region", REGIONS)


def arg_division() -> str:
    value = request.args.get("division") or ""
    return value if len(value) == 2 and value.isdigit() else ""


def text_contains(text: str, *columns):
    """SQL: one of ``columns`` contains ``text`` literally (% and _ escaped), ignoring case.

    A text without cased letters (Hangul, digits) is compared with the columns as they are:
    lowering every row cannot change whether such a text occurs in it, and costs more than
    the comparison itself (on PostgreSQL, a third of a list filter's time over 34,000 rows).
    """
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    caseless = text.lower() == text.upper()
    pattern = f"%{escaped if caseless else escaped.lower()}%"
    return or_(
        *(
            (column if caseless else func.lower(column)).like(pattern, escape="\\")
            for column in columns
        )
    )
