"""Changes made for the load benchmark keep behaviour: same suggestions, fewer computations."""

from __future__ import annotations

from sqlalchemy import select

import factories
from factories import in_request
from procure import matching_service
from procure.demands import services as demands
from procure.extensions import db
from procure.models import Demand, Product
from procure.products import services as products

CATALOGUE = [
    ("해안 순찰 드론 H1", "정지비행과 안내방송 스피커를 갖춘 순찰용 드론", "35613000"),
    ("인체공학 민원실 의자", "장시간 대기에도 편안한 등받이 조절 의자", "39110000"),
    ("청사 바닥 청소 로봇", "야간 자동 청소 로봇, 물걸레 겸용", "90900000"),
    ("무선 방송 스피커", "야외 안내방송용 고출력 스피커", "32000000"),
]
DEMANDS = ["해안 순찰용 드론", "민원실 대기 의자 교체", "청사 야간 청소", "야외 방송 설비"]


def market(app):
    factories.add_cpv_codes()
    supplier = factories.user_with_role("supplier")
    for name, summary, code in CATALOGUE:
        product = in_request(
            app,
            products.create_product,
            supplier,
            products.ProductInput(name=name, summary=summary, codes=[code]),
        )
        in_request(app, products.change_status, supplier, product, "listed")
    officer = factories.user_with_role("officer")
    opened = [factories.published_demand(app, officer, title=title) for title in DEMANDS]
    app.extensions.pop("matcher", None)
    app.extensions.pop("demand_suggestions", None)
    return supplier, officer, opened


def test_shared_demand_contexts_rank_exactly_as_the_plain_matcher(app, db_session):
    supplier, _officer, _opened = market(app)
    with app.test_request_context():
        matcher = matching_service.get_matcher()
        shared = matching_service.shared_demand_contexts(matcher)
        dicts = [
            matching_service.demand_dict(d)
            for d in db.session.scalars(select(Demand).order_by(Demand.id))
        ]
        for product in db.session.scalars(
            select(Product).where(Product.supplier_id == supplier.organisation_id)
        ):
            listing = matching_service.listing_for(product)
            plain = matcher.rank_demands(listing, dicts, k=4)
            reused = shared.rank_demands(listing, dicts, k=4)
            assert [(m.demand_id, round(m.score, 9)) for m in plain] == [
                (m.demand_id, round(m.score, 9)) for m in reused
            ]
            assert [[r.text("ko") for r in m.reasons] for m in plain] == [
                [r.text("ko") for r in m.reasons] for m in reused
            ]


def test_dashboard_ranking_is_reused_until_a_demand_changes(app, db_session, monkeypatch):
    supplier, officer, opened = market(app)
    calls = []
    original = matching_service._rank_demands_for

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(matching_service, "_rank_demands_for", counting)
    with app.test_request_context():
        first = [s.item.id for s in matching_service.suggested_demands(supplier, "ko")]
        again = [s.item.id for s in matching_service.suggested_demands(supplier, "ko")]
    assert first and first == again and len(calls) == 1

    in_request(app, demands.close_demand, officer, opened[0], "withdrawn", "", opened[0].version)
    db.session.flush()
    with app.test_request_context():
        after = [s.item.id for s in matching_service.suggested_demands(supplier, "ko")]
    assert len(calls) == 2 and opened[0].id not in after
