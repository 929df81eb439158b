"""Views of the evaluation workflow: rounds, conflicts, scoring, decisions, certificates."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from procure import authz, policy
from procure.errors import Conflict, FieldError, Forbidden, Invalid, ServiceError
from procure.evaluation import applications, bp, labels, services
from procure.evaluation.forms import ConflictForm, DecisionForm, RevokeForm, RoundForm
from procure.extensions import db
from procure.forms import ActionForm, apply_service_error, choices, posted_version
from procure.models import Role, RoundStatus
from procure.pagination import paginate
from procure.validators import posted_id


def _actor():
    return current_user._get_current_object()


@bp.app_context_processor
def inject_evaluation():
    return {
        "evaluation_labels": labels,
        "innovation_index_for": _product_index_context,
    }


def _product_index_context(product) -> dict:
    """What the product page's index section needs (templates/evaluation/_product_index.html)."""
    info = services.product_index(current_user, product)
    current = info.designation
    chart = rows = None
    if current is not None:
        scheme = services.scheme_of(current)
        chart = services.radar(scheme, current.criteria)
        rows = services.criteria_rows(scheme, current.criteria)
    history = []
    for item in info.history:
        scheme = services.scheme_of(item.round)
        history.append(
            {
                "item": item,
                "comments": [
                    (c.label.get(services.lang()), info.comments.get(item.id, {}).get(c.id, []))
                    for c in scheme.criteria
                ],
            }
        )
    return {
        "designation": current,
        "designations": info.designations,
        "chart": chart,
        "rows": rows,
        "history": history,
        "insider": info.insider,
    }


# -- rounds -------------------------------------------------------------------------------


@bp.route("/")
@authz.roles(Role.OPERATOR, Role.EVALUATOR)
def index():
    page = paginate(services.rounds_for(current_user))
    return render_template(
        "evaluation/index.html",
        page=page,
        is_operator=_is_operator(),
        waiting=applications.waiting() if _is_operator() else [],
    )


def _is_operator() -> bool:
    return policy.is_operator(current_user)


def _prepare(form: RoundForm, round_id: int | None = None) -> None:
    # Named as the scheme names itself, in the reader's language (the key stays the value).
    locale = str(get_locale())
    form.scheme.choices = choices(
        [(k, services.scheme_title(k, locale)) for k in services.scheme_keys()]
    )
    # Products that applied for designation come first, marked; on a new round they are chosen.
    applied = applications.waiting_product_ids()
    marker = _("applied for designation")
    products = sorted(services.product_choices(round_id), key=lambda p: p.id not in applied)
    form.product_ids.choices = choices(
        (
            p.id,
            f"{p.name} ({p.supplier.display_name(services.lang())})"
            + (f" — {marker}" if p.id in applied else ""),
        )
        for p in products
    )
    if not form.is_submitted() and not form.product_ids.data and round_id is None:
        form.product_ids.data = [p.id for p in products if p.id in applied]
    form.evaluator_ids.choices = choices(
        (u.id, f"{u.name} <{u.email}>") for u in services.evaluator_choices()
    )
    kinds = []
    key = form.scheme.data or (services.scheme_keys() or [""])[-1]
    parsed = services.parse_scheme_key(key)
    if parsed:
        import scoring

        kinds = [
            (k.id, k.label.get(services.lang())) for k in scoring.load_scheme(*parsed).product_kinds
        ]
    form.product_kind.choices = choices([("", _("Not specified")), *kinds])


def _round_input(form: RoundForm) -> services.RoundInput:
    kind = form.product_kind.data or None
    items = [
        services.ItemInput(product_id=i, product_kind=kind) for i in form.product_ids.data or []
    ]
    for raw in (form.proposal_ids.data or "").replace(" ", "").split(","):
        if not raw:
            continue
        number = posted_id(raw)
        if number is None or number < 0:
            message = _("“%(text)s” is not a proposal number.", text=raw[:20])
            raise Invalid(message, [FieldError("proposal_ids", message)])
        items.append(services.ItemInput(proposal_id=number, product_kind=kind))
    return services.RoundInput(
        title=form.title.data or "",
        scheme=form.scheme.data or "",
        deadline=form.deadline.data,
        items=items,
        evaluator_ids=list(form.evaluator_ids.data or []),
    )


