"""Every market page renders, in Korean and in English, for the people who use it."""

from __future__ import annotations

import pytest

import factories
from factories import in_request
from procure.ideas import services as ideas
from procure.products import services as products


@pytest.fixture
def world(app, db_session):
    factories.add_cpv_codes()
    officer = factories.user_with_role("officer")
    supplier = factories.user_with_role("supplier")
    operator = factories.user_with_role("operator")
    citizen = factories.user_with_role("citizen")
    demand = factories.published_demand(app, officer)
    proposal = factories.answered_proposal(app, supplier, demand)
    draft = factories.answered_proposal(app, supplier, demand, submit=False, title="초안 제안")
    product = in_request(
        app,
        products.create_product,
        supplier,
        products.ProductInput(
            name="순찰 드론", summary="요약", codes=["35613000"], trl=8, price=1000, unit="대"
        ),
    )
    in_request(app, products.change_status, supplier, product, "listed")
    idea = in_request(app, ideas.submit_idea, citizen, title="아이디어", problem="문제")
    in_request(app, ideas.moderate, operator, idea, "approved")
    return {
        "officer": officer,
        "supplier": supplier,
        "operator": operator,
        "citizen": citizen,
        "demand": demand,
        "proposal": proposal,
        "draft": draft,
        "product": product,
        "idea": idea,
    }


PAGES = [
    (None, "/"),
    (None, "/demands/"),
    (None, "/demands/?status=all&type=purchase&division=35&region=51&sort=closing"),
    (None, "/demands/{demand}"),
    (None, "/demands/{demand}/versions"),
    (None, "/products/"),
    (None, "/products/?division=35&trl=5&price_max=999999&sort=price_low"),
    (None, "/products/{product}"),
    (None, "/ideas/"),
    (None, "/ideas/{idea}"),
    (None, "/organisations/"),
    (None, "/organisations/?kind=agency"),
    (None, "/organisations/{agency}"),
    (None, "/organisations/{supplier_org}"),
    ("officer", "/dashboard"),
    ("officer", "/demands/new"),
    ("officer", "/demands/{demand}/edit"),
    ("officer", "/demands/{demand}/proposals"),
    ("officer", "/proposals/"),
    ("officer", "/proposals/{proposal}"),
    ("supplier", "/dashboard"),
    ("supplier", "/products/new"),
    ("supplier", "/products/{product}/edit"),
    ("supplier", "/proposals/"),
    ("supplier", "/proposals/new?demand={demand}"),
    ("supplier", "/proposals/new"),
    ("supplier", "/proposals/{draft}/edit"),
    ("supplier", "/proposals/{draft}"),
    ("supplier", "/demands/{demand}"),
    ("operator", "/dashboard"),
    ("operator", "/proposals/"),
    ("citizen", "/ideas/new"),
    ("citizen", "/dashboard"),
    ("citizen", "/notifications/"),
]


@pytest.mark.parametrize("language", ["ko", "en"])
def test_market_pages_render(world, client_as, language):
    clients = {}
    ids = {
        "demand": world["demand"].id,
        "proposal": world["proposal"].id,
        "draft": world["draft"].id,
        "product": world["product"].id,
        "idea": world["idea"].id,
        "agency": world["officer"].organisation_id,
        "supplier_org": world["supplier"].organisation_id,
    }
    failures = []
    for role, template in PAGES:
        if role not in clients:
            client, _ = client_as(None)
            if role:
                client.post(
                    "/login", data={"email": world[role].email, "password": factories.PASSWORD}
                )
            clients[role] = client
        path = template.format(**ids)
        response = clients[role].get(path, headers={"Accept-Language": language})
        html = response.get_data(as_text=True)
        if response.status_code != 200 or f'<html lang="{language}">' not in html:
            failures.append(f"{role} {path}: {response.status_code}")
    assert failures == []
