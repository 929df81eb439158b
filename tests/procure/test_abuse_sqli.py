"""SQL injection in every search and filter parameter of the list pages and API lists: each
answer is a 200 with no extra rows or a 4xx, never a 500, and the tables stay intact."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import factories
from procure.extensions import db
from procure.models import Demand, User

PAYLOADS = [
    "' OR 1=1 --",
    "1; DROP TABLE user",
    '1\' ; DROP TABLE "user"; --',
    "%' AND '1'='1",
    "%",
    "_",
    "\\",
    "’ OR ‘1’=‘1",  # unicode quotes
    "＇ OR 1=1 --",  # full-width apostrophe
    '1 UNION SELECT email, password_hash FROM "user" --',
    "혁신' OR '1'='1",
    "x" * 5000,
    "-1",
    "99999999999999999999",
    "1e9",
    "[]",
]

PARAMS = [
    "q",
    "region",
    "status",
    "type",
    "kind",
    "division",
    "code",
    "agency",
    "supplier",
    "demand",
    "product",
    "year",
    "trl_min",
    "price_max",
    "sort",
    "page",
    "per_page",
    "role",
    "action",
    "actor",
    "target_type",
    "target_id",
    "from",
    "to",
    "pending",
    "table",
]

PAGES = [
    (None, "/demands/"),
    (None, "/products/"),
    (None, "/ideas/"),
    (None, "/organisations/"),
    (None, "/pilots/"),
    (None, "/pilots/results"),
    (None, "/pilots/stats"),
    (None, "/pilots/stats.csv"),
    (None, "/search/"),
    (None, "/search/suggest"),
    ("supplier", "/proposals/"),
    ("operator", "/evaluation/"),
    ("operator", "/admin/users"),
    ("operator", "/admin/organisations"),
    ("operator", "/admin/audit/"),
    ("citizen", "/notifications/"),
    ("citizen", "/search/saved"),
]
API_LISTS = [
    "/api/v1/demands",
    "/api/v1/products",
    "/api/v1/proposals",
    "/api/v1/ideas",
    "/api/v1/organisations",
    "/api/v1/pilots",
    "/api/v1/pilot-rounds",
    "/api/v1/evaluation-rounds",
    "/api/v1/search",
    "/api/v1/search/suggest",
    "/api/v1/classification/suggest",
    "/api/v1/stats/pilots",
]


@pytest.fixture
def seeded(app, db_session):
    officer = factories.user_with_role("officer")
    factories.add_cpv_codes()
    demand = factories.published_demand(app, officer, title="안전한 제목 SAFE-TITLE")
    db.session.commit()
    return demand


def _counts():
    return (
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(Demand.id))),
    )


def test_list_pages_survive_injection(app, db_session, seeded, client_as):
    clients = {role: client_as(role)[0] for role, _path in PAGES}
    before = _counts()
    failures = []
    for role, path in PAGES:
        client = clients[role]
        for payload in PAYLOADS:
            args = dict.fromkeys(PARAMS, payload)
            response = client.get(path, query_string=args)
            status = response.status_code
            body = response.get_data(as_text=True)
            response.close()
            if status >= 500 or status not in (200, 400, 404, 422):
                failures.append(f"{path} as {role} with {payload[:30]!r}: {status}")
            elif status == 200 and "SAFE-TITLE" in body:
                failures.append(f"{path} with {payload[:30]!r} shows a row it should not")
        # One parameter at a time too, so a strict check on one does not hide the others.
        for name in PARAMS:
            response = client.get(path, query_string={name: PAYLOADS[0]})
            if response.status_code >= 500:
                failures.append(f"{path}?{name}=... as {role}: {response.status_code}")
            response.close()
    assert failures == []
    assert _counts() == before


def test_api_lists_survive_injection(app, db_session, seeded):
    from procure.account.services import create_api_token

    user = factories.user_with_role("operator")
    with app.test_request_context():
        _row, token = create_api_token(user, "sqli")
    db.session.flush()
    headers = {"Authorization": f"Bearer {token}"}
    client = factories.english_client(app)
    before = _counts()
    failures = []
    for path in API_LISTS:
        for payload in PAYLOADS:
            for args in (dict.fromkeys(PARAMS, payload), {"q": payload}):
                response = client.get(path, query_string=args, headers=headers)
                status = response.status_code
                if status not in (200, 400, 404, 422):
                    failures.append(f"{path} with {payload[:30]!r}: {status}")
                elif status == 200 and "SAFE-TITLE" in response.get_data(as_text=True):
                    failures.append(f"{path} with {payload[:30]!r} matched a row")
    assert failures == []
    assert _counts() == before
