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
