"""Views for pilot purchases: thin; the rules are in ``services``."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from procure import authz, policy
from procure.attachments.services import attachments_of
from procure.errors import Conflict, NotFound, ServiceError
from procure.extensions import db
from procure.forms import (
    ActionForm,
    apply_service_error,
    choices,
    labelled,
    pad_rows,
    posted_version,
)
from procure.i18n import won
from procure.labels import ALLOCATION_REASON as REASONS
from procure.labels import PILOT_MODE as MODE
from procure.labels import PILOT_STATUS, ROUND_STATUS
from procure.labels import PILOT_VERDICT as VERDICT
from procure.listing import arg_choice, arg_int
from procure.models import Role
from procure.pagination import paginate
from procure.pilots import allocation, bp, goodfaith, services, stats
from procure.pilots.forms import ApplicationForm, FollowOnForm, PlanForm, ReportForm, RoundForm

#: How the allocation optimiser finished (``allocation.Result.status``), in words.
SOLVER_STATUS = {
    allocation.OPTIMAL: _l("the best possible"),
    allocation.TIME_LIMIT: _l("the best found within the time limit"),
    allocation.EMPTY: _l("nothing to allocate"),
    allocation.NO_SOLUTION: _l("no allocation fits the budget"),
}
WEIGHT_LABELS = {
    "agency": _l("Each agency covered"),
    "product": _l("Each product covered"),
    "small": _l("Bonus for a small agency"),
    "local": _l("Bonus for a local agency"),
    "follow_on": _l("Bonus for follow-on intent"),
    "spend": _l("Preference for using the budget"),
}


@bp.context_processor
def pilot_labels():
    def pick(table, value):
        return str(table.get(value, value or ""))

    return {
        "round_status": lambda v: pick(ROUND_STATUS, v),
        "pilot_status": lambda v: pick(PILOT_STATUS, v),
        "verdict_label": lambda v: pick(VERDICT, v),
        "mode_label": lambda v: pick(MODE, v),
        "reason_label": lambda v: pick(REASONS, v),
        "solver_status": lambda v: pick(SOLVER_STATUS, v),
        "weight_labels": WEIGHT_LABELS,
        "pilot_states": list(PILOT_STATUS),
        "is_operator": policy.is_operator(current_user),
    }


def _actor():
    return current_user._get_current_object()


# -- rounds --------------------------------------------------------------------------------


@bp.route("/")
@authz.public
def index():
    rounds = services.visible_rounds(current_user)
    mine, filters = None, {}
    if current_user.is_authenticated:
        # The pilots one works on, by state ("report overdue" too) and round, a page at a time.
        filters = {
            "status": arg_choice("status", (*PILOT_STATUS, services.OVERDUE)),
            "round": arg_int("round", 1, 2**62),
        }
        mine = paginate(
            services.worked_pilots_query(current_user, filters["status"], filters["round"])
        )
    return render_template(
        "pilots/index.html",
        rounds=rounds,
        mine=mine,
        filters=filters,
        filter_args={k: v for k, v in filters.items() if v},
        follow_ons=services.follow_ons_of(current_user),
        product_names={p.id: p.name for p in services.piloted_products()},
    )


def _round_form_page(round_=None):
    """The round form: a new draft, or changes to a draft (``round_``)."""
    form = RoundForm(obj=round_ if round_ is not None and request.method == "GET" else None)
    form.product_ids.choices = choices(
        [(str(p.id), f"{p.name} — {p.supplier.name}") for p in services.designated_products()]
    )
    if round_ is not None and request.method == "GET":
        form.product_ids.data = [str(p.id) for p in round_.products]
    creating = round_ is None
    context = {"form": form, "round": round_}
    if form.validate_on_submit():
        data = services.RoundInput(
            title=form.title.data,
            budget=form.budget.data,
            mode=form.mode.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            applications_close_on=form.applications_close_on.data,
            per_agency_cap=form.per_agency_cap.data,
            product_ids=form.product_ids.data or [],
        )
        try:
            if creating:
                round_ = services.create_round(_actor(), data)
            else:
                services.update_round(_actor(), round_, data, version=posted_version())
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
            return render_template("pilots/round_form.html", **context), error.status
        db.session.commit()
        if creating:
            flash(_("The round is saved as a draft. Open it when it is ready."), "success")
        else:
            flash(_("The draft round is saved."), "success")
        return redirect(url_for("pilots.round_detail", round_id=round_.id))
    status = 400 if form.is_submitted() else 200
    return render_template("pilots/round_form.html", **context), status


@bp.route("/rounds/new", methods=["GET", "POST"])
@authz.roles(Role.OPERATOR)
def new_round():
    return _round_form_page()


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@authz.roles(Role.OPERATOR)
def edit_round(round_id: int):
    round_ = services.get_round(current_user, round_id)
    if round_.status != "draft":
        raise Conflict(_("Only a draft round can be changed; this one is open already."))
    return _round_form_page(round_)


@bp.route("/rounds/<int:round_id>")
@authz.public
def round_detail(round_id: int):
    round_ = services.get_round(current_user, round_id)
    applications = services.applications_for(current_user, round_)
    my_products = []
    if current_user.is_authenticated and current_user.has_role(Role.SUPPLIER):
        my_products = [p for p in round_.products if policy.acts_for(current_user, p.supplier_id)]
    return render_template(
        "pilots/round.html",
        round=round_,
        applications=applications,
        published=services.allocation_published(round_),
        my_products=my_products,
        weights=allocation.clean_weights(round_.weights),
        applications_open_until=services.applications_still_open_until(round_),
        action_form=ActionForm(),
    )


def _round_action(round_id: int, function, message: str, *args):
    round_ = services.get_round(current_user, round_id)
    function(_actor(), round_, *args, version=posted_version())
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("pilots.round_detail", round_id=round_.id))


@bp.route("/rounds/<int:round_id>/open", methods=["POST"])
@authz.roles(Role.OPERATOR)
def open_round(round_id: int):
    return _round_action(
        round_id, services.open_round, _("The round is open for plans and applications.")
    )


@bp.route("/rounds/<int:round_id>/allocate", methods=["POST"])
@authz.roles(Role.OPERATOR)
def allocate(round_id: int):
    weights = {}
    for key in allocation.DEFAULT_WEIGHTS:
        raw = request.form.get(f"weight-{key}", "").strip()
        if raw:
            try:
                weights[key] = float(raw)
            except ValueError:
                weights[key] = raw  # the service names the field in its message
    return _round_action(
        round_id,
        services.allocate,
        _("The optimiser has allocated the budget. Review it, adjust if needed, then publish."),
        weights,
    )


@bp.route("/rounds/<int:round_id>/publish", methods=["POST"])
@authz.roles(Role.OPERATOR)
def publish(round_id: int):
    return _round_action(
        round_id,
        services.publish_allocation,
        _("The allocation is published; agencies and suppliers have been notified."),
    )


@bp.route("/rounds/<int:round_id>/close", methods=["POST"])
@authz.roles(Role.OPERATOR)
def close_round(round_id: int):
    return _round_action(round_id, services.close_round, _("The round is closed."))


@bp.route("/applications/<int:application_id>/adjust", methods=["POST"])
@authz.roles(Role.OPERATOR)
def adjust(application_id: int):
    app_ = services.get_application(current_user, application_id)
    try:
        services.adjust(
            _actor(),
            app_,
            request.form.get("quantity", ""),
            request.form.get("reason", ""),
            version=posted_version(),
        )
    except ServiceError as error:
        raise labelled(error, {"quantity": _("Quantity"), "reason": _("Reason")}) from None
    db.session.commit()
    flash(_("The allocation is changed and the change is recorded."), "success")
    return redirect(url_for("pilots.round_detail", round_id=app_.round_id))


@bp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
@authz.roles(Role.OFFICER, acting=True)
def withdraw_application(application_id: int):
    app_ = services.get_application(current_user, application_id)
    ActionForm()  # CSRFProtect has checked the token
    services.withdraw_application(
        _actor(), app_, request.form.get("reason", ""), version=posted_version()
    )
    db.session.commit()
    flash(
        _("Your application is withdrawn. You may apply again while the round is open."),
        "success",
    )
    return redirect(url_for("pilots.round_detail", round_id=app_.round_id))


@bp.route("/rounds/<int:round_id>/plans/new", methods=["GET", "POST"])
@authz.roles(Role.SUPPLIER, acting=True)
def new_plan(round_id: int):
    round_ = services.get_round(current_user, round_id)
    form = PlanForm()
    own = [p for p in round_.products if p.supplier_id == current_user.organisation_id]
    form.product_id.choices = choices([(str(p.id), p.name) for p in own])
    if form.validate_on_submit():
        data = services.PlanInput(
            product_id=form.product_id.data,
            units_offered=form.units_offered.data,
            unit_price=form.unit_price.data,
            support_offered=form.support_offered.data or "",
            test_period_days=form.test_period_days.data,
        )
        try:
            services.file_plan(_actor(), round_, data)
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
            return render_template("pilots/plan_form.html", form=form, round=round_), error.status
        db.session.commit()
        flash(_("Your pilot-use plan is filed. Agencies can now apply for it."), "success")
        return redirect(url_for("pilots.round_detail", round_id=round_.id))
    status = 400 if form.is_submitted() else 200
    return render_template("pilots/plan_form.html", form=form, round=round_), status


@bp.route("/rounds/<int:round_id>/apply", methods=["GET", "POST"])
@authz.roles(Role.OFFICER, acting=True)
def apply(round_id: int):
    round_ = services.get_round(current_user, round_id)
    form = ApplicationForm()
    form.plan_id.choices = choices(
        [
            (
                str(p.id),
                _(
                    "%(name)s — %(units)s units offered at %(price)s each",
                    name=p.product.name,
                    units=format_decimal(p.units_offered),
                    price=won(p.unit_price),
                ),
            )
            for p in round_.plans
        ]
    )
    if request.method == "GET" and request.args.get("plan"):
        form.plan_id.data = request.args.get("plan")
    if form.validate_on_submit():
        data = services.ApplicationInput(
            plan_id=form.plan_id.data,
            quantity=form.quantity.data,
            intended_use=form.intended_use.data,
            site=form.site.data,
            expected_improvement=form.expected_improvement.data,
            plans_follow_on=bool(form.plans_follow_on.data),
            small_agency=bool(form.small_agency.data),
            local_agency=bool(form.local_agency.data),
        )
        try:
            services.apply(_actor(), round_, data)
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
            return render_template("pilots/apply_form.html", form=form, round=round_), error.status
        db.session.commit()
        flash(
            _("Your application is sent. Only your agency and the operators can see it."),
            "success",
        )
        return redirect(url_for("pilots.round_detail", round_id=round_.id))
    status = 400 if form.is_submitted() else 200
    return render_template("pilots/apply_form.html", form=form, round=round_), status


# -- pilots --------------------------------------------------------------------------------


@bp.route("/<int:pilot_id>")
@authz.public
def pilot_detail(pilot_id: int):
    pilot = services.get_pilot(current_user, pilot_id)
    user = current_user
    is_agency = user.is_authenticated and policy.acts_for(user, pilot.agency_id)
    return render_template(
        "pilots/pilot.html",
        pilot=pilot,
        is_agency=is_agency and user.has_role(Role.OFFICER),
        can_operate=policy.is_operator(user),
        unfixed=services.unfixed_defects(pilot.report),
        blocked=services.extension_blocked(pilot.product_id),
        attachments=attachments_of("pilot", pilot.id),
        can_attach=policy.can_edit_pilot_files(user, pilot),
        action_form=ActionForm(),
    )


def _pilot_action(pilot_id: int, function, message: str, *fields: tuple[str, str]):
    """Post one step of a pilot; ``fields`` are (form name, label) in the service's order."""
    pilot = services.get_pilot(current_user, pilot_id)
    values = [request.form.get(name, "") for name, _label in fields]
    try:
        function(_actor(), pilot, *values, version=posted_version())
    except ServiceError as error:
        raise labelled(error, dict(fields)) from None
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("pilots.pilot_detail", pilot_id=pilot.id))


