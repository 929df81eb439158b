"""Worked golden cases: means, the drop rule, weights, gates, thresholds and margins."""

from __future__ import annotations

import json

import pytest

from scoring import Result, SheetError, aggregate, parse_scheme
from scoring_helpers import sheet, sheet_for, uniform

# Three evaluators, worked by hand (items in conftest.ITEM_ORDER):
#   A: 8 8 6 | 8 6 | 8 8 6 | 6 6  -> 22 + 14 + 22 + 12 = 70
#   B: 10 8 8 | 8 8 | 8 10 8 | 8 6 -> 26 + 16 + 26 + 14 = 82
#   C: 6 6 6 | 6 6 | 6 6 6 | 6 4  -> 18 + 12 + 18 + 10 = 58
# Item means (rounded half-up to 2 places):
#   novelty 24/3 = 8.00, superiority 22/3 = 7.33, maturity 20/3 = 6.67  -> technology 22.00
#   market potential 7.33, price 6.67                                 -> market 14.00
#   public problem 7.33, purchase need 8.00, citizen effect 6.67        -> publicness 22.00
#   new industry 6.67, growth/export 16/3 = 5.33                        -> growth 12.00
# Total 70.00: exactly on the 70-point line, which is met ("at least").
A = (8, 8, 6, 8, 6, 8, 8, 6, 6, 6)
B = (10, 8, 8, 8, 8, 8, 10, 8, 8, 6)
C = (6, 6, 6, 6, 6, 6, 6, 6, 6, 4)


def test_three_evaluators_plain_mean_exactly_on_the_line(scheme):
    result = aggregate(scheme, [sheet("a", A), sheet("b", B), sheet("c", C)])
    assert result.n_evaluators == 3
    assert not result.trimmed
    assert result.dropped == ()
    means = {item.id: item.mean for item in result.items}
    assert means == {
        "novelty": 8.0,
        "superiority": 7.33,
        "maturity_ip": 6.67,
        "market_potential": 7.33,
        "price_readiness": 6.67,
        "public_problem": 7.33,
        "public_purchase_need": 8.0,
        "citizen_effect": 6.67,
        "new_industry": 6.67,
        "growth_export": 5.33,
    }
    subtotals = {c.id: c.subtotal for c in result.criteria}
    assert subtotals == {"technology": 22.0, "market": 14.0, "publicness": 22.0, "growth": 12.0}
    assert result.criterion("technology").percent == 73.33
    assert result.total == 70.0
    assert result.max_total == 100
    margins = {t.id: (t.value, t.required, t.margin, t.met) for t in result.thresholds}
    assert margins == {
        "total": (70.0, 70.0, 0.0, True),
        "technology_minimum": (22.0, 18.0, 4.0, True),
        "publicness_minimum": (22.0, 18.0, 4.0, True),
    }
    assert result.gates_passed
    assert result.certified
    assert (result.scheme_id, result.scheme_version) == ("default", 1)


def test_drop_rule_with_five_evaluators_turns_a_fail_into_a_pass(scheme):
    # Uniform levels 100, 80, 80, 60, 20 %. A plain mean would be 68 % -> 68 points, a fail.
    # With five evaluators the 10 (e1) and the 2 (e5) are dropped on every item:
    # (8 + 8 + 6) / 3 = 7.33 per item; technology 3 x 7.33 = 21.99; total 10 x 7.33 = 73.30.
    sheets = [
        uniform("e1", 100),
        uniform("e2", 80),
        uniform("e3", 80),
        uniform("e4", 60),
        uniform("e5", 20),
    ]
    result = aggregate(scheme, sheets)
    assert result.trimmed
    assert all(item.mean == 7.33 and item.scores_used == 3 for item in result.items)
    assert result.criterion("technology").subtotal == 21.99
    assert result.criterion("market").subtotal == 14.66
    assert result.total == 73.3
    assert result.threshold("total").margin == 3.3
    assert result.threshold("technology_minimum").margin == 3.99
    assert result.certified
    dropped = result.item("novelty").dropped
    assert [(d.evaluator_id, d.points, d.reason) for d in dropped] == [
        ("e1", 10.0, "highest"),
        ("e5", 2.0, "lowest"),
    ]
    assert len(result.dropped) == 2 * len(scheme.items)


