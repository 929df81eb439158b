"""Demo data for the programmes built on the market: an evaluation round with designations, and
a pilot-purchase round carried through to published results and a follow-on purchase.

Everything goes through the services, acting as the right people, so rules and audit apply.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, has_request_context
from sqlalchemy import select

from procure.account.services import hash_password
from procure.clock import local_today
from procure.extensions import db
from procure.models import (
    EvaluationRound,
    Organisation,
    PilotPurchase,
    Product,
    ProductStatus,
    Role,
    User,
    UserRole,
)

THIRD_EVALUATOR = ("evaluator3@demo.procure.kr", "서평가")
# One rubric level per product, best first: the first six reach the designation threshold.
LEVELS = ["excellent", "excellent", "good", "good", "good", "good", "fair", "poor"]


def load_programmes(password: str) -> bool:
    """Create the programmes once; return False when they exist or the market is missing."""
    if db.session.scalar(select(EvaluationRound.id).limit(1)) is not None:
        return False
    operator = _user("operator@demo.procure.kr")
    panel = [_user("evaluator@demo.procure.kr"), _user("evaluator2@demo.procure.kr")]
    products = _candidates()
    if operator is None or None in panel or len(products) < len(LEVELS):
        return False
    panel.append(_third_evaluator(password))
    if has_request_context():
        designated = _evaluate(operator, panel, products)
        _pilot(operator, designated)
        _application(products)
    else:
        with current_app.test_request_context():
            designated = _evaluate(operator, panel, products)
            _pilot(operator, designated)
            _application(products)
    return True


def _application(evaluated: list[Product]) -> None:
    """The demo supplier has applied for designation of a product not yet evaluated, so the
    operator's evaluation page has an application waiting for the next round."""
    from procure.evaluation import applications

    supplier = _user("supplier@demo.procure.kr")
    if supplier is None:
        return
    product = db.session.scalar(
        select(Product)
        .where(
            Product.supplier_id == supplier.organisation_id,
            Product.status == ProductStatus.LISTED,
            Product.id.not_in([p.id for p in evaluated]),
        )
        .order_by(Product.id)
        .limit(1)
    )
    if product is not None and applications.why_not(product) is None:
        applications.apply(supplier, product, "현장 실증 결과와 시험성적서를 첨부했습니다.")


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _third_evaluator(password: str) -> User:
    email, name = THIRD_EVALUATOR
    user = _user(email)
    if user is None:
        user = User(
            email=email,
            name=name,
            password_hash=hash_password(password),
            role_rows=[UserRole(role=Role.CITIZEN), UserRole(role=Role.EVALUATOR)],
        )
        db.session.add(user)
        db.session.flush()
    return user


def _candidates() -> list[Product]:
    """Listed products of different suppliers, the patrol drones first."""
    rows = db.session.scalars(
        select(Product)
        .where(Product.status == ProductStatus.LISTED, Product.deleted_at.is_(None))
        .order_by(Product.id)
    ).all()
    drones = [p for p in rows if "드론" in p.name]
    chosen, suppliers = [], set()
    for product in drones + rows:
        if product.supplier_id not in suppliers and product not in chosen:
            chosen.append(product)
            suppliers.add(product.supplier_id)
        if len(chosen) == len(LEVELS):
            break
    return chosen


def _evaluate(operator: User, panel: list[User], products: list[Product]) -> list[Product]:
    import scoring
    from procure.evaluation import services as evaluation

    scheme = scoring.load_scheme("default")
    round_ = evaluation.create_round(
        operator,
        evaluation.RoundInput(
            title="2026년 하반기 혁신제품 지정 평가",
            scheme=f"{scheme.id}-v{scheme.version}",
            deadline=local_today() + timedelta(days=7),
            items=[evaluation.ItemInput(product_id=p.id, product_kind="proven") for p in products],
            evaluator_ids=[e.id for e in panel],
        ),
    )
    evaluation.open_round(operator, round_)
    comments = {
        "ko": "현장 실증 자료와 인증서로 근거가 확인됨.",
    }
    for item, level in zip(round_.items, LEVELS, strict=True):
        for position, evaluator in enumerate(panel):
            evaluation.declare_conflict(evaluator, item, False)
            levels = {i.id: level for i in scheme.items}
            if position == 2 and level != "poor":
                # One evaluator is a step stricter on one item: a realistic, unflagged spread.
                first = scheme.items[0].id
                levels[first] = _lower(level)
            evaluation.save_sheet(
                evaluator,
                item,
                evaluation.SheetInput(
                    levels=levels,
                    gates={gate.id: True for gate in scheme.gates},
                    comments={c.id: comments["ko"] for c in scheme.criteria},
                    justifications={},
                ),
                None,
                submit=True,
            )
    evaluation.close_round(operator, round_)
    for item in round_.items:
        evaluation.decide_item(operator, item, "confirm")
    return [item.product for item in round_.items if item.certified]


