"""Builders for the pilot-purchase tests: records made through the services, as people make them.

(No tests here; the other ``test_pilots_*`` modules import these helpers.)
"""

from __future__ import annotations

from datetime import timedelta

import factories
from factories import in_request
from procure.clock import local_today
from procure.extensions import db
from procure.models import Product
from procure.models.evaluation import Designation
from procure.pilots import services

_counter = {"n": 0}


def designated_product(supplier, name="스마트 가로등", *, days_left=365, price=1_000_000):
    """A listed product of ``supplier``'s company with an active designation."""
    _counter["n"] += 1
    product = Product(
        supplier_id=supplier.organisation_id,
        created_by_id=supplier.id,
        name=name,
        summary="혁신제품",
        status="listed",
        price=price,
    )
    db.session.add(product)
    db.session.flush()
    db.session.add(
        Designation(
            number=f"T-{product.id}-{_counter['n']}",
            product_id=product.id,
            index_value=80.0,
            criteria={},
            scheme_id="default",
            scheme_version="1",
            starts_on=local_today() - timedelta(days=30),
            ends_on=local_today() + timedelta(days=days_left),
        )
    )
    db.session.flush()
    return product


def open_round(app, operator, products, *, budget=100_000_000, cap=None, open_it=True, **extra):
    """A round of ``products`` (or of the raw ``product_ids=``, as a form posts them), opened
    unless ``open_it`` is false; ``extra`` changes its other fields."""
    data = services.RoundInput(
        title=extra.pop("title", "2026년 1차 시범구매"),
        budget=budget,
        mode=extra.pop("mode", "purchase"),
        starts_on=extra.pop("starts_on", local_today()),
        ends_on=extra.pop("ends_on", local_today() + timedelta(days=180)),
        applications_close_on=extra.pop("applications_close_on", None),
        per_agency_cap=cap,
        product_ids=extra.pop("product_ids", [p.id for p in products]),
    )
    round_ = in_request(app, services.create_round, operator, data)
    if open_it:
        in_request(app, services.open_round, operator, round_)
    return round_


def file_plan(app, supplier, round_, product, *, units=10, price=1_000_000, days=90):
    data = services.PlanInput(
        product_id=product.id,
        units_offered=units,
        unit_price=price,
        support_offered="설치와 교육 지원",
        test_period_days=days,
    )
    return in_request(app, services.file_plan, supplier, round_, data)


def apply(app, officer, round_, plan, *, quantity=2, follow_on=True, small=False, local=False):
    data = services.ApplicationInput(
        plan_id=plan.id,
        quantity=quantity,
        intended_use="청사 주변 야간 조명",
        site="세종청사",
        expected_improvement="전력 사용량 30% 절감",
        plans_follow_on=follow_on,
        small_agency=small,
        local_agency=local,
    )
    return in_request(app, services.apply, officer, round_, data)


def world(app):
    """An operator, two suppliers with one designated product each, three agencies' officers."""
    operator = factories.user_with_role("operator")
    supplier_a = factories.user_with_role("supplier")
    supplier_b = factories.user_with_role("supplier")
    product_a = designated_product(supplier_a, "스마트 가로등")
    product_b = designated_product(supplier_b, "수질 센서")
    officers = [factories.user_with_role("officer") for _ in range(3)]
    return {
        "operator": operator,
        "suppliers": (supplier_a, supplier_b),
        "products": (product_a, product_b),
        "officers": officers,
    }


def published_pilot(app, w=None, *, quantity=2, price=1_000_000):
    """A round through to a published allocation: returns (world, round, pilot)."""
    w = w or world(app)
    operator = w["operator"]
    round_ = open_round(app, operator, w["products"])
    plan = file_plan(app, w["suppliers"][0], round_, w["products"][0], price=price)
    apply(app, w["officers"][0], round_, plan, quantity=quantity)
    in_request(app, services.allocate, operator, round_)
    in_request(app, services.publish_allocation, operator, round_)
    pilot = services.visible_pilots(operator)[0]
    return w, round_, pilot


def report_input(**overrides):
    values = {
        "satisfaction": 4,
        "would_buy_again": True,
        "summary": "목표 성능을 대부분 달성했다.",
        "measurements": [
            {"name": "조도", "target": "30", "measured": "32", "unit": "lx", "met": True},
            {"name": "전력", "target": "50", "measured": "55", "unit": "W", "met": False},
        ],
        "defects": [],
    }
    values.update(overrides)
    return services.ReportInput(**values)


def pilot_in_use(app, w=None, **kwargs):
    w, round_, pilot = published_pilot(app, w, **kwargs)
    operator, officer = w["operator"], w["officers"][0]
    today = local_today()
    in_request(
        app, services.record_contract, operator, pilot, "C-2026-001", today - timedelta(days=100)
    )
    in_request(
        app,
        services.record_delivery,
        officer,
        pilot,
        today - timedelta(days=95),
        today - timedelta(days=94),
    )
    in_request(app, services.start_use, officer, pilot, today - timedelta(days=93))
    return w, round_, pilot


def evaluated_pilot(app, w=None, verdict="success", defects=None, **kwargs):
    w, round_, pilot = pilot_in_use(app, w, **kwargs)
    officer, operator = w["officers"][0], w["operator"]
    in_request(app, services.submit_report, officer, pilot, report_input(defects=defects or []))
    in_request(app, services.evaluate, operator, pilot, verdict, "평가 의견")
    return w, round_, pilot
