"""The pilot-budget optimiser: plain functions over plain data (no Flask, no database).

Each application is funded in full (its requested quantity at the plan's unit price) or not
at all: the operator can change quantities by hand afterwards. The integer programme:

    maximise   Σ_a α_a·y_a  +  Σ_p β·z_p  +  Σ_i γ_i·x_i
    subject to Σ_i cost_i·x_i ≤ budget
               Σ_{i for product p} qty_i·x_i ≤ units_p          (units the supplier offered)
               Σ_{i of agency a} cost_i·x_i ≤ cap                (per-agency cap, if any)
               y_a ≤ Σ_{i of agency a} x_i,   z_p ≤ Σ_{i for product p} x_i
               x, y, z ∈ {0, 1}

``y_a`` is 1 when agency ``a`` gets at least one pilot and ``z_p`` when product ``p`` is
piloted somewhere, so the first two sums count distinct agencies and products covered.
``α_a = agency + small·[small agency] + local·[local agency]``; ``β = product``;
``γ_i = follow_on·[plans to buy more] + spend·cost_i/budget`` (a small preference for using
the budget, so ties go to the allocation that pilots more).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from itertools import product as cartesian

import numpy as np
from scipy.optimize import LinearConstraint, milp

DEFAULT_WEIGHTS = {
    "agency": 1.0,
    "product": 1.0,
    "small": 0.5,
    "local": 0.5,
    "follow_on": 0.3,
    "spend": 0.01,
}
WEIGHT_BOUNDS = (0.0, 100.0)


#: How ``optimise`` finished: the proven optimum, the best within the solver's time limit,
#: nothing to allocate (no candidates or no budget), or no feasible choice found.
OPTIMAL, TIME_LIMIT, EMPTY, NO_SOLUTION = "optimal", "time-limit", "empty", "no-solution"
STATUSES = (OPTIMAL, TIME_LIMIT, EMPTY, NO_SOLUTION)


@dataclass(frozen=True)
class Candidate:
    """One application: who asks, for which product, how many, at what unit price."""

    id: int
    agency: int
    product: int
    quantity: int
    unit_price: int
    small: bool = False
    local: bool = False
    follow_on: bool = False

    @property
    def cost(self) -> int:
        return self.quantity * self.unit_price


@dataclass
class Result:
    chosen: list[int]
    objective: float
    spent: int
    agencies: int
    products: int
    status: str
    reasons: dict[int, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def clean_weights(weights: dict | None) -> dict[str, float]:
    """The defaults overlaid with the operator's weights, each kept within the bounds."""
    out = dict(DEFAULT_WEIGHTS)
    low, high = WEIGHT_BOUNDS
    for key, value in (weights or {}).items():
        if key in out and isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = min(max(float(value), low), high)
    return out


def agency_weights(candidates: list[Candidate], weights: dict[str, float]) -> dict[int, float]:
    """α per agency: an agency is small (or local) if any of its applications says so."""
    out: dict[int, float] = {}
    small = {c.agency for c in candidates if c.small}
    local = {c.agency for c in candidates if c.local}
    for c in candidates:
        out[c.agency] = (
            weights["agency"]
            + weights["small"] * (c.agency in small)
            + weights["local"] * (c.agency in local)
        )
    return out


def objective(candidates: list[Candidate], chosen, budget: int, weights: dict[str, float]) -> float:
    """The objective value of a set of chosen application ids (used by the brute force too)."""
    weights = clean_weights(weights)
    chosen = set(chosen)
    picked = [c for c in candidates if c.id in chosen]
    alpha = agency_weights(candidates, weights)
    value = sum(alpha[a] for a in {c.agency for c in picked})
    value += weights["product"] * len({c.product for c in picked})
    for c in picked:
        value += weights["follow_on"] * c.follow_on
        value += weights["spend"] * (c.cost / budget if budget else 0.0)
    return value


def feasible(
    candidates: list[Candidate], chosen, budget: int, units: dict[int, int], cap: int | None
) -> bool:
    chosen = set(chosen)
    picked = [c for c in candidates if c.id in chosen]
    if sum(c.cost for c in picked) > budget:
        return False
    for p, limit in units.items():
        if sum(c.quantity for c in picked if c.product == p) > limit:
            return False
    if any(c.product not in units for c in picked):
        return False
    if cap is not None:
        for a in {c.agency for c in picked}:
            if sum(c.cost for c in picked if c.agency == a) > cap:
                return False
    return True


