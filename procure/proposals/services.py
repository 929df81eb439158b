"""The rules of reverse proposals: drafting, point-by-point answers, decisions, confidentiality."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from procure import policy
from procure.audit.services import record
from procure.checks import Checker
from procure.classification.services import check_codes
from procure.clock import local_today
from procure.demands.services import accepts_proposals, running_dialogue
from procure.errors import Conflict, Forbidden, NotFound, stale_message
from procure.extensions import db
from procure.labels import PROPOSAL_STATUS, label
from procure.matching_service import record_feedback
from procure.models import (
    Compliance,
    Demand,
    DemandStatus,
    Organisation,
    OrganisationKind,
    Product,
    ProductStatus,
    ProposalStatus,
    RequirementResponse,
    ReverseProposal,
    Role,
    RoundItem,
    User,
)
from procure.models.base import utcnow
from procure.notifications.services import members, notify, operators

S = ProposalStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.SHORTLISTED, S.DECLINED, S.WITHDRAWN, S.DRAFT}),
    S.SHORTLISTED: frozenset({S.ACCEPTED, S.DECLINED, S.WITHDRAWN}),
    S.DECLINED: frozenset(),
    S.ACCEPTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
DECISIONS = (S.SHORTLISTED, S.DECLINED, S.ACCEPTED)
#: Proposals still waiting for the agency: declined when their demand closes.
OPEN_STATES = (S.SUBMITTED, S.SHORTLISTED)


def DIALOGUE_ONLY():  # noqa: N802 - a message, read in the request's language
    return _(
        "This demand is procured through a competitive dialogue. Take part in the dialogue "
        "instead of sending a proposal."
    )


@dataclass
class ResponseInput:
    requirement_id: int
    compliance: str = ""
    offered_value: str = ""
    evidence: str = ""


@dataclass
class ProposalInput:
    demand_id: object = None
    target_agency_id: object = None
    target_code: str = ""
    product_id: object = None
    title: str = ""
    summary: str = ""
    price_offer: object = None
    delivery_plan: str = ""
    delivery_days: object = None
    responses: list = field(default_factory=list)


def _require_supplier(actor: User, supplier_id: int | None = None) -> None:
    if not actor.has_role(Role.SUPPLIER) or not actor.can_act_for_organisation:
        raise Forbidden(_("Only verified suppliers can send proposals."))
    if supplier_id is not None and actor.organisation_id != supplier_id:
        raise NotFound(_("This proposal does not exist."))


def _validated(actor: User, data: ProposalInput, existing: ReverseProposal | None = None) -> dict:
    check = Checker()
    values = {
        "title": check.text("title", data.title, 200, required=True),
        "summary": check.text("summary", data.summary, 20_000, required=True),
        "price_offer": check.integer("price_offer", data.price_offer),
        "delivery_plan": check.text("delivery_plan", data.delivery_plan, 5_000),
        "delivery_days": check.integer(
            "delivery_days", data.delivery_days, minimum=1, maximum=3650
        ),
    }
    demand = existing.demand if existing is not None else None
    if existing is None:
        demand_id = check.integer("demand_id", data.demand_id, minimum=1, maximum=2**62)
        agency_id = check.integer(
            "target_agency_id", data.target_agency_id, minimum=1, maximum=2**62
        )
        codes = check_codes(check, "target_code", [data.target_code] if data.target_code else [])
        if demand_id:
            demand = db.session.get(Demand, demand_id)
            if demand is None or not policy.can_read_demand(actor, demand):
                check.fail("demand_id", _("This demand does not exist."))
                demand = None
            elif demand.status != DemandStatus.PUBLISHED:
                check.fail("demand_id", _("This demand is not open for proposals."))
            elif running_dialogue(demand) is not None:
                check.fail("demand_id", DIALOGUE_ONLY())
        elif agency_id:
            agency = db.session.get(Organisation, agency_id)
            if agency is None or agency.kind != OrganisationKind.AGENCY or not agency.is_verified:
                check.fail("target_agency_id", _("Choose a verified agency."))
        elif not codes:
            check.fail("demand_id", _("Choose a demand to answer, an agency, or a category."))
        values.update(
            demand_id=demand.id if demand else None,
            target_agency_id=None if demand_id else agency_id,
            target_code=codes[0] if codes and not demand_id else None,
        )
    product_id = check.integer("product_id", data.product_id, minimum=1, maximum=2**62)
    if product_id:
        product = db.session.get(Product, product_id)
        if product is None or product.supplier_id != actor.organisation_id:
            check.fail("product_id", _("Choose one of your own products."))
    values["product_id"] = product_id
    values["responses"] = _validated_responses(check, demand, data.responses)
    check.done()
    return values


def _validated_responses(check: Checker, demand: Demand | None, raw) -> dict[int, dict]:
    if demand is None:
        return {}
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        check.fail("responses", _("Give the answers as a list."))
        return {}
    requirement_ids = {r.id for r in demand.requirements}
    out: dict[int, dict] = {}
    for index, item in enumerate(raw):
        if isinstance(item, dict):
            item = ResponseInput(
                requirement_id=item.get("requirement_id"),
                compliance=item.get("compliance", ""),
                offered_value=item.get("offered_value", ""),
                evidence=item.get("evidence", ""),
            )
        if (
            not isinstance(item, ResponseInput)
            or not isinstance(item.requirement_id, int)
            or item.requirement_id not in requirement_ids
        ):
            check.fail(
                f"responses-{index}",
                _("This answer is for a requirement the demand does not have."),
            )
            continue
        if item.requirement_id in out:
            check.fail(
                f"responses-{index}", _("This requirement is answered twice; keep one answer.")
            )
            continue
        compliance = check.choice(
            f"responses-{index}-compliance", item.compliance, set(Compliance), required=False
        )
        out[item.requirement_id] = {
            "compliance": compliance,
            "offered_value": check.text(
                f"responses-{index}-offered_value", item.offered_value, 200
            ),
            "evidence": check.text(f"responses-{index}-evidence", item.evidence, 5000),
        }
    return out


def _apply(proposal: ReverseProposal, values: dict) -> None:
    for name in ("title", "summary", "price_offer", "delivery_plan", "delivery_days", "product_id"):
        setattr(proposal, name, values[name])
    current = {r.requirement_id: r for r in proposal.responses}
    rows = []
    for requirement_id, answer in values["responses"].items():
        row = current.get(requirement_id) or RequirementResponse(requirement_id=requirement_id)
        row.compliance = answer["compliance"] or ""
        row.offered_value, row.evidence = answer["offered_value"], answer["evidence"]
        rows.append(row)
    proposal.responses = rows


def snapshot(proposal: ReverseProposal) -> dict:
    return {
        "title": proposal.title,
        "status": proposal.status,
        "demand_id": proposal.demand_id,
        "target_agency_id": proposal.target_agency_id,
        "target_code": proposal.target_code,
        "product_id": proposal.product_id,
        "price_offer": proposal.price_offer,
        "delivery_days": proposal.delivery_days,
        "responses": {
            str(r.requirement_id): [r.compliance, r.offered_value] for r in proposal.responses
        },
    }


def create_proposal(actor: User, data: ProposalInput) -> ReverseProposal:
    _require_supplier(actor)
    values = _validated(actor, data)
    proposal = ReverseProposal(
        supplier_id=actor.organisation_id,
        created_by_id=actor.id,
        demand_id=values["demand_id"],
        target_agency_id=values["target_agency_id"],
        target_code=values["target_code"],
        status=S.DRAFT,
    )
    _apply(proposal, values)
    db.session.add(proposal)
    db.session.flush()
    record("proposal.created", "proposal", proposal.id, actor=actor, after=snapshot(proposal))
    return proposal


def update_proposal(
    actor: User, proposal: ReverseProposal, data: ProposalInput, version: int
) -> ReverseProposal:
    _require_supplier(actor, proposal.supplier_id)
    if version != proposal.version:
        raise Conflict(stale_message())
    if proposal.status != S.DRAFT:
        raise Conflict(_("A proposal can be changed only while it is a draft."))
    values = _validated(actor, data, existing=proposal)
    before = snapshot(proposal)
    _apply(proposal, values)
    proposal.updated_at = utcnow()
    db.session.flush()
    record(
        "proposal.updated",
        "proposal",
        proposal.id,
        actor=actor,
        before=before,
        after=snapshot(proposal),
    )
    return proposal


def _move(proposal: ReverseProposal, target: str) -> None:
    if target not in TRANSITIONS[proposal.status]:
        raise Conflict(
            _(
                "A proposal that is %(state)s cannot become %(target)s.",
                state=label(PROPOSAL_STATUS, proposal.status),
                target=label(PROPOSAL_STATUS, target),
            )
        )


def _offerable(product: Product) -> bool:
    """A product a sent proposal may offer: listed, so that the agency can open it."""
    return product.status == ProductStatus.LISTED and product.deleted_at is None


def submit(actor: User, proposal: ReverseProposal, version: int | None = None) -> ReverseProposal:
    """draft → submitted: a proposal to a demand must answer every requirement, before it closes."""
    _require_supplier(actor, proposal.supplier_id)
    if version is not None and version != proposal.version:
        raise Conflict(stale_message())
    _move(proposal, S.SUBMITTED)
    check = Checker()
    demand = proposal.demand
    if demand is not None:
        if demand.status != DemandStatus.PUBLISHED:
            check.fail("demand_id", _("The demand is no longer open for proposals."))
        elif running_dialogue(demand) is not None:
            check.fail("demand_id", DIALOGUE_ONLY())
        elif demand.closes_on and demand.closes_on < local_today():
            check.fail(
                "demand_id", _("The demand closed on %(day)s.", day=demand.closes_on.isoformat())
            )
        elif demand.opens_on and demand.opens_on > local_today():
            check.fail(
                "demand_id",
                _("The demand takes proposals from %(day)s.", day=demand.opens_on.isoformat()),
            )
        if proposal.product is not None and not _offerable(proposal.product):
            check.fail(
                "product_id",
                _(
                    "The product “%(name)s” is not listed, so the agency could not open it. "
                    "List it first, or choose another.",
                    name=proposal.product.name,
                ),
            )
        answered = {r.requirement_id for r in proposal.responses if r.compliance}
        for requirement in demand.requirements:
            if requirement.id not in answered:
                check.fail(
                    f"requirement-{requirement.id}",
                    _("Answer the requirement “%(name)s”.", name=requirement.name),
                )
    check.done(_("The proposal is not ready to submit."))
    proposal.status = S.SUBMITTED
    proposal.submitted_at = utcnow()
    proposal.demand_revision = demand.revision if demand is not None else None
    db.session.flush()
    record(
        "proposal.submitted",
        "proposal",
        proposal.id,
        actor=actor,
        before={"status": S.DRAFT},
        after={"status": S.SUBMITTED},
    )
    recipients = (
        members(proposal.receiving_agency_id) if proposal.receiving_agency_id else operators()
    )
    title = demand.title if demand is not None else proposal.title
    notify(
        [u for u in recipients if u.has_role(Role.OFFICER, Role.OPERATOR)],
        "proposal.received",
        lambda: _("New proposal received: “%(title)s”", title=title),
        lambda: _("A supplier has sent a proposal. Open it to compare and decide."),
        url_for("proposals.detail", proposal_id=proposal.id),
    )
    return proposal


def contact_of(proposal: ReverseProposal) -> User | None:
    """The supplier's member who wrote the proposal (the person to call about it); nobody once
    that account is closed or deactivated."""
    user = db.session.get(User, proposal.created_by_id) if proposal.created_by_id else None
    return user if user is not None and user.is_active else None


def answers_an_earlier_version(proposal: ReverseProposal) -> bool:
    """The demand was amended after the proposal was sent."""
    demand = proposal.demand
    return bool(
        demand is not None
        and proposal.demand_revision
        and proposal.demand_revision < demand.revision
        and proposal.status != S.DRAFT
    )


def answered_requirements(proposal: ReverseProposal) -> dict[str, dict] | None:
    """The demand's requirements as they stood in the version the proposal answered, by name
    (requirements keep their name across versions); None when the demand is unchanged since."""
    if not answers_an_earlier_version(proposal):
        return None
    # The demand's revisions load once for all its proposals (the comparison shows many).
    row = next(
        (r for r in proposal.demand.revisions if r.revision == proposal.demand_revision), None
    )
    if row is None:
        return None
    return {item["name"]: item for item in row.snapshot.get("requirements", [])}


def may_revise(proposal: ReverseProposal) -> bool:
    """A sent proposal its supplier may take back to revise: the demand was amended after it
    was sent, no decision has been made on it, and the demand is still open."""
    demand = proposal.demand
    return (
        proposal.status == S.SUBMITTED
        and answers_an_earlier_version(proposal)
        and accepts_proposals(demand)
        # Not when it could not be sent again (the suppliers are in a dialogue now), nor
        # while evaluators score it as it stands (a dossier never changes under evaluation).
        and running_dialogue(demand) is None
        and not _in_an_evaluation_round(proposal)
    )


def _in_an_evaluation_round(proposal: ReverseProposal) -> bool:
    return (
        db.session.scalar(select(RoundItem.id).where(RoundItem.proposal_id == proposal.id))
        is not None
    )


def reopen(actor: User, proposal: ReverseProposal, version: int | None = None) -> ReverseProposal:
    """submitted → draft, to answer an amended demand; sending it again tells the agency."""
    _require_supplier(actor, proposal.supplier_id)
    if version is not None and version != proposal.version:
        raise Conflict(stale_message())
    if not may_revise(proposal):
        raise Conflict(
            _(
                "Only a sent proposal with no decision yet, to a demand amended since and still "
                "open, and not in an evaluation round, can be taken back to revise."
            )
        )
    proposal.status = S.DRAFT
    proposal.updated_at = utcnow()
    db.session.flush()
    record(
        "proposal.reopened",
        "proposal",
        proposal.id,
        actor=actor,
        before={"status": S.SUBMITTED, "demand_revision": proposal.demand_revision},
        after={"status": S.DRAFT},
    )
    title = proposal.demand.title
    notify(
        [u for u in members(proposal.receiving_agency_id) if u.has_role(Role.OFFICER)],
        "proposal.reopened",
        lambda: _("A proposal to “%(title)s” is being revised", title=title),
        lambda: _(
            "The supplier took its proposal back to answer the amended demand. You are told "
            "when it is sent again."
        ),
        url_for("demands.compare", demand_id=proposal.demand_id),
    )
    return proposal


def withdraw(actor: User, proposal: ReverseProposal) -> ReverseProposal:
    """The supplier withdraws its proposal; an agency that received it is told.

    A draft withdrawn (never sent, or taken back to revise) keeps what it holds from the
    agency: only what was sent is ever shown to it.
    """
    _require_supplier(actor, proposal.supplier_id)
    _move(proposal, S.WITHDRAWN)
    before = proposal.status
    proposal.status = S.WITHDRAWN
    proposal.withdrawn_unsent = before == S.DRAFT
    proposal.decided_at = utcnow()
    db.session.flush()
    record(
        "proposal.withdrawn",
        "proposal",
        proposal.id,
        actor=actor,
        before={"status": before},
        after={"status": S.WITHDRAWN, "unsent": proposal.withdrawn_unsent},
    )
    if proposal.submitted_at is not None and proposal.receiving_agency_id is not None:
        title = proposal.title if not proposal.withdrawn_unsent else None
        demand = proposal.demand.title if proposal.demand is not None else None
        notify(
            [u for u in members(proposal.receiving_agency_id) if u.has_role(Role.OFFICER)],
            "proposal.withdrawn",
            lambda: (
                _("A proposal to “%(title)s” was withdrawn", title=demand)
                if demand
                else _("A proposal to your agency was withdrawn")
            ),
            lambda: (
                _("Its supplier withdrew “%(title)s”; it takes no further part.", title=title)
                if title
                else _("Its supplier withdrew it while revising it; the revision was never sent.")
            ),
            url_for("proposals.detail", proposal_id=proposal.id),
        )
    return proposal


def decide(
    actor: User,
    proposal: ReverseProposal,
    decision: str,
    reason: str = "",
    version: int | None = None,
) -> ReverseProposal:
    """The receiving agency shortlists, declines (with a reason) or accepts a proposal."""
    if not policy.can_read_proposal(actor, proposal):
        raise NotFound(_("This proposal does not exist."))
    if not policy.can_decide_proposal(actor, proposal):
        raise Forbidden(_("Only the receiving agency's officers can decide on this proposal."))
    if version is not None and version != proposal.version:
        raise Conflict(stale_message())
    if decision not in DECISIONS:
        raise Conflict(_("Unknown decision."))
    if proposal.demand is not None and proposal.demand.status != DemandStatus.PUBLISHED:
        raise Conflict(_("The demand is closed; its proposals can no longer be decided."))
    if proposal.demand is not None and running_dialogue(proposal.demand) is not None:
        raise Conflict(
            _(
                "A competitive dialogue is running on this demand: the suppliers take part in "
                "it, and the award is decided there."
            )
        )
    _move(proposal, decision)
    check = Checker()
    reason = check.text("reason", reason, 2000, required=decision == S.DECLINED)
    check.done()
    record_feedback(proposal.demand_id, proposal.product_id, decision, "proposal", actor)
    _settle(actor, proposal, decision, reason, lambda: reason)
    return proposal


def _settle(actor: User, proposal: ReverseProposal, decision: str, reason: str, body) -> None:
    """Record a decision on a proposal (the agency's, or the demand's closing), audit it and
    tell the supplier; ``body`` is the notice's text, read in each language."""
    before = proposal.status
    proposal.status = decision
    proposal.decision_reason = reason or None
    proposal.decided_at = proposal.updated_at = utcnow()
    proposal.decided_by_id = actor.id
    db.session.flush()
    record(
        f"proposal.{decision}",
        "proposal",
        proposal.id,
        actor=actor,
        before={"status": before},
        after={"status": decision, "reason": reason or None},
    )
    title = proposal.title
    notify(
        members(proposal.supplier_id),
        "proposal.status",
        lambda: _(
            "Your proposal “%(title)s” is now %(status)s",
            title=title,
            status=label(PROPOSAL_STATUS, decision),
        ),
        body,
        url_for("proposals.detail", proposal_id=proposal.id),
    )


