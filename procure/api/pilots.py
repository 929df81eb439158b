"""API v1: pilot purchases (시범구매) — rounds, plans, applications, pilots, statistics."""

from __future__ import annotations

import copy

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from procure import authz, policy
from procure.api import bp
from procure.api.helpers import page_params, page_response
from procure.api.market_common import (
    OPTIONAL_VERSION,
    Field,
    Filters,
    body_schema,
    created,
    iso,
    one,
    org_ref,
    page_of,
    read_body,
)
from procure.api.openapi import PAGE_PARAMS, SCHEMAS, document, query_param
from procure.errors import NotFound
from procure.extensions import db
from procure.models import PilotStatus, Role
from procure.pagination import paginate
from procure.pilots import allocation, goodfaith, services, stats

TAGS = ["pilots"]
STATS_TAGS = ["statistics"]

ROUND_FIELDS: dict[str, Field] = {
    "title": Field("text", 200, nullable=False, required=True),
    "budget": Field("int", minimum=1, nullable=False, required=True, description="Won"),
    "mode": Field("choice", choices=services.MODES, description="purchase or rental"),
    "starts_on": Field("date", nullable=False, required=True),
    "ends_on": Field("date", nullable=False, required=True),
    "applications_close_on": Field("date"),
    "per_agency_cap": Field("int", minimum=1, description="Won; null for no cap"),
    "product_ids": Field(
        "any", description="Ids of products holding a valid designation (at least one)"
    ),
}
ALLOCATE_FIELDS = {
    "weights": Field(
        "any",
        description=(
            "Priority weights from 0 to 100: "
            + ", ".join(f"{k} (default {v})" for k, v in allocation.DEFAULT_WEIGHTS.items())
        ),
    ),
    "version": OPTIONAL_VERSION,
}
TRANSITION_FIELDS = {"version": OPTIONAL_VERSION}
PLAN_FIELDS: dict[str, Field] = {
    "product_id": Field("int", minimum=1, nullable=False, required=True),
    "units_offered": Field("int", minimum=1, maximum=100_000, nullable=False, required=True),
    "unit_price": Field("int", minimum=1, nullable=False, required=True, description="Won"),
    "support_offered": Field("text", 5000),
    "test_period_days": Field("int", minimum=7, maximum=730, nullable=False, required=True),
}
APPLICATION_FIELDS: dict[str, Field] = {
    "plan_id": Field("int", minimum=1, nullable=False, required=True),
    "quantity": Field("int", minimum=1, maximum=100_000, nullable=False, required=True),
    "intended_use": Field("text", 5000, nullable=False, required=True),
    "site": Field("text", 200, nullable=False, required=True),
    "expected_improvement": Field("text", 5000, nullable=False, required=True),
    "plans_follow_on": Field("bool"),
    "small_agency": Field("bool"),
    "local_agency": Field("bool"),
}
ADJUST_FIELDS = {
    "quantity": Field("int", minimum=0, nullable=False, required=True),
    "reason": Field("text", 2000, nullable=False, required=True),
    "version": OPTIONAL_VERSION,
}
WITHDRAW_FIELDS = {
    "reason": Field("text", 2000, description="Why the agency withdraws (kept in the audit log)"),
    "version": OPTIONAL_VERSION,
}
CONTRACT_FIELDS = {
    "contract_number": Field("text", 64, nullable=False, required=True),
    "contract_date": Field("date", nullable=False, required=True),
    "amount": Field("int", minimum=1, description="Won; at most the allocated amount"),
    "quantity": Field("int", minimum=1),
    "version": OPTIONAL_VERSION,
}
DELIVERY_FIELDS = {
    "delivery_date": Field("date", nullable=False, required=True),
    "accepted_on": Field("date", nullable=False, required=True),
    "version": OPTIONAL_VERSION,
}
START_FIELDS = {
    "use_started_on": Field("date", nullable=False, required=True),
    "report_due_on": Field("date", description="Default: start plus the plan's test period"),
    "version": OPTIONAL_VERSION,
}
REPORT_FIELDS = {
    "satisfaction": Field("int", minimum=1, maximum=5, nullable=False, required=True),
    "would_buy_again": Field("bool", nullable=False, required=True),
    "summary": Field("text", 10_000, nullable=False, required=True),
    "measurements": Field(
        "rows",
        description="Performance against each specification item (at least one)",
        row={
            "name": Field("text", 200, nullable=False, required=True),
            "target": Field("text", 100, nullable=False, required=True),
            "measured": Field("text", 100, nullable=False, required=True),
            "unit": Field("text", 40),
            "met": Field("bool", nullable=False, required=True),
        },
    ),
    "defects": Field(
        "rows",
        description="Problems and defects; fixed_on is required when fixed",
        row={
            "description": Field("text", 2000, nullable=False, required=True),
            "fixed": Field("bool", nullable=False, required=True),
            "fixed_on": Field("date"),
        },
    ),
    "version": OPTIONAL_VERSION,
}
VERDICT_FIELDS = {
    "verdict": Field("choice", choices=services.VERDICTS, nullable=False, required=True),
    "note": Field("text", 5000, description="Required when insufficient"),
    "version": OPTIONAL_VERSION,
}
FOLLOW_ON_FIELDS = {
    "product_id": Field("int", minimum=1, nullable=False, required=True),
    "purchased_on": Field("date", nullable=False, required=True),
    "amount": Field("int", minimum=1, nullable=False, required=True, description="Won"),
    "quantity": Field("int", minimum=1),
    "contract_number": Field("text", 64),
}


