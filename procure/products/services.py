"""The rules of products: listing, specifications, certifications, lifecycle."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from procure import policy
from procure.audit.services import record
from procure.checks import Checker
from procure.classification.services import check_codes
from procure.errors import Conflict, Forbidden, NotFound, stale_message
from procure.extensions import db
from procure.models import (
    Certification,
    Patent,
    Product,
    ProductCode,
    ProductSpec,
    ProductStatus,
    Role,
    User,
)
from procure.models.base import utcnow
from procure.regions import REGIONS

TRANSITIONS: dict[str, frozenset[str]] = {
    ProductStatus.DRAFT: frozenset({ProductStatus.LISTED, ProductStatus.ARCHIVED}),
    ProductStatus.LISTED: frozenset({ProductStatus.SUSPENDED, ProductStatus.ARCHIVED}),
    ProductStatus.SUSPENDED: frozenset({ProductStatus.LISTED, ProductStatus.ARCHIVED}),
    ProductStatus.ARCHIVED: frozenset(),
}
MAX_ROWS = 50


@dataclass
class ProductInput:
    name: str = ""
    name_en: str = ""
    summary: str = ""
    description: str = ""
    trl: object = None
    price: object = None
    unit: str = ""
    regions: object = field(default_factory=list)
    codes: object = field(default_factory=list)
    specs: list = field(default_factory=list)  # dicts: name, value, unit
    certifications: list = field(default_factory=list)  # dicts: kind, number, issuer, valid_until
    patents: list = field(default_factory=list)  # dicts: number, title
    language: str = "ko"


def _rows(
    check: Checker, name: str, raw, fields: dict[str, int], required: tuple[str, ...]
) -> list[dict]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        check.fail(name, _("Give a list."))
        return []
    if len(raw) > MAX_ROWS:
        check.fail(name, _("Use at most %(max)d rows.", max=MAX_ROWS))
        raw = raw[:MAX_ROWS]
    out = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            check.fail(f"{name}-{index}", _("Each row must be an object."))
            continue
        row = {
            key: check.text(f"{name}-{index}-{key}", item.get(key), size)
            for key, size in fields.items()
        }
        if not any(row.values()):
            continue  # an empty row on a form
        for key in required:
            if not row[key]:
                check.fail(f"{name}-{index}-{key}", _("This field is required."))
        out.append(row)
    return out


def check_input(data: ProductInput) -> None:
    """Apply every rule of a product's content without saving anything (raises ``Invalid``);
    the form reports all problems at once with it when its own checks already failed."""
    _validated(data)


def _validated(data: ProductInput) -> dict:
    check = Checker()
    values = {
        "name": check.text("name", data.name, 200, required=True),
        "name_en": check.text("name_en", data.name_en, 200) or None,
        "summary": check.text("summary", data.summary, 500, required=True),
        "description": check.text("description", data.description, 20_000),
        "trl": check.integer("trl", data.trl, minimum=1, maximum=9),
        "price": check.integer("price", data.price),
        "unit": check.text("unit", data.unit, 40) or None,
        "language": check.choice("language", data.language or "ko", {"ko", "en"}),
    }
    regions = data.regions or []
    if isinstance(regions, str):
        regions = [r for r in regions.split(",") if r]
    if not isinstance(regions, list) or any(
        not isinstance(r, str) or r not in REGIONS for r in regions
    ):
        check.fail("regions", _("Choose regions from the list."))
        regions = []
    values["regions"] = sorted(set(regions))
    values["codes"] = check_codes(check, "codes", data.codes)
    values["specs"] = _rows(
        check, "specs", data.specs, {"name": 200, "value": 200, "unit": 40}, ("name", "value")
    )
    values["patents"] = _rows(
        check, "patents", data.patents, {"number": 100, "title": 300}, ("number",)
    )
    certifications = _rows(
        check,
        "certifications",
        data.certifications,
        {"kind": 100, "number": 100, "issuer": 200, "valid_until": 10},
        ("kind",),
    )
    for index, row in enumerate(certifications):
        row["valid_until"] = check.day(f"certifications-{index}-valid_until", row["valid_until"])
    values["certifications"] = certifications
    check.done()
    return values


def snapshot(product: Product) -> dict:
    return {
        "name": product.name,
        "summary": product.summary,
        "trl": product.trl,
        "price": product.price,
        "unit": product.unit,
        "regions": product.regions,
        "codes": product.code_values,
        "specs": [{"name": s.name, "value": s.value, "unit": s.unit} for s in product.specs],
        "certifications": [
            {
                "kind": c.kind,
                "number": c.number,
                "issuer": c.issuer,
                "valid_until": c.valid_until.isoformat() if c.valid_until else None,
            }
            for c in product.certifications
        ],
        "patents": [{"number": p.number, "title": p.title} for p in product.patents],
        "status": product.status,
    }


def _apply(product: Product, values: dict) -> None:
    for name in (
        "name",
        "name_en",
        "summary",
        "description",
        "trl",
        "price",
        "unit",
        "regions",
        "language",
    ):
        setattr(product, name, values[name])
    current = {c.code: c for c in product.codes}
    product.codes = [
        current.get(code) or ProductCode(scheme="CPV", code=code) for code in values["codes"]
    ]
    product.specs = [ProductSpec(position=i, **row) for i, row in enumerate(values["specs"])]
    product.certifications = [Certification(**row) for row in values["certifications"]]
    product.patents = [Patent(**row) for row in values["patents"]]


def _require_supplier(actor: User, supplier_id: int | None = None) -> None:
    if not actor.has_role(Role.SUPPLIER) or not actor.can_act_for_organisation:
        raise Forbidden(_("Only verified suppliers can list products."))
    if supplier_id is not None and actor.organisation_id != supplier_id:
        raise Forbidden(_("This product belongs to another supplier."))


def create_product(actor: User, data: ProductInput) -> Product:
    _require_supplier(actor)
    values = _validated(data)
    product = Product(
        supplier_id=actor.organisation_id, created_by_id=actor.id, status=ProductStatus.DRAFT
    )
    _apply(product, values)
    db.session.add(product)
    db.session.flush()
    record("product.created", "product", product.id, actor=actor, after=snapshot(product))
    return product


def update_product(actor: User, product: Product, data: ProductInput, version: int) -> Product:
    _require_supplier(actor, product.supplier_id)
    if version != product.version:
        raise Conflict(stale_message())
    if product.status == ProductStatus.ARCHIVED:
        raise Conflict(_("An archived product cannot be changed."))
    values = _validated(data)
    before = snapshot(product)
    _apply(product, values)
    product.updated_at = utcnow()
    db.session.flush()
    record(
        "product.updated",
        "product",
        product.id,
        actor=actor,
        before=before,
        after=snapshot(product),
    )
    return product


def change_status(
    actor: User, product: Product, target: str, note: str = "", version: int | None = None
) -> Product:
    """Move a product through draft → listed → suspended ⇄ listed → archived.

    Suppliers move their own products; operators may suspend any listed product (with a note)
    and only operators lift a suspension they imposed.
    """
    if version is not None and version != product.version:
        raise Conflict(stale_message())
    operator = policy.is_operator(actor)
    owner = policy.acts_for(actor, product.supplier_id) and actor.has_role(Role.SUPPLIER)
    if not (owner or (operator and target in (ProductStatus.SUSPENDED, ProductStatus.LISTED))):
        raise Forbidden(_("You cannot change this product's status."))
    if target not in TRANSITIONS.get(product.status, frozenset()):
        from procure.labels import PRODUCT_STATUS, label

        raise Conflict(
            _(
                "A product that is %(state)s cannot become %(target)s.",
                state=label(PRODUCT_STATUS, product.status),
                target=label(PRODUCT_STATUS, target),
            )
        )
    check = Checker()
    note = check.text(
        "note", note, 500, required=operator and not owner and target == ProductStatus.SUSPENDED
    )
    if target == ProductStatus.LISTED:
        if not product.summary or not product.codes:
            check.fail(
                "codes", _("A listed product needs a summary and at least one classification code.")
            )
        if product.status == ProductStatus.SUSPENDED and product.status_note and not operator:
            check.fail(
                "status",
                _("An operator suspended this product; only an operator can list it again."),
            )
    check.done()
    before = {"status": product.status}
    product.status = target
    # The note marks an operator's suspension, which only an operator may lift.
    operator_suspension = operator and not owner and target == ProductStatus.SUSPENDED
    product.status_note = (note or None) if operator_suspension else None
    if target == ProductStatus.LISTED and product.listed_at is None:
        product.listed_at = utcnow()
    product.updated_at = utcnow()
    db.session.flush()
    record(
        f"product.{target}",
        "product",
        product.id,
        actor=actor,
        before=before,
        after={"status": target, "note": note or None},
    )
    if target != ProductStatus.LISTED:
        from procure.evaluation.applications import close_for_unlisted

        close_for_unlisted(actor, product)
    return product


def get_product(user, product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None or not policy.can_read_product(user, product):
        raise NotFound(_("This product does not exist."))
    return product
