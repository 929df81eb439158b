"""IDOR: every object route, called by someone who does not own the object.

test_authz_routes.py checks route-level rules (which roles may call a route). This module checks
object-level rules: user A owns confidential records; user B, with a role the route admits but
another organisation, asks for A's records by id, and gets 403/404 and never the data; nothing
of A's changes. Each ``<int:...>`` route is either exercised here or listed in ELSEWHERE with the
reason it is not.
"""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

import factories
from factories import in_request
from procure.extensions import db
from procure.models import (
    ApiToken,
    Attachment,
    CitizenIdea,
    Demand,
    Notification,
    Product,
    ReverseProposal,
    SavedSearch,
)

SECRET = "CONFIDENTIAL-A-비밀"

# Routes with an id this module does not fill, and why that is safe to leave to other tests.
ELSEWHERE = {
    "admin.verify_organisation": "operator-only by route rule (test_authz_routes)",
    "admin.approve_user": "operator-only by route rule (test_authz_routes)",
    "admin.deactivate_user": "operator-only by route rule (test_authz_routes)",
    "admin.toggle_evaluator": "operator-only by route rule (test_authz_routes)",
    "organisations.detail": "public by design: verified organisations are listed",
    "api.organisation": "public by design: verified organisations are listed",
    "demands.answer": "officer of the demand's agency only (test_market_demands)",
    "api.answer_question": "officer of the demand's agency only (test_api_market)",
    "demands.dismiss_suggestion": "officer of the demand's agency only (test_matching_app)",
    "auth.reset_password": "a signed token, not an id (test_abuse_throttle forges some)",
    "insights.gap": "operator-only by route rule (test_authz_routes); a key, not an owned record",
    "insights.publish": "operator-only by route rule (test_authz_routes)",
    "onestop.confirm": "a signed token, not an id (test_onestop forges and reuses some)",
    "onestop.unsubscribe": "a signed token, not an id (test_onestop)",
    "onestop.cancel": "someone else's subscription is 404 (test_onestop)",
}
# Routes whose ids are evaluation rounds, items, designations, pilots, pilot rounds and
# applications, follow-ons: their object rules are tested in test_evaluation_* and test_pilots_*.
# Competitive dialogues: every thread, proposal, score sheet and download route is tried as
# another partner, a supplier not selected, another agency and anonymous in test_dialogue
# (the API's participation route as another supplier, an outsider and an officer).
ELSEWHERE_PREFIXES = ("/evaluation/", "/pilots/", "/api/v1/evaluation-rounds", "/api/v1/pilot")
ELSEWHERE_PREFIXES += ("/dialogues/", "/api/v1/dialogues/")  # the API: the same test file
ELSEWHERE_ARGS = {"designation_id", "pilot_id", "round_id", "item_id", "application_id"}
ELSEWHERE_ARGS |= {"follow_on_id", "index"}


@pytest.fixture
def owned(app, db_session):
    """A's confidential records: a draft demand, a draft and a submitted proposal, a draft
    product, an idea awaiting moderation, a token, a notification, a saved search, a file."""
    from procure.account.services import create_api_token
    from procure.demands import services as demands
    from procure.ideas import services as ideas
    from procure.notifications.services import notify
    from procure.products import services as products

    factories.add_cpv_codes()
    officer_a = factories.user_with_role("officer")
    supplier_a = factories.user_with_role("supplier")
    citizen_a = factories.user_with_role("citizen")
    draft_demand = in_request(
        app, demands.create_demand, officer_a, factories.demand_input(title=SECRET)
    )
    open_demand = factories.published_demand(app, officer_a)
    submitted = factories.answered_proposal(app, supplier_a, open_demand, title=SECRET)
    draft_proposal = factories.answered_proposal(
        app, supplier_a, factories.published_demand(app, officer_a), submit=False, title=SECRET
    )
    product = in_request(
        app,
        products.create_product,
        supplier_a,
        products.ProductInput(name=SECRET, summary=SECRET, codes=["35613000"]),
    )
    idea = in_request(app, ideas.submit_idea, citizen_a, title=SECRET, problem=SECRET)
    with app.test_request_context():
        token, _plain = create_api_token(supplier_a, SECRET)
        notify([supplier_a], "test", lambda: SECRET, lambda: SECRET)
    saved = SavedSearch(user_id=supplier_a.id, name=SECRET, query={"q": SECRET})
    db.session.add(saved)
    db.session.flush()
    pdf = b"%PDF-1.7\n" + SECRET.encode() + b"\n%%EOF\n"
    from procure.attachments import services as files

    attachment = in_request(
        app, files.save, supplier_a, "proposal", draft_proposal.id, f"{SECRET}.pdf", pdf
    )
    db.session.commit()
    notification = db.session.scalar(
        select(Notification).where(Notification.user_id == supplier_a.id)
    )
    return {
        "demand_id": [draft_demand.id, open_demand.id],
        "proposal_id": [submitted.id, draft_proposal.id],
        "product_id": [product.id],
        "idea_id": [idea.id],
        "token_id": [token.id],
        "notification_id": [notification.id],
        "saved_id": [saved.id],
        "attachment_id": [attachment.id],
        "owner_id": [draft_proposal.id],
        "question_id": [],
        "org_id": [supplier_a.organisation_id],
        "user_id": [supplier_a.id],
        "open_demand": open_demand,
    }


