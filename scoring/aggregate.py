"""Turns the evaluators' score sheets on one dossier into the innovation index and a decision."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

from scoring._numbers import exact, round_half_up, to_float
from scoring.model import Scheme, Text
from scoring.sheets import Problem, ScoreSheet, SheetError, structural_problems


@dataclass(frozen=True)
class DroppedScore:
    """A score left out of an item's mean by the highest/lowest rule."""

    item_id: str
    evaluator_id: str
    points: float
    reason: str  # "highest" or "lowest"


@dataclass(frozen=True)
class ItemResult:
    id: str
    criterion_id: str
    points: float  # the item's maximum
    mean: float  # mean of the scores kept, rounded half-up to the scheme's decimals
    scores_used: int
    dropped: tuple[DroppedScore, ...]


@dataclass(frozen=True)
class CriterionResult:
    id: str
    points: float  # the criterion's maximum
    subtotal: float  # the sum of its items' rounded means
    percent: float  # subtotal as a percentage of points


@dataclass(frozen=True)
class GateResult:
    """The evaluators' vote on one gate; a gate that does not apply is passed."""

    id: str
    applicable: bool
    passes: int
    fails: int
    votes_needed: int  # passes needed to carry the gate
    passed: bool


@dataclass(frozen=True)
class ThresholdResult:
    """One minimum of the decision rule; `margin` = value - required (negative: missed)."""

    id: str
    target: str
    required: float
    value: float
    margin: float
    met: bool