def _with(schema: dict, **properties) -> dict:
    """A body schema with some properties described by hand (lists of ids, weight maps)."""
    schema["properties"].update(properties)
    return schema


ROUND_BODY = _with(
    body_schema(ROUND_FIELDS),
    product_ids={
        "type": "array",
        "items": {"type": "integer"},
        "minItems": 1,
        "description": ROUND_FIELDS["product_ids"].description,
    },
)
ALLOCATE_BODY = _with(
    body_schema(ALLOCATE_FIELDS),
    weights={
        "type": ["object", "null"],
        "additionalProperties": {"type": "number", "minimum": 0, "maximum": 100},
        "description": ALLOCATE_FIELDS["weights"].description,
    },
)


def _obj(properties: dict) -> dict:
    return {"type": "object", "properties": properties}


INT, STR, DATE = {"type": "integer"}, {"type": "string"}, {"type": ["string", "null"]}
SCHEMAS.update(
    {
        "PilotRound": _obj(
            {
                "id": INT,
                "title": STR,
                "budget": INT,
                "mode": STR,
                "starts_on": STR,
                "ends_on": STR,
                "applications_close_on": DATE,
                "per_agency_cap": {"type": ["integer", "null"]},
                "status": STR,
                "weights": {"type": "object"},
                "products": {"type": "array", "items": {"type": "object"}},
                "plans": {"type": "array", "items": {"type": "object"}},
                "allocation_report": {"type": ["object", "null"]},
                "published_at": DATE,
                "version": INT,
            }
        ),
        "PilotApplication": _obj(
            {
                "id": INT,
                "round_id": INT,
                "plan_id": INT,
                "product_id": INT,
                "agency": {"$ref": "#/components/schemas/OrganisationRef"},
                "quantity": INT,
                "intended_use": STR,
                "site": STR,
                "expected_improvement": STR,
                "plans_follow_on": {"type": "boolean"},
                "status": STR,
                "allocated_quantity": INT,
                "allocated_amount": INT,
                "adjusted_by_hand": {"type": "boolean"},
                "version": INT,
            }
        ),
        "Pilot": _obj(
            {
                "id": INT,
                "round_id": INT,
                "product": {"type": "object"},
                "agency": {"$ref": "#/components/schemas/OrganisationRef"},
                "supplier": {"$ref": "#/components/schemas/OrganisationRef"},
                "status": {"type": "string", "enum": list(PilotStatus)},
                "transitions": {"type": "array", "items": STR},
                "quantity": INT,
                "amount": INT,
                "contract_number": DATE,
                "contract_date": DATE,
                "delivery_date": DATE,
                "accepted_on": DATE,
                "use_started_on": DATE,
                "report_due_on": DATE,
                "verdict": DATE,
                "verdict_note": DATE,
                "extension_blocked": {"type": "boolean"},
                "report": {"type": ["object", "null"]},
                "version": INT,
            }
        ),
        "PilotStats": {"type": "object"},
        "GoodFaithRecord": {"type": "object"},
    }
)


