"""The pilot-budget optimiser against a brute-force optimum on small random instances."""

from __future__ import annotations

import random

import pytest

from procure.pilots.allocation import Candidate, brute_force, feasible, objective, optimise


def random_instance(rng: random.Random):
    n = rng.randint(1, 9)
    candidates = [
        Candidate(
            id=i + 1,
            agency=rng.randint(1, 4),
            product=rng.randint(1, 3),
            quantity=rng.randint(1, 4),
            unit_price=rng.choice([10, 25, 40, 70, 100]),
            small=rng.random() < 0.3,
            local=rng.random() < 0.3,
            follow_on=rng.random() < 0.5,
        )
        for i in range(n)
    ]
    units = {p: rng.randint(1, 8) for p in (1, 2, 3)}
    budget = rng.randint(40, 500)
    cap = rng.choice([None, rng.randint(30, 250)])
    weights = {
        "agency": rng.choice([0.5, 1.0, 2.0]),
        "product": rng.choice([0.5, 1.0, 2.0]),
        "small": rng.random(),
        "local": rng.random(),
        "follow_on": rng.random(),
    }
    return candidates, budget, units, cap, weights


@pytest.mark.parametrize("seed", range(6))
def test_optimiser_matches_brute_force(seed):
    rng = random.Random(seed)
    for _ in range(40):
        candidates, budget, units, cap, weights = random_instance(rng)
        result = optimise(candidates, budget, units, cap, weights)
        best, _chosen = brute_force(candidates, budget, units, cap, weights)
        assert feasible(candidates, result.chosen, budget, units, cap)
        assert result.objective == pytest.approx(best, abs=1e-6)


def test_covers_more_agencies_rather_than_one_big_buyer():
    candidates = [
        Candidate(1, agency=1, product=1, quantity=4, unit_price=25),  # the whole budget
        Candidate(2, agency=2, product=1, quantity=1, unit_price=25),
        Candidate(3, agency=3, product=2, quantity=1, unit_price=25),
    ]
    result = optimise(candidates, 100, {1: 10, 2: 10})
    assert result.chosen == [2, 3]
    assert result.agencies == 2 and result.products == 2
    assert result.reasons[1] == "budget-used"


def test_priority_weights_break_ties_towards_small_local_and_follow_on():
    candidates = [
        Candidate(1, agency=1, product=1, quantity=1, unit_price=50),
        Candidate(2, agency=2, product=1, quantity=1, unit_price=50, small=True),
    ]
    assert optimise(candidates, 50, {1: 5}).chosen == [2]
    candidates = [
        Candidate(1, agency=1, product=1, quantity=1, unit_price=50, follow_on=True),
        Candidate(2, agency=2, product=1, quantity=1, unit_price=50),
    ]
    assert optimise(candidates, 50, {1: 5}).chosen == [1]


def test_units_and_cap_are_respected_and_explained():
    candidates = [
        Candidate(1, agency=1, product=1, quantity=3, unit_price=10),
        Candidate(2, agency=2, product=1, quantity=3, unit_price=10),
        Candidate(3, agency=3, product=2, quantity=9, unit_price=10),
        Candidate(4, agency=1, product=2, quantity=1, unit_price=10),
    ]
    result = optimise(candidates, 1_000, {1: 4, 2: 5}, cap=30)
    assert 3 not in result.chosen and result.reasons[3] == "exceeds-units"
    assert len({1, 2} & set(result.chosen)) == 1
    assert result.reasons[min({1, 2} - set(result.chosen))] == "units-used"
    assert objective(candidates, result.chosen, 1_000, {}) >= 0


def test_empty_and_zero_budget():
    assert optimise([], 100, {}).chosen == []
    assert optimise([Candidate(1, 1, 1, 1, 10)], 0, {1: 1}).chosen == []


def test_every_way_the_optimiser_finishes_is_named_in_words():
    from procure.pilots import allocation
    from procure.pilots.views import SOLVER_STATUS

    assert set(SOLVER_STATUS) == set(allocation.STATUSES)
    assert optimise([], 1_000, {}).status == allocation.EMPTY
