"""Pilot-purchase statistics: plain numbers for the charts, the tables beside them and CSV.

Definitions (also in docs/pilots.md):

- A *pilot cohort* is the pilots of rounds starting in the chosen year (all years if none),
  of the chosen agency (all if none).
- *Pilot spend*: the amounts of the cohort's pilots that have a contract.
- A product is *bought again* when any agency (the chosen one, if filtered) recorded a
  follow-on purchase of it; for an agency, a pilot is bought again when that agency bought the
  same product again. The *repurchase rate* is the share bought again.
- *Follow-on spend*: follow-on purchases of the cohort's products (by the chosen agency, if
  filtered), whatever their year; the per-year table counts follow-ons by the year bought.
- *Innovation purchases* of an agency in a year: its contracted pilots (by contract date) plus
  its follow-on purchases (by purchase date) in that year, against its target:
  ``AgencyBudget.goods_budget × target_share`` (1 % unless set).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date

from sqlalchemy import select

from procure.clock import local_today
from procure.extensions import db
from procure.models import Organisation, PilotPurchase, PilotRound, PilotStatus, Product
from procure.models.evaluation import Designation, DesignationStatus
from procure.models.pilots import AgencyBudget, FollowOnPurchase
from procure.opendata.csvout import safe as csv_safe

DEFAULT_SHARE = 0.01
STATES = list(PilotStatus)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def years() -> list[int]:
    found = {d.year for d in db.session.scalars(select(PilotRound.starts_on))}
    found |= {d.year for d in db.session.scalars(select(FollowOnPurchase.purchased_on))}
    return sorted(found, reverse=True)


def designated_count(year: int | None) -> int:
    query = select(Designation.product_id).where(Designation.status == DesignationStatus.ACTIVE)
    if year is None:
        today = local_today()
        query = query.where(Designation.starts_on <= today, Designation.ends_on >= today)
    else:
        query = query.where(
            Designation.starts_on <= date(year, 12, 31), Designation.ends_on >= date(year, 1, 1)
        )
    return len(set(db.session.scalars(query)))


def compute(
    year: int | None = None, agency_id: int | None = None, locale: str | None = None
) -> dict:
    """The figures; organisations are named in ``locale`` (their registered Korean names when
    None: the API and the CSV keep those)."""
    rows = db.session.execute(
        select(PilotPurchase, PilotRound.starts_on).join(
            PilotRound, PilotRound.id == PilotPurchase.round_id
        )
    ).all()
    pilots = [
        (p, start)
        for p, start in rows
        if (year is None or start.year == year) and (agency_id is None or p.agency_id == agency_id)
    ]
    follow_ons = list(db.session.scalars(select(FollowOnPurchase)))
    if agency_id is not None:
        follow_ons = [f for f in follow_ons if f.agency_id == agency_id]
    names = {
        o.id: o.display_name(locale) if locale else o.name
        for o in db.session.scalars(select(Organisation))
    }
    product_rows = {p.id: p for p in db.session.scalars(select(Product))}

    def contracted(p: PilotPurchase) -> bool:
        return p.status != PilotStatus.ALLOCATED

    by_status = dict.fromkeys(STATES, 0)
    by_verdict = {"success": 0, "insufficient": 0, "pending": 0}
    for p, _start in pilots:
        by_status[p.status] = by_status.get(p.status, 0) + 1
        by_verdict[p.verdict or "pending"] += 1

    fo_by_product: dict[int, list[FollowOnPurchase]] = defaultdict(list)
    for f in follow_ons:
        fo_by_product[f.product_id].append(f)

    # per product
    products: dict[int, dict] = {}
    for p, _start in pilots:
        row = products.setdefault(
            p.product_id,
            {
                "product_id": p.product_id,
                "product": product_rows[p.product_id].name,
                "supplier_id": p.supplier_id,
                "supplier": names.get(p.supplier_id, ""),
                "pilots": 0,
                "pilot_spend": 0,
            },
        )
        row["pilots"] += 1
        row["pilot_spend"] += p.amount if contracted(p) else 0
    for pid, row in products.items():
        fos = fo_by_product.get(pid, [])
        row["follow_ons"] = len(fos)
        row["follow_on_spend"] = sum(f.amount for f in fos)
        row["bought_again"] = bool(fos)
        row["multiple"] = (
            round(row["follow_on_spend"] / row["pilot_spend"], 2) if row["pilot_spend"] else None
        )

    # per supplier
    suppliers: dict[int, dict] = {}
    for row in products.values():
        s = suppliers.setdefault(
            row["supplier_id"],
            {
                "supplier_id": row["supplier_id"],
                "supplier": row["supplier"],
                "products": 0,
                "bought_again": 0,
                "pilot_spend": 0,
                "follow_on_spend": 0,
            },
        )
        s["products"] += 1
        s["bought_again"] += row["bought_again"]
        s["pilot_spend"] += row["pilot_spend"]
        s["follow_on_spend"] += row["follow_on_spend"]
    for s in suppliers.values():
        s["repurchase_rate"] = _rate(s["bought_again"], s["products"])

    # per agency
    target_year = year or local_today().year
    budgets = {
        b.agency_id: b
        for b in db.session.scalars(select(AgencyBudget).where(AgencyBudget.year == target_year))
    }
    agencies: dict[int, dict] = {}

    def agency_row(aid: int) -> dict:
        return agencies.setdefault(
            aid,
            {
                "agency_id": aid,
                "agency": names.get(aid, ""),
                "pilots": 0,
                "bought_again": 0,
                "pilot_spend": 0,
                "follow_on_spend": 0,
                "innovation_purchases": 0,
            },
        )

    for p, _start in pilots:
        row = agency_row(p.agency_id)
        row["pilots"] += 1
        row["pilot_spend"] += p.amount if contracted(p) else 0
        if any(f.agency_id == p.agency_id for f in fo_by_product.get(p.product_id, [])):
            row["bought_again"] += 1
    piloted = {(p.agency_id, p.product_id) for p, _s in pilots}
    for f in follow_ons:
        if (f.agency_id, f.product_id) in piloted:
            agency_row(f.agency_id)["follow_on_spend"] += f.amount
    # innovation purchases in the target year: contracts and follow-ons dated that year
    for p, _start in rows:
        if (
            p.contract_date
            and p.contract_date.year == target_year
            and (agency_id is None or p.agency_id == agency_id)
        ):
            agency_row(p.agency_id)["innovation_purchases"] += p.amount
    for f in follow_ons:
        if f.purchased_on.year == target_year:
            agency_row(f.agency_id)["innovation_purchases"] += f.amount
    if agency_id is not None:
        agency_row(agency_id)
    for aid, row in agencies.items():
        row["repurchase_rate"] = _rate(row["bought_again"], row["pilots"])
        budget = budgets.get(aid)
        share = budget.target_share if budget and budget.target_share is not None else None
        row["goods_budget"] = budget.goods_budget if budget else None
        row["target_share"] = share if budget else DEFAULT_SHARE
        row["target"] = round(budget.goods_budget * (share or DEFAULT_SHARE)) if budget else None
        row["target_met"] = (
            _rate(row["innovation_purchases"], row["target"]) if row["target"] else None
        )

    # per year
    by_year: dict[int, dict] = {}

    def year_row(y: int) -> dict:
        return by_year.setdefault(
            y,
            {
                "year": y,
                "pilots": 0,
                "products": set(),
                "pilot_spend": 0,
                "follow_on_spend": 0,
            },
        )

    for p, start in rows:
        if agency_id is not None and p.agency_id != agency_id:
            continue
        if year is not None and start.year != year:
            continue
        row = year_row(start.year)
        row["pilots"] += 1
        row["products"].add(p.product_id)
        row["pilot_spend"] += p.amount if contracted(p) else 0
    for f in follow_ons:
        if year is None or f.purchased_on.year == year:
            year_row(f.purchased_on.year)["follow_on_spend"] += f.amount
    for row in by_year.values():
        piloted_products = row.pop("products")
        again = sum(1 for pid in piloted_products if fo_by_product.get(pid))
        row["products"] = len(piloted_products)
        row["bought_again"] = again
        row["repurchase_rate"] = _rate(again, len(piloted_products))

    pilot_spend = sum(r["pilot_spend"] for r in products.values())
    follow_on_spend = sum(r["follow_on_spend"] for r in products.values())
    bought_again = sum(1 for r in products.values() if r["bought_again"])
    return {
        "year": year,
        # Purchases against targets are per budget year: the chosen one, else this year.
        "target_year": target_year,
        "agency_id": agency_id,
        "summary": {
            "pilots": len(pilots),
            "products_piloted": len(products),
            "designated_products": designated_count(year),
            "bought_again": bought_again,
            "repurchase_rate": _rate(bought_again, len(products)),
            "pilot_spend": pilot_spend,
            "follow_on_spend": follow_on_spend,
            "follow_on_multiple": round(follow_on_spend / pilot_spend, 2) if pilot_spend else None,
        },
        "by_status": by_status,
        "by_verdict": by_verdict,
        "products": sorted(products.values(), key=lambda r: (-r["pilot_spend"], r["product"])),
        "suppliers": sorted(suppliers.values(), key=lambda r: r["supplier"]),
        "agencies": sorted(agencies.values(), key=lambda r: r["agency"]),
        "years": sorted(by_year.values(), key=lambda r: r["year"]),
    }


CSV_TABLES = {
    "agencies": (
        "agency_id",
        "agency",
        "pilots",
        "bought_again",
        "repurchase_rate",
        "pilot_spend",
        "follow_on_spend",
        "innovation_purchases",
        "goods_budget",
        "target_share",
        "target",
        "target_met",
    ),
    "products": (
        "product_id",
        "product",
        "supplier",
        "pilots",
        "pilot_spend",
        "follow_ons",
        "follow_on_spend",
        "bought_again",
        "multiple",
    ),
    "suppliers": (
        "supplier_id",
        "supplier",
        "products",
        "bought_again",
        "repurchase_rate",
        "pilot_spend",
        "follow_on_spend",
    ),
    "years": (
        "year",
        "pilots",
        "products",
        "bought_again",
        "repurchase_rate",
        "pilot_spend",
        "follow_on_spend",
    ),
    "status": ("status", "pilots"),
}


def to_csv(data: dict, table: str) -> str:
    """One of ``CSV_TABLES`` as CSV (the caller checks the name: ``KeyError`` otherwise)."""
    columns = CSV_TABLES[table]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    if table == "status":
        for key, value in data["by_status"].items():
            writer.writerow([key, value])
        for key, value in data["by_verdict"].items():
            writer.writerow([f"verdict:{key}", value])
    else:
        for row in data[table]:
            writer.writerow([csv_safe(row.get(c)) for c in columns])
    return out.getvalue()