@bp.route("/<int:pilot_id>/contract", methods=["POST"])
@authz.roles(Role.OPERATOR)
def contract(pilot_id: int):
    return _pilot_action(
        pilot_id,
        services.record_contract,
        _("The contract is recorded."),
        ("contract_number", _("Contract number")),
        ("contract_date", _("Contract date")),
        ("amount", _("Amount (won)")),
        ("quantity", _("Quantity")),
    )


@bp.route("/<int:pilot_id>/delivery", methods=["POST"])
@authz.roles(Role.OFFICER, Role.OPERATOR, acting=True)
def delivery(pilot_id: int):
    return _pilot_action(
        pilot_id,
        services.record_delivery,
        _("The delivery and acceptance are recorded."),
        ("delivery_date", _("Delivery date")),
        ("accepted_on", _("Accepted on")),
    )


@bp.route("/<int:pilot_id>/start", methods=["POST"])
@authz.roles(Role.OFFICER, Role.OPERATOR, acting=True)
def start(pilot_id: int):
    return _pilot_action(
        pilot_id,
        services.start_use,
        _("The pilot is in use. The field report is due at the end of the test period."),
        ("use_started_on", _("In use since")),
        ("report_due_on", _("Report due (default: the end of the test period)")),
    )


def _report_input(form: ReportForm) -> services.ReportInput:
    measurements = [
        {
            "name": row.form.name.data or "",
            "target": row.form.target.data or "",
            "measured": row.form.measured.data or "",
            "unit": row.form.unit.data or "",
            "met": bool(row.form.met.data),
        }
        for row in form.measurements
        if (row.form.name.data or row.form.measured.data or row.form.target.data)
    ]
    defects = [
        {
            "description": row.form.description.data or "",
            "fixed": bool(row.form.fixed.data),
            "fixed_on": row.form.fixed_on.data.isoformat() if row.form.fixed_on.data else None,
        }
        for row in form.defects
        if row.form.description.data
    ]
    return services.ReportInput(
        satisfaction=form.satisfaction.data,
        would_buy_again={"yes": True, "no": False}.get(form.would_buy_again.data),
        summary=form.summary.data or "",
        measurements=measurements,
        defects=defects,
    )