def _snapshot():
    """What B must not be able to change."""
    rows = []
    for model in (Demand, ReverseProposal, Product, CitizenIdea, ApiToken, SavedSearch):
        for row in db.session.scalars(select(model).order_by(model.id)):
            rows.append(
                (
                    model.__name__,
                    row.id,
                    getattr(row, "version", None),
                    getattr(row, "status", None),
                    getattr(row, "revoked_at", None),
                )
            )
    rows += [("Attachment", a.id, a.deleted_at) for a in db.session.scalars(select(Attachment))]
    rows += [("Notification", n.id, n.read_at) for n in db.session.scalars(select(Notification))]
    return rows


def _paths(rule, owned) -> list[str] | None:
    names = re.findall(r"<(?:\w+:)?(\w+)>", rule.rule)
    if any(name in ELSEWHERE_ARGS for name in names) or rule.rule.startswith(ELSEWHERE_PREFIXES):
        return None
    values = {}
    for name in names:
        if name == "owner_type":
            values[name] = ["proposal"]
        elif owned.get(name):
            values[name] = owned[name]
        else:
            return None
    paths = [rule.rule]
    for name, options in values.items():
        pattern = re.compile(r"<(?:\w+:)?" + name + ">")
        paths = [pattern.sub(str(option), path) for path in paths for option in options]
    return paths


def test_nobody_reaches_another_owners_records(app, owned, client_as):
    from procure.account.services import create_api_token

    intruders = {}
    for role in ("supplier", "officer", "citizen"):
        client, user = client_as(role)
        with app.test_request_context():
            _row, token = create_api_token(user, "intruder")
        intruders[role] = (client, token)
    db.session.commit()
    before = _snapshot()
    failures, exercised, unexplained = [], 0, []
    open_id = owned["open_demand"].id
    public_paths = {
        f"/demands/{open_id}",
        f"/demands/{open_id}/versions",
        f"/demands/{open_id}/questions",
        f"/api/v1/demands/{open_id}",
        f"/api/v1/demands/{open_id}/questions",
        f"/api/v1/demands/{open_id}/matches",
    }
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "<" not in rule.rule or rule.endpoint == "static":
            continue
        paths = _paths(rule, owned)
        if paths is None:
            if rule.endpoint not in ELSEWHERE and not (
                rule.rule.startswith(ELSEWHERE_PREFIXES)
                or set(re.findall(r"<(?:\w+:)?(\w+)>", rule.rule)) & ELSEWHERE_ARGS
            ):
                unexplained.append(rule.rule)
            continue
        if rule.endpoint in ELSEWHERE:
            continue
        is_api = rule.rule.startswith("/api/")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for path in paths:
                # Published demands are public by design: anyone reads them, suppliers ask.
                public = path in public_paths and (method == "GET" or path.endswith("questions"))
                for role, (client, token) in intruders.items():
                    headers = {"Authorization": f"Bearer {token}"} if is_api else {}
                    # A valid-looking body, so a refusal comes from the owner check.
                    body_json = {"version": 1, "outcome": "withdrawn", "body": "질문"}
                    kwargs = {"json": body_json} if is_api and method != "GET" else {}
                    if not is_api and method == "POST":
                        kwargs = {
                            "data": {"file": (io.BytesIO(b"%PDF-1.7\n"), "x.pdf"), "body": "질문"}
                        }
                    response = client.open(path, method=method, headers=headers, **kwargs)
                    body = response.get_data(as_text=True)
                    response.close()
                    exercised += 1
                    location = response.headers.get("Location", "")
                    refused = {403, 404, 405}
                    if is_api and method != "GET":
                        # The API may check the body's shape before the owner; a 422 changes
                        # nothing (the snapshot below proves it) and reveals nothing.
                        refused.add(422)
                    if public:
                        ok = (
                            response.status_code in {200, 201, 302, *refused} and SECRET not in body
                        )
                    elif rule.endpoint == "notifications.open_one":
                        # Someone else's notification: nothing is marked, and the caller goes
                        # to their own list, as for an id that does not exist.
                        ok = response.status_code == 302 and location.endswith("/notifications/")
                    else:
                        ok = response.status_code in refused and SECRET not in body
                    if not ok:
                        failures.append(f"{method} {path} as {role}: {response.status_code}")
    assert unexplained == [], "object routes neither exercised nor explained in ELSEWHERE"
    assert exercised > 100
    assert failures == [], "\n".join(failures)
    db.session.expire_all()
    # Asking a public question notifies the demand's officer: new rows are fine, changed are not.
    known = {row[:2] for row in before}
    assert [row for row in _snapshot() if row[:2] in known] == before
