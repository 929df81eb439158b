"""Open-data pages: the downloads page and the CSV downloads of the public lists.

Each CSV view reads the filters, translates the labels and prepares the links while it has the
request, then streams the rows (procure/opendata/csvout.py).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from procure import authz
from procure.demands.views import list_query as demand_list_query
from procure.evaluation.labels import DESIGNATION_STATUS as DESIGNATION_LABELS
from procure.labels import DEMAND_OUTCOME, DEMAND_STATUS, DEMAND_TYPE, KIND_LABELS, PRODUCT_STATUS
from procure.listing import arg_choice
from procure.models import Designation, PilotPurchase, PilotStatus, Product
from procure.opendata import bp, ocds
from procure.opendata.csvout import batches, download, link_maker
from procure.organisations.views import list_query as organisation_list_query
from procure.products.views import list_query as product_list_query
from procure.regions import REGIONS, region_name

SAMPLE_ID = 999999999


def _labels(table: dict) -> dict[str, str]:
    """A label table translated now, in the reader's language."""
    return {key: str(value) for key, value in table.items()}


def _regions() -> dict[str, str]:
    return {code: region_name(code) for code in REGIONS}


def _links(endpoint: str, param: str):
    base = current_app.config["SETTINGS"].base_url
    return link_maker(endpoint, base, **{param: SAMPLE_ID})


def _day(value) -> str:
    return value.isoformat() if value is not None else ""


def _local_day_maker():
    zone = ZoneInfo(current_app.config["SETTINGS"].display_timezone)
    return lambda moment: moment.astimezone(zone).date().isoformat() if moment else ""


def _ocid_maker(kind: str):
    prefix = ocds.prefix()
    return lambda object_id: f"{prefix}-{kind}-{object_id}"


@bp.route("/")
@authz.public
def index():
    return render_template("opendata/index.html", prefix=ocds.prefix())


@bp.route("/demands.csv")
@authz.public
def demands_csv():
    query, _filters = demand_list_query()
    header = [
        _("ID"),
        _("Title"),
        _("Agency"),
        _("Status"),
        _("Outcome"),
        _("Type"),
        _("Region"),
        _("Budget (KRW)"),
        _("Quantity"),
        _("Opens on"),
        _("Closes on"),
        _("Published on"),
        _("CPV codes"),
        _("Page"),
        "ocid",
    ]
    status, outcome, kind = _labels(DEMAND_STATUS), _labels(DEMAND_OUTCOME), _labels(DEMAND_TYPE)
    regions, link, local_day = _regions(), _links("demands.detail", "demand_id"), _local_day_maker()
    ocid = _ocid_maker("demand")

    def rows(session):
        for d in batches(query, session):
            yield [
                d.id,
                d.title,
                d.agency.name,
                status.get(d.status, d.status),
                outcome.get(d.outcome or "", d.outcome),
                kind.get(d.demand_type, d.demand_type),
                regions.get(d.region or "", ""),
                d.budget,
                d.quantity,
                _day(d.opens_on),
                _day(d.closes_on),
                local_day(d.published_at),
                " ".join(d.code_values),
                link(d.id),
                ocid(d.id) if d.published_at and d.source != "ocds" and d.status != "draft" else "",
            ]

    return download("demands.csv", header, rows)


@bp.route("/products.csv")
@authz.public
def products_csv():
    query, _filters = product_list_query()
    query = query.options(selectinload(Product.codes))
    header = [
        _("ID"),
        _("Name"),
        _("English name"),
        _("Supplier"),
        _("Status"),
        _("TRL"),
        _("Price (KRW)"),
        _("Unit"),
        _("Regions"),
        _("CPV codes"),
        _("Listed on"),
        _("Page"),
    ]
    status, regions = _labels(PRODUCT_STATUS), _regions()
    link, local_day = _links("products.detail", "product_id"), _local_day_maker()

    def rows(session):
        for p in batches(query, session):
            yield [
                p.id,
                p.name,
                p.name_en,
                p.supplier.name,
                status.get(p.status, p.status),
                p.trl,
                p.price,
                p.unit,
                " ".join(regions.get(r, r) for r in p.regions or []),
                " ".join(p.code_values),
                local_day(p.listed_at),
                link(p.id),
            ]

    return download("products.csv", header, rows)


