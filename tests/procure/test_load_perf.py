"""Changes made for the load benchmark keep behaviour: same suggestions, fewer computations."""

from __future__ import annotations

from sqlalchemy import select

import factories
from factories import in_request
from procure import matching_service
from procure.demands import services as demands
from procure.extensions import db
from procure.models import Demand, Product

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
        factories.listed_product(app, supplier, name, summary, [code])
    officer = factories.user_with_role("officer")
    opened = [factories.published_demand(app, officer, title=title) for title in DEMANDS]
    app.extensions.pop("matcher", None)
    app.extensions.pop("demand_suggestions", None)
    return supplier, officer, opened


def _reference_ranking(matcher, supplier, k=6):
    """Each of the supplier's listed products ranked against every open demand, best score
    per demand: what the dashboard shows, computed the plain way."""
    dicts = [
        matching_service.demand_dict(d)
        for d in db.session.scalars(select(Demand).where(Demand.status == "published"))
    ]
    best = {}
    for product in db.session.scalars(
        select(Product).where(Product.supplier_id == supplier.organisation_id)
    ):
        for m in matcher.rank_demands(matching_service.listing_for(product), dicts, k=k):
            if m.demand_id not in best or m.score > best[m.demand_id]:
                best[m.demand_id] = m.score
    return sorted(best, key=lambda i: -best[i])[:k]


def test_suppliers_share_one_preparation_of_the_open_demands(app, db_session, monkeypatch):
    supplier, officer, opened = market(app)
    other = factories.user_with_role("supplier")
    factories.listed_product(app, other, "야외 방송 스피커 S2", "안내방송용 스피커", ["32000000"])
    app.extensions.pop("matcher", None)
    with app.test_request_context():
        matcher = matching_service.get_matcher()
        prepared = []
        original = type(matcher).prepare_demands

        def counting(self, demands):
            out = original(self, demands)
            prepared.append(len(out))
            return out

        monkeypatch.setattr(type(matcher), "prepare_demands", counting)
        shown = {
            user: [s.item.id for s in matching_service.suggested_demands(user, "ko")]
            for user in (supplier, other)
        }
        assert prepared == [len(opened)]  # once for both suppliers
        monkeypatch.setattr(type(matcher), "prepare_demands", original)
        for user, ids in shown.items():
            assert ids and ids == _reference_ranking(matcher, user)
        monkeypatch.setattr(type(matcher), "prepare_demands", counting)

    in_request(app, demands.close_demand, officer, opened[1], "withdrawn", "", opened[1].version)
    db.session.flush()
    with app.test_request_context():
        shown = [s.item.id for s in matching_service.suggested_demands(other, "ko")]
    assert prepared == [len(opened), len(opened) - 1] and opened[1].id not in shown


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


def test_dashboard_rankings_keep_the_organisations_seen_last(app, db_session, monkeypatch):
    supplier, _officer, _opened = market(app)
    others = [factories.user_with_role("supplier") for _ in range(2)]
    for n, user in enumerate(others):
        factories.listed_product(app, user, f"방송 스피커 S{n}", "안내방송용 스피커", ["32000000"])
    app.extensions.pop("matcher", None)
    monkeypatch.setattr(matching_service, "DASHBOARD_RANKINGS_MAX", 2)
    with app.test_request_context():
        for user in (supplier, others[0], supplier, others[1]):
            assert matching_service.suggested_demands(user, "ko")
    kept = app.extensions["demand_suggestions"]
    # others[0] was seen longest ago; the supplier, seen again, stayed.
    assert list(kept) == [supplier.organisation_id, others[1].organisation_id]
