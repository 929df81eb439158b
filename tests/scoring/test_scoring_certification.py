"""Designation validity: 3 years, then +1 and +2 (6 at most), and no third extension."""

from __future__ import annotations

import datetime as dt

import pytest

from scoring import ExtensionError, ValidityRule, next_extension_years, validity_end


@pytest.mark.parametrize(
    ("extensions", "last_day"),
    [(0, dt.date(2029, 6, 30)), (1, dt.date(2030, 6, 30)), (2, dt.date(2032, 6, 30))],
)
def test_validity_end(scheme, extensions, last_day):
    assert validity_end(scheme, dt.date(2026, 7, 1), extensions) == last_day


def test_third_extension_is_refused(scheme):
    with pytest.raises(ExtensionError, match="at most 2 extension"):
        validity_end(scheme, dt.date(2026, 7, 1), 3)
    with pytest.raises(ExtensionError, match="negative"):
        validity_end(scheme, dt.date(2026, 7, 1), -1)


def test_leap_day_start():
    rule = ValidityRule(initial_years=3, extension_years=(1, 2))
    assert validity_end(rule, dt.date(2024, 2, 29)) == dt.date(2027, 2, 28)
    assert validity_end(rule, dt.date(2024, 2, 29), 1) == dt.date(2028, 2, 28)
    assert rule.max_years == 6


def test_datetime_is_refused(scheme):
    start = dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC)
    with pytest.raises(TypeError, match="Asia/Seoul"):
        validity_end(scheme, start)


def test_scheme_without_a_validity_rule(mini_data):
    from scoring import parse_scheme

    mini = parse_scheme(mini_data)
    with pytest.raises(TypeError, match="declares no validity rule"):
        validity_end(mini, dt.date(2026, 1, 1))
    assert next_extension_years(mini, 0) is None


def test_next_extension_years(scheme):
    assert [next_extension_years(scheme, n) for n in range(4)] == [1, 2, None, None]
