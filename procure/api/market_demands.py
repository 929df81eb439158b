"""API v1: demands (혁신수요): list, read, create, update, publish, close."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user
from sqlalchemy import exists, select
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
    renamed,
)
from procure.api.openapi import PAGE_PARAMS, SCHEMAS, document, query_param
from procure.demands import services
from procure.errors import Invalid
from procure.extensions import db
from procure.listing import text_contains
from procure.models import (
    Demand,
    DemandCode,
    DemandOutcome,
    DemandStatus,
    DemandType,
    Role,
)
from procure.pagination import paginate
from procure.regions import REGIONS

TAGS = ["demands"]

DEMAND_FIELDS: dict[str, Field] = {
    "title": Field("text", 200, nullable=False, description="Must not be empty"),
    "problem": Field("text", 10_000, nullable=False, description="Must not be empty"),
    "desired_outcome": Field("text", 5_000),
    "demand_type": Field("choice", choices=tuple(DemandType), nullable=False),
    "budget": Field("int", minimum=0, description="Won"),
    "quantity": Field("int", minimum=1, maximum=10_000_000),
    "region": Field("choice", choices=tuple(REGIONS), description="시·도 code"),
    "opens_on": Field("date"),
    "closes_on": Field("date", description="Needed to publish"),
    "expected_purchase_on": Field("date"),
    "contact_name": Field("text", 100),
    "contact_email": Field("text", 254),
    "contact_phone": Field("text", 32),
    "language": Field("choice", choices=("ko", "en")),
    "codes": Field("codes", description="CPV codes (at least one to publish)"),
    "requirements": Field(
        "rows",
        description=(
            "Performance requirements, in order (at least one to publish). On update the list "
            "replaces the current one; rows keep their ids by name."
        ),
        row={
            "name": Field("text", 200, nullable=False),
            "target_value": Field("text", 100),
            "unit": Field("text", 40),
            "mandatory": Field("bool", nullable=False, description="Default true"),
        },
    ),
}
UPDATE_FIELDS = {
    **DEMAND_FIELDS,
    "version": VERSION,
    "note": Field("text", 500, description="What changed (kept with a published version)"),
}
TRANSITION_FIELDS = {"version": OPTIONAL_VERSION}
CLOSE_FIELDS = {
    "outcome": Field("choice", choices=tuple(DemandOutcome), nullable=False, required=True),
    "note": Field("text", 2000),
    "version": OPTIONAL_VERSION,
}

SCHEMAS.update(
    {
        "Requirement": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "position": {"type": "integer"},
                "name": {"type": "string"},
                "target_value": {"type": "string"},
                "unit": {"type": "string"},
                "mandatory": {"type": "boolean"},
            },
        },
        "Demand": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "agency": {"$ref": "#/components/schemas/OrganisationRef"},
                "title": {"type": "string"},
                "problem": {"type": "string"},
                "desired_outcome": {"type": "string"},
                "demand_type": {"type": "string", "enum": list(DemandType)},
                "budget": {"type": ["integer", "null"]},
                "quantity": {"type": ["integer", "null"]},
                "region": {"type": ["string", "null"]},
                "opens_on": {"type": ["string", "null"], "format": "date"},
                "closes_on": {"type": ["string", "null"], "format": "date"},
                "expected_purchase_on": {"type": ["string", "null"], "format": "date"},
                "contact_name": {"type": ["string", "null"]},
                "contact_email": {"type": ["string", "null"]},
                "contact_phone": {"type": ["string", "null"]},
                "language": {"type": "string"},
                "status": {"type": "string", "enum": list(DemandStatus)},
                "outcome": {"type": ["string", "null"]},
                "outcome_note": {"type": ["string", "null"]},
                "revision": {"type": "integer"},
                "codes": {"type": "array", "items": {"type": "string"}},
                "requirements": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/Requirement"},
                },
                "idea_id": {"type": ["integer", "null"]},
                "published_at": {"type": ["string", "null"], "format": "date-time"},
                "closed_at": {"type": ["string", "null"], "format": "date-time"},
                "created_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"},
                "version": {"type": "integer"},
            },
        },
        "OrganisationRef": {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
    }
)


def demand_json(demand: Demand) -> dict:
    return {
        "id": demand.id,
        "agency": org_ref(demand.agency),
        "title": demand.title,
        "problem": demand.problem,
        "desired_outcome": demand.desired_outcome,
        "demand_type": demand.demand_type,
        "budget": demand.budget,
        "quantity": demand.quantity,
        "region": demand.region,
        "opens_on": iso(demand.opens_on),
        "closes_on": iso(demand.closes_on),
        "expected_purchase_on": iso(demand.expected_purchase_on),
        "contact_name": demand.contact_name,
        "contact_email": demand.contact_email,
        "contact_phone": demand.contact_phone,
        "language": demand.language,
        "status": demand.status,
        "outcome": demand.outcome,
        "outcome_note": demand.outcome_note,
        "revision": demand.revision,
        "codes": demand.code_values,
        "requirements": [
            {
                "id": r.id,
                "position": r.position,
                "name": r.name,
                "target_value": r.target_value,
                "unit": r.unit,
                "mandatory": r.mandatory,
            }
            for r in demand.requirements
        ],
        "idea_id": demand.idea_id,
        "published_at": iso(demand.published_at),
        "closed_at": iso(demand.closed_at),
        "created_at": iso(demand.created_at),
        "updated_at": iso(demand.updated_at),
        "version": demand.version,
    }


def current_input(demand: Demand) -> services.DemandInput:
    """The demand as the service's input, so a PATCH changes only the fields it sends."""
    return services.DemandInput(
        title=demand.title,
        problem=demand.problem,
        desired_outcome=demand.desired_outcome,
        demand_type=demand.demand_type,
        budget=demand.budget,
        quantity=demand.quantity,
        region=demand.region,
        opens_on=demand.opens_on,
        closes_on=demand.closes_on,
        expected_purchase_on=demand.expected_purchase_on,
        contact_name=demand.contact_name or "",
        contact_email=demand.contact_email or "",
        contact_phone=demand.contact_phone or "",
        codes=list(demand.code_values),
        requirements=[
            services.RequirementInput(
                name=r.name, target_value=r.target_value, unit=r.unit, mandatory=r.mandatory
            )
            for r in demand.requirements
        ],
        language=demand.language,
    )


