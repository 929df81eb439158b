"""API v1: one-stop demand information (원스톱 수요정보), the public unified list."""

from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _

from procure import authz
from procure.api import bp
from procure.api.helpers import page_params, page_response
from procure.api.market_common import iso, org_ref, page_of
from procure.api.openapi import PAGE_PARAMS, SCHEMAS, document, query_param
from procure.clock import local_today
from procure.errors import FieldError, Invalid
from procure.onestop import services
from procure.regions import REGIONS

SCHEMAS["DemandInfoItem"] = {
    "type": "object",
    "properties": {
        "uid": {"type": "string", "description": "Stable id: demand-<id> or idea-<id>"},
        "source": {"type": "string", "enum": ["demand", "idea"]},
        "kind": {"type": "string", "enum": list(services.KINDS)},
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "agency": {"oneOf": [{"$ref": "#/components/schemas/OrganisationRef"}, {"type": "null"}]},
        "region": {"type": ["string", "null"]},
        "codes": {"type": "array", "items": {"type": "string"}},
        "opens_on": {"type": ["string", "null"], "format": "date"},
        "closes_on": {"type": ["string", "null"], "format": "date"},
        "expected_purchase_on": {"type": ["string", "null"], "format": "date"},
        "next_on": {"type": ["string", "null"], "format": "date"},
        "posted_at": {"type": ["string", "null"], "format": "date-time"},
        "state": {"type": "string", "enum": list(services.STATES)},
        "term": {"type": "string", "enum": list(services.TERMS)},
        "from_idea": {"type": "boolean"},
        "url": {"type": "string"},
    },
}


def item_json(item: services.Item, today) -> dict:
    url = (
        url_for("demands.detail", demand_id=item.id)
        if item.source == "demand"
        else url_for("ideas.detail", idea_id=item.id)
    )
    return {
        "uid": item.uid,
        "source": item.source,
        "kind": item.kind,
        "id": item.id,
        "title": item.title,
        "agency": org_ref(item.agency),
        "region": item.region,
        "codes": item.codes,
        "opens_on": iso(item.opens_on),
        "closes_on": iso(item.closes_on),
        "expected_purchase_on": iso(item.expected_purchase_on),
        "next_on": iso(item.next_on),
        "posted_at": iso(item.posted_at),
        "state": item.state(today),
        "term": item.term(today),
        "from_idea": item.from_idea,
        "url": url,
    }


@bp.route("/demand-info", methods=["GET"])
@authz.public
@document(
    "Open and upcoming demand information: demands, R&D demand surveys, adopted citizen ideas",
    parameters=[
        query_param("kind", {"type": "string", "enum": list(services.KINDS)}),
        query_param("agency", {"type": "integer", "minimum": 1}, "The agency's organisation id"),
        query_param(
            "code",
            {"type": "string", "pattern": "^[0-9]{2,8}$"},
            "CPV code or its first digits (2 to 8)",
        ),
        query_param("region", {"type": "string", "enum": list(REGIONS)}, "시·도 code"),
        query_param(
            "term",
            {"type": "string", "enum": list(services.TERMS)},
            "short: expected purchase (or closing) within 12 months; long: later or unscheduled",
        ),
        query_param("state", {"type": "string", "enum": list(services.STATES)}),
        query_param("from", {"type": "string", "format": "date"}, "Period start (YYYY-MM-DD)"),
        query_param("to", {"type": "string", "format": "date"}, "Period end (YYYY-MM-DD)"),
        query_param(
            "sort", {"type": "string", "enum": list(services.SORTS)}, "next date (default), newest"
        ),
        *PAGE_PARAMS,
    ],
    responses=page_of("DemandInfoItem", "A page of demand information"),
    tags=["demand-info"],
)
def demand_info():
    errors: list[FieldError] = []
    try:
        page, per_page = page_params()
    except Invalid as error:
        errors += error.errors
        page, per_page = 1, 20
    try:
        filters = services.parse_filters(request.args)
    except Invalid as error:
        errors += error.errors
        filters = services.Filters()
    sort = request.args.get("sort") or "next"
    if sort not in services.SORTS:
        errors.append(FieldError("sort", _("Choose one of the listed options.")))
    if errors:
        raise Invalid(_("Check the query parameters."), errors)
    today = local_today()
    result = services.find(filters, page=page, per_page=per_page, sort=sort, today=today)
    return page_response(result, lambda item: item_json(item, today))
