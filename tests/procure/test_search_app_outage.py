"""An Elasticsearch outage (osmem-server over HTTP): writes still succeed, nothing is lost, the
page degrades, and draining catches up once a server answers again."""

from __future__ import annotations

import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

import factories
import search
from procure import indexing, search_service
from procure.extensions import db
from procure.models import OutboxEvent
from procure.models.base import utcnow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "search"))
from osmem import PlainJsonNode, start_osmem, stop_osmem


def elastic(url: str) -> search.SearchBackend:
    return search.backend_from_url(
        url,
        node_class=PlainJsonNode,
        alias=f"test-app-{uuid.uuid4().hex[:8]}",
        request_timeout=2,
        max_retries=0,
    )


@pytest.fixture
def servers(app, db_session):
    """Start osmem servers on demand; stop them all and restore the app's backend after."""
    started = []
    previous = app.extensions.get("search_backend")
    state = dict(app.extensions["procure_indexing"])
    app.extensions["procure_indexing"]["drain_on_commit"] = True

    def start():
        server = start_osmem()
        started.append(server)
        return server

    yield start
    app.extensions["procure_indexing"] = state
    app.extensions.pop("search_backend", None)
    if previous is not None:
        app.extensions["search_backend"] = previous
    for server in started:
        if server.process.poll() is None:
            stop_osmem(server)


def demand_events() -> list[OutboxEvent]:
    return list(
        db.session.scalars(select(OutboxEvent).where(OutboxEvent.entity_type == "demand")).all()
    )


def test_outage_loses_nothing_and_draining_catches_up(app, servers, client):
    factories.add_cpv_codes()
    first = servers()
    search_service.set_backend(app, elastic(first.url))
    officer = factories.user_with_role("officer")
    before = factories.published_demand(app, officer, title="산불 감시 드론")
    db.session.commit()
    assert f"/demands/{before.id}" in client.get("/search/?q=산불").get_data(as_text=True)

    stop_osmem(first)  # the cluster goes away mid-run

    demand = factories.published_demand(app, officer)  # the write goes through the service
    db.session.commit()  # and commits; the in-process drain fails quietly
    demand_id = demand.id
    (event,) = [e for e in demand_events() if e.entity_id == demand_id]
    assert event.processed_at is None and event.attempts == 1
    assert "SearchUnavailable" in event.last_error
    assert event.available_at > utcnow()  # backed off

    response = client.get("/search/?q=드론")
    assert response.status_code == 200
    assert "results may be incomplete" in response.get_data(as_text=True)
    api = client.get("/api/v1/search?q=드론").get_json()
    assert api["degraded"] is True and api["total"] == 0
    lag = indexing.outbox_status()
    assert lag["pending"] >= 1 and lag["retrying"] >= 1
    result = app.test_cli_runner().invoke(args=["search", "status"])
    assert result.exit_code == 1 and "DOWN" in result.output and "pending" in result.output

    # A new server (on a new port): point the app at it, rebuild and catch up.
    second = servers()
    search_service.set_backend(app, elastic(second.url))
    caught_up = indexing.drain_all(app, now=utcnow() + timedelta(hours=2))
    assert caught_up.failed == 0 and caught_up.indexed >= 1
    db.session.expire_all()
    event = db.session.get(OutboxEvent, event.id)
    assert event.processed_at is not None and event.last_error is None
    html = client.get("/search/?q=해안").get_data(as_text=True)
    assert f"/demands/{demand_id}" in html and "results may be incomplete" not in html

    # The older demand lived only in the lost cluster: a reindex brings it back.
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert f"/demands/{before.id}" in client.get("/search/?q=산불").get_data(as_text=True)
