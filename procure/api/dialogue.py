"""API v1: competitive dialogues (경쟁적 대화), read-only.

What the public pages show, as JSON: the published notices with their stages and deadlines,
and after the award the winner, the reasons and the final scores. A supplier's token also
reads its own participation (status and its own proposals), never another's. The procedure
itself (proposals, partner selection, messages, scoring, award) is run through the web forms:
its documents and private threads carry attachments and judgement that an integration has
no business automating (docs/dialogue.md).
"""

from __future__ import annotations

from flask import jsonify, url_for
from flask_babel import gettext as _
from flask_login import current_user

from procure import authz
from procure.api import bp
from procure.api.helpers import page_params, page_response
from procure.api.market_common import iso, one, org_ref, page_of
from procure.api.openapi import PAGE_PARAMS, SCHEMAS, document
from procure.dialogue import services
from procure.errors import NotFound
from procure.models import DialogueStatus, ParticipantStatus, ProposalKind, Role
from procure.pagination import paginate

TAGS = ["dialogue"]
STATUSES = [s.value for s in DialogueStatus]
_NULLABLE_NUMBER = {"type": ["number", "null"]}

SCHEMAS["DialogueStage"] = {
    "type": "object",
    "properties": {
        "state": {"type": "string", "enum": STATUSES},
        "phase": {"type": "string", "enum": ["done", "current", "upcoming", "skipped"]},
        "deadline": {"type": ["string", "null"], "format": "date"},
        "entered": {"type": ["string", "null"]},
    },
}
SCHEMAS["DialogueAwardScore"] = {
    "type": "object",
    "properties": {
        "rank": {"type": ["integer", "null"]},
        "supplier": {"$ref": "#/components/schemas/OrganisationRef"},
        "technical": _NULLABLE_NUMBER,
        "price": {"type": ["integer", "null"]},
        "price_score": _NULLABLE_NUMBER,
        "combined": _NULLABLE_NUMBER,
        "winner": {"type": "boolean"},
    },
}
SCHEMAS["Dialogue"] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "status": {"type": "string", "enum": STATUSES},
        "agency": {"$ref": "#/components/schemas/OrganisationRef"},
        "demand_id": {"type": "integer"},
        "technical_weight": {"type": "integer"},
        "price_weight": {"type": "integer"},
        "min_partners": {"type": "integer"},
        "published_at": {"type": ["string", "null"], "format": "date-time"},
        "deadlines": {
            "type": "object",
            "properties": {
                name: {"type": "string", "format": "date"}
                for name in ("basic_proposals", "dialogue_1", "dialogue_2", "final_proposals")
            },
        },
        "notice": {"type": "string", "description": "Only in the single-dialogue response"},
        "stages": {"type": "array", "items": {"$ref": "#/components/schemas/DialogueStage"}},
        "cancel_reason": {"type": ["string", "null"]},
        "award": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "properties": {
                        "winner": {"$ref": "#/components/schemas/OrganisationRef"},
                        "awarded_at": {"type": ["string", "null"], "format": "date-time"},
                        "reason": {"type": ["string", "null"]},
                        "override_reason": {"type": ["string", "null"]},
                        "final_specification_version": {"type": ["integer", "null"]},
                        "scores": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/DialogueAwardScore"},
                        },
                    },
                },
            ]
        },
        "url": {"type": "string"},
    },
}
SCHEMAS["DialogueParticipation"] = {
    "type": "object",
    "properties": {
        "dialogue_id": {"type": "integer"},
        "supplier": {"$ref": "#/components/schemas/OrganisationRef"},
        "status": {"type": "string", "enum": [s.value for s in ParticipantStatus]},
        "selected_at": {"type": ["string", "null"], "format": "date-time"},
        "proposals": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "kind": {"type": "string", "enum": [k.value for k in ProposalKind]},
                    "title": {"type": "string"},
                    "price": {"type": ["integer", "null"]},
                    "specification_version": {"type": ["integer", "null"]},
                    "submitted_at": {"type": "string", "format": "date-time"},
                    "url": {"type": "string"},
                },
            },
        },
    },
}


