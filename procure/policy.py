"""Who may read and change each kind of market record: the object-level half of authorisation.

The route-level half is ``authz``. Both fail closed; services and queries call these functions
so pages, the API, search results, attachments and notifications apply the same rules.
"""

from __future__ import annotations

from sqlalchemy import false, or_, select, true

from procure.models import (
    CitizenIdea,
    Demand,
    DemandStatus,
    IdeaStatus,
    Product,
    ProductStatus,
    ProposalStatus,
    ReverseProposal,
    Role,
)


def is_operator(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.OPERATOR))


def acts_for(user, organisation_id: int | None) -> bool:
    """The user is an approved member of this (verified) organisation."""
    return bool(
        organisation_id is not None
        and user is not None
        and user.is_authenticated
        and user.organisation_id == organisation_id
        and user.can_act_for_organisation
    )


# -- demands ------------------------------------------------------------------------------


def can_read_demand(user, demand: Demand) -> bool:
    if demand.deleted_at is not None:
        return is_operator(user) or acts_for(user, demand.agency_id)
    if demand.status != DemandStatus.DRAFT:
        return True
    return is_operator(user) or acts_for(user, demand.agency_id)


#: ``Demand.source`` of the R&D demands operators publish from a demand gap (procure/insights).
GAP_SOURCE = "gap"


def manages_demand(user, demand: Demand) -> bool:
    """Acts as the demand's buyer: edits it, answers its questions, closes it, decides its
    proposals. The agency's officers; for an R&D demand published from a demand gap, which
    belongs to the operators' organisation, its operators."""
    if user is None or not user.is_authenticated or not acts_for(user, demand.agency_id):
        return False
    if user.has_role(Role.OFFICER):
        return True
    return demand.source == GAP_SOURCE and is_operator(user)


def can_edit_demand(user, demand: Demand) -> bool:
    return (
        demand.status != DemandStatus.CLOSED
        and demand.deleted_at is None
        and manages_demand(user, demand)
    )


def demand_filter(user):
    """SQL condition: the demands this user may see in lists."""
    visible = Demand.status != DemandStatus.DRAFT
    if is_operator(user):
        return true()
    if user is not None and user.is_authenticated and user.can_act_for_organisation:
        return (Demand.deleted_at.is_(None)) & (
            visible | (Demand.agency_id == user.organisation_id)
        )
    return (Demand.deleted_at.is_(None)) & visible


# -- products -----------------------------------------------------------------------------


def can_read_product(user, product: Product) -> bool:
    if product.status == ProductStatus.LISTED and product.deleted_at is None:
        return True
    return is_operator(user) or acts_for(user, product.supplier_id)


def can_edit_product(user, product: Product) -> bool:
    return (
        product.status != ProductStatus.ARCHIVED
        and user.is_authenticated
        and user.has_role(Role.SUPPLIER)
        and acts_for(user, product.supplier_id)
    )


def product_filter(user):
    listed = (Product.status == ProductStatus.LISTED) & Product.deleted_at.is_(None)
    if is_operator(user):
        return true()
    if user is not None and user.is_authenticated and user.can_act_for_organisation:
        return listed | (Product.supplier_id == user.organisation_id)
    return listed


# -- reverse proposals: confidential ------------------------------------------------------


def is_sent(proposal: ReverseProposal) -> bool:
    """Whether what the proposal holds was sent: not a draft, nor withdrawn as one (a draft
    never sent, or taken back to revise and then withdrawn). Until then it is its supplier's."""
    return proposal.status != ProposalStatus.DRAFT and not proposal.withdrawn_unsent


def sent_proposals():
    """SQL twin of :func:`is_sent`."""
    return (ReverseProposal.status != ProposalStatus.DRAFT) & ReverseProposal.withdrawn_unsent.is_(
        False
    )


def can_read_proposal(user, proposal: ReverseProposal) -> bool:
    """Only its supplier, the receiving agency, operators and the evaluators assigned to it."""
    if user is None or not user.is_authenticated:
        return False
    if acts_for(user, proposal.supplier_id):
        return True
    if not is_sent(proposal):
        return False
    if is_operator(user):
        return True
    if acts_for(user, proposal.receiving_agency_id):
        return True
    return is_assigned_evaluator(user, proposal.id)


def _assigned_proposals(user):
    """SQL: ids of proposals in open or later rounds on whose panel the user sits, for which
    the user has declared no conflict of interest, and not from the user's own organisation.

    The declaration comes first: until an evaluator has declared, the proposal (its price,
    answers and files) stays closed to them, as the dossier does (``evaluation.services``).
    """
    from procure.models import ConflictDeclaration, EvaluationRound, RoundEvaluator, RoundItem

    cleared = select(ConflictDeclaration.item_id).where(
        ConflictDeclaration.evaluator_id == user.id, ConflictDeclaration.has_conflict.is_(False)
    )
    query = (
        select(RoundItem.proposal_id)
        .join(EvaluationRound, EvaluationRound.id == RoundItem.round_id)
        .join(RoundEvaluator, RoundEvaluator.round_id == RoundItem.round_id)
        .where(
            RoundEvaluator.user_id == user.id,
            RoundItem.proposal_id.is_not(None),
            EvaluationRound.status != "draft",
            RoundItem.id.in_(cleared),
        )
    )
    if user.organisation_id is not None:
        query = query.where(
            RoundItem.proposal_id.not_in(
                select(ReverseProposal.id).where(
                    ReverseProposal.supplier_id == user.organisation_id
                )
            )
        )
    return query