@bp.route("/rounds/new", methods=["GET", "POST"])
@authz.roles(Role.OPERATOR)
def new_round():
    form = RoundForm()
    _prepare(form)
    if form.validate_on_submit():
        try:
            round_ = services.create_round(_actor(), _round_input(form))
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
            return render_template("evaluation/round_form.html", form=form), error.status
        db.session.commit()
        flash(_("The round is saved as a draft. Open it when the panel is ready."), "success")
        return redirect(url_for("evaluation.round_detail", round_id=round_.id))
    if not form.is_submitted():
        form.scheme.data = (services.scheme_keys() or [""])[-1]
    status = 400 if form.is_submitted() else 200
    return render_template("evaluation/round_form.html", form=form), status


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@authz.roles(Role.OPERATOR)
def edit_round(round_id: int):
    round_ = services.get_round(current_user, round_id)
    if round_.status != RoundStatus.DRAFT:
        raise Conflict(_("Only a draft round can be changed."))
    form = RoundForm()
    if not form.is_submitted():
        form.title.data = round_.title
        form.scheme.data = f"{round_.scheme_id}-v{round_.scheme_version}"
        form.deadline.data = round_.deadline.astimezone(services.SEOUL).date()
        form.product_ids.data = [i.product_id for i in round_.items if i.product_id]
        form.proposal_ids.data = ", ".join(
            str(i.proposal_id) for i in round_.items if i.proposal_id
        )
        form.product_kind.data = next((i.product_kind for i in round_.items), None) or ""
        form.evaluator_ids.data = [p.user_id for p in round_.panel]
        form.version.data = round_.version
    _prepare(form, round_.id)
    if form.validate_on_submit():
        try:
            services.update_round(_actor(), round_, _round_input(form), posted_version())
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
            return render_template(
                "evaluation/round_form.html", form=form, round=round_
            ), error.status
        db.session.commit()
        flash(_("The draft round is saved."), "success")
        return redirect(url_for("evaluation.round_detail", round_id=round_.id))
    status = 400 if form.is_submitted() else 200
    return render_template("evaluation/round_form.html", form=form, round=round_), status


@bp.route("/rounds/<int:round_id>/delete", methods=["POST"])
@authz.roles(Role.OPERATOR)
def delete_round(round_id: int):
    round_ = services.get_round(current_user, round_id)
    services.delete_round(_actor(), round_, posted_version())
    db.session.commit()
    flash(_("The draft round is deleted."), "success")
    return redirect(url_for("evaluation.index"))


@bp.route("/rounds/<int:round_id>")
@authz.roles(Role.OPERATOR, Role.EVALUATOR)
def round_detail(round_id: int):
    round_ = services.get_round(current_user, round_id)
    context = {
        "round": round_,
        "scheme": services.scheme_of(round_),
        "action_form": ActionForm(),
        "overdue": services.is_overdue(round_),
        "is_operator": _is_operator(),
        "name_of": services.item_name,
    }
    if _is_operator():
        context["overview"] = services.overview(round_)
        context["submitted"] = {i.id: services.submitted_count(i) for i in round_.items}
    else:
        context["mine"] = services.my_items(current_user, round_)
    return render_template("evaluation/round.html", **context)


