"""Search in the web app on the embedded backend: the outbox, the page, confidentiality,
saved-search alerts, the API and the commands. Each test gets its own index in a tmp folder."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

import factories
import search
from factories import in_request
from procure import indexing, search_service
from procure.clock import local_today
from procure.extensions import db
from procure.models import Demand, Notification, OutboxEvent, ReverseProposal, SavedSearch
from procure.models.base import utcnow
from procure.models.evaluation import Designation
from procure.products import services as products


@pytest.fixture
def index(app, db_session, tmp_path):
    """A fresh embedded index for this test, drained on every commit."""
    backend = search.backend_from_url(f"embedded://{tmp_path / 'search'}")
    previous = app.extensions.get("search_backend")
    state = dict(app.extensions["procure_indexing"])
    app.extensions["search_backend"] = backend
    app.extensions["procure_indexing"]["drain_on_commit"] = True
    factories.add_cpv_codes()
    db.session.commit()
    yield backend
    app.extensions["procure_indexing"] = state
    if previous is None:
        app.extensions.pop("search_backend", None)
    else:
        app.extensions["search_backend"] = previous
    backend.close()


def events(entity_type: str, entity_id: int) -> list[OutboxEvent]:
    return list(
        db.session.scalars(
            select(OutboxEvent).where(
                OutboxEvent.entity_type == entity_type, OutboxEvent.entity_id == entity_id
            )
        ).all()
    )


def page_text(client, **args) -> str:
    response = client.get("/search/", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def product_input(**overrides):
    values = {
        "name": "AI 순찰 드론 H1",
        "summary": "강풍에서도 정지비행하는 순찰용 드론",
        "trl": 8,
        "price": 27_000_000,
        "unit": "대",
        "regions": ["51"],
        "codes": ["35613000"],
        "specs": [{"name": "비행시간", "value": "45", "unit": "분"}],
    }
    values.update(overrides)
    return products.ProductInput(**values)


# -- the outbox ---------------------------------------------------------------------------


def test_outbox_row_is_written_in_the_same_transaction(app, index):
    officer = factories.user_with_role("officer")
    db.session.commit()
    from procure.demands import services as demands

    demand = in_request(app, demands.create_demand, officer, factories.demand_input())
    demand_id = demand.id
    pending = events("demand", demand_id)
    assert [(e.action, e.processed_at) for e in pending] == [("upsert", None)]
    db.session.rollback()
    assert db.session.get(Demand, demand_id) is None
    assert events("demand", demand_id) == []

    demand = in_request(app, demands.create_demand, officer, factories.demand_input())
    db.session.commit()
    (row,) = events("demand", demand.id)
    assert row.processed_at is not None and row.attempts == 0  # drained after the commit


def test_a_published_demand_is_found_in_korean_and_english(app, index, client):
    officer = factories.user_with_role("officer")
    from procure.demands import services as demands

    demand = in_request(app, demands.create_demand, officer, factories.demand_input())
    db.session.commit()
    assert "해안 순찰용" not in page_text(client, q="드론")  # a draft is not searchable

    in_request(app, demands.publish_demand, officer, demand)
    db.session.commit()
    html = page_text(client, q="드론")
    assert "<mark>드론</mark>" in html and f"/demands/{demand.id}" in html
    assert "Results: 1" in html
    assert f"/demands/{demand.id}" in page_text(client, q="drone")  # synonyms
    assert f"/demands/{demand.id}" in page_text(client, q="drone", type="demand", region="51")
    assert f"/demands/{demand.id}" not in page_text(client, q="drone", type="product")

    # unpublished (back to draft) or deleted: gone from search
    demand.status = "draft"
    db.session.commit()
    assert f"/demands/{demand.id}" not in page_text(client, q="드론")
    demand.status = "published"
    db.session.commit()
    assert f"/demands/{demand.id}" in page_text(client, q="드론")
    demand.deleted_at = utcnow()
    db.session.commit()
    assert f"/demands/{demand.id}" not in page_text(client, q="드론")
    assert index.search(search.Query(filters={"type": "demand"})).total == 0


def test_a_product_is_searchable_while_listed_and_designation_shows(app, index, client):
    supplier = factories.user_with_role("supplier")
    operator = factories.user_with_role("operator")
    product = in_request(app, products.create_product, supplier, product_input())
    db.session.commit()
    assert f"/products/{product.id}" not in page_text(client, q="순찰")

    in_request(app, products.change_status, supplier, product, "listed")
    db.session.commit()
    html = page_text(client, q="순찰")
    assert f"/products/{product.id}" in html
    assert "TRL 8" in html  # the readiness facet

    db.session.add(
        Designation(
            number="2026-SRCH-001",
            product_id=product.id,
            index_value=87.5,
            scheme_id="test",
            scheme_version="1",
            starts_on=local_today() - timedelta(days=1),
            ends_on=local_today() + timedelta(days=365),
        )
    )
    db.session.commit()
    hits = index.search(search.Query("순찰", filters={"designated": "true"}))
    assert hits.ids == [f"product:{product.id}"]

    in_request(app, products.change_status, operator, product, "suspended", note="확인 중")
    db.session.commit()
    assert f"/products/{product.id}" not in page_text(client, q="순찰")


def test_facet_links_and_bad_arguments_on_the_page(app, index, client):
    officer = factories.user_with_role("officer")
    factories.published_demand(app, officer)
    factories.published_demand(app, officer, title="도심 청소 로봇", region="11")
    db.session.commit()
    html = page_text(client, q="", sort="newest", type="demand")
    assert "Results: 2" in html and "Gangwon" in html and "Seoul" in html
    assert "region=11" in html  # a facet link
    html = page_text(client, region="11", type="demand")
    assert "Results: 1" in html and "청소 로봇" in html
    korean = app.test_client().get("/search/?q=드론", headers={"Accept-Language": "ko"})
    assert korean.status_code == 200 and "<mark>드론</mark>" in korean.get_data(as_text=True)
    html = page_text(client, q="드론", type="bogus", per_page="9999")
    assert "were not valid and were ignored" in html and "Results: 2" in html
    # Each ignored option is named as the page names it, not by its address key.
    assert "<li>Type: Choose one of the listed options.</li>" in html
    assert "<li>Results per page: Use a whole number from 1 to" in html
    assert "<li>type:" not in html and "<li>per_page:" not in html


# -- confidentiality ----------------------------------------------------------------------


def test_a_proposal_is_seen_only_by_its_parties(app, index, client_as):
    officer = factories.user_with_role("officer")
    demand = factories.published_demand(app, officer)
    supplier_a = factories.user_with_role("supplier")
    factories.answered_proposal(
        app,
        supplier_a,
        demand,
        title="쿼크엔진 정지비행 제안",
        summary="쿼크엔진 비행제어기로 강풍에서도 정지비행합니다.",
    )
    draft = factories.answered_proposal(
        app, supplier_a, demand, submit=False, title="쿼크엔진 초안", summary="아직 초안"
    )
    db.session.commit()

    proposal = db.session.scalars(
        select(ReverseProposal).where(ReverseProposal.title == "쿼크엔진 정지비행 제안")
    ).one()
    link = f'href="/proposals/{proposal.id}"'
    draft_link = f'href="/proposals/{draft.id}"'

    outsider, outsider_user = client_as("supplier")
    headers = factories.bearer(app, outsider_user)
    html = outsider.get("/search/?q=쿼크엔진").get_data(as_text=True)
    assert "Results: 0" in html and link not in html and "<mark>" not in html
    assert "Reverse proposal" not in html  # no facet value either
    api = outsider.get("/api/v1/search?q=쿼크엔진", headers=headers).get_json()
    assert api["total"] == 0 and api["items"] == []
    assert all(values == [] for values in api["facets"].values())
    every = outsider.get("/api/v1/search?type=proposal", headers=headers).get_json()
    assert every["total"] == 0
    assert outsider.get("/search/suggest?q=쿼크").get_json()["suggestions"] == []
    suggest = outsider.get("/api/v1/search/suggest?q=쿼크", headers=headers).get_json()
    assert suggest["suggestions"] == []
    anonymous, _none = client_as(None)
    assert anonymous.get("/api/v1/search?q=쿼크엔진").get_json()["total"] == 0

    operator_client, operator = client_as("operator")
    for role_client in (
        operator_client,
        login_client(app, officer),
        login_client(app, supplier_a),
    ):
        html = role_client.get("/search/?q=쿼크엔진").get_data(as_text=True)
        assert link in html and "<mark>쿼크엔진</mark>" in html and "Reverse proposal" in html
        suggestions = role_client.get("/search/suggest?q=쿼크").get_json()["suggestions"]
        assert any(s["type"] == "proposal" for s in suggestions)
    headers = factories.bearer(app, operator)
    api = operator_client.get("/api/v1/search?q=쿼크엔진", headers=headers).get_json()
    assert [item["id"] for item in api["items"]] == [f"proposal:{proposal.id}"]
    assert {"value": "proposal", "count": 1} in api["facets"]["type"]

    # a draft: only its supplier
    assert draft_link not in login_client(app, officer).get("/search/?q=초안").get_data(
        as_text=True
    )
    assert draft_link not in operator_client.get("/search/?q=초안").get_data(as_text=True)
    assert draft_link in login_client(app, supplier_a).get("/search/?q=초안").get_data(as_text=True)


def login_client(app, user):
    from factories import english_client

    new_client = english_client(app)
    response = new_client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    db.session.expire(user)
    return new_client


def test_principals():
    class Anonymous:
        is_authenticated = False

    assert indexing.principals_for(None) == ["public"]
    assert indexing.principals_for(Anonymous()) == ["public"]


def test_principals_of_members(db_session):
    supplier = factories.user_with_role("supplier")
    assert indexing.principals_for(supplier) == [
        "public",
        f"user:{supplier.id}",
        f"org:{supplier.organisation_id}",
        "role:supplier",
    ]
    pending = factories.user_with_role("supplier", approved=False)
    assert f"org:{pending.organisation_id}" not in indexing.principals_for(pending)


# -- saved searches and alerts ------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["q=" + "가" * 300, "type=zzz&q=drone", "region=zz", "readiness_level=10"]
)
def test_a_search_with_refused_conditions_is_not_saved(app, index, client_as, query):
    """The search page leaves invalid conditions out to show what it can; saving that would
    alert on more than the user asked for (on everything, when all were refused)."""
    watcher_client, watcher = client_as("citizen")
    response = watcher_client.post(
        f"/search/saved?{query}", data={"name": "알림", "frequency": "daily"}
    )
    assert response.status_code == 302
    page = watcher_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The search could not be saved: correct its conditions first." in page
    saved = db.session.scalars(select(SavedSearch).where(SavedSearch.user_id == watcher.id))
    assert saved.all() == []


def test_saved_search_alerts_once_for_a_new_matching_demand(app, index, client_as, mail_outbox):
    watcher_client, watcher = client_as("citizen")
    response = watcher_client.post(
        "/search/saved?q=드론", data={"name": "드론 수요", "frequency": "instant"}
    )
    assert response.status_code == 302
    (saved,) = db.session.scalars(select(SavedSearch).where(SavedSearch.user_id == watcher.id))
    assert saved.query == {"q": "드론"} and saved.frequency == "instant"
    listing = watcher_client.get("/search/saved").get_data(as_text=True)
    assert "드론 수요" in listing and "Instant" in listing

    def alerts() -> list[Notification]:
        return list(
            db.session.scalars(
                select(Notification).where(
                    Notification.user_id == watcher.id, Notification.kind == "search.alert"
                )
            )
        )

    officer = factories.user_with_role("officer")
    factories.published_demand(
        app, officer, title="도심 청소 로봇", problem="보도 청소", desired_outcome="자동 청소"
    )  # does not match
    db.session.commit()
    assert alerts() == []
    demand = factories.published_demand(app, officer)
    db.session.commit()
    (note,) = alerts()
    assert "드론 수요" in note.title and "해안 순찰용 드론" in note.body
    assert note.link == "/search/?q=%EB%93%9C%EB%A1%A0"

    # more changes and a daily run: still one notification
    demand.title = "해안 순찰용 드론 (수정)"
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["search", "alerts", "--frequency", "instant"])
    assert result.exit_code == 0, result.output
    assert len(alerts()) == 1

    saved_id = saved.id
    response = watcher_client.post(f"/search/saved/{saved_id}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(SavedSearch, saved_id) is None
    other, _user = client_as("citizen")
    assert other.post(f"/search/saved/{saved_id}/delete").status_code == 404


def test_saving_needs_a_name(app, index, client_as):
    watcher_client, watcher = client_as("citizen")
    response = watcher_client.post("/search/saved?q=드론", data={"name": "", "frequency": "daily"})
    assert response.status_code == 302
    count = db.session.scalar(
        select(func.count()).select_from(SavedSearch).where(SavedSearch.user_id == watcher.id)
    )
    assert count == 0


# -- the API and the commands -------------------------------------------------------------


def test_api_search_and_suggest(app, index, client):
    officer = factories.user_with_role("officer")
    demand = factories.published_demand(app, officer)
    db.session.commit()
    body = client.get("/api/v1/search?q=드론&type=demand").get_json()
    assert body["total"] == 1 and body["degraded"] is False
    (item,) = body["items"]
    assert item["id"] == f"demand:{demand.id}" and item["url"] == f"/api/v1/demands/{demand.id}"
    assert item["highlights"]["title"] == "해안 순찰용 <mark>드론</mark>"
    assert {"value": "51", "count": 1} in body["facets"]["region"]
    suggestions = client.get("/api/v1/search/suggest?q=해안").get_json()["suggestions"]
    assert suggestions == [
        {"text": "해안 순찰용 드론", "id": f"demand:{demand.id}", "type": "demand"}
    ]

    for bad in (
        "type=bogus",
        "per_page=1000",
        "page=0",
        "sort=random",
        "region=99",
        "designated=maybe",
        "readiness_level=12",
        "amount_min=-5",
        "amount_min=10&amount_max=5",
        "division=3",
        "agency=abc",
        "colour=red",
        "page=300&per_page=50",
        "q=" + "x" * 201,
    ):
        response = client.get(f"/api/v1/search?{bad}")
        assert response.status_code == 422, bad
        assert response.mimetype == "application/problem+json"
    assert client.get("/api/v1/search/suggest?q=" + "x" * 101).status_code == 422
    assert client.get("/api/v1/search/suggest?limit=0").status_code == 422

    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/search" in spec["paths"] and "/api/v1/search/suggest" in spec["paths"]


def test_reindex_and_status_commands(app, index):
    officer = factories.user_with_role("officer")
    demand = factories.published_demand(app, officer)
    db.session.commit()
    index.delete_documents([f"demand:{demand.id}"])  # the index lost it
    assert index.search(search.Query(filters={"type": "demand"})).total == 0
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Reindexed" in result.output
    assert index.search(search.Query("드론")).ids == [f"demand:{demand.id}"]
    assert index.count() >= 1

    db.session.add(OutboxEvent(entity_type="demand", entity_id=demand.id, action="upsert"))
    db.session.flush()
    app.extensions["procure_indexing"]["drain_on_commit"] = False
    db.session.commit()
    result = runner.invoke(args=["search", "status"])
    assert result.exit_code == 0, result.output
    assert "Documents: " in result.output and "Outbox: 1 pending" in result.output

    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert indexing.outbox_status()["pending"] == 0


def test_search_page_without_index_rows_is_empty(app, index, client):
    html = page_text(client, q="아무것도")
    assert "Nothing matches this search." in html
    assert search_service.suggest(None, "")[0] == []


def test_workers_claim_with_skip_locked_on_postgresql():
    from sqlalchemy.dialects import postgresql, sqlite

    stmt = indexing.claim_statement("postgresql", 200, utcnow())
    assert "FOR UPDATE SKIP LOCKED" in str(stmt.compile(dialect=postgresql.dialect()))
    stmt = indexing.claim_statement("sqlite", 200, utcnow())
    assert "FOR UPDATE" not in str(stmt.compile(dialect=sqlite.dialect()))


def test_failed_drains_back_off_exponentially():
    assert [indexing.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert indexing.backoff(30).total_seconds() == 3600


def test_worker_stops_on_sigterm(app, index, monkeypatch):
    import signal

    from procure import indexing

    officer = factories.user_with_role("officer")
    app.extensions["procure_indexing"]["drain_on_commit"] = False
    demand_id = factories.published_demand(app, officer).id
    db.session.commit()
    assert index.search(search.Query("드론")).total == 0  # nothing drained yet
    before = signal.getsignal(signal.SIGTERM)
    drain = indexing.drain_all

    def drain_then_terminate(app_):  # SIGTERM arrives while the worker works
        try:
            return drain(app_)
        finally:
            signal.raise_signal(signal.SIGTERM)

    monkeypatch.setattr(indexing, "drain_all", drain_then_terminate)
    # An interval far longer than the test: it ends because the signal stops the wait. No
    # analysis thread: every session of a test shares one connection (conftest.db_session),
    # which two threads must not use at once; test_faults runs the real worker with it.
    started = time.monotonic()
    result = app.test_cli_runner().invoke(args=["worker", "--interval", "60", "--no-analyses"])
    assert time.monotonic() - started < 30, result.output
    assert result.exit_code == 0, result.output
    assert "Worker stopped." in result.output
    assert index.search(search.Query("드론")).ids == [f"demand:{demand_id}"]
    assert signal.getsignal(signal.SIGTERM) is before  # the handler is put back


def test_renaming_an_organisation_reindexes_its_records(app, index, client):
    officer = factories.user_with_role("officer")
    demand = factories.published_demand(app, officer)
    db.session.commit()
    assert f"/demands/{demand.id}" not in page_text(client, q="바다지킴이청", type="demand")
    officer.organisation.name = "바다지킴이청"
    db.session.commit()
    assert f"/demands/{demand.id}" in page_text(client, q="바다지킴이청", type="demand")
