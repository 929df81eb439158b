"""Properties that hold for any panel: bounds, monotonicity, evaluator order, ranges."""

from __future__ import annotations

import json
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import Result, aggregate, icc, kendalls_w, load_scheme
from scoring_helpers import ITEM_ORDER, sheet

SCHEME = load_scheme("default", version=1)
LEVEL_POINTS = (2, 4, 6, 8, 10)

# A panel: 1 to 9 evaluators, each a row of ten level indexes (0 = lowest) and a gate vote.
panels = st.lists(
    st.tuples(
        st.lists(st.integers(0, 4), min_size=len(ITEM_ORDER), max_size=len(ITEM_ORDER)),
        st.booleans(),
    ),
    min_size=1,
    max_size=9,
)


def build(panel):
    return [
        sheet(f"e{n}", [LEVEL_POINTS[i] for i in levels], gates=vote)
        for n, (levels, vote) in enumerate(panel)
    ]


@given(panels)
def test_index_is_within_bounds_and_adds_up(panel):
    result = aggregate(SCHEME, build(panel))
    assert 0 <= result.total <= 100
    for criterion in result.criteria:
        assert 0 <= criterion.subtotal <= criterion.points
    # Compared as the decimals they are, so float noise cannot hide a mismatch.
    subtotals = sum(Fraction(str(c.subtotal)) for c in result.criteria)
    assert subtotals == Fraction(str(result.total))
    # Every item mean lies between the lowest and highest score it was made of.
    for item in result.items:
        assert 2 <= item.mean <= 10
    # What is stored as JSON comes back as the same result.
    assert Result.from_dict(json.loads(json.dumps(result.to_dict()))) == result


@given(panels, st.data())
def test_raising_one_score_never_lowers_the_index(panel, data):
    evaluator = data.draw(st.integers(0, len(panel) - 1))
    item = data.draw(st.integers(0, len(ITEM_ORDER) - 1))
    levels, vote = panel[evaluator]
    current = levels[item]
    raised_level = data.draw(st.integers(current, 4))
    raised = list(panel)
    raised[evaluator] = ([*levels[:item], raised_level, *levels[item + 1 :]], vote)
    before = aggregate(SCHEME, build(panel))
    after = aggregate(SCHEME, build(raised))
    assert after.total >= before.total
    for old, new in zip(before.criteria, after.criteria, strict=True):
        assert new.subtotal >= old.subtotal
    assert after.certified or not before.certified


@given(panels, st.randoms(use_true_random=False))
def test_order_of_evaluators_does_not_matter(panel, rng):
    sheets = build(panel)
    shuffled = list(sheets)
    rng.shuffle(shuffled)
    assert aggregate(SCHEME, shuffled).to_dict() == aggregate(SCHEME, sheets).to_dict()


@given(panels)
def test_a_gate_passes_exactly_when_a_strict_majority_passes_it(panel):
    result = aggregate(SCHEME, build(panel))
    passes = sum(vote for _, vote in panel)
    assert result.gates_passed is (2 * passes > len(panel))


tables = st.integers(2, 6).flatmap(
    lambda n: st.integers(2, 6).flatmap(
        lambda k: st.lists(
            st.lists(st.sampled_from([0, 20, 40, 60, 80, 100]), min_size=k, max_size=k),
            min_size=n,
            max_size=n,
        )
    )
)


@settings(max_examples=200)
@given(tables)
def test_agreement_measures_stay_in_range(table):
    w = kendalls_w(table)
    if w.value is not None:
        assert -1e-9 <= w.value <= 1 + 1e-9
        assert 0 <= w.p_value <= 1
    for measure in icc(table):
        if measure.value is not None:
            assert measure.value <= 1 + 1e-9
        else:
            assert measure.reason
