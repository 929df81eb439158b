"""CSRF: every form-accepting POST route refuses a missing or forged token, and the API, which
takes no CSRF token, ignores session cookies altogether."""

from __future__ import annotations

import re

import pytest

import factories
from access_pages import PUBLIC, SIGNED_IN
from test_authz_routes import EXPECTED, concrete_path

ROLE_ORDER = ("operator", "officer", "supplier", "evaluator", "citizen")


def _role_allowed(expectation) -> str | None:
    """A role the route lets through, so the request reaches the CSRF check."""
    if expectation == PUBLIC:
        return None
    if expectation == SIGNED_IN:
        return "citizen"
    return next(role for role in ROLE_ORDER if role in expectation)


def _form_posts(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "POST" in rule.methods and not rule.rule.startswith(("/api/", "/static")):
            yield rule


def test_every_form_post_refuses_a_missing_or_forged_token(app, db_session, login, csrf):
    clients = {}
    failures = []
    checked = 0
    for rule in _form_posts(app):
        role = _role_allowed(EXPECTED[rule.endpoint])
        if role not in clients:
            client = factories.english_client(app)
            if role is not None:
                app.config["WTF_CSRF_ENABLED"] = False
                login(factories.user_with_role(role), on=client)
                app.config["WTF_CSRF_ENABLED"] = True
            clients[role] = client
        client = clients[role]
        path = concrete_path(rule)
        for data in ({}, {"csrf_token": "forged"}, {"csrf_token": "IjEyMyI.Zz.abc"}):
            response = client.post(path, data=data)
            text = response.get_data(as_text=True)
            if response.status_code != 400 or "expired or was not sent from this site" not in text:
                failures.append(f"POST {path} as {role} with {data}: {response.status_code}")
        checked += 1
    assert checked > 60
    assert failures == []


def test_a_token_from_another_session_is_refused(app, db_session, login, csrf):
    victim = factories.english_client(app)
    attacker = factories.english_client(app)
    page = attacker.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    token = token or re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "the sign-in form carries a token"
    response = victim.post(
        "/password/forgot", data={"email": "x@example.kr", "csrf_token": token.group(1)}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/demands"),
        ("PATCH", "/api/v1/me"),
        ("POST", "/api/v1/ideas"),
        ("POST", "/api/v1/proposals"),
        ("POST", "/api/v1/evaluation-rounds"),
        ("GET", "/api/v1/me"),
    ],
)
def test_the_api_ignores_the_session_cookie(client_as, method, path):
    """A malicious page cannot drive the API through a signed-in browser: without a bearer
    token the cookie counts for nothing, so there is nothing for CSRF to abuse."""
    client, _user = client_as("operator")
    assert client.get("/dashboard").status_code == 200  # the cookie session is live
    response = client.open(path, method=method, json={"title": "x", "version": 1})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