def optimise(
    candidates: list[Candidate],
    budget: int,
    units: dict[int, int],
    cap: int | None = None,
    weights: dict | None = None,
) -> Result:
    """Solve the integer programme; explain each application left out."""
    w = clean_weights(weights)
    pool = [c for c in candidates if c.quantity > 0 and c.product in units]
    if not pool or budget <= 0:
        return _result(candidates, [], budget, units, cap, w, EMPTY)
    agencies = sorted({c.agency for c in pool})
    products = sorted({c.product for c in pool})
    n, na, npr = len(pool), len(agencies), len(products)
    size = n + na + npr
    alpha = agency_weights(pool, w)
    c_vec = np.zeros(size)
    for i, c in enumerate(pool):
        c_vec[i] = -(w["follow_on"] * c.follow_on + w["spend"] * c.cost / budget)
    for j, a in enumerate(agencies):
        c_vec[n + j] = -alpha[a]
    for k, _p in enumerate(products):
        c_vec[n + na + k] = -w["product"]
    rows, lower, upper = [], [], []

    def add(row, lo, hi):
        rows.append(row)
        lower.append(lo)
        upper.append(hi)

    # Money is scaled to the budget so the coefficients stay near 1.
    add([c.cost / budget for c in pool] + [0.0] * (na + npr), -np.inf, 1.0)
    for p in products:
        limit = units[p]
        add(
            [c.quantity / max(limit, 1) if c.product == p else 0.0 for c in pool]
            + [0.0] * (na + npr),
            -np.inf,
            limit / max(limit, 1),
        )
    if cap is not None:
        for a in agencies:
            add(
                [c.cost / budget if c.agency == a else 0.0 for c in pool] + [0.0] * (na + npr),
                -np.inf,
                cap / budget,
            )
    for j, a in enumerate(agencies):
        row = [-1.0 if c.agency == a else 0.0 for c in pool] + [0.0] * (na + npr)
        row[n + j] = 1.0
        add(row, -np.inf, 0.0)
    for k, p in enumerate(products):
        row = [-1.0 if c.product == p else 0.0 for c in pool] + [0.0] * (na + npr)
        row[n + na + k] = 1.0
        add(row, -np.inf, 0.0)
    solution = milp(
        c_vec,
        constraints=LinearConstraint(np.array(rows), np.array(lower), np.array(upper)),
        integrality=np.ones(size),
        bounds=(0, 1),
        options={"time_limit": 30},
    )
    if solution.x is None:
        return _result(candidates, [], budget, units, cap, w, NO_SOLUTION)
    chosen = [pool[i].id for i in range(n) if solution.x[i] > 0.5]
    # Guard against solver tolerances: drop choices from the end until exactly feasible.
    while chosen and not feasible(candidates, chosen, budget, units, cap):
        chosen.pop()
    status = OPTIMAL if solution.status == 0 else TIME_LIMIT
    return _result(candidates, chosen, budget, units, cap, w, status)


def _result(candidates, chosen, budget, units, cap, w, status) -> Result:
    picked = [c for c in candidates if c.id in set(chosen)]
    result = Result(
        chosen=sorted(chosen),
        objective=round(objective(candidates, chosen, budget, w), 9) if budget else 0.0,
        spent=sum(c.cost for c in picked),
        agencies=len({c.agency for c in picked}),
        products=len({c.product for c in picked}),
        status=status,
    )
    result.reasons = explain(candidates, chosen, budget, units, cap)
    return result


def explain(candidates, chosen, budget, units, cap) -> dict[int, str]:
    """A reason code per application: why it was chosen or left out."""
    chosen = set(chosen)
    picked = [c for c in candidates if c.id in chosen]
    spent = sum(c.cost for c in picked)
    reasons: dict[int, str] = {}
    for c in candidates:
        if c.id in chosen:
            first_agency = not any(o.agency == c.agency for o in picked if o.id < c.id)
            first_product = not any(o.product == c.product for o in picked if o.id < c.id)
            reasons[c.id] = (
                "chosen-new-agency"
                if first_agency
                else "chosen-new-product"
                if first_product
                else "chosen"
            )
        elif c.product not in units or c.quantity <= 0:
            reasons[c.id] = "not-eligible"
        elif c.quantity > units[c.product]:
            reasons[c.id] = "exceeds-units"
        elif c.cost > budget:
            reasons[c.id] = "exceeds-budget"
        elif cap is not None and c.cost > cap:
            reasons[c.id] = "exceeds-cap"
        elif spent + c.cost > budget:
            reasons[c.id] = "budget-used"
        elif (
            sum(o.quantity for o in picked if o.product == c.product) + c.quantity
            > units[c.product]
        ):
            reasons[c.id] = "units-used"
        elif cap is not None and sum(o.cost for o in picked if o.agency == c.agency) + c.cost > cap:
            reasons[c.id] = "cap-used"
        else:
            reasons[c.id] = "lower-priority"
    return reasons


def brute_force(
    candidates: list[Candidate],
    budget: int,
    units: dict[int, int],
    cap: int | None = None,
    weights: dict | None = None,
) -> tuple[float, list[int]]:
    """The best objective by trying every subset (for tests on small instances only)."""
    w = clean_weights(weights)
    best, best_set = 0.0, []
    for mask in cartesian((0, 1), repeat=len(candidates)):
        chosen = [c.id for c, on in zip(candidates, mask, strict=True) if on]
        if not feasible(candidates, chosen, budget, units, cap):
            continue
        value = objective(candidates, chosen, budget, w)
        if value > best:
            best, best_set = value, chosen
    return best, best_set
