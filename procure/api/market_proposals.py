"""API v1: reverse proposals (역제안), confidential to their supplier and receiving agency."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user
from sqlalchemy.orm import selectinload

from procure import authz
from procure.api import bp
from procure.api.helpers import page_params, page_response
from procure.api.market_common import (
    OPTIONAL_VERSION,
    VERSION,
    Field,
    Filters,
    body_schema,
    check_version,
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
from procure.models import Compliance, ProposalStatus, ReverseProposal, Role
from procure.pagination import paginate
from procure.proposals import services

TAGS = ["proposals"]
S = ProposalStatus

PROPOSAL_FIELDS: dict[str, Field] = {
    "demand_id": Field(
        "int", minimum=1, create_only=True, description="The published demand it answers"
    ),
    "target_agency_id": Field(
        "int", minimum=1, create_only=True, description="Unsolicited: the agency it is sent to"
    ),
    "target_code": Field(
        "text", 16, create_only=True, description="Unsolicited: the CPV category it is for"
    ),
    "product_id": Field("int", minimum=1, description="One of your own products"),
    "title": Field("text", 200, nullable=False, description="Must not be empty"),
    "summary": Field("text", 20_000, nullable=False, description="Must not be empty"),
    "price_offer": Field("int", minimum=0, description="Won"),
    "delivery_plan": Field("text", 5_000),
    "delivery_days": Field("int", minimum=1, maximum=3650),
    "responses": Field(
        "rows",
        description=(
            "Point-by-point answers to the demand's requirements (every one is needed to "
            "submit). On update the list replaces the current one."
        ),
        row={
            "requirement_id": Field("int", nullable=False, required=True),
            "compliance": Field("choice", choices=tuple(Compliance)),
            "offered_value": Field("text", 200),
            "evidence": Field("text", 5_000),
        },
    ),
}
UPDATE_FIELDS = {**PROPOSAL_FIELDS, "version": VERSION}
TRANSITION_FIELDS = {"version": OPTIONAL_VERSION}
DECISION_FIELDS = {"reason": Field("text", 2000), "version": OPTIONAL_VERSION}
DECLINE_FIELDS = {
    "reason": Field("text", 2000, description="Required: the supplier reads it"),
    "version": OPTIONAL_VERSION,
}

SCHEMAS.update(
    {
        "Proposal": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "supplier": {"$ref": "#/components/schemas/OrganisationRef"},
                "demand": {
                    "oneOf": [
                        {
                            "type": "object",
                            "properties": {
                                "id": {"type": "integer"},
                                "title": {"type": "string"},
                                "agency": {"$ref": "#/components/schemas/OrganisationRef"},
                            },
                        },
                        {"type": "null"},
                    ]
                },
                "target_agency": {
                    "oneOf": [{"$ref": "#/components/schemas/OrganisationRef"}, {"type": "null"}]
                },
                "target_code": {"type": ["string", "null"]},
                "product_id": {"type": ["integer", "null"]},
                "title": {"type": "string"},
                "summary": {"type": "string"},
                "price_offer": {"type": ["integer", "null"]},
                "delivery_plan": {"type": "string"},
                "delivery_days": {"type": ["integer", "null"]},
                "status": {"type": "string", "enum": list(ProposalStatus)},
                "decision_reason": {"type": ["string", "null"]},
                "responses": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "requirement_id": {"type": "integer"},
                            "compliance": {"type": "string"},
                            "offered_value": {"type": "string"},
                            "evidence": {"type": "string"},
                        },
                    },
                },
                "submitted_at": {"type": ["string", "null"], "format": "date-time"},
                "demand_revision": {
                    "type": ["integer", "null"],
                    "description": "The version of the demand the proposal answered when sent",
                },
                "decided_at": {"type": ["string", "null"], "format": "date-time"},
                "created_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"},
                "version": {"type": "integer"},
            },
        }
    }
)


def proposal_json(proposal: ReverseProposal) -> dict:
    """Only ever called for a proposal the caller may read (``get_proposal``, ``visible_query``)."""
    demand = proposal.demand
    return {
        "id": proposal.id,
        "supplier": org_ref(proposal.supplier),
        "demand": (
            {"id": demand.id, "title": demand.title, "agency": org_ref(demand.agency)}
            if demand is not None
            else None
        ),
        "target_agency": org_ref(proposal.target_agency),
        "target_code": proposal.target_code,
        "product_id": proposal.product_id,
        "title": proposal.title,
        "summary": proposal.summary,
        "price_offer": proposal.price_offer,
        "delivery_plan": proposal.delivery_plan,
        "delivery_days": proposal.delivery_days,
        "status": proposal.status,
        "decision_reason": services.decision_reason_of(proposal),
        "responses": [
            {
                "requirement_id": r.requirement_id,
                "compliance": r.compliance,
                "offered_value": r.offered_value,
                "evidence": r.evidence,
            }
            for r in sorted(proposal.responses, key=lambda r: r.requirement_id)
        ],
        "submitted_at": iso(proposal.submitted_at),
        "demand_revision": proposal.demand_revision,
        "decided_at": iso(proposal.decided_at),
        "created_at": iso(proposal.created_at),
        "updated_at": iso(proposal.updated_at),
        "version": proposal.version,
    }


def current_input(proposal: ReverseProposal) -> services.ProposalInput:
    """The proposal as the service's input, so a PATCH changes only the fields it sends."""
    return services.ProposalInput(
        product_id=proposal.product_id,
        title=proposal.title,
        summary=proposal.summary,
        price_offer=proposal.price_offer,
        delivery_plan=proposal.delivery_plan,
        delivery_days=proposal.delivery_days,
        responses=proposal_json(proposal)["responses"],
    )


