"""Agreement measures against hand-computed and published values, and their refusals."""

from __future__ import annotations

import json

import pytest

from scoring import agreement, icc, kendalls_w
from scoring_helpers import uniform


def test_kendalls_w_without_ties():
    # Three evaluators rank four products (scores chosen so the ranks are these):
    #   e1: 1 2 3 4   e2: 1 3 2 4   e3: 2 1 3 4
    # Rank sums 4, 6, 8, 12; mean 7.5; S = 3.5² + 1.5² + 0.5² + 4.5² = 35.
    # W = 12 S / (m² (n³ - n)) = 420 / (9 x 60) = 7/9.
    table = [[10, 10, 20], [20, 30, 10], [30, 20, 30], [40, 40, 40]]
    w = kendalls_w(table)
    assert w.value == pytest.approx(7 / 9)
    assert (w.n_subjects, w.n_raters, w.reason) == (4, 3, None)
    # chi² = m (n - 1) W = 3 x 3 x 7/9 = 7 on 3 degrees of freedom: p = 0.0719.
    assert w.p_value == pytest.approx(0.07190, abs=5e-5)


def test_kendalls_w_with_tie_correction():
    # e1 scores 60 70 70 90 -> ranks 1 2.5 2.5 4 (one pair tied: T = 2³ - 2 = 6)
    # e2 scores 50 60 80 90 -> ranks 1 2 3 4
    # e3 scores 70 70 70 80 -> ranks 2 2 2 4     (a triple:    T = 3³ - 3 = 24)
    # Rank sums 4, 6.5, 7.5, 12; mean 7.5; S = 12.25 + 1 + 0 + 20.25 = 33.5.
    # W = 12 x 33.5 / (9 x 60 - 3 x 30) = 402 / 450.
    table = [[60, 50, 70], [70, 60, 70], [70, 80, 70], [90, 90, 80]]
    assert kendalls_w(table).value == pytest.approx(402 / 450)


def test_kendalls_w_perfect_and_opposite():
    assert kendalls_w([[1, 1], [2, 2], [3, 3]]).value == pytest.approx(1.0)
    # Two raters in exactly opposite order: rank sums all 4, S = 0.
    assert kendalls_w([[1, 3], [2, 2], [3, 1]]).value == pytest.approx(0.0)


def test_icc_matches_shrout_and_fleiss():
    # The worked example of Shrout & Fleiss (1979), six targets x four judges, which
    # reports ICC(2,1) = .29 and ICC(2,k) = .62 (BMS 11.24, JMS 32.49, EMS 1.02).
    table = [
        [9, 2, 5, 8],
        [6, 1, 3, 2],
        [8, 4, 6, 8],
        [7, 1, 2, 6],
        [10, 5, 6, 9],
        [6, 2, 4, 7],
    ]
    single, average = icc(table)
    assert round(single.value, 2) == 0.29
    assert round(average.value, 2) == 0.62
    assert (single.name, average.name) == ("icc_2_1", "icc_2_k")


def test_icc_penalises_a_constant_offset():
    # Rater 2 is always one point higher. Grand mean 3.5; row means 1.5, 3.5, 5.5;
    # column means 3 and 4. MSR = 2 x (4 + 0 + 4) / 2 = 8; MSC = 3 x (0.25 + 0.25) / 1 = 1.5;
    # the residuals are all 0, so MSE = 0.
    # ICC(2,1) = 8 / (8 + 0 + 2 x 1.5 / 3) = 8/9;  ICC(2,k) = 8 / (8 + 1.5 / 3) = 16/17.
    # (A consistency ICC would say 1: the offset is exactly what absolute agreement sees.)
    single, average = icc([[1, 2], [3, 4], [5, 6]])
    assert single.value == pytest.approx(8 / 9)
    assert average.value == pytest.approx(16 / 17)


@pytest.mark.parametrize(
    "table",
    [
        [[70, 80, 90]],  # one product
        [[70], [80], [90]],  # one evaluator
        [],
    ],
)
def test_too_little_data_gives_none_with_a_reason(table):
    w = kendalls_w(table)
    single, average = icc(table)
    for measure in (w, single, average):
        assert measure.value is None
        assert "needs at least 2 products and 2 evaluators" in measure.reason
        assert measure.reason_code == "too_small"


def test_no_variation_gives_none_with_a_reason():
    table = [[70, 70], [70, 70], [70, 70]]
    assert kendalls_w(table).reason == "every evaluator gave all products the same score"
    single, _ = icc(table)
    assert single.value is None
    assert "no variance" in single.reason
    assert kendalls_w(table).reason_code == single.reason_code == "no_variance"


def test_agreement_over_a_round(scheme):
    # Totals (products x evaluators); e4 scored only two products and is left out.
    #   p1: 60 60 40   p2: 80 60 60   p3: 100 80 80
    # Ranks: e1 1 2 3; e2 1.5 1.5 3 (T = 6); e3 1 2 3. Rank sums 3.5, 5.5, 9; mean 6;
    # S = 6.25 + 0.25 + 9 = 15.5. W = 12 x 15.5 / (9 x 24 - 3 x 6) = 186 / 198.
    round_sheets = {
        "p1": [uniform("e1", 60), uniform("e2", 60), uniform("e3", 40), uniform("e4", 60)],
        "p2": [uniform("e1", 80), uniform("e2", 60), uniform("e3", 60), uniform("e4", 80)],
        "p3": [uniform("e1", 100), uniform("e2", 80), uniform("e3", 80)],
    }
    result = agreement(scheme, round_sheets)
    assert result.products == ("p1", "p2", "p3")
    assert result.evaluators == ("e1", "e2", "e3")
    assert result.excluded_evaluators == ("e4",)
    assert result.kendalls_w.value == pytest.approx(186 / 198)
    table = [[60, 60, 40], [80, 60, 60], [100, 80, 80]]
    assert result.icc_single.value == pytest.approx(icc(table)[0].value)
    assert result.icc_average.value == pytest.approx(icc(table)[1].value)
    json.dumps(result.to_dict(), allow_nan=False)

    # On one criterion: technology subtotals are 30 % of the totals, so the ranks agree.
    tech = agreement(scheme, round_sheets, target="technology")
    assert tech.kendalls_w.value == pytest.approx(186 / 198)
    with pytest.raises(KeyError):
        agreement(scheme, round_sheets, target="beauty")


def test_agreement_with_a_single_product_reports_why(scheme):
    result = agreement(scheme, {"p1": [uniform("e1", 60), uniform("e2", 80)]})
    assert result.kendalls_w.value is None
    assert "have 1 product(s) and 2 evaluator(s)" in result.kendalls_w.reason
    assert result.icc_single.value is None


def test_agreement_skips_incomplete_sheets(scheme):
    broken = uniform("e2", 60)
    broken.scores.pop("novelty")  # type: ignore[attr-defined]
    result = agreement(
        scheme,
        {
            "p1": [uniform("e1", 60), broken, uniform("e3", 40)],
            "p2": [uniform("e1", 80), uniform("e2", 60), uniform("e3", 60)],
        },
    )
    assert result.evaluators == ("e1", "e3")
    assert result.excluded_evaluators == ("e2",)


def test_icc_is_refused_when_evaluators_disagree_more_than_products_differ():
    # Row means equal (MSR = 0), column means equal (MSC = 0), residuals +-10 (MSE = 400):
    # the ICC(2,k) ratio would be -400 / -200 = 2, which is no correlation at all.
    single, average = icc([[0, 20], [20, 0]])
    assert single.value is None
    assert average.value is None
    assert "do not differ more than the evaluators disagree" in average.reason
    assert average.reason_code == "undefined"