def _actor():
    return current_user._get_current_object()


def round_json(round_) -> dict:
    show_report = policy.is_operator(current_user) or services.allocation_published(round_)
    return {
        "id": round_.id,
        "title": round_.title,
        "budget": round_.budget,
        "mode": round_.mode,
        "starts_on": iso(round_.starts_on),
        "ends_on": iso(round_.ends_on),
        "applications_close_on": iso(round_.applications_close_on),
        "per_agency_cap": round_.per_agency_cap,
        "status": round_.status,
        "weights": allocation.clean_weights(round_.weights),
        "products": [{"id": p.id, "name": p.name} for p in round_.products],
        "plans": [
            {
                "id": plan.id,
                "product_id": plan.product_id,
                "supplier": org_ref(plan.supplier),
                "units_offered": plan.units_offered,
                "unit_price": plan.unit_price,
                "support_offered": plan.support_offered,
                "test_period_days": plan.test_period_days,
            }
            for plan in round_.plans
        ],
        "allocation_report": round_.allocation_report if show_report else None,
        "published_at": iso(round_.published_at),
        "version": round_.version,
    }


def application_json(app_) -> dict:
    return {
        "id": app_.id,
        "round_id": app_.round_id,
        "plan_id": app_.plan_id,
        "product_id": app_.plan.product_id,
        "agency": org_ref(app_.agency),
        "quantity": app_.quantity,
        "intended_use": app_.intended_use,
        "site": app_.site,
        "expected_improvement": app_.expected_improvement,
        "plans_follow_on": app_.plans_follow_on,
        "small_agency": app_.small_agency,
        "local_agency": app_.local_agency,
        "status": app_.status,
        "allocated_quantity": app_.allocated_quantity,
        "allocated_amount": app_.allocated_amount,
        "adjusted_by_hand": app_.adjusted_by_hand,
        "version": app_.version,
    }


def report_json(report) -> dict | None:
    if report is None:
        return None
    return {
        "satisfaction": report.satisfaction,
        "would_buy_again": report.would_buy_again,
        "summary": report.summary,
        "measurements": report.measurements,
        "defects": report.defects,
        "submitted_at": iso(report.created_at),
    }


def pilot_json(pilot) -> dict:
    return {
        "id": pilot.id,
        "round_id": pilot.round_id,
        "product": {"id": pilot.product_id, "name": pilot.product.name},
        "agency": org_ref(pilot.agency),
        "supplier": org_ref(pilot.supplier),
        "status": pilot.status,
        "transitions": sorted(services.TRANSITIONS[pilot.status]),
        "quantity": pilot.quantity,
        "amount": pilot.amount,
        "contract_number": pilot.contract_number,
        "contract_date": iso(pilot.contract_date),
        "delivery_date": iso(pilot.delivery_date),
        "accepted_on": iso(pilot.accepted_on),
        "use_started_on": iso(pilot.use_started_on),
        "report_due_on": iso(pilot.report_due_on),
        "verdict": pilot.verdict,
        "verdict_note": pilot.verdict_note,
        "extension_blocked": services.extension_blocked(pilot.product_id),
        "report": report_json(pilot.report),
        "version": pilot.version,
    }


# -- rounds --------------------------------------------------------------------------------


@bp.route("/pilot-rounds", methods=["GET"])
@authz.public
@document(
    "Pilot rounds (drafts only for operators)",
    parameters=PAGE_PARAMS,
    responses=page_of("PilotRound", "A page of rounds"),
    tags=TAGS,
)
def pilot_rounds():
    page, per_page = page_params()
    return page_response(paginate(services.rounds_query(current_user), page, per_page), round_json)


