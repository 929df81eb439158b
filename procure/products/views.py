"""Views for products: list, detail, listing and status changes."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from procure import authz, policy
from procure.attachments.services import attachments_of
from procure.classification.services import labels
from procure.evaluation import applications as designation_applications
from procure.evaluation.services import designated_product_ids
from procure.extensions import db
from procure.forms import ActionForm, add_rule_errors, attempt, choices, pad_rows, posted_version
from procure.labels import PRODUCT_STATUS
from procure.listing import arg_choice, arg_division, arg_int, arg_text, text_contains
from procure.models import Product, ProductCode, ProductStatus, Role
from procure.pagination import paginate
from procure.products import bp, services
from procure.products.forms import ProductForm, StatusForm
from procure.regions import region_choices

SORTS = {
    "newest": (Product.listed_at.desc(), Product.id.desc()),
    "price_low": (Product.price.asc(), Product.id.desc()),
    "trl": (Product.trl.desc(), Product.id.desc()),
}


def list_query():
    """The list's query and filters from the query string: the page and its CSV share them."""
    filters = {
        "q": arg_text("q"),
        "status": arg_choice("status", (*PRODUCT_STATUS, "all")) or ProductStatus.LISTED,
        "division": arg_division(),
        "trl": arg_int("trl", 1, 9),
        "price_max": arg_int("price_max"),
        "supplier": arg_int("supplier", 1, 2**62),
        "sort": arg_choice("sort", SORTS) or "newest",
        "designated": arg_choice("designated", ("1",)),
    }
    query = select(Product).where(policy.product_filter(current_user))
    if filters["designated"]:
        query = query.where(Product.id.in_(designated_product_ids()))
    if filters["status"] != "all":
        query = query.where(Product.status == filters["status"])
    if filters["q"]:
        query = query.where(
            text_contains(filters["q"], Product.name, Product.name_en, Product.summary)
        )
    if filters["division"]:
        query = query.where(
            exists().where(
                ProductCode.product_id == Product.id,
                ProductCode.code.startswith(filters["division"]),
            )
        )
    if filters["trl"]:
        query = query.where(Product.trl >= filters["trl"])
    if filters["price_max"] is not None:
        query = query.where(Product.price <= filters["price_max"])
    if filters["supplier"]:
        query = query.where(Product.supplier_id == filters["supplier"])
    query = query.options(selectinload(Product.supplier)).order_by(*SORTS[filters["sort"]])
    return query, filters


@bp.route("/")
@authz.public
def index():
    query, filters = list_query()
    page = paginate(query)
    return render_template(
        "products/index.html",
        page=page,
        filters=filters,
        args={k: v for k, v in filters.items() if v not in (None, "")},
    )


def _form_input(form: ProductForm) -> services.ProductInput:
    return services.ProductInput(
        name=form.name.data or "",
        name_en=form.name_en.data or "",
        summary=form.summary.data or "",
        description=form.description.data or "",
        trl=form.trl.data,
        price=form.price.data,
        unit=form.unit.data or "",
        regions=form.regions.data or [],
        codes=form.codes.data or "",
        language=form.language.data,
        specs=[
            {k: row.form[k].data or "" for k in ("name", "value", "unit")} for row in form.specs
        ],
        certifications=[
            {
                "kind": row.form.kind.data or "",
                "number": row.form.number.data or "",
                "issuer": row.form.issuer.data or "",
                "valid_until": row.form.valid_until.data.isoformat()
                if row.form.valid_until.data
                else "",
            }
            for row in form.certifications
        ],
        patents=[{k: row.form[k].data or "" for k in ("number", "title")} for row in form.patents],
    )


def _prepare(form: ProductForm) -> None:
    form.regions.choices = choices(region_choices())


@bp.route("/new", methods=["GET", "POST"])
@authz.roles(Role.SUPPLIER, acting=True)
def new():
    form = ProductForm()
    _prepare(form)
    if form.validate_on_submit():
        product, status = attempt(
            form,
            lambda: services.create_product(current_user._get_current_object(), _form_input(form)),
        )
        if status:
            return render_template("products/form.html", form=form, product=None), status
        flash(_("The draft is saved. List it when it is ready."), "success")
        return redirect(url_for("products.detail", product_id=product.id))
    if form.is_submitted():
        add_rule_errors(form, lambda: services.check_input(_form_input(form)))
    return render_template(
        "products/form.html", form=form, product=None
    ), 400 if form.is_submitted() else 200


@bp.route("/<int:product_id>/edit", methods=["GET", "POST"])
@authz.roles(Role.SUPPLIER, acting=True)
def edit(product_id: int):
    product = services.get_product(current_user, product_id)
    if not policy.can_edit_product(current_user, product):
        abort(403)
    form = ProductForm(obj=product if request.method == "GET" else None)
    _prepare(form)
    if form.validate_on_submit():
        _done, status = attempt(
            form,
            lambda: services.update_product(
                current_user._get_current_object(),
                product,
                _form_input(form),
                form.loaded_version(),
            ),
        )
        if status:
            return render_template("products/form.html", form=form, product=product), status
        flash(_("The product is saved."), "success")
        return redirect(url_for("products.detail", product_id=product.id))
    if form.is_submitted():
        add_rule_errors(form, lambda: services.check_input(_form_input(form)))
    else:
        form.version.data = product.version
        form.codes.data = ", ".join(product.code_values)
        form.regions.data = list(product.regions or [])
        for name, rows, blank in (
            (
                "specs",
                [{"name": s.name, "value": s.value, "unit": s.unit} for s in product.specs],
                2,
            ),
            (
                "certifications",
                [
                    {
                        "kind": c.kind,
                        "number": c.number,
                        "issuer": c.issuer,
                        "valid_until": c.valid_until,
                    }
                    for c in product.certifications
                ],
                1,
            ),
            ("patents", [{"number": p.number, "title": p.title} for p in product.patents], 1),
        ):
            field = form[name]
            while len(field) > 0:
                field.pop_entry()
            for row in rows:
                field.append_entry(row)
            pad_rows(field, blank)
    return render_template(
        "products/form.html", form=form, product=product
    ), 400 if form.is_submitted() else 200


@bp.route("/<int:product_id>")
@authz.public
def detail(product_id: int):
    product = services.get_product(current_user, product_id)
    user = current_user
    return render_template(
        "products/detail.html",
        product=product,
        code_labels=labels(product.code_values),
        attachments=attachments_of("product", product.id),
        can_edit=policy.can_edit_product(user, product),
        is_owner=policy.acts_for(user, product.supplier_id) and user.has_role(Role.SUPPLIER),
        is_operator=policy.is_operator(user),
        transitions=sorted(services.TRANSITIONS.get(product.status, ())),
        application=designation_applications.latest_application(product.id)
        if policy.acts_for(user, product.supplier_id) or policy.is_operator(user)
        else None,
        cannot_apply=designation_applications.why_not(product)
        if policy.acts_for(user, product.supplier_id)
        else None,
        action_form=ActionForm(),
        status_form=StatusForm(),
    )


@bp.route("/<int:product_id>/status", methods=["POST"])
@authz.roles(Role.SUPPLIER, Role.OPERATOR)
def change_status(product_id: int):
    product = services.get_product(current_user, product_id)
    form = StatusForm()
    target = request.form.get("status", "")
    services.change_status(
        current_user._get_current_object(),
        product,
        target,
        form.note.data or "",
        posted_version(),
    )
    db.session.commit()
    flash(_("The product is now %(status)s.", status=PRODUCT_STATUS.get(target, target)), "success")
    return redirect(url_for("products.detail", product_id=product.id))
