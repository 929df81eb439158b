"""Stored and reflected XSS, in Korean text too, and open redirects.

Every text field of demands, products, proposals, questions, ideas and profiles holds a payload;
every page that shows them must show it escaped. Query parameters must be reflected escaped,
and ``next=`` must never send the browser to another site.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

import factories
from factories import in_request
from procure.extensions import db
from procure.models import ProductStatus

SCRIPT = "<script>alert(1)</script>혁신"
ATTR = '"><img src=x onerror=alert(1)>드론'
# What must never reach a page unescaped.
RAW = ("<script>alert(1)", "<img src=x", "onerror=alert(1)>")


def assert_escaped(html: str, where: str) -> None:
    for marker in RAW:
        # ``onerror=alert(1)>`` may appear escaped as text; only a live tag is a hole.
        if marker == "onerror=alert(1)>":
            assert "<img src=x onerror" not in html, where
        else:
            assert marker not in html, where


@pytest.fixture
def market(app, db_session):
    """One of everything, each text field holding a payload; returns the actors and records."""
    from procure.demands import services as demands
    from procure.demands.services import RequirementInput
    from procure.ideas import services as ideas
    from procure.products import services as products

    factories.add_cpv_codes()
    officer = factories.user_with_role("officer", name=SCRIPT)
    officer.organisation.name = ATTR
    supplier = factories.user_with_role("supplier", name=ATTR)
    supplier.organisation.name = SCRIPT
    operator = factories.user_with_role("operator")
    citizen = factories.user_with_role("citizen", name=SCRIPT)
    demand = factories.published_demand(
        app,
        officer,
        title=SCRIPT,
        problem=ATTR + " " + SCRIPT,
        desired_outcome=ATTR,
        contact_name=SCRIPT,
        requirements=[RequirementInput(SCRIPT, ATTR, "<b>", True)],
    )
    product = in_request(
        app,
        products.create_product,
        supplier,
        products.ProductInput(
            name=SCRIPT,
            name_en=ATTR,
            summary=ATTR + " " + SCRIPT,
            description=SCRIPT,
            unit=ATTR[:10],
            codes=["35613000"],
            specs=[{"name": SCRIPT, "value": ATTR, "unit": "<i>"}],
        ),
    )
    in_request(app, products.change_status, supplier, product, ProductStatus.LISTED)
    proposal = factories.answered_proposal(app, supplier, demand, title=SCRIPT, summary=ATTR)
    question = in_request(app, demands.ask_question, supplier, demand, SCRIPT + ATTR)
    in_request(app, demands.answer_question, officer, question, ATTR + SCRIPT)
    idea = in_request(
        app, ideas.submit_idea, citizen, title=SCRIPT, problem=ATTR, suggestion=SCRIPT
    )
    in_request(app, ideas.moderate, operator, idea, "approved")
    db.session.commit()
    return {
        "officer": officer,
        "supplier": supplier,
        "operator": operator,
        "citizen": citizen,
        "demand": demand,
        "product": product,
        "proposal": proposal,
        "idea": idea,
    }


def test_stored_payloads_are_escaped_on_every_page(app, market, login):
    demand, product, proposal, idea = (market[k] for k in ("demand", "product", "proposal", "idea"))
    pages = {
        None: [
            "/",
            "/demands/",
            f"/demands/{demand.id}",
            f"/demands/{demand.id}/versions",
            "/products/",
            f"/products/{product.id}",
            "/ideas/",
            f"/ideas/{idea.id}",
            f"/organisations/{market['supplier'].organisation_id}",
            f"/organisations/{market['officer'].organisation_id}",
            "/organisations/",
            "/search/?q=혁신",
            "/search/?q=드론",
        ],
        "officer": [
            "/dashboard",
            f"/demands/{demand.id}",
            f"/demands/{demand.id}/proposals",
            f"/demands/{demand.id}/edit",
            f"/proposals/{proposal.id}",
            "/proposals/",
            "/notifications/",
        ],
        "supplier": [
            "/dashboard",
            f"/proposals/{proposal.id}",
            "/proposals/",
            f"/products/{product.id}/edit",
            "/notifications/",
            "/account/",
        ],
        "operator": ["/admin/users", "/admin/organisations", "/admin/audit/", "/ideas/"],
        "citizen": ["/dashboard", f"/ideas/{idea.id}", "/notifications/", "/account/"],
    }
    shown = 0
    for role, paths in pages.items():
        client = factories.english_client(app)
        if role is not None:
            login(market[role], on=client)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, f"{path} as {role}: {response.status_code}"
            html = response.get_data(as_text=True)
            assert_escaped(html, f"{path} as {role}")
            shown += "&lt;script&gt;alert(1)&lt;/script&gt;혁신" in html
    assert shown >= 15  # the payloads were really rendered, escaped, on most pages


@pytest.fixture
def index(app, db_session, tmp_path):
    """A fresh embedded index drained on every commit (as in test_search_app_index.py)."""
    import search

    backend = search.backend_from_url(f"embedded://{tmp_path / 'search'}")
    previous = app.extensions.get("search_backend")
    state = dict(app.extensions["procure_indexing"])
    app.extensions["search_backend"] = backend
    app.extensions["procure_indexing"]["drain_on_commit"] = True
    yield backend
    app.extensions["procure_indexing"] = state
    if previous is None:
        app.extensions.pop("search_backend", None)
    else:
        app.extensions["search_backend"] = previous
    backend.close()


def test_search_highlights_escape_everything_but_the_marks(app, index, market):
    client = factories.english_client(app)
    html = client.get("/search/", query_string={"q": "alert 혁신 드론"}).get_data(as_text=True)
    assert "<mark>" in html  # the hits are highlighted...
    assert_escaped(html, "search")  # ...and nothing else is markup
    assert "&lt;script&gt;" in html


def test_a_hostile_backend_snippet_is_neutralised():
    from procure.search_service import safe_snippet

    assert str(safe_snippet("a <mark>혁신</mark> b")) == "a <mark>혁신</mark> b"
    assert str(safe_snippet("<mark>x</mark><script>alert(1)</script>")) == (
        "<mark>x</mark>&lt;script&gt;alert(1)&lt;/script&gt;"
    )
    assert str(safe_snippet('<img src=x onerror="alert(1)">')) == (
        "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;"
    )
    assert str(safe_snippet("&lt;b&gt; stays escaped once")) == "&lt;b&gt; stays escaped once"
    assert str(safe_snippet("<mark>unclosed")) == "unclosed"
    assert "<mark onclick" not in str(safe_snippet("<mark onclick=alert(1)>x</mark>"))


REFLECTED = [
    ("/search/", {"q": SCRIPT}),
    ("/search/", {"q": ATTR, "type": ATTR, "region": ATTR, "sort": ATTR}),
    ("/demands/", {"q": SCRIPT, "region": ATTR, "status": ATTR, "type": SCRIPT}),
    ("/products/", {"q": ATTR, "region": SCRIPT, "trl": ATTR, "code": SCRIPT}),
    ("/ideas/", {"q": SCRIPT, "status": ATTR}),
    ("/organisations/", {"q": ATTR, "kind": SCRIPT}),
    ("/pilots/", {"q": ATTR, "status": SCRIPT}),
    ("/pilots/stats", {"year": SCRIPT, "agency": ATTR}),
    ("/login", {"next": ATTR}),
    ("/search/suggest", {"q": SCRIPT}),
    ("/api/v1/search", {"q": SCRIPT}),
    ("/api/v1/demands", {"q": ATTR, "region": SCRIPT}),
    ("/does-not-exist/<script>alert(1)</script>", {}),
]


@pytest.mark.parametrize(("path", "args"), REFLECTED)
def test_reflected_parameters_are_escaped(client, db_session, path, args):
    response = client.get(path, query_string=args)
    assert response.status_code < 500
    body = response.get_data(as_text=True)
    if response.mimetype in ("application/json", "application/problem+json"):
        # JSON is data, not markup; it must not be served as a page a browser would render.
        assert "html" not in response.mimetype
    else:
        assert_escaped(body, path)


def test_json_and_csv_outputs_are_never_html(app, market):
    client = factories.english_client(app)
    demand = client.get(f"/api/v1/demands/{market['demand'].id}")
    assert demand.mimetype == "application/json" and demand.json["title"] == SCRIPT
    assert demand.headers["X-Content-Type-Options"] == "nosniff"
    csv = client.get("/pilots/stats.csv")
    assert csv.mimetype == "text/csv"


OFFSITE = [
    "//evil.example",
    "https://evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/%09/evil.example",
    "/%2F/evil.example",
    "javascript:alert(1)",
    "http:evil.example",
    "///evil.example",
    " //evil.example",
    "/\u3000/evil.example",
]


@pytest.mark.parametrize("target", OFFSITE)
def test_next_never_leaves_the_site(app, db_session, target):
    user = factories.UserFactory()
    client = factories.english_client(app)
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": user.email, "password": factories.PASSWORD},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    # A path on this site (``/%09/evil.example`` is one); never another host or a scheme.
    assert location.startswith("/") and not location.startswith("//"), location
    assert "\\" not in location and "\t" not in location and ":" not in location.split("/")[1]
    assert urlsplit(location).netloc == ""


def test_next_to_a_page_of_this_site_is_followed(app, db_session):
    user = factories.UserFactory()
    client = factories.english_client(app)
    response = client.post(
        "/login",
        query_string={"next": "/demands/?q=혁신"},
        data={"email": user.email, "password": factories.PASSWORD},
    )
    assert response.headers["Location"].startswith("/demands/")


def test_csv_cells_that_a_spreadsheet_would_run_stay_text():
    """CSV injection: supplier-chosen names go into the statistics CSV officers open in Excel."""
    from procure.pilots.stats import CSV_TABLES, to_csv

    row = dict.fromkeys(CSV_TABLES["products"], 1)
    row["product"] = '=HYPERLINK("https://evil.example","혁신")'
    row["supplier"] = "@SUM(1+1)"
    data = {"products": [row, {**row, "product": "-2+3", "supplier": "+cmd|' /C calc'!A0"}]}
    lines = to_csv(data, "products").splitlines()[1:]
    for line in lines:
        for cell in line.split(","):
            assert not cell.lstrip('"').startswith(("=", "+", "@", "-")), line
    assert "'=HYPERLINK" in lines[0] and "'@SUM" in lines[0]
    assert lines[0].split(",")[0] == "1"  # numbers are untouched
