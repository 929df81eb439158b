"""API v1: products (혁신제품)."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user
from sqlalchemy import Text, cast, exists, select
from sqlalchemy.orm import selectinload

from procure import authz, policy
from procure.api import bp
from procure.api.helpers import page_params, page_response
from procure.api.market_common import (
    OPTIONAL_VERSION,
    VERSION,
    Field,
    Filters,
    body_schema,
    created,
    iso,
    one,
    org_ref,
    overlay,
    page_of,
    read_body,
)
from procure.api.openapi import PAGE_PARAMS, SCHEMAS, document, query_param
from procure.extensions import db
from procure.listing import text_contains
from procure.models import Product, ProductCode, ProductStatus, Role
from procure.pagination import paginate
from procure.products import services
from procure.regions import REGIONS

TAGS = ["products"]

PRODUCT_FIELDS: dict[str, Field] = {
    "name": Field("text", 200, nullable=False, description="Must not be empty"),
    "name_en": Field("text", 200),
    "summary": Field("text", 500, nullable=False, description="Must not be empty"),
    "description": Field("text", 20_000),
    "trl": Field("int", minimum=1, maximum=9, description="Technology readiness level"),
    "price": Field("int", minimum=0, description="Won"),
    "unit": Field("text", 40),
    "regions": Field("regions", description="시·도 codes where it is offered"),
    "codes": Field("codes", description="CPV codes (at least one to list)"),
    "specs": Field(
        "rows",
        description="Specifications; the list replaces the current one",
        row={"name": Field("text", 200), "value": Field("text", 200), "unit": Field("text", 40)},
    ),
    "certifications": Field(
        "rows",
        description="Certifications; the list replaces the current one",
        row={
            "kind": Field("text", 100),
            "number": Field("text", 100),
            "issuer": Field("text", 200),
            "valid_until": Field("date"),
        },
    ),
    "patents": Field(
        "rows",
        description="Patents; the list replaces the current one",
        row={"number": Field("text", 100), "title": Field("text", 300)},
    ),
    "language": Field("choice", choices=("ko", "en")),
}
UPDATE_FIELDS = {**PRODUCT_FIELDS, "version": VERSION}
STATUS_TARGETS = (ProductStatus.LISTED, ProductStatus.SUSPENDED, ProductStatus.ARCHIVED)
STATUS_FIELDS = {
    "status": Field("choice", choices=STATUS_TARGETS, nullable=False, required=True),
    "note": Field("text", 500, description="Required when an operator suspends"),
    "version": OPTIONAL_VERSION,
}

SCHEMAS.update(
    {
        "Product": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "supplier": {"$ref": "#/components/schemas/OrganisationRef"},
                "name": {"type": "string"},
                "name_en": {"type": ["string", "null"]},
                "summary": {"type": "string"},
                "description": {"type": "string"},
                "trl": {"type": ["integer", "null"]},
                "price": {"type": ["integer", "null"]},
                "unit": {"type": ["string", "null"]},
                "regions": {"type": "array", "items": {"type": "string"}},
                "codes": {"type": "array", "items": {"type": "string"}},
                "specs": {"type": "array", "items": {"type": "object"}},
                "certifications": {"type": "array", "items": {"type": "object"}},
                "patents": {"type": "array", "items": {"type": "object"}},
                "language": {"type": "string"},
                "status": {"type": "string", "enum": list(ProductStatus)},
                "status_note": {
                    "type": ["string", "null"],
                    "description": "An operator's suspension note (supplier and operators only)",
                },
                "listed_at": {"type": ["string", "null"], "format": "date-time"},
                "created_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"},
                "version": {"type": "integer"},
            },
        }
    }
)


def product_json(product: Product) -> dict:
    insider = policy.is_operator(current_user) or policy.acts_for(current_user, product.supplier_id)
    return {
        "id": product.id,
        "supplier": org_ref(product.supplier),
        "name": product.name,
        "name_en": product.name_en,
        "summary": product.summary,
        "description": product.description,
        "trl": product.trl,
        "price": product.price,
        "unit": product.unit,
        "regions": list(product.regions or []),
        "codes": product.code_values,
        "specs": [{"name": s.name, "value": s.value, "unit": s.unit} for s in product.specs],
        "certifications": [
            {
                "kind": c.kind,
                "number": c.number,
                "issuer": c.issuer,
                "valid_until": iso(c.valid_until),
            }
            for c in product.certifications
        ],
        "patents": [{"number": p.number, "title": p.title} for p in product.patents],
        "language": product.language,
        "status": product.status,
        "status_note": product.status_note if insider else None,
        "listed_at": iso(product.listed_at),
        "created_at": iso(product.created_at),
        "updated_at": iso(product.updated_at),
        "version": product.version,
    }


def current_input(product: Product) -> services.ProductInput:
    """The product as the service's input, so a PATCH changes only the fields it sends."""
    current = product_json(product)
    return services.ProductInput(
        name=product.name,
        name_en=product.name_en or "",
        summary=product.summary,
        description=product.description,
        trl=product.trl,
        price=product.price,
        unit=product.unit or "",
        regions=list(product.regions or []),
        codes=list(product.code_values),
        specs=current["specs"],
        certifications=current["certifications"],
        patents=current["patents"],
        language=product.language,
    )


