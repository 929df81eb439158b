"""API v1: citizen ideas (국민 제안): submission, moderation, adoption."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user
from sqlalchemy import select
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
    check_version,
    created,
    iso,
    one,
    org_ref,
    page_of,
    read_body,
)
from procure.api.market_demands import demand_json
from procure.api.openapi import PAGE_PARAMS, SCHEMAS, document, query_param
from procure.extensions import db
from procure.ideas import services
from procure.models import CitizenIdea, IdeaStatus, Role
from procure.pagination import paginate
from procure.regions import REGIONS

TAGS = ["ideas"]

IDEA_FIELDS: dict[str, Field] = {
    "title": Field("text", 200, nullable=False, description="Must not be empty"),
    "problem": Field("text", 5000, nullable=False, description="Must not be empty"),
    "suggestion": Field("text", 5000),
    "region": Field("choice", choices=tuple(REGIONS), description="시·도 code"),
}
UPDATE_FIELDS = {**IDEA_FIELDS, "version": VERSION}
MODERATE_FIELDS = {
    "decision": Field(
        "choice",
        choices=(IdeaStatus.APPROVED, IdeaStatus.REJECTED),
        nullable=False,
        required=True,
        description="approved publishes the idea; rejected needs a note to the author",
    ),
    "note": Field("text", 500),
    "version": OPTIONAL_VERSION,
}
ADOPT_FIELDS = {"version": OPTIONAL_VERSION}

SCHEMAS.update(
    {
        "Idea": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "title": {"type": "string"},
                "problem": {"type": "string"},
                "suggestion": {"type": "string"},
                "region": {"type": ["string", "null"]},
                "status": {"type": "string", "enum": list(IdeaStatus)},
                "mine": {"type": "boolean", "description": "You are the author"},
                "moderation_note": {
                    "type": ["string", "null"],
                    "description": "The operator's note (author and operators only)",
                },
                "adopted_by": {
                    "oneOf": [{"$ref": "#/components/schemas/OrganisationRef"}, {"type": "null"}]
                },
                "moderated_at": {"type": ["string", "null"], "format": "date-time"},
                "created_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"},
                "version": {"type": "integer"},
            },
        }
    }
)


def idea_json(idea: CitizenIdea) -> dict:
    """The author is never named; the moderation note is for the author and operators."""
    mine = bool(current_user.is_authenticated and current_user.id == idea.author_id)
    return {
        "id": idea.id,
        "title": idea.title,
        "problem": idea.problem,
        "suggestion": idea.suggestion,
        "region": idea.region,
        "status": idea.status,
        "mine": mine,
        "moderation_note": (
            idea.moderation_note if mine or policy.is_operator(current_user) else None
        ),
        "adopted_by": org_ref(idea.adopted_by),
        "moderated_at": iso(idea.moderated_at),
        "created_at": iso(idea.created_at),
        "updated_at": iso(idea.updated_at),
        "version": idea.version,
    }


def _actor():
    return current_user._get_current_object()


@bp.route("/ideas", methods=["GET"])
@authz.public
@document(
    "Published and adopted ideas, and your own; operators see all. Newest first",
    parameters=[
        query_param("status", {"type": "string", "enum": list(IdeaStatus)}),
        *PAGE_PARAMS,
    ],
    responses=page_of("Idea", "A page of ideas"),
    tags=TAGS,
)
def ideas():
    page, per_page = page_params()
    args = Filters()
    status = args.choice("status", IdeaStatus)
    args.done()
    query = select(CitizenIdea).where(policy.idea_filter(current_user))
    if status:
        query = query.where(CitizenIdea.status == status)
    query = query.options(selectinload(CitizenIdea.adopted_by)).order_by(CitizenIdea.id.desc())
    return page_response(paginate(query, page, per_page), idea_json)


@bp.route("/ideas", methods=["POST"])
@authz.signed_in
@document(
    "Submit an idea; it becomes public once an operator approves it",
    body=body_schema(IDEA_FIELDS),
    responses=one("Idea", "The idea", "201"),
    tags=TAGS,
)
def submit_idea():
    data = read_body(IDEA_FIELDS)
    idea = services.submit_idea(
        _actor(),
        title=data.get("title"),
        problem=data.get("problem"),
        suggestion=data.get("suggestion") or "",
        region=data.get("region") or None,
    )
    db.session.commit()
    return created(idea_json(idea), f"/api/v1/ideas/{idea.id}")


@bp.route("/ideas/<int:idea_id>", methods=["GET"])
@authz.public
@document("One idea", responses=one("Idea", "The idea"), tags=TAGS)
def idea(idea_id: int):
    return jsonify(idea_json(services.get_idea(current_user, idea_id)))


@bp.route("/ideas/<int:idea_id>", methods=["PATCH"])
@authz.signed_in
@document(
    "Change your idea before it is reviewed (send the version you read)",
    body=body_schema(UPDATE_FIELDS),
    responses=one("Idea", "The idea"),
    tags=TAGS,
)
def update_idea(idea_id: int):
    idea = services.get_idea(current_user, idea_id)
    data = read_body(UPDATE_FIELDS)
    fields = {key: getattr(idea, key) for key in IDEA_FIELDS}
    fields.update((key, value) for key, value in data.items() if key in IDEA_FIELDS)
    fields["region"] = fields["region"] or None
    services.update_idea(_actor(), idea, data["version"], **fields)
    db.session.commit()
    return jsonify(idea_json(idea))


@bp.route("/ideas/<int:idea_id>/moderate", methods=["POST"])
@authz.roles(Role.OPERATOR)
@document(
    "Approve (publish) or reject a submitted idea",
    body=body_schema(MODERATE_FIELDS),
    responses=one("Idea", "The idea"),
    tags=TAGS,
)
def moderate_idea(idea_id: int):
    idea = services.get_idea(current_user, idea_id)
    data = read_body(MODERATE_FIELDS)
    check_version(idea, data.get("version"))
    services.moderate(_actor(), idea, data["decision"], data.get("note") or "")
    db.session.commit()
    return jsonify(idea_json(idea))


@bp.route("/ideas/<int:idea_id>/adopt", methods=["POST"])
@authz.roles(Role.OFFICER, acting=True)
@document(
    "Adopt a published idea for your agency: answers with the new draft demand",
    body=body_schema(ADOPT_FIELDS),
    responses=one("Demand", "The draft demand created from the idea", "201"),
    tags=TAGS,
)
def adopt_idea(idea_id: int):
    idea = services.get_idea(current_user, idea_id)
    data = read_body(ADOPT_FIELDS, optional=True)
    check_version(idea, data.get("version"))
    demand = services.adopt(_actor(), idea)
    db.session.commit()
    return created(demand_json(demand), f"/api/v1/demands/{demand.id}")
