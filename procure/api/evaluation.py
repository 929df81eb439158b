"""API v1: evaluation rounds, conflict declarations, blind score sheets, decisions, designations
and the public innovation index of a product."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

import scoring
from procure import authz, policy
from procure.api import bp
from procure.api.helpers import json_body, page_params, page_response
from procure.api.openapi import PAGE_PARAMS, SCHEMAS, document
from procure.errors import FieldError, Invalid, NotFound
from procure.evaluation import services
from procure.extensions import db
from procure.models import Role
from procure.pagination import paginate

TAGS = ["evaluation"]
OBJECT = {"type": "object"}


def _ok(description: str, ref: str | None = None, status: str = "200") -> dict:
    schema = {"$ref": f"#/components/schemas/{ref}"} if ref else OBJECT
    return {
        status: {"description": description, "content": {"application/json": {"schema": schema}}}
    }


def _body(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": properties, "required": required or []}


VERSION = {"type": ["integer", "null"], "description": "The version you read (409 if stale)"}
ROUND_BODY = _body(
    {
        "title": {"type": "string", "maxLength": 200},
        "scheme": {"type": "string", "description": "A scheme key such as default-v1"},
        "deadline": {
            "type": "string",
            "description": "YYYY-MM-DD (end of that day in Korea) or a date-time with offset",
        },
        "items": {
            "type": "array",
            "items": _body(
                {
                    "product_id": {"type": ["integer", "null"]},
                    "proposal_id": {"type": ["integer", "null"]},
                    "product_kind": {"type": ["string", "null"]},
                }
            ),
        },
        "evaluator_ids": {"type": "array", "items": {"type": "integer"}},
        "version": VERSION,
    },
    ["title", "scheme", "deadline", "items", "evaluator_ids"],
)
SHEET_BODY = _body(
    {
        "levels": {"type": "object", "description": "Item id → rubric level id"},
        "gates": {"type": "object", "description": "Gate id → true (passes) or false"},
        "comments": {"type": "object", "description": "Criterion id → comment (required)"},
        "justifications": {
            "type": "object",
            "description": "Criterion id → justification (required where flagged)",
        },
        "submit": {"type": "boolean", "description": "Submit (final) instead of saving a draft"},
        "version": VERSION,
    }
)

SCHEMAS.update(
    {
        "EvaluationRound": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "title": {"type": "string"},
                "scheme": {"type": "string"},
                "status": {"type": "string", "enum": ["draft", "open", "closed", "decided"]},
                "deadline": {"type": ["string", "null"], "format": "date-time"},
                "overdue": {"type": "boolean"},
                "items": {"type": "array", "items": OBJECT},
                "panel": {"type": "array", "items": OBJECT, "description": "Operators only"},
                "agreement": {"type": ["object", "null"], "description": "Operators, once closed"},
                "version": {"type": "integer"},
            },
        },
        "EvaluationSheet": {
            "type": "object",
            "properties": {
                "id": {"type": ["integer", "null"]},
                "item_id": {"type": "integer"},
                "status": {"type": "string", "enum": ["not_started", "draft", "submitted"]},
                "levels": OBJECT,
                "gates": OBJECT,
                "comments": OBJECT,
                "justifications": OBJECT,
                "version": {"type": "integer"},
            },
        },
        "InnovationIndex": {
            "type": "object",
            "properties": {
                "product_id": {"type": "integer"},
                "designation": OBJECT,
                "index": {"type": "number"},
                "criteria": {"type": "array", "items": OBJECT},
            },
        },
    }
)


def _actor():
    return current_user._get_current_object()


def _iso(value):
    return value.isoformat() if value is not None else None


def _version(data: dict):
    value = data.get("version")
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise Invalid(_("Check the body."), [FieldError("version", _("Enter a whole number."))])
    return value


# -- serialisation ------------------------------------------------------------------------


def item_json(item, user) -> dict:
    out = {
        "id": item.id,
        "product_id": item.product_id,
        "proposal_id": item.proposal_id,
        "product_kind": item.product_kind,
        "name": services.item_name(item),
    }
    if policy.is_operator(user):
        out.update(
            result=item.result,
            decision=item.decision,
            certified=item.certified,
            decision_reason=item.decision_reason,
            decided_at=_iso(item.decided_at),
            submitted_sheets=services.submitted_count(item),
        )
    else:
        out["access"] = services.access(user, item)
    return out


def round_json(round_, user) -> dict:
    operator = policy.is_operator(user)
    return {
        "id": round_.id,
        "title": round_.title,
        "purpose": round_.purpose,
        "scheme": f"{round_.scheme_id}-v{round_.scheme_version}",
        "status": round_.status,
        "deadline": _iso(round_.deadline),
        "overdue": services.is_overdue(round_),
        "opened_at": _iso(round_.opened_at),
        "closed_at": _iso(round_.closed_at),
        "items": [item_json(i, user) for i in round_.items],
        "panel": [{"user_id": p.user_id, "name": p.user.name} for p in round_.panel]
        if operator
        else None,
        "agreement": round_.agreement if operator else None,
        "version": round_.version,
    }


def sheet_json(item, row) -> dict:
    scheme = services.scheme_of(item.round)
    data = (row.data if row else None) or {}
    levels = {}
    for it in scheme.items:
        points = data.get("scores", {}).get(it.id)
        level = it.level_for(points) if points is not None else None
        if level:
            levels[it.id] = level.id
    return {
        "id": row.id if row else None,
        "item_id": item.id,
        "status": row.status if row else "not_started",
        "levels": levels,
        "scores": dict(data.get("scores", {})),
        "gates": dict(data.get("gates", {})),
        "comments": dict(data.get("comments", {})),
        "justifications": dict(data.get("justifications", {})),
        "submitted_at": _iso(row.submitted_at) if row else None,
        "version": row.version if row else 0,
    }


def designation_json(d) -> dict:
    scheme = services.scheme_of(d)
    return {
        "id": d.id,
        "number": d.number,
        "product_id": d.product_id,
        "status": d.status,
        "in_force": services.is_current(d),
        "starts_on": d.starts_on.isoformat(),
        "ends_on": d.ends_on.isoformat(),
        "extensions": d.extensions,
        "next_extension_years": scoring.next_extension_years(scheme, d.extensions)
        if d.status == "active"
        else None,
        "revoked_reason": d.revoked_reason,
        "revoked_at": _iso(d.revoked_at),
        "index": d.index_value,
        "scheme": f"{d.scheme_id}-v{d.scheme_version}",
        "criteria": [
            {
                "id": c.id,
                "label": c.label.to_dict(),
                "score": (d.criteria.get(c.id) or {}).get("score"),
                "points": c.points,
            }
            for c in scheme.criteria
        ],
        "certificate": f"/evaluation/designations/{d.id}",
        "version": d.version,
    }


def _round_input(data: dict) -> services.RoundInput:
    return services.RoundInput(
        title=data.get("title") or "",
        scheme=data.get("scheme") or "",
        deadline=data.get("deadline"),
        items=data.get("items") or [],
        evaluator_ids=data.get("evaluator_ids") or [],
    )


# -- rounds -------------------------------------------------------------------------------


@bp.route("/evaluation-rounds", methods=["GET"])
@authz.roles(Role.OPERATOR, Role.EVALUATOR)
@document(
    "Evaluation rounds: all for operators, the ones you sit on for evaluators",
    parameters=PAGE_PARAMS,
    responses=_ok("A page of rounds"),
    tags=TAGS,
)
def evaluation_rounds():
    page, per_page = page_params()
    return page_response(
        paginate(services.rounds_for(current_user), page, per_page),
        lambda r: round_json(r, current_user),
    )


@bp.route("/evaluation-rounds", methods=["POST"])
@authz.roles(Role.OPERATOR)
@document(
    "Create a draft round: scheme version, dossiers, panel, deadline",
    body=ROUND_BODY,
    responses=_ok("The draft round", "EvaluationRound", "201"),
    tags=TAGS,
)
def create_evaluation_round():
    round_ = services.create_round(_actor(), _round_input(json_body()))
    db.session.commit()
    response = jsonify(round_json(round_, current_user))
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/evaluation-rounds/{round_.id}"
    return response


@bp.route("/evaluation-rounds/<int:round_id>", methods=["GET"])
@authz.roles(Role.OPERATOR, Role.EVALUATOR)
@document("One round", responses=_ok("The round", "EvaluationRound"), tags=TAGS)
def evaluation_round(round_id: int):
    return jsonify(round_json(services.get_round(current_user, round_id), current_user))


@bp.route("/evaluation-rounds/<int:round_id>", methods=["PATCH"])
@authz.roles(Role.OPERATOR)
@document(
    "Change a draft round (send every field)",
    body=ROUND_BODY,
    responses=_ok("The round", "EvaluationRound"),
    tags=TAGS,
)
def update_evaluation_round(round_id: int):
    round_ = services.get_round(current_user, round_id)
    data = json_body()
    services.update_round(_actor(), round_, _round_input(data), _version(data))
    db.session.commit()
    return jsonify(round_json(round_, current_user))


@bp.route("/evaluation-rounds/<int:round_id>/open", methods=["POST"])
@authz.roles(Role.OPERATOR)
@document(
    "Open a draft round and notify its panel",
    body=_body({"version": VERSION}),
    responses=_ok("The round", "EvaluationRound"),
    tags=TAGS,
)
def open_evaluation_round(round_id: int):
    round_ = services.get_round(current_user, round_id)
    services.open_round(_actor(), round_, _version(json_body()))
    db.session.commit()
    return jsonify(round_json(round_, current_user))


@bp.route("/evaluation-rounds/<int:round_id>/close", methods=["POST"])
@authz.roles(Role.OPERATOR)
@document(
    "Close an open round: aggregate every dossier and measure the panel's agreement",
    body=_body({"version": VERSION}),
    responses=_ok("The round with results", "EvaluationRound"),
    tags=TAGS,
)
def close_evaluation_round(round_id: int):
    round_ = services.get_round(current_user, round_id)
    services.close_round(_actor(), round_, _version(json_body()))
    db.session.commit()
    return jsonify(round_json(round_, current_user))


@bp.route("/evaluation-rounds/<int:round_id>/assignments", methods=["GET"])
@authz.roles(Role.OPERATOR, Role.EVALUATOR)
@document(
    "Who scores what: operators see every dossier × evaluator status (not started, draft, "
    "submitted, conflict; overdue after the deadline); evaluators see their own",
    responses=_ok("The assignments"),
    tags=TAGS,
)
def evaluation_assignments(round_id: int):
    round_ = services.get_round(current_user, round_id)
    rows = []
    if policy.is_operator(current_user):
        table = services.overview(round_)
        for item in round_.items:
            for seat in round_.panel:
                cell = table[item.id][seat.user_id]
                rows.append(
                    {
                        "item_id": item.id,
                        "evaluator_id": seat.user_id,
                        "evaluator": seat.user.name,
                        "status": cell.status,
                        "overdue": cell.overdue,
                    }
                )
    else:
        late = services.is_overdue(round_)
        for item, state, sheet in services.my_items(current_user, round_):
            status = (
                "conflict"
                if state in ("conflict", "own_organisation")
                else (sheet.status if sheet else "not_started")
            )
            rows.append(
                {
                    "item_id": item.id,
                    "evaluator_id": current_user.id,
                    "access": state,
                    "status": status,
                    "overdue": late and status in ("not_started", "draft"),
                }
            )
    return jsonify(items=rows)


# -- evaluators ---------------------------------------------------------------------------


@bp.route(
    "/evaluation-rounds/<int:round_id>/items/<int:item_id>/conflict-declaration",
    methods=["POST"],
)
@authz.roles(Role.EVALUATOR)
@document(
    "Declare, before seeing the dossier, whether you have a conflict of interest",
    body=_body(
        {"has_conflict": {"type": "boolean"}, "note": {"type": "string", "maxLength": 500}},
        ["has_conflict"],
    ),
    responses=_ok("The declaration", status="201"),
    tags=TAGS,
)
def declare_evaluation_conflict(round_id: int, item_id: int):
    item = services.get_item(current_user, item_id, round_id)
    data = json_body()
    note = data.get("note") or ""
    if not isinstance(note, str):
        raise Invalid(_("Check the body."), [FieldError("note", _("Must be text."))])
    found = services.declare_conflict(_actor(), item, data.get("has_conflict"), note)
    db.session.commit()
    response = jsonify(
        item_id=item.id,
        evaluator_id=found.evaluator_id,
        has_conflict=found.has_conflict,
        note=found.note,
        declared_at=_iso(found.declared_at),
    )
    response.status_code = 201
    return response


def _panel_item(round_id: int, item_id: int):
    item = services.get_item(current_user, item_id, round_id)
    if not services.on_panel(current_user, item.round):
        raise NotFound(_("This dossier is not in the round."))
    return item


@bp.route("/evaluation-rounds/<int:round_id>/items/<int:item_id>/sheet", methods=["GET"])
@authz.roles(Role.EVALUATOR)
@document(
    "Your own score sheet on a dossier (nobody else's: scoring is blind)",
    responses=_ok("Your sheet", "EvaluationSheet"),
    tags=TAGS,
)
def evaluation_sheet(round_id: int, item_id: int):
    item = _panel_item(round_id, item_id)
    services.open_dossier(_actor(), item)
    return jsonify(sheet_json(item, services.read_sheet(current_user, item)))


@bp.route("/evaluation-rounds/<int:round_id>/items/<int:item_id>/sheet", methods=["PUT"])
@authz.roles(Role.EVALUATOR)
@document(
    "Save your sheet as a draft, or submit it (`submit: true`); a stale version is a 409 and "
    "a criterion far from the other evaluators needs a justification (422)",
    body=SHEET_BODY,
    responses=_ok("Your sheet", "EvaluationSheet"),
    tags=TAGS,
)
def save_evaluation_sheet(round_id: int, item_id: int):
    item = _panel_item(round_id, item_id)
    data = json_body()
    submit = data.get("submit", False)
    if not isinstance(submit, bool):
        raise Invalid(_("Check the body."), [FieldError("submit", _("Use true or false."))])
    sheet = services.SheetInput(
        levels=data.get("levels") or {},
        gates=data.get("gates") or {},
        comments=data.get("comments") or {},
        justifications=data.get("justifications") or {},
    )
    row = services.save_sheet(_actor(), item, sheet, _version(data), submit=submit)
    db.session.commit()
    return jsonify(sheet_json(item, row))


# -- operators: results, individual scores, decisions -------------------------------------


@bp.route("/evaluation-rounds/<int:round_id>/items/<int:item_id>", methods=["GET"])
@authz.roles(Role.OPERATOR)
@document(
    "One dossier of a round with its result and decision", responses=_ok("The item"), tags=TAGS
)
def evaluation_item(round_id: int, item_id: int):
    item = services.get_item(current_user, item_id, round_id)
    return jsonify(item_json(item, current_user))


@bp.route("/evaluation-rounds/<int:round_id>/items/<int:item_id>/scores", methods=["GET"])
@authz.roles(Role.OPERATOR)
@document(
    "Every evaluator's submitted sheet on a dossier (operators, once the round is closed)",
    responses=_ok("The sheets"),
    tags=TAGS,
)
def evaluation_scores(round_id: int, item_id: int):
    item = services.get_item(current_user, item_id, round_id)
    rows = services.individual_sheets(current_user, item)
    return jsonify(
        items=[
            {
                **sheet_json(item, row),
                "evaluator_id": row.evaluator_id,
                "evaluator": row.evaluator.name,
            }
            for row in rows
        ]
    )


@bp.route("/evaluation-rounds/<int:round_id>/items/<int:item_id>/decision", methods=["POST"])
@authz.roles(Role.OPERATOR)
@document(
    "Record the committee's decision: confirm the result, or override it with a reason",
    body=_body(
        {
            "decision": {"type": "string", "enum": list(services.DECISIONS)},
            "reason": {"type": "string", "description": "Required to override"},
        },
        ["decision"],
    ),
    responses=_ok("The item with its decision"),
    tags=TAGS,
)
def decide_evaluation_item(round_id: int, item_id: int):
    item = services.get_item(current_user, item_id, round_id)
    data = json_body()
    services.decide_item(_actor(), item, data.get("decision"), data.get("reason") or "")
    db.session.commit()
    return jsonify(item_json(item, current_user))


# -- designations and the public index ----------------------------------------------------


@bp.route("/designations/<int:designation_id>", methods=["GET"])
@authz.public
@document("A designation (혁신제품 지정)", responses=_ok("The designation"), tags=TAGS)
def designation_detail(designation_id: int):
    return jsonify(designation_json(services.get_designation(designation_id)))


@bp.route("/designations/<int:designation_id>/extension", methods=["POST"])
@authz.roles(Role.OPERATOR)
@document(
    "Extend a designation by the scheme's next step (+1 year, then +2; a third is refused)",
    body=_body({"version": VERSION}),
    responses=_ok("The designation"),
    tags=TAGS,
)
def extend_designation(designation_id: int):
    found = services.get_designation(designation_id)
    services.extend_designation(_actor(), found, _version(json_body()))
    db.session.commit()
    return jsonify(designation_json(found))


@bp.route("/designations/<int:designation_id>/revocation", methods=["POST"])
@authz.roles(Role.OPERATOR)
@document(
    "Revoke a designation with a reason",
    body=_body({"reason": {"type": "string"}, "version": VERSION}, ["reason"]),
    responses=_ok("The designation"),
    tags=TAGS,
)
def revoke_designation(designation_id: int):
    found = services.get_designation(designation_id)
    data = json_body()
    reason = data.get("reason")
    services.revoke_designation(
        _actor(), found, reason if isinstance(reason, str) else "", _version(data)
    )
    db.session.commit()
    return jsonify(designation_json(found))


@bp.route("/products/<int:product_id>/innovation-index", methods=["GET"])
@authz.public
@document(
    "A product's innovation index: its designation in force and the criteria, or 404",
    responses=_ok("The index", "InnovationIndex"),
    tags=TAGS,
)
def product_innovation_index(product_id: int):
    from procure.products import services as products

    product = products.get_product(current_user, product_id)
    current = services.current_designation(product.id)
    if current is None:
        raise NotFound(_("This product has no designation in force."))
    body = designation_json(current)
    return jsonify(
        product_id=product.id,
        designation={
            k: body[k]
            for k in ("id", "number", "status", "starts_on", "ends_on", "extensions", "certificate")
        },
        index=body["index"],
        scheme=body["scheme"],
        criteria=body["criteria"],
    )
