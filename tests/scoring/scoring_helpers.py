"""Helpers for the scoring tests: write score sheets and small schemes compactly."""

from __future__ import annotations

from collections.abc import Sequence

from scoring import ScoreSheet

# The default scheme's items in file order, so a sheet can be written as one row of points.
ITEM_ORDER = (
    "novelty",
    "superiority",
    "maturity_ip",
    "market_potential",
    "price_readiness",
    "public_problem",
    "public_purchase_need",
    "citizen_effect",
    "new_industry",
    "growth_export",
)


def sheet(
    evaluator_id: str,
    points: Sequence[float],
    *,
    gates: bool | dict[str, bool] = True,
    comments: bool = True,
    justifications: dict[str, str] | None = None,
) -> ScoreSheet:
    """A sheet on the default scheme from ten points in ITEM_ORDER."""
    assert len(points) == len(ITEM_ORDER)
    gate_ids = ("public_fit", "innovative_solution", "trl", "safety", "no_regulatory_obstacle")
    gate_answers = gates if isinstance(gates, dict) else dict.fromkeys(gate_ids, gates)
    criteria = ("technology", "market", "publicness", "growth")
    return ScoreSheet(
        evaluator_id=evaluator_id,
        gates=gate_answers,
        scores=dict(zip(ITEM_ORDER, points, strict=True)),
        comments={c: f"{c}: 근거 자료 검토 의견" for c in criteria} if comments else {},
        justifications=justifications or {},
    )


def uniform(evaluator_id: str, percent: int, **kwargs) -> ScoreSheet:
    """Every (10-point) item at the same rubric level."""
    return sheet(evaluator_id, [percent / 10] * len(ITEM_ORDER), **kwargs)


def _text(en: str) -> dict[str, str]:
    return {"ko": f"{en} (한국어)", "en": en}


def _rubric() -> dict[str, dict[str, str]]:
    return {"full": _text("all shown"), "half": _text("half shown"), "quarter": _text("little")}


def mini_data() -> dict:
    """A small scheme of unequal weights, the shape a dialogue-proposal scheme might take."""
    return {
        "id": "mini",
        "version": 1,
        "title": _text("Mini scheme"),
        "levels": [
            {"id": "full", "percent": 100, "label": _text("Full")},
            {"id": "half", "percent": 50, "label": _text("Half")},
            {"id": "quarter", "percent": 25, "label": _text("Quarter")},
        ],
        "gates": [{"id": "eligible", "label": _text("Eligible"), "question": _text("Eligible?")}],
        "criteria": [
            {
                "id": "innovation",
                "label": _text("Innovation"),
                "points": 60,
                "items": [
                    {"id": "idea", "label": _text("Idea"), "points": 40, "rubric": _rubric()},
                    {"id": "proof", "label": _text("Proof"), "points": 20, "rubric": _rubric()},
                ],
            },
            {
                "id": "value",
                "label": _text("Value"),
                "points": 40,
                "items": [
                    {"id": "benefit", "label": _text("Benefit"), "points": 40, "rubric": _rubric()}
                ],
            },
        ],
        "aggregation": {"trim_min_evaluators": 5, "decimals": 2, "gate_tie_passes": False},
        "deviation": {"sd_multiple": 2, "min_other_sheets": 2, "sd_floor_percent": 0},
        "decision": {
            "all_gates_must_pass": True,
            "thresholds": [
                {"id": "total", "target": "total", "min_points": 60, "label": _text("60+")},
                {
                    "id": "value_half",
                    "target": "value",
                    "min_percent": 50,
                    "label": _text("Value half"),
                },
            ],
        },
    }


def sheet_for(evaluator_id: str, *, eligible: bool = True, **points: float) -> ScoreSheet:
    """A sheet on the mini scheme."""
    return ScoreSheet(evaluator_id, gates={"eligible": eligible}, scores=points)