def _actor():
    return current_user._get_current_object()


@bp.route("/demands", methods=["GET"])
@authz.public
@document(
    "Demands you may see (drafts only your agency's), newest first",
    parameters=[
        query_param("status", {"type": "string", "enum": list(DemandStatus)}),
        query_param("type", {"type": "string", "enum": list(DemandType)}),
        query_param("region", {"type": "string", "enum": list(REGIONS)}, "시·도 code"),
        query_param("agency", {"type": "integer", "minimum": 1}, "The agency's organisation id"),
        query_param(
            "division", {"type": "string", "pattern": "^[0-9]{2}$"}, "CPV division (2 digits)"
        ),
        query_param("q", {"type": "string", "maxLength": 100}, "Part of the title"),
        *PAGE_PARAMS,
    ],
    responses=page_of("Demand", "A page of demands"),
    tags=TAGS,
)
def demands():
    page, per_page = page_params()
    args = Filters()
    status = args.choice("status", DemandStatus)
    demand_type = args.choice("type", DemandType)
    region = args.region()
    agency = args.integer("agency")
    division = args.division()
    text = args.text("q")
    args.done()
    query = select(Demand).where(policy.demand_filter(current_user))
    if status:
        query = query.where(Demand.status == status)
    if demand_type:
        query = query.where(Demand.demand_type == demand_type)
    if region:
        query = query.where(Demand.region == region)
    if agency:
        query = query.where(Demand.agency_id == agency)
    if division:
        query = query.where(
            exists().where(DemandCode.demand_id == Demand.id, DemandCode.code.like(f"{division}%"))
        )
    if text:
        query = query.where(text_contains(text, Demand.title))
    query = query.options(
        selectinload(Demand.agency), selectinload(Demand.codes), selectinload(Demand.requirements)
    ).order_by(Demand.id.desc())
    return page_response(paginate(query, page, per_page), demand_json)


@bp.route("/demands", methods=["POST"])
@authz.roles(Role.OFFICER, acting=True)
@document(
    "Save a new draft demand for your agency",
    body=body_schema(DEMAND_FIELDS),
    responses=one("Demand", "The draft", "201"),
    tags=TAGS,
)
def create_demand():
    data = read_body(DEMAND_FIELDS)
    demand = services.create_demand(_actor(), services.DemandInput(**data))
    db.session.commit()
    return created(demand_json(demand), f"/api/v1/demands/{demand.id}")


@bp.route("/demands/<int:demand_id>", methods=["GET"])
@authz.public
@document("One demand", responses=one("Demand", "The demand"), tags=TAGS)
def demand(demand_id: int):
    return jsonify(demand_json(services.get_demand(current_user, demand_id)))


@bp.route("/demands/<int:demand_id>", methods=["PATCH"])
@authz.roles(Role.OFFICER, Role.OPERATOR, acting=True)  # operators: gap R&D demands
@document(
    "Change a draft or published demand (send the version you read); fields left out keep "
    "their values. A published demand gets a new comparable revision.",
    body=body_schema(UPDATE_FIELDS),
    responses=one("Demand", "The demand"),
    tags=TAGS,
)
def update_demand(demand_id: int):
    demand = services.get_demand(current_user, demand_id)
    data = read_body(UPDATE_FIELDS)
    services.update_demand(
        _actor(),
        demand,
        overlay(current_input(demand), data),
        data["version"],
        note=data.get("note") or "",
    )
    db.session.commit()
    return jsonify(demand_json(demand))


@bp.route("/demands/<int:demand_id>/publish", methods=["POST"])
@authz.roles(Role.OFFICER, Role.OPERATOR, acting=True)  # operators: gap R&D demands
@document(
    "Publish a draft (needs requirements, a code and a closing date not in the past)",
    body=body_schema(TRANSITION_FIELDS),
    responses=one("Demand", "The published demand"),
    tags=TAGS,
)
def publish_demand(demand_id: int):
    demand = services.get_demand(current_user, demand_id)
    data = read_body(TRANSITION_FIELDS, optional=True)
    services.publish_demand(_actor(), demand, data.get("version"))
    db.session.commit()
    return jsonify(demand_json(demand))


@bp.route("/demands/<int:demand_id>/close", methods=["POST"])
@authz.roles(Role.OFFICER, Role.OPERATOR, acting=True)  # operators: gap R&D demands
@document(
    "Close a published demand with its outcome",
    body=body_schema(CLOSE_FIELDS),
    responses=one("Demand", "The closed demand"),
    tags=TAGS,
)
def close_demand(demand_id: int):
    demand = services.get_demand(current_user, demand_id)
    data = read_body(CLOSE_FIELDS)
    try:
        services.close_demand(
            _actor(), demand, data["outcome"], data.get("note") or "", data.get("version")
        )
    except Invalid as error:
        raise renamed(error, {"outcome_note": "note"}) from None
    db.session.commit()
    return jsonify(demand_json(demand))