def _actor():
    return current_user._get_current_object()


@bp.route("/proposals", methods=["GET"])
@authz.signed_in
@document(
    "Proposals you may see: your company's, and those sent to your agency once submitted",
    parameters=[
        query_param("demand", {"type": "integer", "minimum": 1}, "The demand's id"),
        query_param("status", {"type": "string", "enum": list(ProposalStatus)}),
        *PAGE_PARAMS,
    ],
    responses=page_of("Proposal", "A page of proposals"),
    tags=TAGS,
)
def proposals():
    page, per_page = page_params()
    args = Filters()
    demand = args.integer("demand")
    status = args.choice("status", ProposalStatus)
    args.done()
    query = services.visible_query(current_user)
    if demand:
        query = query.where(ReverseProposal.demand_id == demand)
    if status:
        query = query.where(ReverseProposal.status == status)
    query = query.options(
        selectinload(ReverseProposal.responses),
        selectinload(ReverseProposal.supplier),
        selectinload(ReverseProposal.demand),
        selectinload(ReverseProposal.target_agency),
    ).order_by(ReverseProposal.id.desc())
    return page_response(paginate(query, page, per_page), proposal_json)


@bp.route("/proposals", methods=["POST"])
@authz.roles(Role.SUPPLIER, acting=True)
@document(
    "Save a draft proposal: to a published demand, to an agency, or for a category",
    body=body_schema(PROPOSAL_FIELDS),
    responses=one("Proposal", "The draft", "201"),
    tags=TAGS,
)
def create_proposal():
    data = read_body(PROPOSAL_FIELDS)
    proposal = services.create_proposal(_actor(), services.ProposalInput(**data))
    db.session.commit()
    return created(proposal_json(proposal), f"/api/v1/proposals/{proposal.id}")


@bp.route("/proposals/<int:proposal_id>", methods=["GET"])
@authz.signed_in
@document(
    "One proposal (404 unless it is your company's, or was sent to your agency)",
    responses=one("Proposal", "The proposal"),
    tags=TAGS,
)
def proposal(proposal_id: int):
    return jsonify(proposal_json(services.get_proposal(current_user, proposal_id)))


@bp.route("/proposals/<int:proposal_id>", methods=["PATCH"])
@authz.roles(Role.SUPPLIER, acting=True)
@document(
    "Change your draft proposal (send the version you read); fields left out keep their values",
    body=body_schema(UPDATE_FIELDS, updating=True),
    responses=one("Proposal", "The proposal"),
    tags=TAGS,
)
def update_proposal(proposal_id: int):
    proposal = services.get_proposal(current_user, proposal_id)
    data = read_body(UPDATE_FIELDS, updating=True)
    services.update_proposal(
        _actor(), proposal, overlay(current_input(proposal), data), data["version"]
    )
    db.session.commit()
    return jsonify(proposal_json(proposal))


