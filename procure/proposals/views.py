"""Views for reverse proposals: drafting, submitting, deciding, listing."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from procure import authz, policy
from procure.attachments.services import attachments_of
from procure.demands import services as demands
from procure.extensions import db
from procure.forms import ActionForm, append_rows, attempt, choices, posted_version
from procure.labels import COMPLIANCE, PROPOSAL_STATUS
from procure.listing import arg_choice, arg_int, arg_text, text_contains
from procure.models import (
    Demand,
    Organisation,
    OrganisationKind,
    Product,
    ProductStatus,
    ReverseProposal,
    Role,
)
from procure.pagination import paginate
from procure.proposals import bp, services
from procure.proposals.forms import DecisionForm, ProposalForm
from procure.urls import safe_next
from procure.validators import posted_id


@bp.route("/")
@authz.roles(Role.SUPPLIER, Role.OFFICER, Role.OPERATOR)
def index():
    """My proposals (suppliers) or proposals received (officers, operators)."""
    status = arg_choice("status", PROPOSAL_STATUS)
    text = arg_text("q")
    demand_id = arg_int("demand", 1, 2**62)
    query = services.visible_query(current_user).options(
        selectinload(ReverseProposal.supplier),
        selectinload(ReverseProposal.demand),
        selectinload(ReverseProposal.target_agency),
    )
    if status:
        query = query.where(ReverseProposal.status == status)
    if text:  # the proposal's title, or the title of the demand it answers
        answering = select(Demand.id).where(text_contains(text, Demand.title))
        by_title = text_contains(text, ReverseProposal.title)
        query = query.where(or_(by_title, ReverseProposal.demand_id.in_(answering)))
    if demand_id:
        query = query.where(ReverseProposal.demand_id == demand_id)
    page = paginate(query.order_by(ReverseProposal.updated_at.desc(), ReverseProposal.id.desc()))
    args = {"status": status, "q": text, "demand": demand_id}
    return render_template(
        "proposals/index.html",
        page=page,
        status=status,
        text=text,
        demand_id=demand_id,
        args={key: value for key, value in args.items() if value},
        # A supplier's own drafts are theirs to see; agencies and operators never see drafts.
        statuses=[
            key for key in PROPOSAL_STATUS if key != "draft" or current_user.has_role(Role.SUPPLIER)
        ],
    )


def _prepare(form: ProposalForm, demand) -> None:
    own = db.session.scalars(
        select(Product)
        .where(
            Product.supplier_id == current_user.organisation_id,
            Product.status != ProductStatus.ARCHIVED,
        )
        .order_by(Product.name)
    ).all()
    form.product_id.choices = choices(
        [
            ("", _("None: a solution still to be developed")),
            *[
                (
                    str(p.id),
                    p.name
                    if p.status == ProductStatus.LISTED
                    else _("%(name)s (not listed: list it before sending)", name=p.name),
                )
                for p in own
                if p.deleted_at is None
            ],
        ]
    )
    agencies = db.session.scalars(
        select(Organisation)
        .where(Organisation.kind == OrganisationKind.AGENCY, Organisation.verified_at.is_not(None))
        .order_by(Organisation.name)
    ).all()
    form.target_agency_id.choices = choices(
        [
            ("", _("No particular agency")),
            *[(str(a.id), a.display_name(str(get_locale()))) for a in agencies],
        ]
    )
    compliance = choices([("", _("Choose…")), *[(k, str(v)) for k, v in COMPLIANCE.items()]])
    if demand is not None:
        answered = {row.form.requirement_id.data for row in form.responses}
        append_rows(
            form.responses,
            (
                {"requirement_id": str(requirement.id)}
                for requirement in demand.requirements
                if str(requirement.id) not in answered
            ),
        )
    for row in form.responses:
        row.form.compliance.choices = compliance


def _form_input(form: ProposalForm, demand) -> services.ProposalInput:
    return services.ProposalInput(
        demand_id=demand.id if demand else None,
        target_agency_id=form.target_agency_id.data or None,
        target_code=form.target_code.data or "",
        product_id=form.product_id.data or None,
        title=form.title.data or "",
        summary=form.summary.data or "",
        price_offer=form.price_offer.data,
        delivery_plan=form.delivery_plan.data or "",
        delivery_days=form.delivery_days.data,
        responses=[
            services.ResponseInput(
                requirement_id=posted_id(row.form.requirement_id.data) or -1,
                compliance=row.form.compliance.data or "",
                offered_value=row.form.offered_value.data or "",
                evidence=row.form.evidence.data or "",
            )
            for row in form.responses
        ],
    )


def _render_form(form, demand, proposal, status: int):
    requirements = {r.id: r for r in demand.requirements} if demand else {}
    return (
        render_template(
            "proposals/form.html",
            form=form,
            demand=demand,
            requirements=requirements,
            proposal=proposal,
        ),
        status,
    )


@bp.route("/new", methods=["GET", "POST"])
@authz.roles(Role.SUPPLIER, acting=True)
def new():
    demand_id = request.args.get("demand", type=int)
    demand = demands.get_demand(current_user, demand_id) if demand_id else None
    form = ProposalForm()
    if request.method == "GET":
        if demand is not None:
            form.title.data = _("Proposal for: %(title)s", title=demand.title)[:200]
        form.target_agency_id.data = request.args.get("agency", "")
    _prepare(form, demand)
    if form.validate_on_submit():
        proposal, status = attempt(
            form,
            lambda: services.create_proposal(
                current_user._get_current_object(), _form_input(form, demand)
            ),
        )
        if status:
            return _render_form(form, demand, None, status)
        flash(_("The draft is saved. Only your company can see it until you submit it."), "success")
        return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    return _render_form(form, demand, None, 400 if form.is_submitted() else 200)


@bp.route("/<int:proposal_id>/edit", methods=["GET", "POST"])
@authz.roles(Role.SUPPLIER, acting=True)
def edit(proposal_id: int):
    proposal = services.get_proposal(current_user, proposal_id)
    if not policy.can_edit_proposal(current_user, proposal):
        abort(403)
    demand = proposal.demand
    form = ProposalForm(obj=proposal if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = proposal.version
        form.product_id.data = str(proposal.product_id or "")
        form.target_agency_id.data = str(proposal.target_agency_id or "")
        while len(form.responses) > 0:
            form.responses.pop_entry()
        for requirement in demand.requirements if demand else []:
            answer = proposal.response_for(requirement.id)
            form.responses.append_entry(
                {
                    "requirement_id": str(requirement.id),
                    "compliance": answer.compliance if answer else "",
                    "offered_value": answer.offered_value if answer else "",
                    "evidence": answer.evidence if answer else "",
                }
            )
    _prepare(form, demand)
    if form.validate_on_submit():
        _done, status = attempt(
            form,
            lambda: services.update_proposal(
                current_user._get_current_object(),
                proposal,
                _form_input(form, demand),
                form.loaded_version(),
            ),
        )
        if status:
            return _render_form(form, demand, proposal, status)
        flash(_("The draft is saved."), "success")
        return redirect(url_for("proposals.detail", proposal_id=proposal.id))
    return _render_form(form, demand, proposal, 400 if form.is_submitted() else 200)


@bp.route("/<int:proposal_id>")
@authz.signed_in
def detail(proposal_id: int):
    user = current_user
    revising = services.being_revised_for(user, proposal_id)
    if revising is not None:
        # The agency followed a link to a proposal its supplier took back to revise: say so
        # (its draft stays the supplier's), rather than that it does not exist.
        return render_template("proposals/being_revised.html", proposal=revising)
    proposal = services.get_proposal(current_user, proposal_id)
    can_edit = policy.can_edit_proposal(user, proposal)
    # A draft on a demand that no longer takes proposals can only be withdrawn.
    demand = proposal.demand  # None: an unsolicited proposal, sendable at any time
    early = can_edit and demand is not None and demands.opens_later(demand)
    unsendable = (
        can_edit and demand is not None and not early and not demands.accepts_proposals(demand)
    )
    return render_template(
        "proposals/detail.html",
        proposal=proposal,
        attachments=attachments_of("proposal", proposal.id),
        is_owner=policy.acts_for(user, proposal.supplier_id),
        can_edit=can_edit and not unsendable,
        unsendable=unsendable,
        opens_on=demand.opens_on if early else None,
        decision_reason=services.decision_reason_of(proposal),
        can_decide=policy.can_decide_proposal(user, proposal),
        # The receiving agency (and operators) reach the supplier through who sent it.
        contact=services.contact_of(proposal)
        if policy.can_decide_proposal(user, proposal) or policy.is_operator(user)
        else None,
        earlier_version=services.answers_an_earlier_version(proposal),
        answered=services.answered_requirements(proposal),
        may_revise=policy.acts_for(user, proposal.supplier_id) and services.may_revise(proposal),
        action_form=ActionForm(),
        decision_form=DecisionForm(),
    )


@bp.route("/<int:proposal_id>/submit", methods=["POST"])
@authz.roles(Role.SUPPLIER, acting=True)
def submit(proposal_id: int):
    proposal = services.get_proposal(current_user, proposal_id)
    services.submit(current_user._get_current_object(), proposal, posted_version())
    db.session.commit()
    flash(_("Your proposal is submitted. The agency has been notified."), "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id))


@bp.route("/<int:proposal_id>/reopen", methods=["POST"])
@authz.roles(Role.SUPPLIER, acting=True)
def reopen(proposal_id: int):
    proposal = services.get_proposal(current_user, proposal_id)
    services.reopen(current_user._get_current_object(), proposal, posted_version())
    db.session.commit()
    flash(
        _(
            "Your proposal is a draft again. Answer the amended demand and submit it; the "
            "agency is told when you do."
        ),
        "success",
    )
    return redirect(url_for("proposals.edit", proposal_id=proposal.id))


@bp.route("/<int:proposal_id>/withdraw", methods=["POST"])
@authz.roles(Role.SUPPLIER, acting=True)
def withdraw(proposal_id: int):
    proposal = services.get_proposal(current_user, proposal_id)
    services.withdraw(current_user._get_current_object(), proposal)
    db.session.commit()
    flash(_("Your proposal is withdrawn."), "success")
    return redirect(url_for("proposals.detail", proposal_id=proposal.id))


@bp.route("/<int:proposal_id>/decide", methods=["POST"])
@authz.roles(Role.OFFICER, Role.OPERATOR, acting=True)
def decide(proposal_id: int):
    proposal = services.get_proposal(current_user, proposal_id)
    form = DecisionForm()
    services.decide(
        current_user._get_current_object(),
        proposal,
        form.decision.data or "",
        form.reason.data or "",
        posted_version(),
    )
    db.session.commit()
    flash(
        _(
            "The proposal is now %(status)s. The supplier has been notified.",
            status=PROPOSAL_STATUS.get(proposal.status, proposal.status),
        ),
        "success",
    )
    return redirect(
        safe_next(request.form.get("next")) or url_for("proposals.detail", proposal_id=proposal.id)
    )
