"""Flags an evaluator whose criterion subtotal lies far from the other evaluators on a dossier."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

from scoring._numbers import exact
from scoring.model import Scheme
from scoring.sheets import ScoreSheet, exact_subtotal, has_text


@dataclass(frozen=True)
class DeviationFlag:
    """A criterion on which one evaluator needs a written justification (소명) to submit.

    `sd_used` is the larger of `others_sd` and the scheme's floor; `deviation_sds` is
    |subtotal - others_mean| / sd_used (None when sd_used is 0, i.e.
    the scheme has no floor and all others agree); `direction` is "above" or
    "below"; `justified` says whether the sheet already carries a justification.
    """

    evaluator_id: str
    criterion_id: str
    subtotal: float
    others_mean: float
    others_sd: float
    sd_used: float
    sd_multiple: float
    deviation_sds: float | None
    direction: str
    n_others: int
    justified: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def deviation_flags(
    scheme: Scheme, sheet: ScoreSheet, other_sheets: Sequence[ScoreSheet]
) -> list[DeviationFlag]:
    """Criteria on which `sheet` is `sd_multiple` or more SDs from the other evaluators.

    For each criterion: x is this sheet's subtotal; m and s are the mean and the sample
    standard deviation (n - 1) of the other evaluators' subtotals on the same dossier;
    s is raised to at least `sd_floor_percent` % of the criterion's points. The criterion
    is flagged when |x - m| >= sd_multiple * s and x != m. Sheets by the same evaluator id
    and sheets that have not scored every item of the criterion are left out of the
    others; with fewer than `min_other_sheets` others nothing can be judged and nothing is
    flagged. Comparisons are exact, so "two SDs" is met at exactly two.
    """
    rule = scheme.deviation
    k = exact(rule.sd_multiple)
    flags = []
    for criterion in scheme.criteria:
        if not _complete(sheet, criterion.items):
            continue
        others = [
            exact_subtotal(scheme, other, criterion.id)
            for other in other_sheets
            if other.evaluator_id != sheet.evaluator_id and _complete(other, criterion.items)
        ]
        if len(others) < rule.min_other_sheets:
            continue
        x = exact_subtotal(scheme, sheet, criterion.id)
        mean = sum(others, Fraction(0)) / len(others)
        variance = sum(((o - mean) ** 2 for o in others), Fraction(0)) / (len(others) - 1)
        floor = exact(criterion.points) * exact(rule.sd_floor_percent) / 100
        variance_used = max(variance, floor**2)
        gap = x - mean
        if gap == 0 or gap**2 < k**2 * variance_used:
            continue
        sd_used = math.sqrt(variance_used)
        flags.append(
            DeviationFlag(
                evaluator_id=sheet.evaluator_id,
                criterion_id=criterion.id,
                subtotal=float(x),
                others_mean=float(mean),
                others_sd=math.sqrt(variance),
                sd_used=sd_used,
                sd_multiple=float(rule.sd_multiple),
                deviation_sds=abs(float(gap)) / sd_used if sd_used else None,
                direction="above" if gap > 0 else "below",
                n_others=len(others),
                justified=has_text(sheet.justifications.get(criterion.id)),
            )
        )
    return flags


def panel_deviation_flags(scheme: Scheme, sheets: Sequence[ScoreSheet]) -> list[DeviationFlag]:
    """Flags for every sheet on one dossier, each judged against all the others.

    For the close of a round: the first evaluators to submit had too few others to be
    checked against when they submitted.
    """
    return [flag for sheet in sheets for flag in deviation_flags(scheme, sheet, sheets)]


def _complete(sheet: ScoreSheet, items: Sequence) -> bool:
    return all(item.level_for(sheet.scores.get(item.id)) is not None for item in items)
