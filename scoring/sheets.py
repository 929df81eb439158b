"""One evaluator's score sheet (평가표) and the structural checks that make it usable."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from scoring._numbers import exact
from scoring.model import Scheme, Text


@dataclass(frozen=True)
class ScoreSheet:
    """What one evaluator gave one dossier.

    `scores` maps item id to points (which must be one of the item's rubric levels, e.g.
    10, 8, 6, 4 or 2 for a 10-point item); `gates` maps gate id to pass (True) or fail;
    `comments` and `justifications` map criterion id to text. Use `from_levels` when the
    form collects level ids rather than points.
    """

    evaluator_id: str
    gates: Mapping[str, bool] = field(default_factory=dict)
    scores: Mapping[str, float] = field(default_factory=dict)
    comments: Mapping[str, str] = field(default_factory=dict)
    justifications: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_levels(
        cls,
        scheme: Scheme,
        evaluator_id: str,
        levels: Mapping[str, str],
        gates: Mapping[str, bool] | None = None,
        comments: Mapping[str, str] | None = None,
        justifications: Mapping[str, str] | None = None,
    ) -> ScoreSheet:
        """Build a sheet from rubric level ids per item ("excellent", "good", ...).

        :raise KeyError: an unknown item or level id.
        """
        return cls(
            evaluator_id=evaluator_id,
            gates=dict(gates or {}),
            scores={item_id: scheme.item(item_id).points_for(lv) for item_id, lv in levels.items()},
            comments=dict(comments or {}),
            justifications=dict(justifications or {}),
        )

    def criterion_subtotal(self, scheme: Scheme, criterion_id: str) -> float:
        """This sheet's subtotal on one criterion; missing or off-rubric scores count 0."""
        return float(exact_subtotal(scheme, self, criterion_id))

    def total(self, scheme: Scheme) -> float:
        """This evaluator's own index: the sum of all item scores."""
        return float(sum(exact_subtotal(scheme, self, c.id) for c in scheme.criteria))

    def to_dict(self) -> dict[str, Any]:
        return {
            "evaluator_id": self.evaluator_id,
            "gates": dict(self.gates),
            "scores": dict(self.scores),
            "comments": dict(self.comments),
            "justifications": dict(self.justifications),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoreSheet:
        """Inverse of `to_dict`. :raise KeyError: no evaluator_id."""
        return cls(
            evaluator_id=data["evaluator_id"],
            gates=dict(data.get("gates", {})),
            scores=dict(data.get("scores", {})),
            comments=dict(data.get("comments", {})),
            justifications=dict(data.get("justifications", {})),
        )


def exact_subtotal(scheme: Scheme, sheet: ScoreSheet, criterion_id: str) -> Fraction:
    """A sheet's exact subtotal on one criterion, counting only scores on the rubric."""
    criterion = scheme.criterion(criterion_id)
    total = Fraction(0)
    for item in criterion.items:
        value = sheet.scores.get(item.id)
        if isinstance(value, int | float) and item.level_for(value) is not None:
            total += exact(value)
    return total


@dataclass(frozen=True)
class Problem:
    """A reason a sheet cannot be submitted or aggregated.

    `code` is stable (for the app's own messages); `target` is the gate, item or criterion
    id concerned; `message` is ready to show in Korean or English.
    """

    code: str
    target: str
    message: Text

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "target": self.target, "message": self.message.to_dict()}


class SheetError(ValueError):
    """Raised when sheets are not fit to submit or aggregate; `problems` says why."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(p.message.en for p in self.problems))


def structural_problems(
    scheme: Scheme, sheet: ScoreSheet, *, product_kind: str | None = None
) -> list[Problem]:
    """Missing or unknown items and gates, and scores that are not a rubric level.

    These make a sheet unusable for aggregation; comments and justifications are checked
    separately by `check_submittable` because they do not change the numbers.
    """
    problems: list[Problem] = []
    item_ids = {item.id for item in scheme.items}
    for item in scheme.items:
        if item.id not in sheet.scores:
            problems.append(
                Problem(
                    "missing_score",
                    item.id,
                    Text(
                        f"'{item.label.ko}' 항목의 점수가 없습니다.",
                        f"No score for '{item.label.en}'.",
                    ),
                )
            )
        elif item.level_for(sheet.scores[item.id]) is None:
            allowed = ", ".join(f"{p:g}" for p in item.allowed_points())
            given = sheet.scores[item.id]
            problems.append(
                Problem(
                    "invalid_score",
                    item.id,
                    Text(
                        f"'{item.label.ko}' 점수 {given!r}은(는) 평가 등급 점수({allowed}) 중 "
                        "하나가 아닙니다.",
                        f"Score {given!r} for '{item.label.en}' is not a rubric level ({allowed}).",
                    ),
                )
            )
    for item_id in sorted(set(sheet.scores) - item_ids):
        problems.append(
            Problem(
                "unknown_item",
                item_id,
                Text(
                    f"평가 기준에 없는 항목 '{item_id}'에 점수가 있습니다.",
                    f"Score for '{item_id}', which is not an item of this scheme.",
                ),
            )
        )
    applicable = scheme.applicable_gates(product_kind)
    for gate in applicable:
        answer = sheet.gates.get(gate.id)
        if not isinstance(answer, bool):
            problems.append(
                Problem(
                    "missing_gate",
                    gate.id,
                    Text(
                        f"'{gate.label.ko}' 적격 여부(통과/불통과)를 선택하지 않았습니다.",
                        f"No pass/fail answer for the gate '{gate.label.en}'.",
                    ),
                )
            )
    all_gate_ids = {gate.id for gate in scheme.gates}
    for gate_id in sorted(set(sheet.gates) - all_gate_ids):
        problems.append(
            Problem(
                "unknown_gate",
                gate_id,
                Text(
                    f"평가 기준에 없는 게이트 '{gate_id}'에 응답이 있습니다.",
                    f"Answer for '{gate_id}', which is not a gate of this scheme.",
                ),
            )
        )
    return problems


def has_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())
