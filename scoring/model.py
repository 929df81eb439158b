"""The parts of a scoring scheme (혁신성 평가 기준) as immutable dataclasses."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

from scoring._numbers import exact


@dataclass(frozen=True)
class Text:
    """A label or descriptor in Korean and English."""

    ko: str
    en: str

    def get(self, lang: str) -> str:
        """Return the text in `lang` ("ko" or "en"); anything else falls back to English."""
        return self.ko if lang == "ko" else self.en

    def to_dict(self) -> dict[str, str]:
        return {"ko": self.ko, "en": self.en}


@dataclass(frozen=True)
class RubricLevel:
    """One anchored level of the rubric, e.g. "good" = 80 % of an item's points."""

    id: str
    percent: float
    label: Text


@dataclass(frozen=True)
class Item:
    """A scored item (세부 평가항목) with its descriptor for every rubric level."""

    id: str
    criterion_id: str
    label: Text
    points: float
    levels: tuple[RubricLevel, ...]
    descriptors: dict[str, Text]

    def points_for(self, level_id: str) -> float:
        """Points this item gives at rubric level `level_id`.

        :raise KeyError: the level does not exist in the scheme.
        """
        return float(self.exact_points_for(level_id))

    def exact_points_for(self, level_id: str) -> Fraction:
        for level in self.levels:
            if level.id == level_id:
                return exact(self.points) * exact(level.percent) / 100
        raise KeyError(level_id)

    def allowed_points(self) -> tuple[float, ...]:
        """The scores an evaluator may give, highest first."""
        return tuple(self.points_for(level.id) for level in self.levels)

    def level_for(self, points: object) -> RubricLevel | None:
        """The rubric level worth exactly `points`, or None when no level is."""
        if isinstance(points, bool) or not isinstance(points, int | float):
            return None
        value = exact(points)
        for level in self.levels:
            if self.exact_points_for(level.id) == value:
                return level
        return None


@dataclass(frozen=True)
class Criterion:
    """A scored criterion (평가항목), e.g. Technology 기술성, made of items."""

    id: str
    label: Text
    points: float
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Gate:
    """A pass/fail condition checked before points count (적격 여부)."""

    id: str
    label: Text
    question: Text
    # Product kinds the gate applies to; empty means every kind.
    applies_to: tuple[str, ...] = ()

    def applies(self, product_kind: str | None) -> bool:
        return product_kind is None or not self.applies_to or product_kind in self.applies_to


@dataclass(frozen=True)
class ProductKind:
    id: str
    label: Text


@dataclass(frozen=True)
class AggregationRule:
    """How evaluators' sheets become one result."""

    # With at least this many evaluators, each item's highest and lowest score are dropped.
    trim_min_evaluators: int
    # Item means are rounded half-up to this many decimals; totals add the rounded means.
    decimals: int
    # What a gate vote that splits exactly in half means.
    gate_tie_passes: bool


@dataclass(frozen=True)
class DeviationRule:
    """When an evaluator's criterion subtotal stands out enough to need a justification."""

    sd_multiple: float
    min_other_sheets: int
    # The SD used is never below this share of the criterion's points, so that a panel
    # in perfect agreement does not flag a one-step difference.
    sd_floor_percent: float


@dataclass(frozen=True)
class Threshold:
    """A minimum the decision requires, on the total or on one criterion."""

    id: str
    label: Text
    target: str  # "total" or a criterion id
    required: float  # in points

    @property
    def exact_required(self) -> Fraction:
        return exact(self.required)


@dataclass(frozen=True)
class DecisionRule:
    all_gates_must_pass: bool
    thresholds: tuple[Threshold, ...]


@dataclass(frozen=True)
class ValidityRule:
    """How long a designation lasts and how it may be extended (지정 유효기간)."""

    initial_years: int
    extension_years: tuple[int, ...]

    @property
    def max_years(self) -> int:
        return self.initial_years + sum(self.extension_years)


@dataclass(frozen=True)
class Scheme:
    """A versioned evaluation scheme, loaded from a file under scoring/schemes/."""

    id: str
    version: int
    title: Text
    levels: tuple[RubricLevel, ...]
    gates: tuple[Gate, ...]
    criteria: tuple[Criterion, ...]
    aggregation: AggregationRule
    deviation: DeviationRule
    decision: DecisionRule
    product_kinds: tuple[ProductKind, ...] = ()
    validity: ValidityRule | None = None
    source: str | None = None

    @property
    def key(self) -> str:
        """ "id-vVERSION", the name of the scheme's file without its extension."""
        return f"{self.id}-v{self.version}"

    @property
    def max_total(self) -> float:
        return float(sum(exact(c.points) for c in self.criteria))

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for criterion in self.criteria for item in criterion.items)

    def level(self, level_id: str) -> RubricLevel:
        """:raise KeyError: no such rubric level."""
        for level in self.levels:
            if level.id == level_id:
                return level
        raise KeyError(level_id)

    def to_dict(self) -> dict[str, Any]:
        """The whole scheme as plain data, e.g. for a JSON API that renders scoring forms."""
        return _plain(asdict(self))

    def criterion(self, criterion_id: str) -> Criterion:
        """:raise KeyError: no such criterion."""
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)

    def item(self, item_id: str) -> Item:
        """:raise KeyError: no such item."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def gate(self, gate_id: str) -> Gate:
        """:raise KeyError: no such gate."""
        for gate in self.gates:
            if gate.id == gate_id:
                return gate
        raise KeyError(gate_id)

    def applicable_gates(self, product_kind: str | None = None) -> tuple[Gate, ...]:
        return tuple(g for g in self.gates if g.applies(product_kind))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
