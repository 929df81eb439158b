"""The matcher in the app: suggestions with reasons, feedback labels, training, API."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

import factories
from factories import in_request
from procure import matching_service
from procure.classification.services import bilingual_labels
from procure.demands import services as demands
from procure.extensions import db
from procure.models import MatchFeedback
from procure.products import services as products

CATALOGUE = [
    ("해안 순찰 드론 H1", "정지비행과 안내방송 스피커를 갖춘 순찰용 드론", "35613000"),
    ("무인 감시 드론 S2", "열화상 카메라로 야간 순찰이 가능한 드론", "35613000"),
    ("인체공학 민원실 의자", "장시간 대기에도 편안한 등받이 조절 의자", "39110000"),
    ("사무용 회전 의자", "높이 조절 바퀴 의자", "39110000"),
    ("청사 바닥 청소 로봇", "야간 자동 청소 로봇, 물걸레 겸용", "90900000"),
    ("무선 방송 스피커", "야외 안내방송용 고출력 스피커", "32000000"),
]


@pytest.fixture
def catalogue(app, db_session):
    factories.add_cpv_codes()
    supplier = factories.user_with_role("supplier")
    listed = []
    for name, summary, code in CATALOGUE:
        listed.append(factories.listed_product(app, supplier, name, summary, [code]))
    draft = in_request(
        app,
        products.create_product,
        supplier,
        products.ProductInput(
            name="비공개 드론 시제품", summary="정지비행 안내방송 드론 초안", codes=["35613000"]
        ),
    )
    app.extensions.pop("matcher", None)
    return supplier, listed, draft


def test_demand_page_suggests_fitting_products_with_reasons(app, catalogue, client):
    _supplier, _listed, draft = catalogue
    officer = factories.user_with_role("officer")
    demand = factories.published_demand(app, officer, title="해안 순찰용 드론")
    suggestions = matching_service.suggested_products(demand, "ko")
    names = [s.item.name for s in suggestions]
    assert names[0] in ("해안 순찰 드론 H1", "무인 감시 드론 S2")
    assert names.index("해안 순찰 드론 H1") < names.index("인체공학 민원실 의자")
    assert draft.id not in [s.item.id for s in suggestions]  # only listed products are suggested
    assert all(s.reasons for s in suggestions)
    page = client.get(f"/demands/{demand.id}").get_data(as_text=True)
    assert "Suggested products and suppliers" in page and "해안 순찰 드론 H1" in page


def test_supplier_dashboard_shows_demands_it_could_answer(app, catalogue, client, login):
    supplier, _listed, _draft = catalogue
    officer = factories.user_with_role("officer")
    demand = factories.published_demand(app, officer, title="해안 순찰용 드론")
    login(supplier)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Demands you could answer" in page and "해안 순찰용 드론" in page
    assert f"closes {demand.closes_on.isoformat()}" in page  # the deadline, at a glance


def test_demands_the_supplier_has_answered_are_not_suggested_again(app, catalogue):
    supplier, _listed, _draft = catalogue
    officer = factories.user_with_role("officer")
    answered = factories.published_demand(app, officer, title="해안 순찰용 드론")
    other = factories.published_demand(app, officer, title="야간 순찰 드론 안내방송")
    before = [s.item.id for s in matching_service.suggested_demands(supplier, "ko")]
    assert answered.id in before and other.id in before
    factories.answered_proposal(app, supplier, answered, submit=False)  # even a draft counts
    after = [s.item.id for s in matching_service.suggested_demands(supplier, "ko")]
    assert answered.id not in after and other.id in after


def test_a_shared_region_is_named_not_coded(app, catalogue):
    _supplier, listed, _draft = catalogue
    listed[0].regions = ["26"]
    officer = factories.user_with_role("officer")
    demand = factories.published_demand(app, officer, title="해안 순찰용 드론", region="26")
    app.extensions.pop("matcher", None)
    for locale, name in (("ko", "부산광역시"), ("en", "Busan")):
        reasons = next(
            s.reasons
            for s in matching_service.suggested_products(demand, locale)
            if s.item.id == listed[0].id
        )
        region = [r for r in reasons if name in r]
        assert region, reasons
        assert not any(r.endswith(": 26") for r in reasons), reasons


def test_budget_fit_counts_every_unit_the_demand_buys(app, catalogue):
    """A product's price is per unit; a demand's budget pays for all of its quantity."""
    _supplier, listed, _draft = catalogue
    listed[0].price = 20_000_000
    officer = factories.user_with_role("officer")
    app.extensions.pop("matcher", None)

    def reasons(demand, locale):
        return next(
            s.reasons
            for s in matching_service.suggested_products(demand, locale)
            if s.item.id == listed[0].id
        )

    four = factories.published_demand(app, officer, budget=120_000_000, quantity=4)
    assert "예산 이내: 20,000,000원 × 4 ≤ 120,000,000원" in reasons(four, "ko")
    assert "Within budget: ₩20,000,000 × 4 ≤ ₩120,000,000" in reasons(four, "en")
    ten = factories.published_demand(app, officer, budget=120_000_000, quantity=10)
    assert "예산 67% 초과" in reasons(ten, "ko")  # 200,000,000 for 120,000,000
    one = factories.published_demand(app, officer, budget=120_000_000, quantity=None)
    assert "Within budget: ₩20,000,000 ≤ ₩120,000,000" in reasons(one, "en")


def test_dismissing_a_suggestion_hides_it_and_records_a_label(app, catalogue, client, login):
    officer = factories.user_with_role("officer")
    demand = factories.published_demand(app, officer, title="해안 순찰용 드론")
    first = matching_service.suggested_products(demand, "ko")[0].item
    login(officer)
    assert client.post(f"/demands/{demand.id}/suggestions/{first.id}/dismiss").status_code == 302
    assert first.id not in [s.item.id for s in matching_service.suggested_products(demand, "ko")]
    label = db.session.scalar(
        select(MatchFeedback.label).where(MatchFeedback.product_id == first.id)
    )
    assert label == "dismissed"
    client.post("/logout")
    login(factories.user_with_role("officer"))  # another agency's officer
    assert client.post(f"/demands/{demand.id}/suggestions/{first.id}/dismiss").status_code == 403


def test_decisions_on_proposals_become_labels(app, catalogue):
    supplier, listed, _draft = catalogue
    officer = factories.user_with_role("officer")
    demand = factories.published_demand(app, officer)
    from procure.proposals import services as proposals

    proposal = factories.answered_proposal(app, supplier, demand, submit=False)
    proposal.product_id = listed[0].id
    in_request(app, proposals.submit, supplier, proposal)
    in_request(app, proposals.decide, officer, proposal, "shortlisted")
    labels = db.session.scalars(
        select(MatchFeedback.label).where(MatchFeedback.demand_id == demand.id)
    ).all()
    assert labels == ["shortlisted"]


def test_train_reports_before_and_after_and_saves_the_model(app, catalogue, tmp_path, monkeypatch):
    _supplier, listed, _draft = catalogue
    officer = factories.user_with_role("officer")
    demand = factories.published_demand(app, officer, title="해안 순찰용 드론")
    matching_service.record_feedback(demand.id, listed[0].id, "accepted", "test")
    matching_service.record_feedback(demand.id, listed[2].id, "declined", "test")
    db.session.flush()
    monkeypatch.setattr(matching_service, "model_path", lambda: tmp_path / "matcher.joblib")
    result = app.test_cli_runner().invoke(args=["match", "train"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output[: result.output.rindex("}") + 1])
    assert metrics["feedback_pairs"] == 2 and metrics["kept"] in ("new", "old")
    assert metrics["auc_after"] == 1.0
    assert (tmp_path / "matcher.joblib").exists()


def test_feedback_auc_counts_pairs_within_a_demand(app, catalogue):
    _supplier, listed, _draft = catalogue
    matcher = matching_service.fit_matcher(feedback=False)
    demand = {"id": 1, "text": "순찰 드론 정지비행", "codes": []}
    good, bad = listed[0].id, listed[3].id
    assert (
        matching_service.feedback_auc(
            matcher, [(demand, good, "accepted"), (demand, bad, "declined")]
        )
        == 1.0
    )
    assert (
        matching_service.feedback_auc(
            matcher, [(demand, bad, "accepted"), (demand, good, "declined")]
        )
        == 0.0
    )
    assert matching_service.feedback_auc(matcher, []) is None


def test_api_matches_and_code_suggestions(app, catalogue, client):
    _supplier, listed, _draft = catalogue
    officer = factories.user_with_role("officer")
    demand = factories.published_demand(app, officer, title="해안 순찰용 드론")
    response = client.get(f"/api/v1/demands/{demand.id}/matches?k=3")
    assert response.status_code == 200
    items = response.json["items"]
    assert len(items) == 3 and items[0]["reasons"]
    back = client.get(f"/api/v1/products/{listed[0].id}/matches?k=5").json["items"]
    assert demand.id in [item["id"] for item in back]
    assert client.get(f"/api/v1/demands/{demand.id}/matches?k=0").status_code == 422
    codes = client.get("/api/v1/classification/suggest?text=순찰용 드론 정지비행").json["items"]
    assert codes and codes[0]["code"].startswith("35") and 0 < codes[0]["probability"] <= 1
    draft = in_request(
        app,
        demands.create_demand,
        officer,
        factories.demand_input(title="비공개 수요"),
    )
    assert client.get(f"/api/v1/demands/{draft.id}/matches").status_code == 404


def test_opted_in_suppliers_hear_of_strong_matches_once(app, catalogue, client, login):
    """Publishing a demand drains the outbox; opted-in suppliers of strongly matching products
    are notified once, others are not."""
    from procure.indexing import drain_all
    from procure.models import Notification, Organisation

    supplier, _listed, _draft = catalogue
    login(supplier)
    assert client.post("/match-alerts", data={"enabled": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, supplier.organisation_id).match_alerts is True
    quiet = factories.user_with_role("supplier")  # has no products and did not opt in
    officer = factories.user_with_role("officer")
    demand = factories.published_demand(app, officer, title="해안 순찰용 드론 정지비행 안내방송")
    db.session.flush()
    drain_all(app)
    drain_all(app)  # a second drain sends nothing more

    def alerts(user):
        return db.session.scalars(
            select(Notification).where(
                Notification.user_id == user.id, Notification.kind == "match.strong"
            )
        ).all()

    received = alerts(supplier)
    assert len(received) == 1 and f"/demands/{demand.id}" in received[0].link
    assert alerts(quiet) == []


def test_listings_carry_their_codes_labels_for_the_classifier(app, catalogue):
    _supplier, listed, _draft = catalogue
    names = bilingual_labels(["35613000", "39110000", "99999999"])
    assert names == {
        "35613000": "Unmanned aerial vehicles",
        "39110000": "Seats, chairs and related products",
    }
    listing = matching_service.listing_for(listed[0], None, names)
    assert listing["code_names"] == {"35613000": "Unmanned aerial vehicles"}
    assert "code_names" not in matching_service.listing_for(listed[0])
