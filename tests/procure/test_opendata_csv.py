"""CSV downloads of the public lists: same filters as the pages, BOM, formula-safe, streamed."""

from __future__ import annotations

import csv
import io
import re

import factories
from procure.extensions import db
from procure.opendata.csvout import safe


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_demands_csv_keeps_the_page_filters_and_the_page_links_to_it(app, client):
    officer = factories.user_with_role("officer")
    factories.add_cpv_codes()
    factories.published_demand(app, officer, title='=HYPERLINK("http://evil")', region="11")
    factories.published_demand(app, officer, title="부산 항만 청소 로봇", region="26")
    draft_officer = factories.user_with_role("officer")
    from procure.demands import services

    factories.in_request(
        app, services.create_demand, draft_officer, factories.demand_input(title="비공개 초안")
    )
    db.session.commit()

    rows = _rows(client.get("/open-data/demands.csv"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["ID", "Title", "Agency"] and header[-1] == "ocid"
    titles = [r[1] for r in body]
    assert '\'=HYPERLINK("http://evil")' in titles  # formula injection neutralised
    assert "부산 항만 청소 로봇" in titles
    assert "비공개 초안" not in titles  # drafts stay private, as on the page
    assert all(r[-1].startswith("ocds-procure-demand-") for r in body)
    assert all(r[-2].startswith("http") and "/demands/" in r[-2] for r in body)

    only_busan = _rows(client.get("/open-data/demands.csv?region=26"))
    assert [r[1] for r in only_busan[1:]] == ["부산 항만 청소 로봇"]

    page = client.get("/demands/?region=26").get_data(as_text=True)
    link = re.search(r'href="(/open-data/demands\.csv\?[^"]*)"', page)
    assert link and "region=26" in link.group(1)


def test_products_organisations_designations_and_pilot_results(app, client):
    supplier = factories.user_with_role("supplier")
    org = supplier.organisation
    org.name = "@SUM(1+1) 주식회사"
    db.session.commit()
    rows = _rows(client.get("/open-data/organisations.csv?kind=supplier"))
    assert rows[0] == ["ID", "Kind", "Name", "English name", "Region", "SME", "Page"]
    names = [r[2] for r in rows[1:]]
    assert "'@SUM(1+1) 주식회사" in names
    assert not _rows(client.get("/open-data/organisations.csv?kind=supplier&q=nobody-here"))[1:]
    page = client.get("/organisations/?kind=supplier").get_data(as_text=True)
    assert re.search(r'href="/open-data/organisations\.csv\?[^"]*kind=supplier', page)

    for path in (
        "/open-data/products.csv",
        "/open-data/designations.csv",
        "/open-data/designations.csv?status=revoked",
        "/open-data/pilot-results.csv",
    ):
        rows = _rows(client.get(path))
        assert rows[0], path
    assert "/open-data/pilot-results.csv" in client.get("/pilots/results").get_data(as_text=True)
    assert "/open-data/products.csv" in client.get("/products/").get_data(as_text=True)


def test_the_open_data_page_lists_the_downloads(client):
    page = client.get("/open-data/").get_data(as_text=True)
    for link in ("demands.csv", "products.csv", "designations.csv", "pilot-results.csv"):
        assert f"/open-data/{link}" in page
    assert "/api/v1/ocds/releases" in page and "/api/v1/ocds/records" in page


def test_safe_cells():
    assert safe("=1+1") == "'=1+1"
    assert safe("+82-10") == "'+82-10"
    assert safe("-5") == "'-5"
    assert safe("@cmd") == "'@cmd"
    assert safe("\tx") == "'\tx"
    assert safe(-5) == -5  # numbers are data, not formulas
    assert safe(None) == ""
    assert safe(True) == "Y"
    assert safe("평범한 글") == "평범한 글"


def test_large_lists_stream_in_batches(app, client, monkeypatch):
    from procure.opendata import csvout

    officer = factories.user_with_role("officer")
    factories.add_cpv_codes()
    for n in range(7):
        factories.published_demand(app, officer, title=f"수요 {n}")
    db.session.commit()
    monkeypatch.setattr(csvout, "BATCH", 3)
    response = client.get("/open-data/demands.csv?status=published")
    assert response.is_streamed
    rows = _rows(response)
    assert sorted(r[1] for r in rows[1:]) == [f"수요 {n}" for n in range(7)]


def test_every_download_streams_to_the_end_from_a_real_server_session(live):
    """The rows are read while the response is sent, after the view returned. With the app's
    real sessions (not the tests' shared one) that needs the request's contexts kept open:
    without them every download broke off after the byte-order mark under gunicorn."""
    with live.app_context():
        officer = factories.user_with_role("officer")
        supplier = factories.user_with_role("supplier")
        factories.add_cpv_codes()
        db.session.commit()
        factories.published_demand(live, officer, title="해상 순찰 드론")
        factories.listed_product(
            live, supplier, "순찰 드론 X1", "야간 열화상 순찰 드론", ["35613000"]
        )
        db.session.commit()
        names = officer.organisation.name, supplier.organisation.name
        db.session.remove()
    client = live.test_client()
    expected = {  # a row every download must reach (None: the header row alone)
        "/open-data/demands.csv": "해상 순찰 드론",
        "/open-data/products.csv": "순찰 드론 X1",
        "/open-data/organisations.csv?kind=agency": names[0],
        "/open-data/organisations.csv?kind=supplier": names[1],
        "/open-data/designations.csv": None,
        "/open-data/pilot-results.csv": None,
    }
    for url, text in expected.items():
        rows = _rows(client.get(url))
        assert rows and len(rows[0]) > 3, (url, rows)  # the header row arrived
        if text is not None:
            assert any(text in cell for row in rows[1:] for cell in row), (url, rows)
