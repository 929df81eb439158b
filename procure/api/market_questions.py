"""API v1: questions on demands and their public answers."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from procure import authz
from procure.api import bp
from procure.api.helpers import page_params, page_response
from procure.api.market_common import (
    Field,
    body_schema,
    created,
    iso,
    one,
    org_ref,
    page_of,
    read_body,
)
from procure.api.openapi import PAGE_PARAMS, SCHEMAS, document
from procure.demands import services
from procure.errors import NotFound
from procure.extensions import db
from procure.models import Demand, Question, Role
from procure.pagination import paginate

TAGS = ["demands"]
QUESTION_FIELDS = {"body": Field("text", 2000, nullable=False, required=True)}
ANSWER_FIELDS = {"answer": Field("text", 5000, nullable=False, required=True)}

SCHEMAS.update(
    {
        "Question": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "demand_id": {"type": "integer"},
                "body": {"type": "string"},
                "answer": {"type": ["string", "null"]},
                "asked_at": {"type": "string", "format": "date-time"},
                "answered_at": {
                    "type": ["string", "null"],
                    "format": "date-time",
                    "description": "When the answer (or its latest correction) was published",
                },
                "first_answered_at": {
                    "type": ["string", "null"],
                    "format": "date-time",
                    "description": "For a corrected answer, when it was first answered",
                },
                "earlier_answer": {
                    "type": ["string", "null"],
                    "description": "For a corrected answer, the answer it replaced",
                },
                "organisation": {
                    "description": (
                        "The asker's organisation: shown only to that organisation, the "
                        "demand's agency and operators; null for everyone else"
                    ),
                    "oneOf": [{"$ref": "#/components/schemas/OrganisationRef"}, {"type": "null"}],
                },
            },
        },
    }
)


def question_json(question: Question, demand: Demand) -> dict:
    """The asker's organisation only for those ``show_asker`` allows; never the asking user."""
    shown = services.show_asker(current_user, question, demand)
    return {
        "id": question.id,
        "demand_id": question.demand_id,
        "body": question.body,
        "answer": question.answer,
        "asked_at": iso(question.created_at),
        "answered_at": iso(question.answered_at),
        "first_answered_at": iso(question.first_answered_at),
        "earlier_answer": question.earlier_answer,
        "organisation": org_ref(question.organisation) if shown else None,
    }


def _actor():
    return current_user._get_current_object()


@bp.route("/demands/<int:demand_id>/questions", methods=["GET"])
@authz.public
@document(
    "Questions on a demand and their answers, oldest first",
    parameters=PAGE_PARAMS,
    responses=page_of("Question", "A page of questions"),
    tags=TAGS,
)
def questions(demand_id: int):
    page, per_page = page_params()
    demand = services.get_demand(current_user, demand_id)
    query = (
        select(Question)
        .where(Question.demand_id == demand.id)
        .options(selectinload(Question.organisation))
        .order_by(Question.id)
    )
    return page_response(paginate(query, page, per_page), lambda q: question_json(q, demand))


@bp.route("/demands/<int:demand_id>/questions", methods=["POST"])
@authz.roles(Role.SUPPLIER, acting=True)
@document(
    "Ask a question on an open demand (other suppliers never see your company)",
    body=body_schema(QUESTION_FIELDS),
    responses=one("Question", "The question", "201"),
    tags=TAGS,
)
def ask_question(demand_id: int):
    demand = services.get_demand(current_user, demand_id)
    data = read_body(QUESTION_FIELDS)
    question = services.ask_question(_actor(), demand, data["body"])
    db.session.commit()
    return created(question_json(question, demand), f"/api/v1/demands/{demand.id}/questions")


@bp.route("/questions/<int:question_id>/answer", methods=["POST"])
@authz.roles(Role.OFFICER, Role.OPERATOR, acting=True)  # operators: gap R&D demands
@document(
    "Answer (or correct the answer to) a question on your agency's demand",
    body=body_schema(ANSWER_FIELDS),
    responses=one("Question", "The answered question"),
    tags=TAGS,
)
def answer_question(question_id: int):
    question = db.session.get(Question, question_id)
    if question is None:
        raise NotFound(_("This question does not exist."))
    try:
        demand = services.get_demand(current_user, question.demand_id)
    except NotFound:
        raise NotFound(_("This question does not exist.")) from None
    data = read_body(ANSWER_FIELDS)
    services.answer_question(_actor(), question, data["answer"])
    db.session.commit()
    return jsonify(question_json(question, demand))
