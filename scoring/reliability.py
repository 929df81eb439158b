"""Inter-rater agreement for an evaluation round: Kendall's W and the intraclass correlation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats

from scoring.model import Scheme
from scoring.sheets import ScoreSheet, exact_subtotal, structural_problems

#: Why a measure has no value: too few products or evaluators; no variation in the scores
#: (all the same, so agreement is not measurable); the estimate is undefined (products differ
#: no more than evaluators disagree).
TOO_SMALL, NO_VARIANCE, UNDEFINED = "too_small", "no_variance", "undefined"
REASON_CODES = (TOO_SMALL, NO_VARIANCE, UNDEFINED)


@dataclass(frozen=True)
class Measure:
    """One agreement statistic; `value` is None when the data cannot support it (`reason`,
    in English, and `reason_code`, stable for callers that explain it in their own words:
    one of REASON_CODES)."""

    name: str
    value: float | None
    reason: str | None
    n_subjects: int
    n_raters: int
    p_value: float | None = None
    reason_code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Agreement:
    """Agreement of a round's evaluators over the dossiers they all scored.

    `products` and `evaluators` are the rows and columns actually used; `excluded_evaluators`
    are those who did not score every product (or whose sheet was incomplete) and so could
    not be placed in the complete products x evaluators table the statistics need.
    """

    target: str  # "total" or a criterion id
    products: tuple[str, ...]
    evaluators: tuple[str, ...]
    excluded_evaluators: tuple[str, ...]
    kendalls_w: Measure
    icc_single: Measure  # ICC(2,1)
    icc_average: Measure  # ICC(2,k)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("products", "evaluators", "excluded_evaluators"):
            data[key] = list(data[key])
        return data


def kendalls_w(scores: Any) -> Measure:
    """Kendall's coefficient of concordance W, corrected for ties.

    `scores` is a table with one row per product (subject) and one column per evaluator
    (rater). Each evaluator's scores are ranked (tied scores share their mean rank);
    R_i is product i's rank sum, S = sum (R_i - mean R)^2, and for each evaluator j,
    T_j = sum over groups of tied scores of (t^3 - t). Then
    W = 12 S / (m^2 (n^3 - n) - m sum T_j), with n products and m evaluators.
    The p-value is from chi^2 = m (n - 1) W with n - 1 degrees of freedom.
    """
    table = _as_table(scores)
    n, m = table.shape
    if n < 2 or m < 2:
        return Measure("kendalls_w", None, _too_small(n, m), n, m, reason_code=TOO_SMALL)
    ranks = np.column_stack([stats.rankdata(table[:, j]) for j in range(m)])
    rank_sums = ranks.sum(axis=1)
    s = float(((rank_sums - rank_sums.mean()) ** 2).sum())
    ties = 0.0
    for j in range(m):
        _, counts = np.unique(table[:, j], return_counts=True)
        ties += float((counts**3 - counts).sum())
    denominator = m**2 * (n**3 - n) - m * ties
    if denominator == 0:
        reason = "every evaluator gave all products the same score"
        return Measure("kendalls_w", None, reason, n, m, reason_code=NO_VARIANCE)
    w = 12 * s / denominator
    chi2 = m * (n - 1) * w
    p_value = float(stats.chi2.sf(chi2, n - 1))
    return Measure("kendalls_w", w, None, n, m, p_value)


def icc(scores: Any) -> tuple[Measure, Measure]:
    """ICC(2,1) and ICC(2,k): two-way random effects, absolute agreement (Shrout & Fleiss).

    `scores` has one row per product and one column per evaluator. With n products and
    k evaluators, from the two-way ANOVA mean squares MSR (rows), MSC (columns) and MSE
    (residual):
    ICC(2,1) = (MSR - MSE) / (MSR + (k - 1) MSE + k (MSC - MSE) / n)
    ICC(2,k) = (MSR - MSE) / (MSR + (MSC - MSE) / n)
    ICC(2,1) is the reliability of one evaluator's score; ICC(2,k) that of the panel mean.
    """
    table = _as_table(scores)
    n, k = table.shape
    if n < 2 or k < 2:
        reason = _too_small(n, k)
        return (
            Measure("icc_2_1", None, reason, n, k, reason_code=TOO_SMALL),
            Measure("icc_2_k", None, reason, n, k, reason_code=TOO_SMALL),
        )
    grand = table.mean()
    row_means = table.mean(axis=1)
    col_means = table.mean(axis=0)
    msr = k * float(((row_means - grand) ** 2).sum()) / (n - 1)
    msc = n * float(((col_means - grand) ** 2).sum()) / (k - 1)
    residual = table - row_means[:, None] - col_means[None, :] + grand
    mse = float((residual**2).sum()) / ((n - 1) * (k - 1))
    single_den = msr + (k - 1) * mse + k * (msc - mse) / n
    average_den = msr + (msc - mse) / n
    results = []
    for name, den in (("icc_2_1", single_den), ("icc_2_k", average_den)):
        if np.isclose(den, 0.0) and np.isclose(msr, 0.0) and np.isclose(msc, 0.0):
            reason = "no variance: every score in the table is the same"
            results.append(Measure(name, None, reason, n, k, reason_code=NO_VARIANCE))
        elif den <= 0 or np.isclose(den, 0.0):
            # The estimator's denominator is not positive only when the products barely
            # differ while evaluators disagree; the ratio then means nothing (it can exceed 1).
            reason = "undefined: products do not differ more than the evaluators disagree"
            results.append(Measure(name, None, reason, n, k, reason_code=UNDEFINED))
        else:
            results.append(Measure(name, (msr - mse) / den, None, n, k))
    return results[0], results[1]


def agreement(
    scheme: Scheme,
    round_sheets: Mapping[str, Sequence[ScoreSheet]],
    *,
    target: str = "total",
) -> Agreement:
    """Agreement among a round's evaluators, over products x evaluators.

    `round_sheets` maps each product (dossier) id to its sheets. The statistic is computed
    on each evaluator's total (or, with `target` set to a criterion id, that criterion's
    subtotal). Only evaluators with a complete sheet on every product are used, because
    both measures need a complete table; when fewer than two products or two evaluators
    remain, the measures are None with a reason.

    :raise KeyError: `target` is neither "total" nor a criterion id.
    """
    if target != "total":
        scheme.criterion(target)
    products = tuple(sorted(round_sheets))
    values: dict[str, dict[str, float]] = {}
    everyone: set[str] = set()
    for product in products:
        values[product] = {}
        for sheet in round_sheets[product]:
            everyone.add(sheet.evaluator_id)
            if structural_problems(scheme, sheet):
                continue
            criteria = scheme.criteria if target == "total" else (scheme.criterion(target),)
            values[product][sheet.evaluator_id] = float(
                sum(exact_subtotal(scheme, sheet, c.id) for c in criteria)
            )
    common = set(everyone)
    for product in products:
        common &= set(values[product])
    evaluators = tuple(sorted(common))
    table = np.array([[values[p][e] for e in evaluators] for p in products], dtype=float)
    table = table.reshape(len(products), len(evaluators))
    single, average = icc(table)
    return Agreement(
        target=target,
        products=products,
        evaluators=evaluators,
        excluded_evaluators=tuple(sorted(everyone - common)),
        kendalls_w=kendalls_w(table),
        icc_single=single,
        icc_average=average,
    )


def _as_table(scores: Any) -> np.ndarray:
    table = np.asarray(scores, dtype=float)
    if table.size == 0 and table.ndim == 1:  # [] is an empty round, not a malformed one
        table = table.reshape(0, 0)
    if table.ndim != 2:
        raise ValueError(f"expected a products x evaluators table, got shape {table.shape}")
    return table


def _too_small(n: int, m: int) -> str:
    return (
        f"needs at least 2 products and 2 evaluators who scored them all; "
        f"have {n} product(s) and {m} evaluator(s)"
    )