@bp.route("/pilot-rounds", methods=["POST"])
@authz.roles(Role.OPERATOR)
@document(
    "Create a draft round: budget, period, mode and eligible designated products",
    body=ROUND_BODY,
    responses=one("PilotRound", "The draft round", "201"),
    tags=TAGS,
)
def create_pilot_round():
    data = read_body(ROUND_FIELDS)
    round_ = services.create_round(_actor(), services.RoundInput(**data))
    db.session.commit()
    return created(round_json(round_), f"/api/v1/pilot-rounds/{round_.id}")


@bp.route("/pilot-rounds/<int:round_id>", methods=["PATCH"])
@authz.roles(Role.OPERATOR)
@document(
    "Change a draft round (all fields, as when creating it; send `version`)",
    body=_with(copy.deepcopy(ROUND_BODY), version={"type": ["integer", "null"]}),
    responses=one("PilotRound", "The changed draft round"),
    tags=TAGS,
)
def update_pilot_round(round_id: int):
    round_ = services.get_round(current_user, round_id)
    data = read_body({**ROUND_FIELDS, "version": OPTIONAL_VERSION})
    version = data.pop("version", None)
    services.update_round(_actor(), round_, services.RoundInput(**data), version)
    db.session.commit()
    return jsonify(round_json(round_))


@bp.route("/pilot-rounds/<int:round_id>", methods=["GET"])
@authz.public
@document(
    "One round, with its plans and (once published, or for operators) the allocation report",
    responses=one("PilotRound", "The round"),
    tags=TAGS,
)
def pilot_round(round_id: int):
    return jsonify(round_json(services.get_round(current_user, round_id)))


def _round_move(round_id: int, function, *args):
    round_ = services.get_round(current_user, round_id)
    data = read_body(TRANSITION_FIELDS, optional=True)
    function(_actor(), round_, *args, version=data.get("version"))
    db.session.commit()
    return jsonify(round_json(round_))


@bp.route("/pilot-rounds/<int:round_id>/open", methods=["POST"])
@authz.roles(Role.OPERATOR)
@document(
    "Open a draft round for plans and applications",
    body=body_schema(TRANSITION_FIELDS),
    responses=one("PilotRound", "The round"),
    tags=TAGS,
)
def open_pilot_round(round_id: int):
    return _round_move(round_id, services.open_round)


@bp.route("/pilot-rounds/<int:round_id>/allocate", methods=["POST"])
@authz.roles(Role.OPERATOR)
@document(
    "Run the optimiser (integer programme) with optional priority weights; "
    "the report says what it chose and why",
    body=ALLOCATE_BODY,
    responses=one("PilotRound", "The round, allocating"),
    tags=TAGS,
)
def allocate_pilot_round(round_id: int):
    round_ = services.get_round(current_user, round_id)
    data = read_body(ALLOCATE_FIELDS, optional=True)
    services.allocate(_actor(), round_, data.get("weights"), version=data.get("version"))
    db.session.commit()
    return jsonify(round_json(round_))


@bp.route("/pilot-rounds/<int:round_id>/publish", methods=["POST"])
@authz.roles(Role.OPERATOR)
@document(
    "Publish the allocation: one pilot per allocated application",
    body=body_schema(TRANSITION_FIELDS),
    responses=one("PilotRound", "The round"),
    tags=TAGS,
)
def publish_pilot_round(round_id: int):
    return _round_move(round_id, services.publish_allocation)


@bp.route("/pilot-rounds/<int:round_id>/close", methods=["POST"])
@authz.roles(Role.OPERATOR)
@document(
    "Close a published round",
    body=body_schema(TRANSITION_FIELDS),
    responses=one("PilotRound", "The round"),
    tags=TAGS,
)
def close_pilot_round(round_id: int):
    return _round_move(round_id, services.close_round)


