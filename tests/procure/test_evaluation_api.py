"""API v1 of the evaluation workflow: rounds, declarations, blind sheets, decisions, the index."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

import factories
from procure.account.services import create_api_token
from procure.clock import local_today
from procure.extensions import db
from procure.models import AuditEvent
from test_evaluation_common import SCHEME, criterion_levels, listed_product


@pytest.fixture(autouse=True)
def cpv(db_session):
    factories.add_cpv_codes()


@pytest.fixture
def api(app, client):
    """``call(user, method, path, json=None)`` with the user's bearer token."""
    tokens = {}

    def call(user, method, path, json=None):
        headers = {}
        if user is not None:
            if user.id not in tokens:
                with app.test_request_context():
                    _row, tokens[user.id] = create_api_token(user, "test")
                db.session.flush()
            headers["Authorization"] = f"Bearer {tokens[user.id]}"
        kwargs = {"json": json} if json is not None else {}
        return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    return call


def sheet_body(level="good", submit=False, version=0, **levels):
    return {
        "levels": {i.id: levels.get(i.id, level) for i in SCHEME.items},
        "gates": {g.id: True for g in SCHEME.gates},
        "comments": {c.id: "의견" for c in SCHEME.criteria},
        "submit": submit,
        "version": version,
    }


@pytest.fixture
def people(app):
    operator = factories.user_with_role("operator")
    supplier = factories.user_with_role("supplier")
    panel = [factories.user_with_role("evaluator") for _ in range(3)]
    product = listed_product(app, supplier)
    return operator, supplier, panel, product


def open_round(api, operator, panel, product):
    body = {
        "title": "API 평가",
        "scheme": "default-v1",
        "deadline": (local_today() + timedelta(days=5)).isoformat(),
        "items": [{"product_id": product.id, "product_kind": "proven"}],
        "evaluator_ids": [e.id for e in panel],
    }
    response = api(operator, "POST", "/evaluation-rounds", body)
    assert response.status_code == 201, response.json
    round_id = response.json["id"]
    assert response.headers["Location"].endswith(f"/evaluation-rounds/{round_id}")
    response = api(operator, "POST", f"/evaluation-rounds/{round_id}/open", {"version": 1})
    assert response.status_code == 200 and response.json["status"] == "open"
    return round_id, response.json["items"][0]["id"]


def test_bad_round_input_is_a_422_with_field_errors(api, people):
    operator, _supplier, panel, _product = people
    response = api(
        operator,
        "POST",
        "/evaluation-rounds",
        {"title": "x", "scheme": "nope", "deadline": "soon", "items": [{"product_id": 999999}]},
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json["errors"]}
    assert {"scheme", "deadline", "items-0", "evaluator_ids"} <= fields
    assert api(panel[0], "POST", "/evaluation-rounds", {}).status_code == 403


