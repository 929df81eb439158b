"""How long a designation (혁신제품 지정) stays valid, from the validity rule of its scheme."""

from __future__ import annotations

import datetime as dt

from scoring.model import Scheme, ValidityRule


class ExtensionError(ValueError):
    """The requested extension is beyond what the validity rule allows."""


def validity_end(rule: ValidityRule | Scheme, start: dt.date, extensions: int = 0) -> dt.date:
    """The last day a designation starting on `start` is valid, after `extensions` extensions.

    The period is counted in whole years, and the day before the anniversary is the last
    valid day (designated 2026-07-01 for 3 years: valid to 2029-06-30). A start on 29
    February reaches its anniversary on 1 March in common years. Pass the calendar date in
    Korea (Asia/Seoul); a datetime is refused rather than silently cut to its date.

    :raise ExtensionError: `extensions` is negative or more than the rule allows
        (the default scheme allows two: +1 year, then +2 years).
    :raise TypeError: `start` is a datetime, or the scheme declares no validity rule.
    """
    if isinstance(rule, Scheme):
        if rule.validity is None:
            raise TypeError(f"scheme {rule.key} declares no validity rule")
        rule = rule.validity
    if isinstance(start, dt.datetime) or not isinstance(start, dt.date):
        raise TypeError("start must be a date (the designation day in Asia/Seoul)")
    if extensions < 0:
        raise ExtensionError(f"the number of extensions cannot be negative ({extensions})")
    if extensions > len(rule.extension_years):
        raise ExtensionError(
            f"extension {extensions} refused: at most {len(rule.extension_years)} extension(s) "
            f"are allowed ({_describe(rule)}), {rule.max_years} years in all"
        )
    years = rule.initial_years + sum(rule.extension_years[:extensions])
    return _anniversary(start, years) - dt.timedelta(days=1)


def next_extension_years(rule: ValidityRule | Scheme, extensions_so_far: int) -> int | None:
    """Years the next extension would add, or None when no further extension is possible."""
    if isinstance(rule, Scheme):
        if rule.validity is None:
            return None
        rule = rule.validity
    if 0 <= extensions_so_far < len(rule.extension_years):
        return rule.extension_years[extensions_so_far]
    return None


def _anniversary(start: dt.date, years: int) -> dt.date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February in a common year
        return dt.date(start.year + years, 3, 1)


def _describe(rule: ValidityRule) -> str:
    steps = " then ".join(f"+{y}" for y in rule.extension_years)
    return f"{rule.initial_years} years, {steps}" if steps else f"{rule.initial_years} years"