def _actor():
    return current_user._get_current_object()


@bp.route("/products", methods=["GET"])
@authz.public
@document(
    "Products you may see (listed ones, and all of your own), newest first",
    parameters=[
        query_param("status", {"type": "string", "enum": list(ProductStatus)}),
        query_param("supplier", {"type": "integer", "minimum": 1}, "The supplier's id"),
        query_param("region", {"type": "string", "enum": list(REGIONS)}, "Offered in 시·도"),
        query_param(
            "division", {"type": "string", "pattern": "^[0-9]{2}$"}, "CPV division (2 digits)"
        ),
        query_param("trl_min", {"type": "integer", "minimum": 1, "maximum": 9}),
        query_param("price_max", {"type": "integer", "minimum": 0}, "Won"),
        query_param("q", {"type": "string", "maxLength": 100}, "Part of the name"),
        *PAGE_PARAMS,
    ],
    responses=page_of("Product", "A page of products"),
    tags=TAGS,
)
def products():
    page, per_page = page_params()
    args = Filters()
    status = args.choice("status", ProductStatus)
    supplier = args.integer("supplier")
    region = args.region()
    division = args.division()
    trl_min = args.integer("trl_min", 1, 9)
    price_max = args.integer("price_max", 0, 10**15)
    text = args.text("q")
    args.done()
    query = select(Product).where(policy.product_filter(current_user))
    if status:
        query = query.where(Product.status == status)
    if supplier:
        query = query.where(Product.supplier_id == supplier)
    if region:
        # regions is a JSON list of two-digit codes; the quotes make the match exact.
        query = query.where(cast(Product.regions, Text).like(f'%"{region}"%'))
    if division:
        query = query.where(
            exists().where(
                ProductCode.product_id == Product.id, ProductCode.code.like(f"{division}%")
            )
        )
    if trl_min is not None:
        query = query.where(Product.trl >= trl_min)
    if price_max is not None:
        query = query.where(Product.price <= price_max)
    if text:
        query = query.where(text_contains(text, Product.name, Product.name_en))
    query = query.options(
        selectinload(Product.supplier),
        selectinload(Product.codes),
        selectinload(Product.specs),
        selectinload(Product.certifications),
        selectinload(Product.patents),
    ).order_by(Product.id.desc())
    return page_response(paginate(query, page, per_page), product_json)


@bp.route("/products", methods=["POST"])
@authz.roles(Role.SUPPLIER, acting=True)
@document(
    "Save a new draft product for your company",
    body=body_schema(PRODUCT_FIELDS),
    responses=one("Product", "The draft", "201"),
    tags=TAGS,
)
def create_product():
    data = read_body(PRODUCT_FIELDS)
    product = services.create_product(_actor(), services.ProductInput(**data))
    db.session.commit()
    return created(product_json(product), f"/api/v1/products/{product.id}")


@bp.route("/products/<int:product_id>", methods=["GET"])
@authz.public
@document("One product", responses=one("Product", "The product"), tags=TAGS)
def product(product_id: int):
    return jsonify(product_json(services.get_product(current_user, product_id)))


@bp.route("/products/<int:product_id>", methods=["PATCH"])
@authz.roles(Role.SUPPLIER, acting=True)
@document(
    "Change your product (send the version you read); fields left out keep their values",
    body=body_schema(UPDATE_FIELDS),
    responses=one("Product", "The product"),
    tags=TAGS,
)
def update_product(product_id: int):
    product = services.get_product(current_user, product_id)
    data = read_body(UPDATE_FIELDS)
    services.update_product(
        _actor(), product, overlay(current_input(product), data), data["version"]
    )
    db.session.commit()
    return jsonify(product_json(product))


@bp.route("/products/<int:product_id>/status", methods=["POST"])
@authz.roles(Role.SUPPLIER, Role.OPERATOR)
@document(
    "Move a product: draft → listed → suspended ⇄ listed → archived. Suppliers move their "
    "own; operators may suspend (with a note) and relist any product.",
    body=body_schema(STATUS_FIELDS),
    responses=one("Product", "The product"),
    tags=TAGS,
)
def product_status(product_id: int):
    product = services.get_product(current_user, product_id)
    data = read_body(STATUS_FIELDS)
    services.change_status(
        _actor(), product, data["status"], data.get("note") or "", data.get("version")
    )
    db.session.commit()
    return jsonify(product_json(product))