@bp.route("/proposals/<int:proposal_id>/submit", methods=["POST"])
@authz.roles(Role.SUPPLIER, acting=True)
@document(
    "Submit your draft (to a demand: every requirement answered, before it closes)",
    body=body_schema(TRANSITION_FIELDS),
    responses=one("Proposal", "The submitted proposal"),
    tags=TAGS,
)
def submit_proposal(proposal_id: int):
    proposal = services.get_proposal(current_user, proposal_id)
    data = read_body(TRANSITION_FIELDS, optional=True)
    services.submit(_actor(), proposal, data.get("version"))
    db.session.commit()
    return jsonify(proposal_json(proposal))


@bp.route("/proposals/<int:proposal_id>/reopen", methods=["POST"])
@authz.roles(Role.SUPPLIER, acting=True)
@document(
    "Take a sent proposal back to revise it after its demand was amended",
    body=body_schema(TRANSITION_FIELDS),
    responses=one("Proposal", "The proposal, a draft again"),
    tags=TAGS,
)
def reopen_proposal(proposal_id: int):
    proposal = services.get_proposal(current_user, proposal_id)
    data = read_body(TRANSITION_FIELDS, optional=True)
    services.reopen(_actor(), proposal, data.get("version"))
    db.session.commit()
    return jsonify(proposal_json(proposal))


@bp.route("/proposals/<int:proposal_id>/withdraw", methods=["POST"])
@authz.roles(Role.SUPPLIER, acting=True)
@document(
    "Withdraw your proposal before a final decision",
    body=body_schema(TRANSITION_FIELDS),
    responses=one("Proposal", "The withdrawn proposal"),
    tags=TAGS,
)
def withdraw_proposal(proposal_id: int):
    proposal = services.get_proposal(current_user, proposal_id)
    data = read_body(TRANSITION_FIELDS, optional=True)
    check_version(proposal, data.get("version"))
    services.withdraw(_actor(), proposal)
    db.session.commit()
    return jsonify(proposal_json(proposal))


def _decide(proposal_id: int, decision: str, fields: dict):
    proposal = services.get_proposal(current_user, proposal_id)
    data = read_body(fields, optional=True)
    services.decide(_actor(), proposal, decision, data.get("reason") or "", data.get("version"))
    db.session.commit()
    return jsonify(proposal_json(proposal))


@bp.route("/proposals/<int:proposal_id>/shortlist", methods=["POST"])
@authz.roles(Role.OFFICER, Role.OPERATOR)
@document(
    "Shortlist a submitted proposal (receiving agency; operators for category proposals)",
    body=body_schema(DECISION_FIELDS),
    responses=one("Proposal", "The proposal"),
    tags=TAGS,
)
def shortlist_proposal(proposal_id: int):
    return _decide(proposal_id, S.SHORTLISTED, DECISION_FIELDS)


@bp.route("/proposals/<int:proposal_id>/decline", methods=["POST"])
@authz.roles(Role.OFFICER, Role.OPERATOR)
@document(
    "Decline a submitted or shortlisted proposal, with the reason the supplier will read",
    body=body_schema(DECLINE_FIELDS),
    responses=one("Proposal", "The proposal"),
    tags=TAGS,
)
def decline_proposal(proposal_id: int):
    return _decide(proposal_id, S.DECLINED, DECLINE_FIELDS)


@bp.route("/proposals/<int:proposal_id>/accept", methods=["POST"])
@authz.roles(Role.OFFICER, Role.OPERATOR)
@document(
    "Accept a shortlisted proposal",
    body=body_schema(DECISION_FIELDS),
    responses=one("Proposal", "The proposal"),
    tags=TAGS,
)
def accept_proposal(proposal_id: int):
    return _decide(proposal_id, S.ACCEPTED, DECISION_FIELDS)
