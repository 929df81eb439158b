"""API v1 for pilot purchases, driven by bearer tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest

from procure.account.services import create_api_token
from procure.clock import local_today
from procure.extensions import db
from test_pilots_helpers import world


@pytest.fixture
def w(app, db_session):
    return world(app)


@pytest.fixture
def api(app, client):
    """``api(user)`` returns a caller: ``call("POST", path, json)`` → response."""

    def make(user):
        token = None
        if user is not None:
            with app.test_request_context():
                _row, token = create_api_token(user, "pilots")
            db.session.flush()

        def call(method, path, body=None):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            kwargs = {"json": body} if body is not None else {}
            return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

        return call

    return make


def test_the_whole_flow(app, w, api):
    op = api(w["operator"])
    sup = api(w["suppliers"][0])
    off_a, off_b = api(w["officers"][0]), api(w["officers"][1])
    anon = api(None)
    today = local_today()

    bad = op("POST", "/pilot-rounds", {"title": 5, "budget": "x"})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json["errors"]} >= {"title", "budget", "starts_on"}
    body = {
        "title": "API 라운드",
        "budget": 5_000_000,
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=100)).isoformat(),
        "product_ids": [p.id for p in w["products"]],
    }
    response = op("POST", "/pilot-rounds", body)
    assert response.status_code == 201, response.json
    round_id = response.json["id"]
    assert anon("GET", f"/pilot-rounds/{round_id}").status_code == 404  # draft
    assert op("POST", f"/pilot-rounds/{round_id}/open").json["status"] == "open"
    assert anon("GET", "/pilot-rounds").json["total"] >= 1

    plan_body = {
        "product_id": w["products"][0].id,
        "units_offered": 5,
        "unit_price": 1_000_000,
        "test_period_days": 30,
    }
    response = sup("POST", f"/pilot-rounds/{round_id}/plans", plan_body)
    assert response.status_code == 201, response.json
    plan_id = response.json["plans"][0]["id"]
    application = {
        "plan_id": plan_id,
        "quantity": 2,
        "intended_use": "시험",
        "site": "현장",
        "expected_improvement": "개선",
        "plans_follow_on": True,
    }
    assert off_a("POST", f"/pilot-rounds/{round_id}/applications", application).status_code == 201
    wrong = off_b(
        "POST", f"/pilot-rounds/{round_id}/applications", {**application, "small_agency": "yes"}
    )
    assert wrong.status_code == 422
    response = off_b(
        "POST", f"/pilot-rounds/{round_id}/applications", {**application, "quantity": 3}
    )
    assert response.status_code == 201
    b_app = response.json["id"]
    # before publication: only one's own
    assert len(off_a("GET", f"/pilot-rounds/{round_id}/applications").json["items"]) == 1
    assert len(op("GET", f"/pilot-rounds/{round_id}/applications").json["items"]) == 2
    assert anon("GET", f"/pilot-rounds/{round_id}").json["allocation_report"] is None

    assert (
        op("POST", f"/pilot-rounds/{round_id}/allocate", {"weights": {"small": "x"}}).status_code
        == 422
    )
    response = op("POST", f"/pilot-rounds/{round_id}/allocate", {"weights": {"follow_on": 2}})
    assert response.status_code == 200
    report = response.json["allocation_report"]
    assert report["weights"]["follow_on"] == 2.0 and report["spent"] > 0
    assert {line["application_id"] for line in report["lines"]} >= {b_app}
    response = op(
        "PUT", f"/pilot-applications/{b_app}/allocation", {"quantity": 1, "reason": "단위 조정"}
    )
    assert response.status_code == 200 and response.json["adjusted_by_hand"] is True
    assert op("POST", f"/pilot-rounds/{round_id}/publish").status_code == 200
    assert len(off_a("GET", f"/pilot-rounds/{round_id}/applications").json["items"]) == 2

    mine = off_a("GET", "/pilots").json["items"]
    assert len(mine) == 1 and mine[0]["status"] == "allocated"
    assert mine[0]["transitions"] == ["contracted"]
    pid = mine[0]["id"]
    assert anon("GET", f"/pilots/{pid}").status_code == 404
    assert (
        off_a("POST", f"/pilots/{pid}/start", {"use_started_on": today.isoformat()}).status_code
        == 409
    )
    day = lambda n: (today - timedelta(days=n)).isoformat()  # noqa: E731
    assert (
        op(
            "POST", f"/pilots/{pid}/contract", {"contract_number": "K-1", "contract_date": day(50)}
        ).status_code
        == 200
    )
    assert (
        off_a(
            "POST", f"/pilots/{pid}/delivery", {"delivery_date": day(45), "accepted_on": day(44)}
        ).status_code
        == 200
    )
    response = off_a("POST", f"/pilots/{pid}/start", {"use_started_on": day(40)})
    assert response.json["report_due_on"] == (today - timedelta(days=10)).isoformat()
    bad_report = off_a(
        "POST",
        f"/pilots/{pid}/report",
        {"satisfaction": 9, "would_buy_again": True, "summary": "요약", "measurements": []},
    )
    assert bad_report.status_code == 422
    assert {e["field"] for e in bad_report.json["errors"]} >= {"satisfaction", "measurements"}
    good_report = {
        "satisfaction": 3,
        "would_buy_again": False,
        "summary": "절반 달성",
        "measurements": [
            {"name": "조도", "target": "30", "measured": "20", "unit": "lx", "met": False}
        ],
        "defects": [{"description": "점멸", "fixed": False}],
    }
    response = off_a("POST", f"/pilots/{pid}/report", good_report)
    assert response.status_code == 200 and response.json["report"]["satisfaction"] == 3
    response = op(
        "POST", f"/pilots/{pid}/verdict", {"verdict": "insufficient", "note": "결함 미조치"}
    )
    assert response.status_code == 200
    assert response.json["extension_blocked"] is True
    assert anon("GET", f"/pilots/{pid}").status_code == 200  # published
    record = anon("GET", f"/pilots/{pid}/good-faith").json
    actions = {e["action"] for e in record["trail"]}
    assert {"pilot_round.created", "pilot_application.submitted", "pilot.evaluated"} <= actions
    assert op("POST", f"/pilots/{pid}/close").json["status"] == "closed"

    response = off_a(
        "POST",
        "/follow-on-purchases",
        {"product_id": w["products"][0].id, "purchased_on": today.isoformat(), "amount": 3_000_000},
    )
    assert response.status_code == 201 and response.json["pilot_id"] == pid
    stats = anon("GET", f"/stats/pilots?year={today.year}").json
    assert stats["summary"]["bought_again"] == 1
    agencies = anon("GET", f"/stats/agencies?agency={w['officers'][0].organisation_id}").json
    assert agencies["items"][0]["follow_on_spend"] == 3_000_000
    assert anon("GET", "/stats/pilots?year=abc").status_code == 422
    assert anon("GET", "/stats/pilots?agency=999999").status_code == 404
    supplier_org = w["suppliers"][0].organisation_id  # an organisation, but no agency
    assert anon("GET", f"/stats/agencies?agency={supplier_org}").status_code == 404


def test_openapi_documents_the_pilot_routes(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/pilot-rounds",
        "/api/v1/pilots/{pilot_id}",
        "/api/v1/pilots/{pilot_id}/report",
        "/api/v1/stats/pilots",
    ):
        assert path in paths, path
    body = paths["/api/v1/pilot-rounds"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["properties"]["product_ids"]["items"] == {"type": "integer"}