def is_assigned_evaluator(user, proposal_id: int) -> bool:
    from procure.extensions import db
    from procure.models import RoundItem

    if not user.has_role(Role.EVALUATOR):
        return False
    found = db.session.scalar(
        _assigned_proposals(user).where(RoundItem.proposal_id == proposal_id).limit(1)
    )
    return found is not None


def can_edit_proposal(user, proposal: ReverseProposal) -> bool:
    return (
        proposal.status == ProposalStatus.DRAFT
        and user.is_authenticated
        and user.has_role(Role.SUPPLIER)
        and acts_for(user, proposal.supplier_id)
    )


def can_decide_proposal(user, proposal: ReverseProposal) -> bool:
    """The receiving agency's officers decide (the operators, for a gap R&D demand's proposals);
    operators decide category-only proposals."""
    if proposal.status == ProposalStatus.DRAFT or not user.is_authenticated:
        return False
    agency = proposal.receiving_agency_id
    if agency is None:
        return is_operator(user)
    if proposal.demand is not None and proposal.demand.agency_id == agency:
        return manages_demand(user, proposal.demand)
    return user.has_role(Role.OFFICER) and acts_for(user, agency)


def proposal_filter(user):
    """SQL condition: the proposals this user may see. Nothing for anonymous callers."""
    if user is None or not user.is_authenticated:
        return false()
    if user.has_role(Role.EVALUATOR) and not is_operator(user):
        assigned = ReverseProposal.id.in_(_assigned_proposals(user))
        return assigned | _member_proposal_filter(user)
    return _member_proposal_filter(user)


def _member_proposal_filter(user):
    not_draft = sent_proposals()
    if is_operator(user):
        own = (
            ReverseProposal.supplier_id == user.organisation_id
            if user.can_act_for_organisation
            else false()
        )
        return not_draft | own
    if not user.can_act_for_organisation:
        return false()
    org = user.organisation_id
    to_agency = not_draft & or_(
        ReverseProposal.target_agency_id == org,
        ReverseProposal.demand_id.in_(select(Demand.id).where(Demand.agency_id == org)),
    )
    return (ReverseProposal.supplier_id == org) | to_agency


# -- citizen ideas ------------------------------------------------------------------------


PUBLIC_IDEA_STATES = (IdeaStatus.APPROVED, IdeaStatus.ADOPTED)


def can_read_idea(user, idea: CitizenIdea) -> bool:
    if idea.status in PUBLIC_IDEA_STATES:
        return True
    return bool(user and user.is_authenticated and (user.id == idea.author_id or is_operator(user)))


def can_edit_idea(user, idea: CitizenIdea) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.id == idea.author_id
        and idea.status == IdeaStatus.SUBMITTED
    )


def idea_filter(user):
    public = CitizenIdea.status.in_(PUBLIC_IDEA_STATES)
    if is_operator(user):
        return true()
    if user is not None and user.is_authenticated:
        return public | (CitizenIdea.author_id == user.id)
    return public


# -- pilots: photos and documents of the field report ---------------------------------------


def can_read_pilot(user, pilot) -> bool:
    from procure.pilots.services import can_read_pilot as rule

    return rule(user, pilot)


def can_edit_pilot_files(user, pilot) -> bool:
    """The using agency's officers attach photos and documents while the pilot is in use."""
    return bool(
        pilot.status in ("in_use", "reported")
        and user.is_authenticated
        and user.has_role(Role.OFFICER)
        and acts_for(user, pilot.agency_id)
    )


# -- competitive dialogue: private per partner ---------------------------------------------


def can_read_dialogue_thread(user, participant) -> bool:
    from procure.dialogue.services import can_read_participant

    return can_read_participant(user, participant)


def can_edit_dialogue_thread(user, participant) -> bool:
    from procure.dialogue.services import can_edit_thread_files

    return can_edit_thread_files(user, participant)


def can_read_dialogue_proposal(user, proposal) -> bool:
    from procure.dialogue.services import can_read_proposal

    return can_read_proposal(user, proposal)


def can_edit_dialogue_proposal(user, proposal) -> bool:
    from procure.dialogue.services import can_edit_proposal_files

    return can_edit_proposal_files(user, proposal)


# -- dispatch by kind, for attachments ---------------------------------------------------

_READ = {
    "demand": can_read_demand,
    "product": can_read_product,
    "proposal": can_read_proposal,
    "idea": can_read_idea,
    "pilot": can_read_pilot,
    "dialogue_thread": can_read_dialogue_thread,
    "dialogue_proposal": can_read_dialogue_proposal,
}
_EDIT = {
    "demand": can_edit_demand,
    "product": can_edit_product,
    "proposal": can_edit_proposal,
    "idea": can_edit_idea,
    "pilot": can_edit_pilot_files,
    "dialogue_thread": can_edit_dialogue_thread,
    "dialogue_proposal": can_edit_dialogue_proposal,
}


def can_read(user, kind: str, obj) -> bool:
    check = _READ.get(kind)
    return bool(check and check(user, obj))


def can_edit(user, kind: str, obj) -> bool:
    check = _EDIT.get(kind)
    return bool(check and check(user, obj))