@bp.route("/<int:pilot_id>/report", methods=["GET", "POST"])
@authz.roles(Role.OFFICER, acting=True)
def report(pilot_id: int):
    pilot = services.get_pilot(current_user, pilot_id)
    form = ReportForm()
    if request.method == "GET":
        specs = pilot.product.specs
        pad_rows(form.measurements, len(specs) - len(form.measurements))
        for row, spec in zip(form.measurements, specs, strict=False):
            row.form.name.data, row.form.target.data = spec.name, spec.value
            row.form.unit.data = spec.unit
    if form.validate_on_submit():
        try:
            services.submit_report(_actor(), pilot, _report_input(form))
        except ServiceError as error:
            db.session.rollback()
            for item in error.errors:  # list-level messages go to the summary at the top
                if item.field in ("measurements", "defects"):
                    item.field = f"report-{item.field}"
            apply_service_error(form, error)
            return render_template("pilots/report_form.html", form=form, pilot=pilot), error.status
        db.session.commit()
        flash(_("Your field report is filed. The operator will record the verdict."), "success")
        return redirect(url_for("pilots.pilot_detail", pilot_id=pilot.id))
    status = 400 if form.is_submitted() else 200
    return render_template("pilots/report_form.html", form=form, pilot=pilot), status


@bp.route("/<int:pilot_id>/defects/<int:index>/fix", methods=["POST"])
@authz.roles(Role.OFFICER, Role.OPERATOR, acting=True)
def fix_defect(pilot_id: int, index: int):
    pilot = services.get_pilot(current_user, pilot_id)
    services.record_fix(_actor(), pilot, index, request.form.get("fixed_on", ""), posted_version())
    db.session.commit()
    flash(_("The fix is recorded."), "success")
    return redirect(url_for("pilots.pilot_detail", pilot_id=pilot.id))