def _award_json(dialogue) -> dict | None:
    if dialogue.status != DialogueStatus.AWARDED:
        return None
    spec = services.final_spec(dialogue)
    return {
        "winner": org_ref(dialogue.winner_supplier),
        "awarded_at": iso(dialogue.awarded_at),
        "reason": dialogue.award_reason,
        "override_reason": dialogue.override_reason,
        "final_specification_version": spec.number if spec is not None else None,
        "scores": [
            {
                "rank": row.get("rank"),
                "supplier": {"id": row.get("supplier_id"), "name": row.get("supplier")},
                "technical": row.get("technical"),
                "price": row.get("price"),
                "price_score": row.get("price_score"),
                "combined": row.get("combined"),
                "winner": row.get("supplier_id") == dialogue.winner_supplier_id,
            }
            for row in dialogue.award_scores or []
        ],
    }


def dialogue_json(dialogue, full: bool = False) -> dict:
    out = {
        "id": dialogue.id,
        "title": dialogue.title,
        "status": dialogue.status,
        "agency": org_ref(dialogue.agency),
        "demand_id": dialogue.demand_id,
        "technical_weight": dialogue.technical_weight,
        "price_weight": dialogue.price_weight,
        "min_partners": dialogue.min_partners,
        "published_at": iso(dialogue.published_at),
        "deadlines": {
            "basic_proposals": iso(dialogue.basic_due_on),
            "dialogue_1": iso(dialogue.dialogue_1_due_on),
            "dialogue_2": iso(dialogue.dialogue_2_due_on),
            "final_proposals": iso(dialogue.final_due_on),
        },
        "cancel_reason": dialogue.cancel_reason,
        "award": _award_json(dialogue),
        "url": url_for("dialogue.detail", dialogue_id=dialogue.id),
    }
    if full:
        out["notice"] = dialogue.notice
        out["stages"] = [
            {
                "state": row["state"],
                "phase": row["phase"],
                "deadline": iso(row["deadline"]),
                "entered": row["entered"],
            }
            for row in services.timeline(dialogue)
        ]
    return out


@bp.route("/dialogues", methods=["GET"])
@authz.public
@document(
    "Published competitive dialogues, newest first",
    parameters=PAGE_PARAMS,
    responses=page_of("Dialogue", "A page of dialogues"),
    tags=TAGS,
)
def dialogues():
    page, per_page = page_params()
    result = paginate(services.public_dialogues_query(), page, per_page)
    return page_response(result, dialogue_json)


@bp.route("/dialogues/<int:dialogue_id>", methods=["GET"])
@authz.public
@document(
    "One dialogue: its notice, stages and deadlines; after the award, winner, reasons, scores",
    responses=one("Dialogue", "The dialogue"),
    tags=TAGS,
)
def dialogue(dialogue_id: int):
    return jsonify(dialogue_json(services.get_dialogue(current_user, dialogue_id), full=True))


@bp.route("/dialogues/<int:dialogue_id>/participation", methods=["GET"])
@authz.roles(Role.SUPPLIER)
@document(
    "The caller's own participation: its status and its own proposals (never another's)",
    responses=one("DialogueParticipation", "The participation"),
    tags=TAGS,
)
def dialogue_participation(dialogue_id: int):
    found = services.get_dialogue(current_user, dialogue_id)
    participant = services.participant_of(current_user, found)
    if participant is None:
        raise NotFound(_("Your organisation does not take part in this dialogue."))
    return jsonify(
        {
            "dialogue_id": found.id,
            "supplier": org_ref(participant.supplier),
            "status": participant.status,
            "selected_at": iso(participant.selected_at),
            "proposals": [
                {
                    "id": p.id,
                    "kind": p.kind,
                    "title": p.title,
                    "price": p.price,
                    "specification_version": p.spec_number,
                    "submitted_at": iso(p.submitted_at),
                    "url": url_for("dialogue.proposal_detail", proposal_id=p.id),
                }
                for p in participant.proposals
            ],
        }
    )