def test_the_whole_round_through_the_api(api, people):
    operator, supplier, panel, product = people
    round_id, item_id = open_round(api, operator, panel, product)
    base = f"/evaluation-rounds/{round_id}/items/{item_id}"
    first, second, third = panel
    listed = api(first, "GET", "/evaluation-rounds").json
    assert [r["id"] for r in listed["items"]] == [round_id]
    assert listed["items"][0]["panel"] is None  # evaluators do not get the panel
    # No dossier before the declaration.
    assert api(first, "GET", f"{base}/sheet").status_code == 403
    for evaluator in panel:
        response = api(evaluator, "POST", f"{base}/conflict-declaration", {"has_conflict": False})
        assert response.status_code == 201
    assert (
        api(first, "POST", f"{base}/conflict-declaration", {"has_conflict": "no"}).status_code
        == 422
    )
    # Two evaluators read "no sheet yet" and submit at the same moment: both land.
    assert api(first, "GET", f"{base}/sheet").json["version"] == 0
    assert api(second, "GET", f"{base}/sheet").json["version"] == 0
    one = api(first, "PUT", f"{base}/sheet", sheet_body(submit=True))
    two = api(second, "PUT", f"{base}/sheet", sheet_body("excellent", submit=True))
    assert (one.status_code, two.status_code) == (200, 200)
    assert one.json["status"] == two.json["status"] == "submitted"
    # Each reads only their own sheet.
    assert api(first, "GET", f"{base}/sheet").json["levels"]["novelty"] == "good"
    assert api(second, "GET", f"{base}/sheet").json["levels"]["novelty"] == "excellent"
    # Drafts and stale versions.
    draft = api(third, "PUT", f"{base}/sheet", sheet_body("fair"))
    assert draft.status_code == 200 and draft.json["status"] == "draft"
    again = api(third, "PUT", f"{base}/sheet", sheet_body("fair", version=draft.json["version"]))
    assert again.status_code == 200
    stale = api(third, "PUT", f"{base}/sheet", sheet_body("poor", version=draft.json["version"]))
    assert stale.status_code == 409 and stale.content_type == "application/problem+json"
    # A far-off criterion needs a justification.
    harsh = sheet_body(
        "good",
        submit=True,
        version=again.json["version"],
        **criterion_levels("market", "very_poor"),
    )
    refused = api(third, "PUT", f"{base}/sheet", harsh)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json["errors"]] == ["justification-market"]
    harsh["justifications"] = {"market": "가격 근거 없음"}
    assert api(third, "PUT", f"{base}/sheet", harsh).status_code == 200
    # Submitted sheets are final.
    assert (
        api(first, "PUT", f"{base}/sheet", sheet_body(version=one.json["version"])).status_code
        == 409
    )
    # Blind until the close: nobody gets individual scores, suppliers never.
    assert api(operator, "GET", f"{base}/scores").status_code == 403
    assert api(supplier, "GET", f"{base}/scores").status_code == 403
    assert api(first, "GET", f"{base}/scores").status_code == 403
    cells = api(operator, "GET", f"/evaluation-rounds/{round_id}/assignments").json["items"]
    assert [c["status"] for c in cells] == ["submitted"] * 3
    own = api(first, "GET", f"/evaluation-rounds/{round_id}/assignments").json["items"]
    assert own == [
        {
            "item_id": item_id,
            "evaluator_id": first.id,
            "access": "ok",
            "status": "submitted",
            "overdue": False,
        }
    ]
    closed = api(operator, "POST", f"/evaluation-rounds/{round_id}/close", {})
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    assert closed.json["agreement"]["total"]["kendalls_w"]["name"]
    item = closed.json["items"][0]
    assert item["result"]["n_evaluators"] == 3 and item["submitted_sheets"] == 3
    scores = api(operator, "GET", f"{base}/scores").json["items"]
    assert {s["evaluator_id"] for s in scores} == {e.id for e in panel}
    assert api(supplier, "GET", f"{base}/scores").status_code == 403
    # Decision: override needs a reason.
    assert api(operator, "POST", f"{base}/decision", {"decision": "override"}).status_code == 422
    decided = api(operator, "POST", f"{base}/decision", {"decision": "confirm"})
    assert decided.status_code == 200 and decided.json["decision"] == "confirmed"
    assert api(operator, "POST", f"{base}/decision", {"decision": "confirm"}).status_code == 409
    assert api(operator, "GET", f"/evaluation-rounds/{round_id}").json["status"] == "decided"
    # The public index.
    index = api(None, "GET", f"/products/{product.id}/innovation-index")
    assert index.status_code == 200
    assert [c["id"] for c in index.json["criteria"]] == [c.id for c in SCHEME.criteria]
    assert index.json["index"] == item["result"]["total"]
    assert "evaluator" not in index.get_data(as_text=True)
    designation_id = index.json["designation"]["id"]
    # Extensions: +1, +2, then refused; revocation needs a reason.
    path = f"/designations/{designation_id}"
    assert api(supplier, "POST", f"{path}/extension", {}).status_code == 403
    assert api(operator, "POST", f"{path}/extension", {}).json["extensions"] == 1
    second_ext = api(operator, "POST", f"{path}/extension", {})
    assert second_ext.json["extensions"] == 2 and second_ext.json["next_extension_years"] is None
    assert api(operator, "POST", f"{path}/extension", {}).status_code == 409
    assert api(operator, "POST", f"{path}/revocation", {"reason": ""}).status_code == 422
    revoked = api(operator, "POST", f"{path}/revocation", {"reason": "허위 자료"})
    assert revoked.json["status"] == "revoked" and revoked.json["in_force"] is False
    assert api(None, "GET", f"/products/{product.id}/innovation-index").status_code == 404
    assert api(None, "GET", path).json["revoked_reason"] == "허위 자료"
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {
        "evaluation.round_created",
        "evaluation.round_opened",
        "evaluation.conflict_declared",
        "evaluation.sheet_saved",
        "evaluation.sheet_submitted",
        "evaluation.round_closed",
        "evaluation.item_decided",
        "evaluation.round_decided",
        "designation.created",
        "designation.extended",
        "designation.revoked",
    } <= actions