@bp.route("/<int:pilot_id>/verdict", methods=["POST"])
@authz.roles(Role.OPERATOR)
def verdict(pilot_id: int):
    return _pilot_action(
        pilot_id,
        services.evaluate,
        _("The verdict is recorded and published."),
        ("verdict", _("Verdict")),
        ("verdict_note", _("Note (required when insufficient)")),
    )


@bp.route("/<int:pilot_id>/close", methods=["POST"])
@authz.roles(Role.OPERATOR)
def close_pilot(pilot_id: int):
    return _pilot_action(pilot_id, services.close_pilot, _("The pilot is closed."))


@bp.route("/<int:pilot_id>/good-faith")
@authz.public
def good_faith(pilot_id: int):
    pilot = services.get_pilot(current_user, pilot_id)
    return render_template(
        "pilots/good_faith.html",
        rec=goodfaith.build(pilot),
        back=(pilot.product.name, url_for("pilots.pilot_detail", pilot_id=pilot.id)),
        pdf_url=url_for("pilots.good_faith_pdf", pilot_id=pilot.id),
    )


def _pdf(record: dict, name: str) -> Response:
    return Response(
        goodfaith.render_pdf(record),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/<int:pilot_id>/good-faith.pdf")
@authz.public
def good_faith_pdf(pilot_id: int):
    pilot = services.get_pilot(current_user, pilot_id)
    return _pdf(goodfaith.build(pilot), f"good-faith-pilot-{pilot.id}.pdf")


@bp.route("/follow-ons/<int:follow_on_id>/good-faith")
@authz.signed_in
def follow_on_good_faith(follow_on_id: int):
    row = services.get_follow_on(current_user, follow_on_id)
    return render_template(
        "pilots/good_faith.html",
        rec=goodfaith.build_follow_on(row),
        back=(_("Follow-on purchases"), url_for("pilots.index")),
        pdf_url=url_for("pilots.follow_on_good_faith_pdf", follow_on_id=row.id),
    )


@bp.route("/follow-ons/<int:follow_on_id>/good-faith.pdf")
@authz.signed_in
def follow_on_good_faith_pdf(follow_on_id: int):
    row = services.get_follow_on(current_user, follow_on_id)
    return _pdf(goodfaith.build_follow_on(row), f"good-faith-follow-on-{row.id}.pdf")


@bp.route("/results")
@authz.public
def results():
    return render_template(
        "pilots/results.html",
        pilots=services.finished_pilots(),
        unfixed=services.unfixed_defects,
    )


# -- follow-on purchases -------------------------------------------------------------------


@bp.route("/follow-ons/new", methods=["GET", "POST"])
@authz.roles(Role.OFFICER, acting=True)
def new_follow_on():
    form = FollowOnForm()
    form.product_id.choices = choices([(str(p.id), p.name) for p in services.piloted_products()])
    if request.method == "GET" and request.args.get("product"):
        form.product_id.data = request.args.get("product")
    if form.validate_on_submit():
        data = services.FollowOnInput(
            product_id=form.product_id.data,
            purchased_on=form.purchased_on.data,
            amount=form.amount.data,
            quantity=form.quantity.data,
            contract_number=form.contract_number.data or "",
        )
        try:
            services.record_follow_on(_actor(), data)
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
            return render_template("pilots/follow_on_form.html", form=form), error.status
        db.session.commit()
        flash(_("The follow-on purchase is recorded."), "success")
        return redirect(url_for("pilots.stats_page", agency=current_user.organisation_id))
    status = 400 if form.is_submitted() else 200
    return render_template("pilots/follow_on_form.html", form=form), status


@bp.route("/budgets", methods=["GET", "POST"])
@authz.roles(Role.OPERATOR)
def budgets():
    """Agencies' goods budgets per year, against which innovation-purchase targets are set."""
    status = 200
    errors = None
    if request.method == "POST":
        data = services.BudgetInput(
            agency_id=request.form.get("agency_id", ""),
            year=request.form.get("year", ""),
            goods_budget=request.form.get("goods_budget", ""),
            target_share_percent=request.form.get("target_share_percent", ""),
        )
        try:
            services.set_agency_budget(_actor(), data)
        except ServiceError as error:
            db.session.rollback()
            status, errors = error.status, error
        else:
            db.session.commit()
            flash(_("The budget is saved."), "success")
            return redirect(url_for("pilots.budgets"))
    rows = services.agency_budgets()
    if request.method == "POST":
        values = request.form  # what was typed comes back with the errors
    else:  # "Change" on a recorded row fills the form with it
        chosen = (request.args.get("agency_id", type=int), request.args.get("year", type=int))
        row = next((b for b in rows if (b.agency_id, b.year) == chosen), None)
        values = {}
        if row is not None:
            values = {
                "agency_id": str(row.agency_id),
                "year": str(row.year),
                "goods_budget": str(row.goods_budget),
                "target_share_percent": f"{(row.target_share or 0.01) * 100:g}",
            }
    return render_template(
        "pilots/budgets.html",
        values=values,
        field_errors={e.field: e.message for e in errors.errors} if errors else {},
        rows=rows,
        agencies=services.agencies(),
        names={a.id: a.display_name(str(get_locale())) for a in services.agencies()},
        error=errors,
        action_form=ActionForm(),
        # Formatted here, not in Jinja: Jinja's gettext %-formats every message, and these
        # translations contain a bare "%".
        intro=_(
            "Each agency's goods budget for a year; its innovation-purchase target is a share "
            "of it: one percent unless set."
        ),
        share_label=_("Target share (percent)"),
    ), status


# -- statistics ----------------------------------------------------------------------------


def _stats_filters() -> tuple[int | None, int | None]:
    year = request.args.get("year", type=int)
    agency = request.args.get("agency", type=int)
    if year is not None and not 2000 <= year <= 2100:
        year = None
    if agency is not None and not services.is_agency(agency):
        agency = None  # as a year out of range: the page shows every agency
    return year, agency


@bp.route("/stats")
@authz.public
def stats_page():
    year, agency = _stats_filters()
    data = stats.compute(year=year, agency_id=agency, locale=str(get_locale()))
    return render_template(
        "pilots/stats.html",
        data=data,
        year=year,
        agency=agency,
        years=stats.years(),
        agencies=services.agencies(),
        csv_args={k: v for k, v in (("year", year), ("agency", agency)) if v is not None},
    )


@bp.route("/stats.csv")
@authz.public
def stats_csv():
    year, agency = _stats_filters()
    table = request.args.get("table", "agencies")
    if table not in stats.CSV_TABLES:
        # Never echoed: the name goes into the file name of the download's header.
        raise NotFound(
            _(
                "There is no such table. Choose one of: %(tables)s.",
                tables=", ".join(stats.CSV_TABLES),
            )
        )
    body = stats.to_csv(stats.compute(year=year, agency_id=agency), table)
    return Response(
        "\ufeff" + body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="pilot-stats-{table}.csv"'},
    )