def test_four_evaluators_are_not_trimmed(scheme):
    # Below trim_min_evaluators (5) every score counts: (10 + 8 + 8 + 2) / 4 = 7 per item.
    sheets = [uniform("e1", 100), uniform("e2", 80), uniform("e3", 80), uniform("e5", 20)]
    result = aggregate(scheme, sheets)
    assert not result.trimmed
    assert result.total == 70.0
    assert result.certified


def test_drop_rule_drops_one_of_each_even_among_ties(scheme):
    # Items all 8 from everyone: one 8 is dropped as highest and one as lowest, ties broken
    # by evaluator id, and the mean is still 8.
    sheets = [uniform(f"e{i}", 80) for i in range(6)]
    result = aggregate(scheme, sheets)
    dropped = result.item("superiority").dropped
    assert [(d.evaluator_id, d.reason) for d in dropped] == [("e5", "highest"), ("e0", "lowest")]
    assert result.item("superiority").scores_used == 4
    assert result.total == 80.0


def test_total_above_70_but_technology_below_60_percent_fails(scheme):
    # Technology 4 + 4 + 4 = 12 of 30 (40 %), everything else full: total 82.
    points = (4, 4, 4, 10, 10, 10, 10, 10, 10, 10)
    result = aggregate(scheme, [sheet("a", points), sheet("b", points)])
    assert result.total == 82.0
    assert result.threshold("total").margin == 12.0
    tech = result.threshold("technology_minimum")
    assert (tech.value, tech.margin, tech.met) == (12.0, -6.0, False)
    assert result.threshold("publicness_minimum").met
    assert not result.certified


def test_publicness_just_below_its_minimum_fails(scheme):
    # Publicness (6 + 6 + 6) and (6 + 6 + 4): mean 17.00 of 30, 1 point short of 18.
    a = (10, 10, 10, 10, 10, 6, 6, 6, 10, 10)
    b = (10, 10, 10, 10, 10, 6, 6, 4, 10, 10)
    result = aggregate(scheme, [sheet("a", a), sheet("b", b)])
    assert result.criterion("publicness").subtotal == 17.0
    assert result.threshold("publicness_minimum").margin == -1.0
    assert result.total == 87.0
    assert not result.certified


def test_total_just_below_70_fails_by_the_shown_margin(scheme):
    # 8 8 6 | 8 6 | 8 8 6 | 6 4 = 68.
    points = (8, 8, 6, 8, 6, 8, 8, 6, 6, 4)
    result = aggregate(scheme, [sheet("a", points)])
    assert result.total == 68.0
    assert result.threshold("total").margin == -2.0
    assert not result.certified


def test_weights_come_from_item_points(mini_data):
    # idea 40 pts, proof 20, benefit 40. Levels 100 / 50 / 25 %.
    # x: idea full 40, proof quarter 5, benefit half 20 -> 65
    # y: idea half 20, proof full 20, benefit half 20   -> 60
    # means: idea 30, proof 12.5, benefit 20 -> innovation 42.5, value 20, total 62.5
    scheme = parse_scheme(mini_data)
    x = sheet_for("x", idea=40, proof=5, benefit=20)
    y = sheet_for("y", idea=20, proof=20, benefit=20)
    result = aggregate(scheme, [x, y])
    assert result.criterion("innovation").subtotal == 42.5
    assert result.total == 62.5
    assert result.threshold("total").margin == 2.5
    assert result.threshold("value_half").margin == 0.0
    assert result.certified