@bp.route("/organisations.csv")
@authz.public
def organisations_csv():
    query, filters = organisation_list_query()
    header = [_("ID"), _("Kind"), _("Name"), _("English name"), _("Region"), _("SME"), _("Page")]
    kinds, regions = _labels(KIND_LABELS), _regions()
    link = _links("organisations.detail", "org_id")

    def rows(session):
        for o in batches(query, session):
            yield [
                o.id,
                kinds.get(o.kind, o.kind),
                o.name,
                o.name_en,
                regions.get(o.region or "", ""),
                o.is_sme,
                link(o.id),
            ]

    return download(f"organisations-{filters['kind']}.csv", header, rows)


DESIGNATION_STATUS = ("active", "revoked")


@bp.route("/designations.csv")
@authz.public
def designations_csv():
    chosen = arg_choice("status", DESIGNATION_STATUS)
    query = select(Designation).options(
        selectinload(Designation.product).selectinload(Product.supplier)
    )
    if chosen:
        query = query.where(Designation.status == chosen)
    query = query.order_by(Designation.starts_on.desc(), Designation.id.desc())
    header = [
        _("Designation number"),
        _("Product"),
        _("Supplier"),
        _("Status"),
        _("Valid from"),
        _("Valid until"),
        _("Extensions"),
        _("Innovation index"),
        _("Scheme"),
        _("Revoked on"),
        _("Certificate"),
        "ocid",
    ]
    status = {key: str(text) for key, text in DESIGNATION_LABELS.items()}
    link, local_day = _links("evaluation.certificate", "designation_id"), _local_day_maker()
    ocid = _ocid_maker("designation")

    def rows(session):
        for d in batches(query, session):
            yield [
                d.number,
                d.product.name,
                d.product.supplier.name,
                status.get(d.status, d.status),
                _day(d.starts_on),
                _day(d.ends_on),
                d.extensions,
                round(d.index_value, 2),
                f"{d.scheme_id}-v{d.scheme_version}",  # as the API and certificate key it
                local_day(d.revoked_at),
                link(d.id),
                ocid(d.id),
            ]

    return download("designations.csv", header, rows)


@bp.route("/pilot-results.csv")
@authz.public
def pilot_results_csv():
    # The same pilots as the results page (pilots.services.finished_pilots), read in batches.
    query = (
        select(PilotPurchase)
        .where(
            PilotPurchase.status.in_((PilotStatus.EVALUATED, PilotStatus.CLOSED)),
            PilotPurchase.published_at.is_not(None),
        )
        .options(
            selectinload(PilotPurchase.product),
            selectinload(PilotPurchase.supplier),
            selectinload(PilotPurchase.agency),
            selectinload(PilotPurchase.report),
        )
        .order_by(PilotPurchase.verdict_at.desc(), PilotPurchase.id.desc())
    )
    header = [
        _("Pilot"),
        _("Product"),
        _("Supplier"),
        _("Agency"),
        _("Quantity"),
        _("Amount (KRW)"),
        _("Verdict"),
        _("Satisfaction"),
        _("Would buy again"),
        _("Specification items met"),
        _("Specification items"),
        _("Report summary"),
        _("Page"),
        "ocid",
    ]
    verdicts = {"success": _("Success"), "insufficient": _("Insufficient")}
    link, ocid = _links("pilots.pilot_detail", "pilot_id"), _ocid_maker("pilot")

    def rows(session):
        for p in batches(query, session):
            report = p.report
            measurements = report.measurements if report is not None else []
            yield [
                p.id,
                p.product.name,
                p.supplier.name,
                p.agency.name,
                p.quantity,
                p.amount,
                verdicts.get(p.verdict or "", p.verdict),
                report.satisfaction if report is not None else None,
                report.would_buy_again if report is not None else None,
                sum(1 for m in measurements if m.get("met")) if report is not None else None,
                len(measurements) if report is not None else None,
                report.summary if report is not None else None,
                link(p.id),
                ocid(p.id),
            ]

    return download("pilot-results.csv", header, rows)
