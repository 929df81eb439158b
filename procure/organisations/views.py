"""Organisation pages: who they are, what they ask for or offer."""

from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from procure import authz, policy
from procure.errors import NotFound
from procure.extensions import db
from procure.listing import arg_choice, arg_region, arg_text, text_contains
from procure.models import (
    Demand,
    DemandStatus,
    Organisation,
    OrganisationKind,
    Product,
    ProductStatus,
)
from procure.organisations import bp
from procure.pagination import paginate
from procure.regions import region_choices


def list_query():
    """The list's query and filters from the query string: the page and its CSV share them."""
    kind = arg_choice("kind", ("agency", "supplier")) or "supplier"
    q, region = arg_text("q"), arg_region()
    query = select(Organisation).where(
        Organisation.kind == kind,
        Organisation.verified_at.is_not(None),
        Organisation.deleted_at.is_(None),
    )
    if q:
        query = query.where(text_contains(q, Organisation.name))
    if region:
        query = query.where(Organisation.region == region)
    query = query.order_by(Organisation.name, Organisation.id)
    return query, {"kind": kind, "q": q, "region": region}


@bp.route("/")
@authz.public
def index():
    query, filters = list_query()
    kind, q, region = filters["kind"], filters["q"], filters["region"]
    page = paginate(query)
    return render_template(
        "organisations/index.html",
        page=page,
        kind=kind,
        q=q,
        region=region,
        regions=region_choices(),
        args={k: v for k, v in {"kind": kind, "q": q, "region": region}.items() if v},
    )


@bp.route("/<int:org_id>")
@authz.public
def detail(org_id: int):
    org = db.session.get(Organisation, org_id)
    visible = org is not None and org.deleted_at is None and org.kind != OrganisationKind.OPERATOR
    if not visible or not (
        org.is_verified or policy.acts_for(current_user, org.id) or policy.is_operator(current_user)
    ):
        raise NotFound(_("This organisation does not exist."))
    demands, products = [], []
    if org.kind == OrganisationKind.AGENCY:
        demands = db.session.scalars(
            select(Demand)
            .where(
                Demand.agency_id == org.id,
                Demand.status == DemandStatus.PUBLISHED,
                Demand.deleted_at.is_(None),
            )
            .options(selectinload(Demand.agency), selectinload(Demand.codes))
            .order_by(Demand.published_at.desc())
            .limit(20)
        ).all()
    else:
        products = db.session.scalars(
            select(Product)
            .where(Product.supplier_id == org.id, Product.status == ProductStatus.LISTED)
            .options(selectinload(Product.supplier))
            .order_by(Product.listed_at.desc())
            .limit(20)
        ).all()
    return render_template("organisations/detail.html", org=org, demands=demands, products=products)