@pytest.mark.parametrize(
    ("passes", "fails", "passed"),
    [(3, 0, True), (2, 1, True), (1, 2, False), (2, 2, False), (3, 2, True), (2, 3, False)],
)
def test_gates_pass_by_strict_majority_and_a_tie_fails(scheme, passes, fails, passed):
    votes = [True] * passes + [False] * fails
    sheets = [
        sheet(f"e{i}", B, gates={**dict.fromkeys(_gate_ids(scheme), True), "safety": vote})
        for i, vote in enumerate(votes)
    ]
    result = aggregate(scheme, sheets)
    gate = result.gate("safety")
    assert (gate.passes, gate.fails, gate.passed) == (passes, fails, passed)
    assert gate.votes_needed == (passes + fails) // 2 + 1
    assert result.gates_passed is passed
    # B's points are well above every threshold: only the gate decides.
    assert all(t.met for t in result.thresholds)
    assert result.certified is passed


def test_a_tie_passes_when_the_scheme_says_so(mini_data):
    mini_data["aggregation"]["gate_tie_passes"] = True
    scheme = parse_scheme(mini_data)
    sheets = [
        sheet_for("x", idea=40, proof=20, benefit=40, eligible=True),
        sheet_for("y", idea=40, proof=20, benefit=40, eligible=False),
    ]
    result = aggregate(scheme, sheets)
    assert result.gate("eligible").votes_needed == 1
    assert result.certified


def test_trl_gate_applies_to_prototypes_only(scheme):
    gates = {**dict.fromkeys(_gate_ids(scheme), True), "trl": False}
    sheets = [sheet("a", B, gates=gates), sheet("b", B, gates=gates)]
    prototype = aggregate(scheme, sheets, product_kind="prototype")
    assert not prototype.gate("trl").passed
    assert not prototype.certified
    proven = aggregate(scheme, sheets, product_kind="proven")
    assert proven.gate("trl").applicable is False
    assert proven.gate("trl").passed
    assert proven.certified
    # Without a product kind every gate applies.
    assert not aggregate(scheme, sheets).certified


def test_a_proven_product_needs_no_trl_answer(scheme):
    gates = {g: True for g in _gate_ids(scheme) if g != "trl"}
    result = aggregate(scheme, [sheet("a", B, gates=gates)], product_kind="proven")
    assert result.certified
    with pytest.raises(SheetError, match="No pass/fail answer for the gate"):
        aggregate(scheme, [sheet("a", B, gates=gates)], product_kind="prototype")


def test_result_is_plain_json(scheme):
    sheets = [uniform(f"e{i}", p) for i, p in enumerate((100, 80, 60, 80, 40))]
    data = aggregate(scheme, sheets, product_kind="prototype").to_dict()
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    back = json.loads(text)
    assert back["scheme_id"] == "default"
    assert back["scheme_version"] == 1
    assert back["n_evaluators"] == 5
    assert back["evaluator_ids"] == ["e0", "e1", "e2", "e3", "e4"]
    assert back["total"] == 73.3
    assert {"id", "target", "required", "value", "margin", "met"} <= set(back["thresholds"][0])
    assert len(back["dropped"]) == 20
    assert Result.from_dict(back) == aggregate(scheme, sheets, product_kind="prototype")
    assert back["dropped"][0] == {
        "item_id": "novelty",
        "evaluator_id": "e0",
        "points": 10.0,
        "reason": "highest",
    }


@pytest.mark.parametrize(
    ("sheets", "message"),
    [
        ([], "There are no score sheets"),
        ([sheet("a", A), sheet("a", B)], "More than one sheet from evaluator 'a'"),
        ([sheet("a", (7, 8, 6, 8, 6, 8, 8, 6, 6, 6))], r"\[a\] Score 7 for 'Novelty' is not a"),
    ],
)
def test_unusable_sheets_are_refused(scheme, sheets, message):
    with pytest.raises(SheetError, match=message):
        aggregate(scheme, sheets)


def test_missing_score_and_unknown_product_kind_are_refused(scheme):
    incomplete = sheet("a", A)
    incomplete.scores.pop("growth_export")  # type: ignore[attr-defined]
    with pytest.raises(SheetError) as caught:
        aggregate(scheme, [incomplete], product_kind="gadget")
    codes = [p.code for p in caught.value.problems]
    assert codes == ["unknown_product_kind", "missing_score"]


def _gate_ids(scheme):
    return [g.id for g in scheme.gates]