def test_own_organisation_cannot_score_through_the_api(app, api, people):
    operator, supplier, panel, product = people
    insider = factories.user_with_role("evaluator", organisation=supplier.organisation)
    round_id, item_id = open_round(api, operator, [*panel, insider], product)
    base = f"/evaluation-rounds/{round_id}/items/{item_id}"
    declared = api(insider, "POST", f"{base}/conflict-declaration", {"has_conflict": False})
    assert declared.status_code == 201 and declared.json["has_conflict"] is True
    assert api(insider, "GET", f"{base}/sheet").status_code == 403
    assert api(insider, "PUT", f"{base}/sheet", sheet_body(submit=True)).status_code == 403
    outsider = factories.user_with_role("evaluator")
    assert api(outsider, "GET", f"/evaluation-rounds/{round_id}").status_code == 404
    assert api(outsider, "GET", f"{base}/sheet").status_code == 404


def test_no_designation_is_a_404(api, people):
    _operator, _supplier, _panel, product = people
    assert api(None, "GET", f"/products/{product.id}/innovation-index").status_code == 404
    assert api(None, "GET", "/products/999999/innovation-index").status_code == 404


def test_a_draft_round_can_be_changed_until_it_opens(api, people):
    operator, _supplier, panel, product = people
    body = {
        "title": "초안",
        "scheme": "default-v1",
        "deadline": "2099-01-31T18:00:00+09:00",
        "items": [{"product_id": product.id}],
        "evaluator_ids": [panel[0].id],
    }
    created = api(operator, "POST", "/evaluation-rounds", body).json
    assert created["deadline"].startswith("2099-01-31T09:00")
    path = f"/evaluation-rounds/{created['id']}"
    changed = api(
        operator, "PATCH", path, {**body, "evaluator_ids": [e.id for e in panel], "version": 1}
    )
    assert changed.status_code == 200 and len(changed.json["panel"]) == 3
    assert api(operator, "PATCH", path, {**body, "version": 1}).status_code == 409
    assert api(panel[0], "GET", path).status_code == 404  # drafts are the operators' own
    assert (
        api(operator, "POST", f"{path}/open", {"version": changed.json["version"]}).status_code
        == 200
    )
    assert api(operator, "PATCH", path, {**body, "version": None}).status_code == 409


def test_malformed_bodies_are_422_not_500(api, people):
    operator, _supplier, panel, product = people
    weird = {
        "title": ["x"],
        "scheme": 3,
        "deadline": True,
        "items": [{"product_id": product.id, "product_kind": ["a"]}, "x"],
        "evaluator_ids": ["1", None],
    }
    response = api(operator, "POST", "/evaluation-rounds", weird)
    assert response.status_code == 422
    # An id sent as text is named as such, not reported as a product or person that is missing.
    as_text = {
        "title": "문자열 id",
        "scheme": "default-v1",
        "items": [{"product_id": str(product.id)}],
        "evaluator_ids": [str(panel[0].id)],
    }
    response = api(operator, "POST", "/evaluation-rounds", as_text)
    assert response.status_code == 422
    messages = {(e["field"], e["message"]) for e in response.json["errors"]}
    assert ("items-0", "Give the product's id as a whole number.") in messages
    assert ("evaluator_ids", "Give each evaluator's id as a whole number.") in messages
    round_id, item_id = open_round(api, operator, panel, product)
    base = f"/evaluation-rounds/{round_id}/items/{item_id}"
    api(panel[0], "POST", f"{base}/conflict-declaration", {"has_conflict": False})
    bad_sheet = {"levels": {"novelty": ["good"]}, "gates": {"safety": "yes"}, "comments": []}
    assert api(panel[0], "PUT", f"{base}/sheet", bad_sheet).status_code == 422
    bad_sheet = {"levels": {"nope": "good"}, "submit": "yes"}
    assert api(panel[0], "PUT", f"{base}/sheet", bad_sheet).status_code == 422
    assert api(panel[0], "PUT", f"{base}/sheet", {"version": "1"}).status_code == 422
