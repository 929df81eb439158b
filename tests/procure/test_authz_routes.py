"""Every route, as every role: the status each one gets is the one this table expects.

A route missing from EXPECTED fails ``test_every_route_is_in_the_table``, so a new route cannot
land without someone deciding who may call it.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from flask import Blueprint

from access_pages import PUBLIC, SIGNED_IN
from procure import authz

ROLES = ("anonymous", "citizen", "officer", "supplier", "evaluator", "operator")


def _load_tables() -> dict[str, object]:
    """Merge the ``access_*.py`` tables here: one per feature, so features never collide."""
    merged: dict[str, object] = {}
    for path in sorted(Path(__file__).parent.glob("access_*.py")):
        table = importlib.import_module(path.stem).EXPECTED
        overlap = merged.keys() & table.keys()
        assert not overlap, f"{path.name} repeats {sorted(overlap)}"
        merged.update(table)
    return merged


EXPECTED: dict[str, object] = _load_tables()

SAMPLE_VALUES = {"int": "999999", "path": "css/app.css", "default": "sample"}


def concrete_path(rule) -> str:
    def fill(match):
        converter = match.group(1) or "default"
        return SAMPLE_VALUES.get(converter, SAMPLE_VALUES["default"])

    return re.sub(r"<(?:(\w+):)?\w+>", fill, rule.rule)


def allowed(expectation, role: str) -> bool:
    if expectation == PUBLIC:
        return True
    if role == "anonymous":
        return False
    if expectation == SIGNED_IN:
        return True
    return role in expectation


def test_every_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - EXPECTED.keys() == set(), "routes without an expected access rule"
    assert EXPECTED.keys() - endpoints == set(), "the table names routes that no longer exist"


def test_every_view_declares_a_rule(app):
    assert authz.unguarded_endpoints(app) == []


def test_a_route_without_a_rule_stops_start_up(app):
    from flask import Flask

    probe = Flask("probe")
    blueprint = Blueprint("probe", __name__)

    @blueprint.route("/unguarded")
    def unguarded():
        return "no rule"

    probe.register_blueprint(blueprint)
    with pytest.raises(RuntimeError, match=r"probe\.unguarded"):
        authz.check_routes(probe)


@pytest.fixture
def callers(client_as, app):
    """One client per role; API calls carry that user's bearer token."""
    from procure.account.services import create_api_token
    from procure.extensions import db

    out = {}
    for role in ROLES:
        client, user = client_as(None if role == "anonymous" else role)
        token = None
        if user is not None:
            with app.test_request_context():
                _row, token = create_api_token(user, "walk")
            db.session.flush()
        out[role] = (client, token)
    return out


def test_walk_every_route_as_every_role(app, callers):
    failures = []
    # Signing out ends the session the other checks rely on, so it goes last.
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout", r.rule))
    for rule in rules:
        expectation = EXPECTED[rule.endpoint]
        path = concrete_path(rule)
        is_api = rule.rule.startswith("/api/")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for role in ROLES:
                client, token = callers[role]
                headers = {"Authorization": f"Bearer {token}"} if is_api and token else {}
                kwargs = {"json": {}} if is_api and method != "GET" else {"data": {}}
                response = client.open(path, method=method, headers=headers, **kwargs)
                status = response.status_code
                response.close()
                if allowed(expectation, role):
                    ok = status not in (401, 403) and status < 500
                    want = "not 401/403/5xx"
                elif role == "anonymous":
                    want = 401 if is_api else 302
                    ok = status == want and (
                        is_api or "/login" in response.headers.get("Location", "")
                    )
                else:
                    want = 403
                    ok = status == 403
                if not ok:
                    failures.append(f"{method} {path} as {role}: got {status}, want {want}")
    assert failures == []
