"""Submitting a sheet: deviation flags, mandatory comments and justifications, rubric levels."""

from __future__ import annotations

import pytest

from scoring import (
    ScoreSheet,
    SheetError,
    check_submittable,
    deviation_flags,
    ensure_submittable,
    panel_deviation_flags,
)
from scoring_helpers import sheet

# Technology subtotals from three item scores (the other criteria stay at 8 per item).
TECH = {
    12: (4, 4, 4),
    14: (6, 4, 4),
    18: (6, 6, 6),
    20: (8, 6, 6),
    22: (8, 8, 6),
    24: (8, 8, 8),
    26: (10, 8, 8),
    30: (10, 10, 10),
}


def tech(evaluator_id: str, subtotal: int, **kwargs) -> ScoreSheet:
    return sheet(evaluator_id, (*TECH[subtotal], 8, 8, 8, 8, 8, 8, 8), **kwargs)


def others(*subtotals: int) -> list[ScoreSheet]:
    return [tech(f"o{i}", s) for i, s in enumerate(subtotals)]


# The default rule: flag when |x - mean| >= 2 x max(SD of the others, 10 % of 30 = 3 points).
@pytest.mark.parametrize(
    ("mine", "theirs", "flagged"),
    [
        # Others 24, 22, 26: mean 24, SD 2, raised to the floor of 3: flagged from 6 away.
        (18, (24, 22, 26), True),  # exactly 2 SDs counts
        (20, (24, 22, 26), False),
        (30, (24, 22, 26), True),
        # Others 18, 24, 30: mean 24, SD 6 (above the floor): flagged from 12 away.
        (12, (18, 24, 30), True),
        (14, (18, 24, 30), False),
        # Others all 24: SD 0, so the floor of 3 applies and one step apart is not flagged.
        (22, (24, 24, 24), False),
        (18, (24, 24, 24), True),
        (24, (24, 24, 24), False),
        # Only one other sheet: no SD can be estimated, so nothing is flagged.
        (12, (30,), False),
    ],
)
def test_deviation_flags(scheme, mine, theirs, flagged):
    flags = deviation_flags(scheme, tech("me", mine), others(*theirs))
    assert [f.criterion_id for f in flags] == (["technology"] if flagged else [])


def test_flag_carries_the_figures(scheme):
    (flag,) = deviation_flags(scheme, tech("me", 12), others(18, 24, 30))
    assert flag.evaluator_id == "me"
    assert (flag.subtotal, flag.others_mean, flag.others_sd) == (12.0, 24.0, 6.0)
    assert (flag.sd_used, flag.deviation_sds, flag.direction) == (6.0, 2.0, "below")
    assert flag.n_others == 3
    assert flag.justified is False
    assert flag.to_dict()["criterion_id"] == "technology"


def test_floor_used_when_others_agree(scheme):
    (flag,) = deviation_flags(scheme, tech("me", 30), others(24, 24, 24))
    assert (flag.others_sd, flag.sd_used, flag.deviation_sds, flag.direction) == (
        0.0,
        3.0,
        2.0,
        "above",
    )


def test_without_a_floor_any_difference_from_a_unanimous_panel_is_flagged(mini_data):
    from scoring import parse_scheme
    from scoring_helpers import sheet_for

    scheme = parse_scheme(mini_data)  # sd_floor_percent = 0
    panel = [sheet_for(f"o{i}", idea=40, proof=20, benefit=40) for i in range(3)]
    (flag,) = deviation_flags(scheme, sheet_for("me", idea=20, proof=20, benefit=40), panel)
    assert (flag.criterion_id, flag.sd_used, flag.deviation_sds) == ("innovation", 0.0, None)
    assert deviation_flags(scheme, sheet_for("me", idea=40, proof=20, benefit=40), panel) == []


def test_own_earlier_sheet_and_incomplete_sheets_are_not_others(scheme):
    draft = tech("o9", 30)
    draft.scores.pop("novelty")  # type: ignore[attr-defined]
    mine = tech("me", 12)
    # Only o0 and o1 count: one other is too few only if the rest are left out properly.
    assert deviation_flags(scheme, mine, [tech("me", 30), draft, *others(24, 24)])
    assert deviation_flags(scheme, mine, [tech("me", 30), draft, *others(24)]) == []


def test_complete_sheet_can_be_submitted(scheme):
    mine = tech("me", 24)
    assert check_submittable(scheme, mine, others(24, 22, 26)) == []
    ensure_submittable(scheme, mine, others(24, 22, 26))