def declined_by_closing(proposal: ReverseProposal) -> bool:
    """Declined when its demand closed (no decision is taken on a closed demand otherwise)."""
    demand = proposal.demand
    return bool(
        proposal.status == S.DECLINED
        and demand is not None
        and demand.status == DemandStatus.CLOSED
        and demand.closed_at is not None
        and proposal.decided_at is not None
        and proposal.decided_at >= demand.closed_at
    )


def decision_reason_of(proposal: ReverseProposal) -> str | None:
    """The reason for the decision as the reader should see it, in the reader's language."""
    from procure.labels import DEMAND_OUTCOME

    if not declined_by_closing(proposal):
        return proposal.decision_reason
    demand = proposal.demand
    sentence = _(
        "The demand was closed (%(outcome)s).", outcome=label(DEMAND_OUTCOME, demand.outcome)
    )
    return f"{sentence} {demand.outcome_note}" if demand.outcome_note else sentence


def close_open_proposals(actor: User, demand: Demand) -> list[ReverseProposal]:
    """The demand has closed: every proposal still waiting for a decision is declined, with
    the demand's outcome as the reason, and its supplier is told. Drafts stay drafts (they
    can no longer be submitted); decided and withdrawn proposals are left as they are."""
    from procure.labels import DEMAND_OUTCOME

    waiting = db.session.scalars(
        select(ReverseProposal)
        .where(ReverseProposal.demand_id == demand.id, ReverseProposal.status.in_(OPEN_STATES))
        .order_by(ReverseProposal.id)
    ).all()
    # The stored reason is the agency's own note; the sentence around it is written in the
    # reader's language when shown (decision_reason_of), not in the closing officer's.
    reason = demand.outcome_note or ""

    def body():
        return _(
            "The demand “%(title)s” was closed (%(outcome)s).",
            title=demand.title,
            outcome=label(DEMAND_OUTCOME, demand.outcome),
        )

    for proposal in waiting:
        _settle(actor, proposal, S.DECLINED, reason[:2000], body)
    # Suppliers with an unsent draft hear that it can no longer be sent.
    drafting = db.session.scalars(
        select(ReverseProposal.supplier_id)
        .where(ReverseProposal.demand_id == demand.id, ReverseProposal.status == S.DRAFT)
        .distinct()
    ).all()
    if drafting:
        notify(
            [member for supplier_id in sorted(drafting) for member in members(supplier_id)],
            "proposal.demand_closed",
            lambda: _("“%(title)s” no longer takes proposals", title=demand.title),
            lambda: _(
                "The demand was closed (%(outcome)s); your draft proposal to it can no longer "
                "be sent.",
                outcome=label(DEMAND_OUTCOME, demand.outcome),
            ),
            url_for("demands.detail", demand_id=demand.id),
        )
    return waiting


