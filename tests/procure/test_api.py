"""API v1: bearer tokens, problem+json errors, pagination and the OpenAPI document."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

import factories
from procure.api.openapi import openapi_path
from procure.extensions import db
from procure.models import ApiToken


@pytest.fixture
def token_for(client, login):
    """Create a token through the profile page, as a person would; return (user, token)."""

    def make(user=None):
        user = login(user or factories.UserFactory())
        page = client.post("/account/tokens", data={"name": "script"}).get_data(as_text=True)
        token = re.search(r'id="new-token">(prc_[^<]+)<', page).group(1)
        return user, token

    return make


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_me_with_a_token_from_the_profile(client, token_for):
    user, token = token_for()
    stored = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert stored.token_hash != token and token not in stored.token_hash  # only a digest is kept
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.json["email"] == user.email
    assert response.json["roles"] == ["citizen"]


def test_revoked_token_is_refused(client, token_for):
    user, token = token_for()
    stored = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert client.post(f"/account/tokens/{stored.id}/revoke").status_code == 302
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert response.json["status"] == 401


def test_cannot_revoke_someone_elses_token(client, login, app):
    from procure.account.services import create_api_token

    owner = factories.UserFactory()
    with app.test_request_context():
        row, _plain = create_api_token(owner, "mine")
    login(factories.UserFactory())
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 404
    db.session.refresh(row)
    assert row.revoked_at is None


def test_session_cookie_carries_no_authority_in_the_api(client, login):
    login(factories.UserFactory())
    assert client.get("/api/v1/me").status_code == 401


def test_malformed_header_and_unknown_token(client):
    for header in ("Bearer prc_unknown", "Basic abc", "Bearer "):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401
        assert response.content_type == "application/problem+json"


def test_patch_me_updates_and_refuses_a_stale_version(client, token_for):
    _user, token = token_for()
    current = client.get("/api/v1/me", headers=bearer(token)).json
    response = client.patch(
        "/api/v1/me",
        json={"name": "API 이름", "version": current["version"]},
        headers=bearer(token),
    )
    assert response.status_code == 200, response.json
    assert response.json["name"] == "API 이름"
    stale = client.patch(
        "/api/v1/me", json={"name": "늦음", "version": current["version"]}, headers=bearer(token)
    )
    assert stale.status_code == 409
    assert stale.content_type == "application/problem+json"


def test_patch_me_bad_input(client, token_for):
    _user, token = token_for()
    malformed = client.patch(
        "/api/v1/me",
        data="{not json",
        headers={**bearer(token), "Content-Type": "application/json"},
    )
    assert malformed.status_code == 400
    assert "well-formed" in malformed.json["detail"]
    wrong_type = client.patch(
        "/api/v1/me", data="name=x", headers={**bearer(token), "Content-Type": "text/plain"}
    )
    assert wrong_type.status_code == 415
    not_object = client.patch("/api/v1/me", json=[1, 2], headers=bearer(token))
    assert not_object.status_code == 400
    too_long = client.patch(
        "/api/v1/me", json={"name": "가" * 101, "version": "x"}, headers=bearer(token)
    )
    assert too_long.status_code == 422
    fields = {e["field"] for e in too_long.json["errors"]}
    assert fields == {"name", "version"}


def test_organisations_list_is_paginated_and_filtered(client):
    for n in range(3):
        factories.OrganisationFactory(name=f"가나다 기관 {n}", region="26")
    factories.OrganisationFactory(name="숨은 기관", pending=True)
    response = client.get("/api/v1/organisations?region=26&per_page=2&page=1")
    assert response.status_code == 200
    body = response.json
    assert body["total"] == 3 and body["per_page"] == 2 and len(body["items"]) == 2
    assert all(item["region"] == "26" for item in body["items"])
    second = client.get("/api/v1/organisations?region=26&per_page=2&page=2").json
    assert len(second["items"]) == 1
    # Past the end the API answers an empty page (a client reading on stops) …
    past = client.get("/api/v1/organisations?region=26&per_page=2&page=9").json
    assert past["items"] == [] and past["page"] == 9
    # … while a site page past the end shows the last page rather than "nothing found".
    html = client.get("/organisations/?kind=agency&region=26&per_page=2&page=9").get_data(
        as_text=True
    )
    assert 'aria-current="page" href="/organisations/?kind=agency&amp;region=26&amp;page=2"' in html
    assert html.count('class="app-card"') == 1  # the last page's one organisation
    names = [i["name"] for i in client.get("/api/v1/organisations?per_page=100").json["items"]]
    assert "숨은 기관" not in names


@pytest.mark.parametrize(
    "query", ["page=0", "per_page=1000", "page=abc", "kind=operator", "region=99", "q=" + "x" * 101]
)
def test_bad_query_parameters_are_422_with_field_errors(client, query):
    response = client.get(f"/api/v1/organisations?{query}")
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert response.json["errors"]


def test_unknown_api_route_is_problem_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


def test_openapi_document_matches_the_routes(client, app):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.1")
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path, _params = openapi_path(rule.rule)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((path, method.lower()))
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert documented == routes
    me = doc["paths"]["/api/v1/me"]["get"]
    assert me["security"] == [{"bearer": []}]
    assert "security" not in doc["paths"]["/api/v1/organisations"]["get"]
