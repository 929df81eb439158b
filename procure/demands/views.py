"""Views for demands: list, detail, posting, publishing, closing, versions, Q&A, comparison."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from procure import authz, policy
from procure import matching_service as matching
from procure.attachments.services import attachments_of
from procure.classification.services import labels
from procure.demands import bp, services
from procure.demands.forms import (
    BLANK_REQUIREMENT_ROWS,
    AnswerForm,
    CloseForm,
    DemandForm,
    QuestionForm,
)
from procure.extensions import db
from procure.forms import ActionForm, add_rule_errors, attempt, choices, pad_rows, posted_version
from procure.labels import DEMAND_STATUS, DEMAND_TYPE
from procure.listing import (
    arg_choice,
    arg_division,
    arg_int,
    arg_region,
    arg_text,
    text_contains,
)
from procure.models import Demand, DemandCode, DemandStatus, Organisation, Question, Role
from procure.pagination import paginate
from procure.proposals import services as proposals
from procure.regions import region_choices

SORTS = {
    "newest": (Demand.published_at.desc(), Demand.id.desc()),
    "closing": (Demand.closes_on.asc(), Demand.id.desc()),
    "budget": (Demand.budget.desc(), Demand.id.desc()),
}


def list_query():
    """The list's query and filters from the query string: the page and its CSV share them."""
    status = arg_choice("status", (*DEMAND_STATUS, "all")) or DemandStatus.PUBLISHED
    filters = {
        "q": arg_text("q"),
        "status": status,
        "type": arg_choice("type", DEMAND_TYPE),
        "region": arg_region(),
        "division": arg_division(),
        "agency": arg_int("agency", 1, 2**62),
        "sort": arg_choice("sort", SORTS) or "newest",
    }
    query = select(Demand).where(policy.demand_filter(current_user))
    if status != "all":
        query = query.where(Demand.status == status)
    if filters["q"]:
        query = query.where(text_contains(filters["q"], Demand.title, Demand.problem))
    if filters["type"]:
        query = query.where(Demand.demand_type == filters["type"])
    if filters["region"]:
        query = query.where(Demand.region == filters["region"])
    if filters["agency"]:
        query = query.where(Demand.agency_id == filters["agency"])
    if filters["division"]:
        query = query.where(
            exists().where(
                DemandCode.demand_id == Demand.id, DemandCode.code.startswith(filters["division"])
            )
        )
    query = query.options(selectinload(Demand.agency), selectinload(Demand.codes)).order_by(
        *SORTS[filters["sort"]]
    )
    return query, filters


@bp.route("/")
@authz.public
def index():
    query, filters = list_query()
    page = paginate(query)
    return render_template(
        "demands/index.html",
        page=page,
        filters=filters,
        args={k: v for k, v in filters.items() if v},
        regions=region_choices(),
    )


def _form_input(form: DemandForm) -> services.DemandInput:
    return services.DemandInput(
        title=form.title.data or "",
        problem=form.problem.data or "",
        desired_outcome=form.desired_outcome.data or "",
        demand_type=form.demand_type.data,
        budget=form.budget.data,
        quantity=form.quantity.data,
        region=form.region.data or None,
        opens_on=form.opens_on.data,
        closes_on=form.closes_on.data,
        expected_purchase_on=form.expected_purchase_on.data,
        contact_name=form.contact_name.data or "",
        contact_email=form.contact_email.data or "",
        contact_phone=form.contact_phone.data or "",
        codes=form.codes.data or "",
        language=form.language.data,
        requirements=[
            services.RequirementInput(
                name=row.form.name.data or "",
                target_value=row.form.target_value.data or "",
                unit=row.form.unit.data or "",
                mandatory=bool(row.form.mandatory.data),
            )
            for row in form.requirements
        ],
    )


def _prepare(form: DemandForm) -> None:
    form.region.choices = choices([("", _("Not specified")), *region_choices()])


def _render_form(form, demand, status):
    return render_template("demands/form.html", form=form, demand=demand), status


@bp.route("/new", methods=["GET", "POST"])
@authz.roles(Role.OFFICER, acting=True)
def new():
    form = DemandForm()
    _prepare(form)
    if form.validate_on_submit():
        demand, status = attempt(
            form,
            lambda: services.create_demand(current_user._get_current_object(), _form_input(form)),
        )
        if status:
            return _render_form(form, None, status)
        flash(_("The draft is saved. Publish it when it is ready."), "success")
        return redirect(url_for("demands.detail", demand_id=demand.id))
    if form.is_submitted():
        add_rule_errors(form, lambda: services.check_input(_form_input(form)))
    else:
        form.contact_name.data = current_user.name
        form.contact_email.data = current_user.email
    return _render_form(form, None, 400 if form.is_submitted() else 200)