def being_revised_for(user, proposal_id: int) -> ReverseProposal | None:
    """The proposal when it was sent to ``user``'s agency and its supplier has taken it back to
    revise (a draft again, once submitted), or withdrew it while revising; None otherwise. Only
    its demand may be shown: the draft itself is the supplier's until it is sent again."""
    proposal = db.session.get(ReverseProposal, proposal_id)
    if (
        proposal is None
        or policy.is_sent(proposal)
        or proposal.submitted_at is None
        or policy.acts_for(user, proposal.supplier_id)
        or not policy.acts_for(user, proposal.receiving_agency_id)
    ):
        return None
    return proposal


def get_proposal(user, proposal_id: int) -> ReverseProposal:
    """:raise NotFound: no such proposal, or one the user may not see (never 403: no leaks)."""
    proposal = db.session.get(ReverseProposal, proposal_id)
    if proposal is None or not policy.can_read_proposal(user, proposal):
        raise NotFound(_("This proposal does not exist."))
    return proposal


def visible_query(user):
    return select(ReverseProposal).where(policy.proposal_filter(user))


def for_demand(user, demand: Demand) -> list[ReverseProposal]:
    """The proposals to a demand that this user may see, with their answers loaded."""
    return list(
        db.session.scalars(
            visible_query(user)
            .where(ReverseProposal.demand_id == demand.id, policy.sent_proposals())
            .options(
                selectinload(ReverseProposal.responses), selectinload(ReverseProposal.supplier)
            )
            .order_by(ReverseProposal.submitted_at, ReverseProposal.id)
        )
    )


def for_demand_by_supplier(demand: Demand, supplier_id: int) -> list[ReverseProposal]:
    """A supplier's own proposals to a demand, drafts included."""
    return list(
        db.session.scalars(
            select(ReverseProposal)
            .where(
                ReverseProposal.demand_id == demand.id, ReverseProposal.supplier_id == supplier_id
            )
            .order_by(ReverseProposal.id)
        )
    )