def test_flagged_criterion_needs_a_justification(scheme):
    mine = tech("me", 18)
    (problem,) = check_submittable(scheme, mine, others(24, 22, 26))
    assert (problem.code, problem.target) == ("missing_justification", "technology")
    assert "18" in problem.message.en
    assert "24.00" in problem.message.ko
    with pytest.raises(SheetError, match="write a justification"):
        ensure_submittable(scheme, mine, others(24, 22, 26))
    justified = tech("me", 18, justifications={"technology": "특허 2건이 출원 단계에 불과함"})
    assert check_submittable(scheme, justified, others(24, 22, 26)) == []
    (flag,) = deviation_flags(scheme, justified, others(24, 22, 26))
    assert flag.justified


def test_blank_comments_and_justifications_do_not_count(scheme):
    mine = sheet(
        "me",
        (*TECH[18], 8, 8, 8, 8, 8, 8, 8),
        justifications={"technology": "   "},
    )
    blank = ScoreSheet(
        mine.evaluator_id,
        gates=mine.gates,
        scores=mine.scores,
        comments={**mine.comments, "market": "\n"},
        justifications=mine.justifications,
    )
    problems = check_submittable(scheme, blank, others(24, 22, 26))
    assert [(p.code, p.target) for p in problems] == [
        ("missing_comment", "market"),
        ("missing_justification", "technology"),
    ]


def test_every_problem_is_listed(scheme):
    bad = ScoreSheet(
        "me",
        gates={"public_fit": True, "safety": "yes", "bogus_gate": True},  # type: ignore[dict-item]
        scores={"novelty": 7, "superiority": 8.0, "surprise": 10, "maturity_ip": True},
        comments={"technology": "근거 충분"},
    )
    problems = check_submittable(scheme, bad, [], product_kind="prototype")
    codes = {(p.code, p.target) for p in problems}
    assert ("invalid_score", "novelty") in codes
    assert ("invalid_score", "maturity_ip") in codes  # a boolean is not a score
    assert ("missing_score", "growth_export") in codes
    assert ("unknown_item", "surprise") in codes
    assert ("missing_gate", "safety") in codes
    assert ("missing_gate", "trl") in codes
    assert ("unknown_gate", "bogus_gate") in codes
    assert ("missing_comment", "market") in codes
    assert ("missing_comment", "technology") not in codes
    assert ("invalid_score", "superiority") not in codes  # 8.0 is the 'good' level
    for problem in problems:
        assert problem.message.ko
        assert problem.message.en
        assert problem.to_dict()["code"] == problem.code
    invalid = next(p for p in problems if p.target == "novelty")
    assert invalid.message.en == "Score 7 for 'Novelty' is not a rubric level (10, 8, 6, 4, 2)."


def test_trl_answer_not_required_for_proven_products(scheme):
    gates = {
        "public_fit": True,
        "innovative_solution": True,
        "safety": True,
        "no_regulatory_obstacle": True,
    }
    mine = sheet("me", (8,) * 10, gates=gates)
    assert check_submittable(scheme, mine, product_kind="proven") == []
    assert [p.code for p in check_submittable(scheme, mine, product_kind="prototype")] == [
        "missing_gate"
    ]


def test_sheet_from_levels_and_round_trip(scheme):
    levels = dict.fromkeys((i.id for i in scheme.items), "good")
    levels["novelty"] = "excellent"
    built = ScoreSheet.from_levels(
        scheme, "me", levels, gates={"safety": True}, comments={"growth": "수출 계약 확인"}
    )
    assert built.scores["novelty"] == 10
    assert built.scores["growth_export"] == 8
    assert built.total(scheme) == 82
    assert built.criterion_subtotal(scheme, "technology") == 26
    assert scheme.item("novelty").level_for(8).id == "good"
    assert scheme.item("novelty").level_for(7) is None
    assert ScoreSheet.from_dict(built.to_dict()) == built
    with pytest.raises(KeyError):
        ScoreSheet.from_levels(scheme, "me", {"novelty": "superb"})


def test_panel_flags_at_round_close(scheme):
    # The first to submit (12) had no others then; at close it is judged against 24, 24, 26:
    # mean 24.67, SD 1.15 raised to 3, gap 12.67 >= 6. Each of the others is judged against
    # a panel that includes the 12, whose spread keeps them below two SDs.
    panel = [tech("first", 12), *others(24, 24, 26)]
    flags = panel_deviation_flags(scheme, panel)
    assert [(f.evaluator_id, f.criterion_id) for f in flags] == [("first", "technology")]
