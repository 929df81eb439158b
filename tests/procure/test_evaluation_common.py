"""Helpers shared by the evaluation tests (no tests here): products, panels, rounds, sheets."""

from __future__ import annotations

from datetime import timedelta

import factories
import scoring
from factories import in_request
from procure.clock import local_today
from procure.evaluation import services
from procure.products import services as products

SCHEME = scoring.load_scheme("default", 1)


def listed_product(app, supplier, name="AI 순찰 드론 H1"):
    data = products.ProductInput(
        name=name,
        summary="강풍에서도 정지비행하는 순찰용 드론",
        trl=8,
        price=27_000_000,
        unit="대",
        codes=["35613000"],
    )
    product = in_request(app, products.create_product, supplier, data)
    in_request(app, products.change_status, supplier, product, "listed")
    return product


def sheet_input(level="good", gates=True, comment="근거 있는 의견", **levels):
    """A complete sheet at one rubric level, with per-item overrides (item id=level id)."""
    return services.SheetInput(
        levels={item.id: levels.get(item.id, level) for item in SCHEME.items},
        gates={gate.id: gates for gate in SCHEME.gates},
        comments={c.id: comment for c in SCHEME.criteria},
        justifications={},
    )


def criterion_levels(criterion_id: str, level: str) -> dict:
    return {item.id: level for item in SCHEME.criterion(criterion_id).items}


def make_round(app, operator, items, panel, *, open_it=True, title="2026년 상반기 혁신제품 지정"):
    data = services.RoundInput(
        title=title,
        scheme="default-v1",
        deadline=local_today() + timedelta(days=14),
        items=[
            services.ItemInput(product_id=p.id)
            if hasattr(p, "trl")
            else services.ItemInput(proposal_id=p.id)
            for p in items
        ],
        evaluator_ids=[e.id for e in panel],
    )
    round_ = in_request(app, services.create_round, operator, data)
    if open_it:
        in_request(app, services.open_round, operator, round_)
    return round_


def declare_and_submit(app, evaluator, item, data=None, *, submit=True):
    if services.declaration(evaluator, item) is None:
        in_request(app, services.declare_conflict, evaluator, item, False)
    row = services.sheet_of(evaluator.id, item)
    return in_request(
        app,
        services.save_sheet,
        evaluator,
        item,
        data or sheet_input(),
        row.version if row else None,
        submit=submit,
    )


def setup(app, *, evaluators=3, product_count=2):
    operator = factories.user_with_role("operator")
    supplier = factories.user_with_role("supplier")
    panel = [factories.user_with_role("evaluator") for _ in range(evaluators)]
    items = [listed_product(app, supplier, f"혁신 제품 {n}") for n in range(product_count)]
    round_ = make_round(app, operator, items, panel)
    return operator, supplier, panel, items, round_
