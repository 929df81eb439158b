"""List pages issue the same number of queries for 3 rows as for 12: no query per row."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

import factories
from factories import in_request
from procure.extensions import db
from procure.ideas import services as ideas
from procure.products import services as products


@contextmanager
def count_queries(engine):
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def populate(app, officer, supplier, citizen, operator, n: int) -> None:
    for i in range(n):
        demand = factories.published_demand(app, officer, title=f"수요 {i}")
        factories.answered_proposal(app, supplier, demand, title=f"제안 {i}")
        product = in_request(
            app,
            products.create_product,
            supplier,
            products.ProductInput(name=f"제품 {i}", summary="요약", codes=["35613000"]),
        )
        in_request(app, products.change_status, supplier, product, "listed")
        idea = in_request(app, ideas.submit_idea, citizen, title=f"아이디어 {i}", problem="문제")
        in_request(app, ideas.moderate, operator, idea, "approved")


PAGES = ["/", "/demands/", "/products/", "/ideas/", "/organisations/", "/proposals/", "/dashboard"]


@pytest.mark.parametrize("path", PAGES)
def test_list_pages_do_not_query_per_row(app, db_session, client_as, path):
    factories.add_cpv_codes()
    officer = factories.user_with_role("officer")
    supplier = factories.user_with_role("supplier")
    citizen = factories.user_with_role("citizen")
    operator = factories.user_with_role("operator")
    app.extensions.pop("matcher", None)
    counts = []
    for batch in (3, 9):
        populate(app, officer, supplier, citizen, operator, batch)
        db.session.flush()
        client, _ = client_as(None)
        client.post("/login", data={"email": officer.email, "password": factories.PASSWORD})
        client.get(path)  # warm caches (the matcher fits once per catalogue)
        with count_queries(db.engine) as statements:
            assert client.get(path).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], (
        f"{path}: {counts[0]} queries for fewer rows, {counts[1]} for more"
    )


OPERATOR_PAGES = [
    "/ideas/",
    "/proposals/",
    "/search/?q=수요",
    "/notifications/",
    "/evaluation/",
    "/pilots/",
    "/admin/users",
    "/admin/organisations",
    "/admin/audit/",
]


@pytest.mark.parametrize("path", OPERATOR_PAGES)
def test_operator_list_pages_do_not_query_per_row(app, db_session, client_as, path):
    """The operator sees every row (drafts, confidential proposals, pending ideas, people)."""
    factories.add_cpv_codes()
    officer = factories.user_with_role("officer")
    supplier = factories.user_with_role("supplier")
    citizen = factories.user_with_role("citizen")
    operator = factories.user_with_role("operator")
    app.extensions.pop("matcher", None)
    counts = []
    for batch in (3, 9):
        populate(app, officer, supplier, citizen, operator, batch)
        for i in range(batch):  # more people and organisations for the admin lists
            factories.user_with_role("supplier", email=f"q{batch}-{i}@example.kr")
        db.session.flush()
        client, _ = client_as(None)
        client.post("/login", data={"email": operator.email, "password": factories.PASSWORD})
        client.get(path)
        with count_queries(db.engine) as statements:
            assert client.get(path).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], (
        f"{path}: {counts[0]} queries for fewer rows, {counts[1]} for more"
    )


def test_demand_detail_does_not_query_per_question(app, db_session, client_as):
    """The agency sees which company asked each question: loaded together, not one by one."""
    from procure.demands import services as demands

    factories.add_cpv_codes()
    officer = factories.user_with_role("officer")
    demand = factories.published_demand(app, officer)
    app.extensions.pop("matcher", None)
    counts = []
    for batch in (2, 6):
        for _ in range(batch):
            asker = factories.user_with_role("supplier")  # each from another company
            in_request(app, demands.ask_question, asker, demand, "납품 기한은 언제입니까?")
        db.session.flush()
        client, _ = client_as(None)
        client.post("/login", data={"email": officer.email, "password": factories.PASSWORD})
        client.get(f"/demands/{demand.id}")
        with count_queries(db.engine) as statements:
            assert client.get(f"/demands/{demand.id}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{counts[0]} queries for 2 questions, {counts[1]} for 8"