@bp.route("/<int:demand_id>/edit", methods=["GET", "POST"])
@authz.roles(Role.OFFICER, Role.OPERATOR, acting=True)
def edit(demand_id: int):
    demand = services.get_demand(current_user, demand_id)
    if not policy.can_edit_demand(current_user, demand):
        abort(403)
    form = DemandForm(obj=demand if request.method == "GET" else None)
    _prepare(form)
    if form.validate_on_submit():
        _done, status = attempt(
            form,
            lambda: services.update_demand(
                current_user._get_current_object(),
                demand,
                _form_input(form),
                form.loaded_version(),
                note=form.note.data or "",
            ),
        )
        if status:
            return _render_form(form, demand, status)
        flash(_("The demand is saved."), "success")
        return redirect(url_for("demands.detail", demand_id=demand.id))
    if form.is_submitted():
        add_rule_errors(form, lambda: services.check_input(_form_input(form)))
    else:
        form.version.data = demand.version
        form.codes.data = ", ".join(demand.code_values)
        form.region.data = demand.region or ""
        while len(form.requirements) > 0:
            form.requirements.pop_entry()
        for requirement in demand.requirements:
            form.requirements.append_entry(
                {
                    "name": requirement.name,
                    "target_value": requirement.target_value,
                    "unit": requirement.unit,
                    "mandatory": requirement.mandatory,
                }
            )
        pad_rows(form.requirements, BLANK_REQUIREMENT_ROWS, {"mandatory": True})
    return _render_form(form, demand, 400 if form.is_submitted() else 200)


@bp.route("/<int:demand_id>")
@authz.public
def detail(demand_id: int):
    demand = services.get_demand(current_user, demand_id)
    user = current_user
    questions = services.questions_for(demand)
    askers = {}
    for question in questions:
        if services.show_asker(user, question, demand) and question.organisation_id:
            askers[question.id] = question.organisation
    my_proposals = []
    if user.is_authenticated and user.has_role(Role.SUPPLIER) and user.can_act_for_organisation:
        my_proposals = proposals.for_demand_by_supplier(demand, user.organisation_id)
    can_compare = policy.is_operator(user) or policy.manages_demand(user, demand)
    proposal_count = len(proposals.for_demand(user, demand)) if can_compare else None
    can_edit = policy.can_edit_demand(user, demand)
    suggestions = []
    if demand.status != DemandStatus.CLOSED:
        suggestions = matching.suggested_products(demand, str(get_locale()))
    code_suggestions = []
    if can_edit and not demand.codes:
        code_suggestions = matching.suggest_codes(f"{demand.title}\n{demand.problem}")
    dialogue_running = demand.status == DemandStatus.PUBLISHED and (
        services.running_dialogue(demand) is not None
    )
    return render_template(
        "demands/detail.html",
        demand=demand,
        code_labels=labels(demand.code_values),
        questions=questions,
        askers=askers,
        attachments=attachments_of("demand", demand.id),
        can_edit=can_edit,
        suggestions=suggestions,
        code_suggestions=code_suggestions,
        can_dismiss=can_compare,
        can_ask=demand.status == DemandStatus.PUBLISHED
        and user.is_authenticated
        and user.has_role(Role.SUPPLIER)
        and user.can_act_for_organisation,
        can_propose=(services.accepts_proposals(demand) or services.opens_later(demand))
        and user.is_authenticated
        and user.has_role(Role.SUPPLIER)
        and user.can_act_for_organisation
        and not dialogue_running,
        dialogue_running=dialogue_running,
        can_compare=can_compare,
        proposal_count=proposal_count,
        my_proposals=my_proposals,
        question_form=QuestionForm(),
        answer_form=AnswerForm(),
        close_form=CloseForm(),
        action_form=ActionForm(),
    )


@bp.route("/<int:demand_id>/publish", methods=["POST"])
@authz.roles(Role.OFFICER, Role.OPERATOR, acting=True)
def publish(demand_id: int):
    demand = services.get_demand(current_user, demand_id)
    services.publish_demand(current_user._get_current_object(), demand, posted_version())
    db.session.commit()
    flash(_("The demand is published. Suppliers can now see it and send proposals."), "success")
    return redirect(url_for("demands.detail", demand_id=demand.id))


@bp.route("/<int:demand_id>/close", methods=["POST"])
@authz.roles(Role.OFFICER, Role.OPERATOR, acting=True)
def close(demand_id: int):
    demand = services.get_demand(current_user, demand_id)
    form = CloseForm()
    services.close_demand(
        current_user._get_current_object(),
        demand,
        form.outcome.data,
        form.outcome_note.data or "",
        posted_version(),
    )
    db.session.commit()
    flash(_("The demand is closed."), "success")
    return redirect(url_for("demands.detail", demand_id=demand.id))


@bp.route("/<int:demand_id>/delete", methods=["POST"])
@authz.roles(Role.OFFICER, Role.OPERATOR, acting=True)
def delete(demand_id: int):
    demand = services.get_demand(current_user, demand_id)
    services.delete_draft(current_user._get_current_object(), demand)
    db.session.commit()
    flash(_("The draft is deleted."), "success")
    return redirect(url_for("main.dashboard"))