@dataclass(frozen=True)
class Result:
    """The aggregated evaluation of one dossier under one scheme version."""

    scheme_id: str
    scheme_version: int
    product_kind: str | None
    n_evaluators: int
    evaluator_ids: tuple[str, ...]  # sorted
    trimmed: bool  # whether the highest/lowest rule applied
    total: float  # the innovation index, 0-100
    max_total: float
    criteria: tuple[CriterionResult, ...]
    items: tuple[ItemResult, ...]
    gates: tuple[GateResult, ...]
    gates_passed: bool
    thresholds: tuple[ThresholdResult, ...]
    certified: bool

    @property
    def dropped(self) -> tuple[DroppedScore, ...]:
        """Every score the highest/lowest rule left out."""
        return tuple(d for item in self.items for d in item.dropped)

    def criterion(self, criterion_id: str) -> CriterionResult:
        """:raise KeyError: no such criterion."""
        return _by_id(self.criteria, criterion_id)

    def item(self, item_id: str) -> ItemResult:
        """:raise KeyError: no such item."""
        return _by_id(self.items, item_id)

    def gate(self, gate_id: str) -> GateResult:
        """:raise KeyError: no such gate."""
        return _by_id(self.gates, gate_id)

    def threshold(self, threshold_id: str) -> ThresholdResult:
        """:raise KeyError: no such threshold."""
        return _by_id(self.thresholds, threshold_id)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (lists, dicts, numbers, strings) ready for json.dumps."""
        data = _plain(asdict(self))
        data["dropped"] = [asdict(d) for d in self.dropped]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        """Rebuild a stored result (the inverse of `to_dict`).

        :raise KeyError: a field is missing.
        """
        items = tuple(
            ItemResult(
                **{k: v for k, v in item.items() if k != "dropped"},
                dropped=tuple(DroppedScore(**d) for d in item["dropped"]),
            )
            for item in data["items"]
        )
        return cls(
            scheme_id=data["scheme_id"],
            scheme_version=data["scheme_version"],
            product_kind=data["product_kind"],
            n_evaluators=data["n_evaluators"],
            evaluator_ids=tuple(data["evaluator_ids"]),
            trimmed=data["trimmed"],
            total=data["total"],
            max_total=data["max_total"],
            criteria=tuple(CriterionResult(**c) for c in data["criteria"]),
            items=items,
            gates=tuple(GateResult(**g) for g in data["gates"]),
            gates_passed=data["gates_passed"],
            thresholds=tuple(ThresholdResult(**t) for t in data["thresholds"]),
            certified=data["certified"],
        )


def _plain(value: Any) -> Any:
    # asdict keeps tuples; stored JSON and API consumers expect lists.
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _by_id(rows: Sequence[Any], wanted: str) -> Any:
    for row in rows:
        if row.id == wanted:
            return row
    raise KeyError(wanted)


def aggregate(
    scheme: Scheme, sheets: Sequence[ScoreSheet], *, product_kind: str | None = None
) -> Result:
    """Aggregate the evaluators' sheets on one dossier.

    Per item, the mean of the evaluators' points; with `trim_min_evaluators` or more
    sheets the single highest and single lowest score are dropped first (ties broken by
    evaluator id, so the order of `sheets` never matters). Means are rounded half-up to the
    scheme's decimals; subtotals and the total add the rounded means, so the published
    numbers add up and the decision is made on exactly the numbers shown. A gate passes
    when more than half the evaluators pass it (a tie follows `gate_tie_passes`). Gates
    that do not apply to `product_kind` are passed; None applies every gate.

    :raise SheetError: no sheets, a repeated evaluator id, or a sheet with a missing,
        unknown or off-rubric score or a missing gate answer.
    """
    _check_sheets(scheme, sheets, product_kind)
    rule = scheme.aggregation
    n = len(sheets)
    trimmed = n >= rule.trim_min_evaluators

    items = []
    subtotals: dict[str, Fraction] = {}
    for criterion in scheme.criteria:
        subtotal = Fraction(0)
        for item in criterion.items:
            scored = sorted((exact(s.scores[item.id]), s.evaluator_id) for s in sheets)
            dropped: tuple[DroppedScore, ...] = ()
            if trimmed:
                low, high = scored[0], scored[-1]
                dropped = (
                    DroppedScore(item.id, high[1], float(high[0]), "highest"),
                    DroppedScore(item.id, low[1], float(low[0]), "lowest"),
                )
                scored = scored[1:-1]
            mean = round_half_up(sum(p for p, _ in scored) / len(scored), rule.decimals)
            subtotal += mean
            items.append(
                ItemResult(item.id, criterion.id, item.points, float(mean), len(scored), dropped)
            )
        subtotals[criterion.id] = subtotal
    total = sum(subtotals.values(), Fraction(0))

    gates = []
    for gate in scheme.gates:
        if not gate.applies(product_kind):
            gates.append(
                GateResult(
                    gate.id, applicable=False, passes=0, fails=0, votes_needed=0, passed=True
                )
            )
            continue
        passes = sum(1 for s in sheets if s.gates[gate.id] is True)
        # Strictly more than half; at an exact half the scheme decides.
        needed = n // 2 if (n % 2 == 0 and rule.gate_tie_passes) else n // 2 + 1
        gates.append(
            GateResult(
                gate.id,
                applicable=True,
                passes=passes,
                fails=n - passes,
                votes_needed=needed,
                passed=passes >= needed,
            )
        )
    gates_passed = all(g.passed for g in gates)

    thresholds = []
    for threshold in scheme.decision.thresholds:
        value = total if threshold.target == "total" else subtotals[threshold.target]
        margin = value - threshold.exact_required
        thresholds.append(
            ThresholdResult(
                threshold.id,
                threshold.target,
                threshold.required,
                float(value),
                to_float(margin, rule.decimals),
                margin >= 0,
            )
        )
    certified = all(t.met for t in thresholds) and (
        gates_passed or not scheme.decision.all_gates_must_pass
    )

    return Result(
        scheme_id=scheme.id,
        scheme_version=scheme.version,
        product_kind=product_kind,
        n_evaluators=n,
        evaluator_ids=tuple(sorted(s.evaluator_id for s in sheets)),
        trimmed=trimmed,
        total=float(total),
        max_total=scheme.max_total,
        criteria=tuple(
            CriterionResult(
                c.id,
                c.points,
                float(subtotals[c.id]),
                to_float(subtotals[c.id] * 100 / exact(c.points), rule.decimals),
            )
            for c in scheme.criteria
        ),
        items=tuple(items),
        gates=tuple(gates),
        gates_passed=gates_passed,
        thresholds=tuple(thresholds),
        certified=certified,
    )


def _check_sheets(scheme: Scheme, sheets: Sequence[ScoreSheet], product_kind: str | None) -> None:
    problems: list[Problem] = []
    if not sheets:
        problems.append(
            Problem(
                "no_sheets", "", Text("제출된 평가표가 없습니다.", "There are no score sheets.")
            )
        )
    if product_kind is not None and product_kind not in {k.id for k in scheme.product_kinds}:
        problems.append(
            Problem(
                "unknown_product_kind",
                product_kind,
                Text(
                    f"평가 기준에 없는 제품 유형 '{product_kind}'입니다.",
                    f"'{product_kind}' is not a product kind of this scheme.",
                ),
            )
        )
    seen: set[str] = set()
    for sheet in sheets:
        if sheet.evaluator_id in seen:
            problems.append(
                Problem(
                    "duplicate_evaluator",
                    sheet.evaluator_id,
                    Text(
                        f"평가위원 '{sheet.evaluator_id}'의 평가표가 두 장 이상입니다.",
                        f"More than one sheet from evaluator '{sheet.evaluator_id}'.",
                    ),
                )
            )
        seen.add(sheet.evaluator_id)
        for problem in structural_problems(scheme, sheet, product_kind=product_kind):
            # Say whose sheet it is: the round has many.
            problems.append(
                Problem(
                    problem.code,
                    problem.target,
                    Text(
                        f"[{sheet.evaluator_id}] {problem.message.ko}",
                        f"[{sheet.evaluator_id}] {problem.message.en}",
                    ),
                )
            )
    if problems:
        raise SheetError(problems)
