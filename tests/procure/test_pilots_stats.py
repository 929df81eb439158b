"""Pilot statistics against hand-made fixtures: every number worked out by hand below."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

import factories
from procure.clock import local_today
from procure.extensions import db
from procure.models import PilotApplication, PilotPlan, PilotPurchase, PilotRound, Product
from procure.models.pilots import AgencyBudget, FollowOnPurchase
from procure.pilots import stats


@pytest.fixture
def fx(db_session):
    """Two rounds (2025, 2026), two suppliers, three products, two agencies.

    2025: P1 at agency A (1,000, success), P2 at agency B (2,000, insufficient)
    2026: P1 at agency B (3,000, in use), P3 at agency A (allocated only, 4,000: not spent)
    Follow-ons: A buys P1 for 5,000 (2026); B buys P1 for 1,000 (2026); C (no pilot) buys
    P2 for 700 (2026).
    Budgets 2026: A goods 1,000,000 at the default 1 %; B goods 100,000 at 5 %.
    """
    s1 = factories.OrganisationFactory(supplier=True, name="공급사1")
    s2 = factories.OrganisationFactory(supplier=True, name="공급사2")
    a = factories.OrganisationFactory(name="기관A")
    b = factories.OrganisationFactory(name="기관B")
    c = factories.OrganisationFactory(name="기관C")
    products = {}
    for name, supplier in (("P1", s1), ("P2", s1), ("P3", s2)):
        products[name] = Product(supplier_id=supplier.id, name=name, status="listed")
        db.session.add(products[name])
    db.session.flush()
    rounds = {}
    for year in (2025, 2026):
        rounds[year] = PilotRound(
            title=f"R{year}",
            budget=10**9,
            starts_on=date(year, 3, 1),
            ends_on=date(year, 12, 1),
            status="published",
        )
        db.session.add(rounds[year])
    db.session.flush()
    plans = {}

    def pilot(year, product, agency, amount, status, verdict=None, contract=None):
        key = (year, product)
        if key not in plans:
            plans[key] = PilotPlan(
                round_id=rounds[year].id,
                product_id=products[product].id,
                supplier_id=products[product].supplier_id,
                units_offered=10,
                unit_price=amount,
                test_period_days=30,
            )
            db.session.add(plans[key])
            db.session.flush()
        app_ = PilotApplication(
            round_id=rounds[year].id,
            plan_id=plans[key].id,
            agency_id=agency.id,
            quantity=1,
            intended_use="x",
            site="x",
            allocated_quantity=1,
            allocated_amount=amount,
        )
        db.session.add(app_)
        db.session.flush()
        row = PilotPurchase(
            application_id=app_.id,
            round_id=rounds[year].id,
            product_id=products[product].id,
            agency_id=agency.id,
            supplier_id=products[product].supplier_id,
            status=status,
            quantity=1,
            amount=amount,
            verdict=verdict,
            contract_date=contract,
        )
        db.session.add(row)

    pilot(2025, "P1", a, 1_000, "closed", "success", date(2025, 4, 1))
    pilot(2025, "P2", b, 2_000, "evaluated", "insufficient", date(2025, 4, 1))
    pilot(2026, "P1", b, 3_000, "in_use", None, date(2026, 4, 1))
    pilot(2026, "P3", a, 4_000, "allocated")
    for agency, product, amount in ((a, "P1", 5_000), (b, "P1", 1_000), (c, "P2", 700)):
        db.session.add(
            FollowOnPurchase(
                product_id=products[product].id,
                agency_id=agency.id,
                purchased_on=date(2026, 6, 1),
                amount=amount,
            )
        )
    db.session.add(AgencyBudget(agency_id=a.id, year=2026, goods_budget=1_000_000))
    db.session.add(AgencyBudget(agency_id=b.id, year=2026, goods_budget=100_000, target_share=0.05))
    db.session.flush()
    return {"a": a, "b": b, "c": c, "s1": s1, "s2": s2, "products": products}


def by(rows, key, value):
    return next(r for r in rows if r[key] == value)


def test_all_years(fx):
    data = stats.compute()
    s = data["summary"]
    assert s["pilots"] == 4 and s["products_piloted"] == 3
    assert s["bought_again"] == 2  # P1 (by A and B) and P2 (by C)
    assert s["repurchase_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert s["pilot_spend"] == 1_000 + 2_000 + 3_000  # P3 is only allocated
    assert s["follow_on_spend"] == 5_000 + 1_000 + 700
    assert s["follow_on_multiple"] == pytest.approx(6_700 / 6_000, abs=0.01)
    assert data["by_status"]["closed"] == 1 and data["by_status"]["allocated"] == 1
    assert data["by_verdict"] == {"success": 1, "insufficient": 1, "pending": 2}

    p1 = by(data["products"], "product", "P1")
    assert (p1["pilots"], p1["pilot_spend"], p1["follow_ons"], p1["follow_on_spend"]) == (
        2,
        4_000,
        2,
        6_000,
    )
    s1 = by(data["suppliers"], "supplier", "공급사1")
    assert (s1["products"], s1["bought_again"], s1["repurchase_rate"]) == (2, 2, 1.0)
    s2 = by(data["suppliers"], "supplier", "공급사2")
    assert (s2["products"], s2["bought_again"], s2["repurchase_rate"]) == (1, 0, 0.0)

    a = by(data["agencies"], "agency", "기관A")
    # A: pilots P1 (bought again by A) and P3 (not): 1 of 2
    assert (a["pilots"], a["bought_again"], a["repurchase_rate"]) == (2, 1, 0.5)
    assert a["follow_on_spend"] == 5_000
    b = by(data["agencies"], "agency", "기관B")
    # B: pilots P2 (bought again only by C, not B) and P1 (bought again by B): 1 of 2
    assert (b["pilots"], b["bought_again"]) == (2, 1)
    assert b["follow_on_spend"] == 1_000


def test_targets_for_a_year(fx):
    data = stats.compute(year=2026)
    assert data["summary"]["pilots"] == 2
    a = by(data["agencies"], "agency", "기관A")
    # 2026 innovation purchases of A: the follow-on 5,000 (P3 has no contract)
    assert a["innovation_purchases"] == 5_000
    assert a["target"] == 10_000 and a["target_share"] == 0.01
    assert a["target_met"] == 0.5
    b = by(data["agencies"], "agency", "기관B")
    # B: contract 3,000 (2026) + follow-on 1,000 against 5 % of 100,000
    assert b["innovation_purchases"] == 4_000 and b["target"] == 5_000
    assert b["target_met"] == 0.8
    c = by(data["agencies"], "agency", "기관C")
    assert c["innovation_purchases"] == 700 and c["target"] is None
    years = {r["year"]: r for r in data["years"]}
    assert set(years) == {2026}
    assert years[2026]["pilot_spend"] == 3_000 and years[2026]["follow_on_spend"] == 6_700
    assert years[2026]["products"] == 2 and years[2026]["bought_again"] == 1


def test_per_agency(fx):
    data = stats.compute(agency_id=fx["b"].id)
    s = data["summary"]
    assert s["pilots"] == 2 and s["pilot_spend"] == 5_000
    # only B's own follow-ons count: P1 bought again, P2 not
    assert s["bought_again"] == 1 and s["follow_on_spend"] == 1_000
    assert [r["agency"] for r in data["agencies"]] == ["기관B"]


def test_by_year_all_years(fx):
    years = {r["year"]: r for r in stats.compute()["years"]}
    assert years[2025]["pilots"] == 2 and years[2025]["pilot_spend"] == 3_000
    assert years[2025]["repurchase_rate"] == 1.0  # P1 and P2 were both bought again later
    assert years[2025]["follow_on_spend"] == 0
    assert stats.years() == [2026, 2025]


def test_csv(fx, client):
    body = stats.to_csv(stats.compute(year=2026), "agencies")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert by(rows, "agency", "기관B")["innovation_purchases"] == "4000"
    response = client.get("/pilots/stats.csv?table=products&year=2025")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["product"] for r in rows} == {"P1", "P2"}
    page = client.get("/pilots/stats?year=2026").get_data(as_text=True)
    assert fx["b"].name_en in page and "80.0%" in page  # the English name on an English page
    # With no year chosen the target columns say which budget year they compare.
    this_year = local_today().year
    page = client.get("/pilots/stats").get_data(as_text=True)
    assert f"Innovation purchases, {this_year}" in page and f"Target met, {this_year}" in page
    # The table's name goes into the download's file name: only known tables, never echoed
    # (a newline or Korean text in the header was a 500).
    for table in ("x%0D%0ASet-Cookie:%20a=b", "%ED%95%9C", "agencies.csv"):
        refused = client.get(f"/pilots/stats.csv?table={table}")
        assert refused.status_code == 404
        assert "Content-Disposition" not in refused.headers
        assert "a=b" not in str(refused.headers)
        assert "There is no such table. Choose one of: agencies" in refused.get_data(as_text=True)


def test_operator_sets_budgets_and_targets(app, fx, login):
    from sqlalchemy import select

    from factories import english_client
    from procure.models import AuditEvent

    operator = factories.user_with_role("operator")
    client = english_client(app)
    login(operator, on=client)
    a = fx["a"]
    refused = client.post(
        "/pilots/budgets",
        data={"agency_id": str(a.id), "year": "2026", "goods_budget": "x"},
    )
    assert refused.status_code == 422 and "Enter a whole number." in refused.get_data(as_text=True)
    # The error names and links its field, marks it, and what was typed comes back.
    page = refused.get_data(as_text=True)
    assert '<a href="#goods_budget">Goods budget (won): Enter a whole number.</a>' in page
    assert (
        'id="goods_budget" name="goods_budget"' in page and 'value="x" aria-invalid="true"' in page
    )
    assert f'<option value="{a.id}" selected>' in page and 'value="2026"' in page
    assert "<title>Error: " in page
    for tiny in ("0.00001", "0.009", "nan", "101"):  # would be kept as nothing, or no share
        refused = client.post(
            "/pilots/budgets",
            data={
                "agency_id": str(a.id),
                "year": "2026",
                "goods_budget": "200000",
                "target_share_percent": tiny,
            },
        )
        assert refused.status_code == 422, tiny
        assert "Enter a percentage from 0.01 to 100." in refused.get_data(as_text=True)
    response = client.post(
        "/pilots/budgets",
        data={
            "agency_id": str(a.id),
            "year": "2026",
            "goods_budget": "200000",
            "target_share_percent": "2.5 %",  # as people write it
        },
    )
    assert response.status_code == 302
    row = by(stats.compute(year=2026)["agencies"], "agency", "기관A")
    assert row["target"] == 5_000 and row["target_met"] == 1.0
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "agency_budget.set"))
    assert "200,000" in client.get("/pilots/budgets").get_data(as_text=True)
    # "Change" on the recorded row fills the form with it.
    filled = client.get(f"/pilots/budgets?agency_id={a.id}&year=2026").get_data(as_text=True)
    assert 'value="200000"' in filled and 'value="2.5"' in filled
    supplier_org = fx["s1"]
    refused = client.post(
        "/pilots/budgets",
        data={"agency_id": str(supplier_org.id), "year": "2026", "goods_budget": "1"},
    )
    assert refused.status_code == 422