@bp.route("/<int:demand_id>/versions")
@authz.public
def versions(demand_id: int):
    demand = services.get_demand(current_user, demand_id)
    numbers = [r.revision for r in demand.revisions]
    if not numbers:
        return render_template("demands/versions.html", demand=demand, changes=None, numbers=[])
    new = request.args.get("to", type=int) or numbers[-1]
    old = request.args.get("from", type=int) or (numbers[-2] if len(numbers) > 1 else numbers[-1])
    changes = services.compare(demand, old, new)
    return render_template(
        "demands/versions.html", demand=demand, changes=changes, numbers=numbers, old=old, new=new
    )


@bp.route("/<int:demand_id>/questions", methods=["POST"])
@authz.roles(Role.SUPPLIER, acting=True)
def ask(demand_id: int):
    demand = services.get_demand(current_user, demand_id)
    form = QuestionForm()
    question = services.ask_question(
        current_user._get_current_object(), demand, form.body.data or ""
    )
    db.session.commit()
    flash(
        _("Your question is posted. Other suppliers will not see your company's name."), "success"
    )
    return redirect(url_for("demands.detail", demand_id=demand.id, _anchor=f"q{question.id}"))


@bp.route("/<int:demand_id>/questions/<int:question_id>/answer", methods=["POST"])
@authz.roles(Role.OFFICER, Role.OPERATOR, acting=True)
def answer(demand_id: int, question_id: int):
    demand = services.get_demand(current_user, demand_id)
    question = db.session.get(Question, question_id)
    if question is None or question.demand_id != demand.id:
        abort(404)
    form = AnswerForm()
    services.answer_question(current_user._get_current_object(), question, form.answer.data or "")
    db.session.commit()
    flash(_("Your answer is published."), "success")
    return redirect(url_for("demands.detail", demand_id=demand.id, _anchor=f"q{question.id}"))


@bp.route("/<int:demand_id>/suggestions/<int:product_id>/dismiss", methods=["POST"])
@authz.roles(Role.OFFICER, Role.OPERATOR)
def dismiss_suggestion(demand_id: int, product_id: int):
    demand = services.get_demand(current_user, demand_id)
    ActionForm()
    matching.dismiss(current_user._get_current_object(), demand, product_id)
    db.session.commit()
    flash(_("The suggestion is hidden. The matcher will learn from it."), "success")
    return redirect(url_for("demands.detail", demand_id=demand.id, _anchor="suggestions"))


@bp.route("/<int:demand_id>/proposals")
@authz.roles(Role.OFFICER, Role.OPERATOR)
def compare(demand_id: int):
    """The proposals to a demand side by side: requirements as rows, proposals as columns."""
    demand = services.get_demand(current_user, demand_id)
    if not (policy.is_operator(current_user) or policy.acts_for(current_user, demand.agency_id)):
        abort(403)
    columns = proposals.for_demand(current_user, demand)
    return render_template(
        "demands/compare.html",
        demand=demand,
        proposals=columns,
        action_form=ActionForm(),
        can_decide={p.id: policy.can_decide_proposal(current_user, p) for p in columns},
        answered={p.id: proposals.answered_requirements(p) for p in columns},
    )


@bp.app_template_global()
def agency_name(agency: Organisation | None) -> str:
    from flask_babel import get_locale

    return agency.display_name(str(get_locale())) if agency else ""


@bp.app_template_global()
def field_label(name: str) -> str:
    """The label of a demand field in version comparisons."""
    from flask_babel import lazy_gettext as _l

    names = {
        "title": _l("Title"),
        "problem": _l("Problem to solve"),
        "desired_outcome": _l("Desired outcome"),
        "demand_type": _l("Type"),
        "budget": _l("Estimated budget (won)"),
        "quantity": _l("Quantity"),
        "region": _l("Delivery region"),
        "opens_on": _l("Opens on"),
        "closes_on": _l("Closes on"),
        "expected_purchase_on": _l("Expected purchase date"),
        "contact_name": _l("Contact name"),
        "codes": _l("Classification codes (CPV)"),
        "requirements": _l("Performance requirements"),
    }
    return str(names.get(name, name))


@bp.app_template_global()
def show_value(value, field: str | None = None) -> str:
    """A snapshot value as the demand page shows it: the type and region by name, money and
    counts with separators, requirements one after another (``field`` names the value)."""
    from flask_babel import format_decimal

    from procure.i18n import won
    from procure.labels import DEMAND_TYPE, label
    from procure.regions import region_name

    if value is None or value == "":
        return "—"
    if field == "demand_type":
        return label(DEMAND_TYPE, value)
    if field == "budget" and isinstance(value, int):
        return won(value)
    if field == "quantity" and isinstance(value, int):
        return format_decimal(value)
    if field == "region":
        return region_name(value) or str(value)
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, dict):
                flag = "" if item.get("mandatory", True) else f" ({_('desirable')})"
                target = f"{item.get('target_value', '')} {item.get('unit', '')}".strip()
                parts.append(f"{item.get('name')}: {target}{flag}")
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return str(value)