@bp.route("/pilot-rounds/<int:round_id>/plans", methods=["POST"])
@authz.roles(Role.SUPPLIER, acting=True)
@document(
    "File a pilot-use plan for one of your eligible products in an open round",
    body=body_schema(PLAN_FIELDS),
    responses=one("PilotRound", "The round with the plan", "201"),
    tags=TAGS,
)
def file_pilot_plan(round_id: int):
    round_ = services.get_round(current_user, round_id)
    data = read_body(PLAN_FIELDS)
    services.file_plan(_actor(), round_, services.PlanInput(**data))
    db.session.commit()
    return created(round_json(round_), f"/api/v1/pilot-rounds/{round_.id}")


@bp.route("/pilot-rounds/<int:round_id>/applications", methods=["GET"])
@authz.signed_in
@document(
    "Applications you may see: your agency's, or all once the allocation is published",
    responses={
        "200": {
            "description": "The applications",
            "content": {
                "application/json": {
                    "schema": _obj(
                        {
                            "items": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/PilotApplication"},
                            }
                        }
                    )
                }
            },
        }
    },
    tags=TAGS,
)
def pilot_applications(round_id: int):
    round_ = services.get_round(current_user, round_id)
    return jsonify(
        items=[application_json(a) for a in services.applications_for(current_user, round_)]
    )


@bp.route("/pilot-rounds/<int:round_id>/applications", methods=["POST"])
@authz.roles(Role.OFFICER, acting=True)
@document(
    "Apply for a product offered in an open round (agency officers)",
    body=body_schema(APPLICATION_FIELDS),
    responses=one("PilotApplication", "The application", "201"),
    tags=TAGS,
)
def apply_for_pilot(round_id: int):
    round_ = services.get_round(current_user, round_id)
    data = read_body(APPLICATION_FIELDS)
    app_ = services.apply(_actor(), round_, services.ApplicationInput(**data))
    db.session.commit()
    return created(application_json(app_), f"/api/v1/pilot-rounds/{round_.id}/applications")


@bp.route("/pilot-applications/<int:application_id>/allocation", methods=["PUT"])
@authz.roles(Role.OPERATOR)
@document(
    "Change an allocation by hand (with a reason; audited) before publication",
    body=body_schema(ADJUST_FIELDS),
    responses=one("PilotApplication", "The application"),
    tags=TAGS,
)
def adjust_pilot_allocation(application_id: int):
    app_ = services.get_application(current_user, application_id)
    data = read_body(ADJUST_FIELDS)
    services.adjust(_actor(), app_, data["quantity"], data["reason"], data.get("version"))
    db.session.commit()
    return jsonify(application_json(app_))


@bp.route("/pilot-applications/<int:application_id>/withdraw", methods=["POST"])
@authz.roles(Role.OFFICER, acting=True)
@document(
    "Withdraw your agency's application while the round is open (the optimiser leaves it out)",
    body=body_schema(WITHDRAW_FIELDS),
    responses=one("PilotApplication", "The withdrawn application"),
    tags=TAGS,
)
def withdraw_pilot_application(application_id: int):
    app_ = services.get_application(current_user, application_id)
    data = read_body(WITHDRAW_FIELDS, optional=True)
    services.withdraw_application(_actor(), app_, data.get("reason") or "", data.get("version"))
    db.session.commit()
    return jsonify(application_json(app_))


# -- pilots --------------------------------------------------------------------------------


@bp.route("/pilots", methods=["GET"])
@authz.public
@document(
    "Pilots you may see: your organisation's, and every evaluated one",
    parameters=[query_param("status", {"type": "string", "enum": list(PilotStatus)}), *PAGE_PARAMS],
    responses=page_of("Pilot", "A page of pilots"),
    tags=TAGS,
)
def pilots():
    page, per_page = page_params()
    args = Filters()
    status = args.choice("status", PilotStatus)
    args.done()
    return page_response(
        paginate(services.pilots_query(current_user, status), page, per_page), pilot_json
    )


@bp.route("/pilots/<int:pilot_id>", methods=["GET"])
@authz.public
@document(
    "One pilot with its allowed transitions and its field report",
    responses=one("Pilot", "The pilot"),
    tags=TAGS,
)
def pilot(pilot_id: int):
    return jsonify(pilot_json(services.get_pilot(current_user, pilot_id)))