def _lower(level: str) -> str:
    order = ["excellent", "good", "fair", "poor", "very_poor"]
    return order[min(order.index(level) + 1, len(order) - 1)]


def _pilot(operator: User, designated: list[Product]) -> None:
    """A pilot round over four designated products, one pilot carried to a published result."""
    from procure.pilots import services as pilots

    if len(designated) < 3:
        return
    today = local_today()
    products = designated[:4]
    round_ = pilots.create_round(
        operator,
        pilots.RoundInput(
            title="2026년 혁신제품 시범구매 (2차)",
            budget=300_000_000,
            mode="purchase",
            starts_on=today,
            ends_on=today + timedelta(days=180),
            applications_close_on=today + timedelta(days=30),
            per_agency_cap=150_000_000,
            product_ids=[p.id for p in products],
        ),
    )
    pilots.open_round(operator, round_)
    plans = [
        pilots.file_plan(
            _member(product.supplier_id),
            round_,
            pilots.PlanInput(
                product_id=product.id,
                units_offered=4,
                unit_price=min(product.price or 20_000_000, 40_000_000),
                support_offered="설치·운용 교육 2회, 시험 기간 무상 유지보수",
                test_period_days=90,
            ),
        )
        for product in products
    ]
    agencies = db.session.scalars(
        select(Organisation)
        .where(Organisation.kind == "agency", Organisation.verified_at.is_not(None))
        .order_by(Organisation.id)
    ).all()
    for index, plan in enumerate(plans):
        agency = agencies[index % len(agencies)]
        pilots.apply(
            _member(agency.id),
            round_,
            pilots.ApplicationInput(
                plan_id=plan.id,
                quantity=2,
                intended_use="현장 실증 운용",
                site=f"{agency.name} 현장",
                expected_improvement="현장 대응 시간 단축과 안전사고 예방",
                plans_follow_on=index % 2 == 0,
                local_agency=index % 3 == 0,
            ),
        )
    # The demo compresses the round's calendar: by the time the optimiser runs, the
    # applications have closed (it waits for that, ``pilots.allocate``).
    round_.applications_close_on = today - timedelta(days=1)
    pilots.allocate(operator, round_)
    pilots.publish_allocation(operator, round_)
    pilot = db.session.scalars(
        select(PilotPurchase).where(PilotPurchase.round_id == round_.id).order_by(PilotPurchase.id)
    ).first()
    if pilot is None:
        return
    # The demo compresses the pilot into its first day; real pilots run for months.
    pilots.record_contract(operator, pilot, "PPS-2026-0815", today, pilot.amount, pilot.quantity)
    pilots.record_delivery(operator, pilot, today, today)
    pilots.start_use(operator, pilot, today, today + timedelta(days=90))
    pilots.submit_report(
        _member(pilot.agency_id),
        pilot,
        pilots.ReportInput(
            satisfaction=5,
            would_buy_again=True,
            summary=(
                "해안 순찰 구역 3곳에서 운용했다. 강풍에서도 정지비행이 안정적이었고 "
                "안내방송으로 고립 위험 탐방객을 대피시켰다."
            ),
            measurements=[
                _measured("정지비행 위치 유지 오차", "≤ 0.5", "0.42", "m"),
                _measured("안내방송 음압 (1 m)", "≥ 100", "108", "dB"),
            ],
            defects=[
                {"description": "배터리 잔량 표시 오차", "fixed": True, "fixed_on": str(today)}
            ],
        ),
    )
    pilots.evaluate(operator, pilot, "success", "성능 기준을 모두 충족했고 결함은 조치되었다.")


def _member(organisation_id: int) -> User | None:
    return db.session.scalar(
        select(User)
        .where(User.organisation_id == organisation_id, User.approved_at.is_not(None))
        .order_by(User.id)
    )


def _measured(name: str, target: str, measured: str, unit: str) -> dict:
    return {"name": name, "target": target, "measured": measured, "unit": unit, "met": True}
