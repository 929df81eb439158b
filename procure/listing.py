"""Shared helpers for list pages: reading filters from the query string safely."""

from __future__ import annotations

import re

from flask import request

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


def like(text: str) -> str:
    """A LIKE pattern matching ``text`` literally (its % and _ escaped)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"
