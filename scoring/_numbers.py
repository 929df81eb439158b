"""Exact arithmetic helpers, so that a score exactly on a threshold is never lost to float error."""

from __future__ import annotations

from fractions import Fraction


def exact(value: float | Fraction) -> Fraction:
    """The decimal value a person wrote (8.0, 0.6, 70), as an exact fraction."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    # str() gives the shortest decimal that round-trips, i.e. what was written in the file.
    return Fraction(str(value))


def round_half_up(value: Fraction, decimals: int) -> Fraction:
    """Round to `decimals` places, halves away from zero (the usual rule on score sheets)."""
    scale = Fraction(10) ** decimals
    scaled = abs(value) * scale
    rounded = int(scaled + Fraction(1, 2))
    return Fraction(rounded if value >= 0 else -rounded) / scale


def to_float(value: Fraction, decimals: int | None = None) -> float:
    if decimals is not None:
        value = round_half_up(value, decimals)
    return float(value)