@bp.route("/rounds/<int:round_id>/open", methods=["POST"])
@authz.roles(Role.OPERATOR)
def open_round(round_id: int):
    round_ = services.get_round(current_user, round_id)
    services.open_round(_actor(), round_, posted_version())
    db.session.commit()
    flash(_("The round is open. The evaluators have been notified."), "success")
    return redirect(url_for("evaluation.round_detail", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/close", methods=["POST"])
@authz.roles(Role.OPERATOR)
def close_round(round_id: int):
    round_ = services.get_round(current_user, round_id)
    services.close_round(_actor(), round_, posted_version())
    db.session.commit()
    flash(_("The round is closed and the results are computed."), "success")
    return redirect(url_for("evaluation.round_detail", round_id=round_.id))


# -- evaluators: conflicts and scoring ----------------------------------------------------


@bp.route("/items/<int:item_id>/conflict", methods=["GET", "POST"])
@authz.roles(Role.EVALUATOR)
def declare(item_id: int):
    item = services.get_item(current_user, item_id)
    if not services.on_panel(current_user, item.round):
        raise Forbidden(_("You are not on this round's panel."))
    form = ConflictForm()
    state = services.access(current_user, item)
    submitted = services.has_submitted(current_user, item)
    if form.validate_on_submit():
        try:
            found = services.declare_conflict(
                _actor(), item, form.has_conflict.data == "yes", form.note.data or ""
            )
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
            return _render_declare(form, item, state, submitted), error.status
        db.session.commit()
        if found.has_conflict:
            flash(
                _(
                    "Your conflict of interest is recorded. "
                    "The scores you submitted for this dossier no longer count."
                )
                if submitted
                else _("Your conflict of interest is recorded. You will not score this dossier.")
            )
            return redirect(url_for("evaluation.round_detail", round_id=item.round_id))
        flash(_("Your declaration is recorded."), "success")
        return redirect(url_for("evaluation.sheet", item_id=item.id))
    return _render_declare(form, item, state, submitted), 400 if form.is_submitted() else 200


def _render_declare(form, item, state, submitted=False):
    return render_template(
        "evaluation/declare.html",
        form=form,
        item=item,
        state=state,
        submitted=submitted,
        name=services.item_name(item),
        supplier=services.supplier_organisation(item),
    )


def _sheet_input(scheme) -> tuple[services.SheetInput, bool]:
    gates = {}
    for gate in scheme.gates:
        raw = request.form.get(f"gate-{gate.id}", "")
        # Anything but yes, no or blank goes to the service as it came, which refuses it
        # ("maybe" used to become blank and the draft saved without a word).
        gates[gate.id] = {"yes": True, "no": False}.get(raw, raw)
    data = services.SheetInput(
        levels={i.id: request.form.get(f"level-{i.id}", "") for i in scheme.items},
        gates=gates,
        comments={c.id: request.form.get(f"comment-{c.id}", "") for c in scheme.criteria},
        justifications={
            c.id: request.form.get(f"justification-{c.id}", "") for c in scheme.criteria
        },
    )
    return data, request.form.get("action") == "submit"


def _stored_values(row) -> dict:
    """The form's values from a stored sheet: level ids, yes/no, texts."""
    if row is None:
        return {}
    return dict(row.data or {})


@bp.route("/items/<int:item_id>/sheet", methods=["GET", "POST"])
@authz.roles(Role.EVALUATOR)
def sheet(item_id: int):
    item = services.get_item(current_user, item_id)
    services.open_dossier(_actor(), item)
    scheme = services.scheme_of(item.round)
    row = services.sheet_of(current_user.id, item)
    form = ActionForm()
    errors, form_errors, flagged = {}, [], []
    status = 200
    values = {
        "levels": {},
        "gates": {},
        "comments": {},
        "justifications": {},
    }
    if row is not None:
        stored = row.data or {}
        for it in scheme.items:
            points = stored.get("scores", {}).get(it.id)
            level = it.level_for(points) if points is not None else None
            values["levels"][it.id] = level.id if level else ""
        values["gates"] = {k: ("yes" if v else "no") for k, v in stored.get("gates", {}).items()}
        values["comments"] = dict(stored.get("comments", {}))
        values["justifications"] = dict(stored.get("justifications", {}))
    if request.method == "POST" and form.validate_on_submit():
        data, submit = _sheet_input(scheme)
        version = request.form.get("version", type=int)
        try:
            services.save_sheet(_actor(), item, data, version, submit=submit)
        except ServiceError as error:
            db.session.rollback()
            status = error.status
            form_errors.append(error.message)
            for e in error.errors:
                errors.setdefault(e.field, []).append(e.message)
                if e.field.startswith("justification-"):
                    flagged.append(e.field.removeprefix("justification-"))
            values = {
                "levels": data.levels,
                "gates": {k: request.form.get(f"gate-{k}", "") for k in data.gates},
                "comments": data.comments,
                "justifications": data.justifications,
            }
            row = services.sheet_of(current_user.id, item)
        else:
            db.session.commit()
            if submit:
                flash(_("Your sheet is submitted. Thank you."), "success")
                return redirect(url_for("evaluation.round_detail", round_id=item.round_id))
            flash(_("Your draft is saved."), "success")
            return redirect(url_for("evaluation.sheet", item_id=item.id))
    elif request.method == "POST":
        status = 400
        form_errors.append(_("The form has expired. Reload the page and try again."))
    return (
        render_template(
            "evaluation/sheet.html",
            item=item,
            scheme=scheme,
            lang=services.lang(),
            row=row,
            form=form,
            values=values,
            errors=errors,
            form_errors=form_errors,
            flagged=set(flagged),
            name=services.item_name(item),
            supplier=services.supplier_organisation(item),
            editable=item.round.status == "open" and (row is None or row.status == "draft"),
        ),
        status,
    )


# -- operators: results and decisions -----------------------------------------------------


@bp.route("/items/<int:item_id>", methods=["GET"])
@authz.roles(Role.OPERATOR)
def item_result(item_id: int):
    item = services.get_item(current_user, item_id)
    return _render_result(item, DecisionForm(), 200)


def _render_result(item, form, status):
    scheme = services.scheme_of(item.round)
    sheets = []
    if item.round.status in ("closed", "decided"):
        sheets = services.individual_sheets(current_user, item)
    designation = None
    if item.product_id:
        from sqlalchemy import select

        from procure.models import Designation

        designation = db.session.scalar(select(Designation).where(Designation.item_id == item.id))
    return (
        render_template(
            "evaluation/item.html",
            item=item,
            scheme=scheme,
            lang=services.lang(),
            result=item.result,
            sheets=sheets,
            form=form,
            name=services.item_name(item),
            designation=designation,
        ),
        status,
    )


@bp.route("/items/<int:item_id>/decide", methods=["POST"])
@authz.roles(Role.OPERATOR)
def decide(item_id: int):
    item = services.get_item(current_user, item_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _render_result(item, form, 400)
    try:
        services.decide_item(_actor(), item, form.decision.data, form.reason.data or "")
    except ServiceError as error:
        db.session.rollback()
        apply_service_error(form, error)
        return _render_result(item, form, error.status)
    db.session.commit()
    flash(_("The decision is recorded and the supplier notified."), "success")
    return redirect(url_for("evaluation.item_result", item_id=item.id))


# -- designations -------------------------------------------------------------------------


@bp.route("/designations/<int:designation_id>")
@authz.public
def certificate(designation_id: int):
    designation = services.get_designation(designation_id)
    product = designation.product
    scheme = services.scheme_of(designation)
    return render_template(
        "evaluation/certificate.html",
        designation=designation,
        product=product,
        scheme=scheme,
        chart=services.radar(scheme, designation.criteria),
        rows=services.criteria_rows(scheme, designation.criteria),
        current=services.is_current(designation),
        overridden=services.overriding_decision(designation),
        is_operator=_is_operator(),
        revoke_form=RevokeForm(),
        action_form=ActionForm(),
        next_years=_next_years(scheme, designation),
    )


def _next_years(scheme, designation):
    import scoring

    return scoring.next_extension_years(scheme, designation.extensions)


@bp.route("/designations/<int:designation_id>/extend", methods=["POST"])
@authz.roles(Role.OPERATOR)
def extend(designation_id: int):
    designation = services.get_designation(designation_id)
    services.extend_designation(_actor(), designation, posted_version())
    db.session.commit()
    flash(_("The designation is extended."), "success")
    return redirect(url_for("evaluation.certificate", designation_id=designation.id))


@bp.route("/designations/<int:designation_id>/revoke", methods=["POST"])
@authz.roles(Role.OPERATOR)
def revoke(designation_id: int):
    designation = services.get_designation(designation_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        # The reason's own message (missing, or too long) — never "required" for a long text.
        messages = [str(m) for m in form.reason.errors] or [_("This field is required.")]
        raise Invalid(
            _("Check the reason for the revocation."),
            [FieldError("reason", message) for message in messages],
        )
    services.revoke_designation(_actor(), designation, form.reason.data, form.loaded_version())
    db.session.commit()
    flash(_("The designation is revoked and the supplier notified."), "success")
    return redirect(url_for("evaluation.certificate", designation_id=designation.id))


@bp.route("/products/<int:product_id>/apply", methods=["POST"])
@authz.roles(Role.SUPPLIER, acting=True)
def apply_for_designation(product_id: int):
    from procure.products.services import get_product

    product = get_product(current_user, product_id)
    applications.apply(_actor(), product, request.form.get("note", ""))
    db.session.commit()
    flash(
        _(
            "Your application is sent. Operators put it into the next evaluation round; you are "
            "told when they do."
        ),
        "success",
    )
    return redirect(url_for("products.detail", product_id=product.id))


@bp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
@authz.roles(Role.SUPPLIER, acting=True)
def withdraw_application(application_id: int):
    application = applications.get_own(current_user, application_id)
    applications.withdraw(_actor(), application, posted_version())
    db.session.commit()
    flash(_("Your application for designation is withdrawn."), "success")
    return redirect(url_for("products.detail", product_id=application.product_id))