def _pilot_move(pilot_id: int, fields: dict, call):
    pilot_ = services.get_pilot(current_user, pilot_id)
    data = read_body(fields, optional=not any(f.required for f in fields.values()))
    call(pilot_, data)
    db.session.commit()
    return jsonify(pilot_json(pilot_))


@bp.route("/pilots/<int:pilot_id>/contract", methods=["POST"])
@authz.roles(Role.OPERATOR)
@document(
    "allocated → contracted: the contract number, date, amount and quantity",
    body=body_schema(CONTRACT_FIELDS),
    responses=one("Pilot", "The pilot"),
    tags=TAGS,
)
def pilot_contract(pilot_id: int):
    return _pilot_move(
        pilot_id,
        CONTRACT_FIELDS,
        lambda p, d: services.record_contract(
            _actor(),
            p,
            d.get("contract_number"),
            d.get("contract_date"),
            d.get("amount"),
            d.get("quantity"),
            version=d.get("version"),
        ),
    )


@bp.route("/pilots/<int:pilot_id>/delivery", methods=["POST"])
@authz.roles(Role.OFFICER, Role.OPERATOR, acting=True)
@document(
    "contracted → delivered: delivery date and acceptance (the agency or an operator)",
    body=body_schema(DELIVERY_FIELDS),
    responses=one("Pilot", "The pilot"),
    tags=TAGS,
)
def pilot_delivery(pilot_id: int):
    return _pilot_move(
        pilot_id,
        DELIVERY_FIELDS,
        lambda p, d: services.record_delivery(
            _actor(), p, d.get("delivery_date"), d.get("accepted_on"), version=d.get("version")
        ),
    )


@bp.route("/pilots/<int:pilot_id>/start", methods=["POST"])
@authz.roles(Role.OFFICER, Role.OPERATOR, acting=True)
@document(
    "delivered → in use; the report falls due at the end of the test period",
    body=body_schema(START_FIELDS),
    responses=one("Pilot", "The pilot"),
    tags=TAGS,
)
def pilot_start(pilot_id: int):
    return _pilot_move(
        pilot_id,
        START_FIELDS,
        lambda p, d: services.start_use(
            _actor(), p, d.get("use_started_on"), d.get("report_due_on"), version=d.get("version")
        ),
    )


@bp.route("/pilots/<int:pilot_id>/report", methods=["POST"])
@authz.roles(Role.OFFICER, acting=True)
@document(
    "in use → reported: the using agency's field report",
    body=body_schema(REPORT_FIELDS),
    responses=one("Pilot", "The pilot with its report"),
    tags=TAGS,
)
def pilot_report(pilot_id: int):
    def call(p, d):
        data = services.ReportInput(
            satisfaction=d.get("satisfaction"),
            would_buy_again=d.get("would_buy_again"),
            summary=d.get("summary") or "",
            measurements=d.get("measurements"),
            defects=d.get("defects"),
        )
        services.submit_report(_actor(), p, data, version=d.get("version"))

    return _pilot_move(pilot_id, REPORT_FIELDS, call)


FIX_FIELDS = {
    "fixed_on": Field("date", nullable=False, required=True),
    "version": OPTIONAL_VERSION,
}


@bp.route("/pilots/<int:pilot_id>/defects/<int:index>/fix", methods=["POST"])
@authz.roles(Role.OFFICER, Role.OPERATOR, acting=True)
@document(
    "Record that the supplier fixed reported defect number `index` (from 0); "
    "the using agency or an operator",
    body=body_schema(FIX_FIELDS),
    responses=one("Pilot", "The pilot"),
    tags=TAGS,
)
def pilot_fix_defect(pilot_id: int, index: int):
    return _pilot_move(
        pilot_id,
        FIX_FIELDS,
        lambda p, d: services.record_fix(
            _actor(), p, index, d.get("fixed_on"), version=d.get("version")
        ),
    )


@bp.route("/pilots/<int:pilot_id>/verdict", methods=["POST"])
@authz.roles(Role.OPERATOR)
@document(
    "reported → evaluated: success or insufficient (with a note); published",
    body=body_schema(VERDICT_FIELDS),
    responses=one("Pilot", "The pilot"),
    tags=TAGS,
)
def pilot_verdict(pilot_id: int):
    return _pilot_move(
        pilot_id,
        VERDICT_FIELDS,
        lambda p, d: services.evaluate(
            _actor(), p, d.get("verdict"), d.get("note") or "", version=d.get("version")
        ),
    )


@bp.route("/pilots/<int:pilot_id>/close", methods=["POST"])
@authz.roles(Role.OPERATOR)
@document(
    "evaluated → closed",
    body=body_schema(TRANSITION_FIELDS),
    responses=one("Pilot", "The pilot"),
    tags=TAGS,
)
def pilot_close(pilot_id: int):
    return _pilot_move(
        pilot_id,
        TRANSITION_FIELDS,
        lambda p, d: services.close_pilot(_actor(), p, version=d.get("version")),
    )


@bp.route("/pilots/<int:pilot_id>/good-faith", methods=["GET"])
@authz.public
@document(
    "The good-faith record (적극행정 면책): designation, evaluation, round, checks, audit trail",
    responses=one("GoodFaithRecord", "The record"),
    tags=TAGS,
)
def pilot_good_faith(pilot_id: int):
    record = goodfaith.build(services.get_pilot(current_user, pilot_id))
    return jsonify(
        title=record["title"],
        generated_at=record["generated_at"],
        sections=[
            {"heading": heading, "rows": [{"label": k, "value": v} for k, v in rows]}
            for heading, rows in record["sections"]
        ],
        checks=[{"label": label, "ok": ok} for label, ok in record["checks"]],
        trail=record["trail"],
    )


@bp.route("/follow-on-purchases", methods=["POST"])
@authz.roles(Role.OFFICER, acting=True)
@document(
    "Record a follow-on purchase of a piloted product with your agency's own budget",
    body=body_schema(FOLLOW_ON_FIELDS),
    responses={"201": {"description": "Recorded"}},
    tags=TAGS,
)
def record_follow_on():
    data = read_body(FOLLOW_ON_FIELDS)
    row = services.record_follow_on(_actor(), services.FollowOnInput(**data))
    db.session.commit()
    return created(
        {
            "id": row.id,
            "product_id": row.product_id,
            "agency_id": row.agency_id,
            "pilot_id": row.pilot_id,
            "purchased_on": iso(row.purchased_on),
            "amount": row.amount,
            "quantity": row.quantity,
        },
        f"/api/v1/follow-on-purchases/{row.id}",
    )


# -- statistics ----------------------------------------------------------------------------

STATS_PARAMS = [
    query_param("year", {"type": "integer", "minimum": 2000, "maximum": 2100}, "Round year"),
    query_param("agency", {"type": "integer", "minimum": 1}, "One agency's figures"),
]


def _stats_args() -> tuple[int | None, int | None]:
    args = Filters()
    year = args.integer("year", minimum=2000, maximum=2100)
    agency = args.integer("agency")
    args.done()
    if agency is not None and not services.is_agency(agency):
        raise NotFound(_("This agency does not exist."))
    return year, agency


@bp.route("/stats/pilots", methods=["GET"])
@authz.public
@document(
    "Pilot statistics: summary, by status and verdict, per product, supplier, agency and year",
    parameters=STATS_PARAMS,
    responses=one("PilotStats", "The statistics"),
    tags=STATS_TAGS,
    errors=(404,),
)
def pilot_stats():
    year, agency = _stats_args()
    return jsonify(stats.compute(year=year, agency_id=agency))


@bp.route("/stats/agencies", methods=["GET"])
@authz.public
@document(
    "Innovation purchases per agency against its target (goods budget × target share)",
    parameters=STATS_PARAMS,
    responses=one("PilotStats", "One row per agency"),
    tags=STATS_TAGS,
    errors=(404,),
)
def agency_stats():
    year, agency = _stats_args()
    data = stats.compute(year=year, agency_id=agency)
    return jsonify(year=data["year"], items=data["agencies"])
