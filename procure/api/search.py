"""API v1: search and suggestions (the same validation and confidentiality as the page)."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

import search
from procure import authz, search_service
from procure.api import bp
from procure.api.openapi import SCHEMAS, document, query_param
from procure.errors import FieldError, Invalid
from procure.regions import REGIONS
from procure.validators import whole_number

TAGS = ["search"]

SCHEMAS.update(
    {
        "SearchHit": {
            "type": "object",
            "properties": {
                "id": {"type": "string", "description": "<type>:<id>, e.g. demand:12"},
                "type": {"type": "string", "enum": list(search.DOCUMENT_TYPES)},
                "entity_id": {"type": "integer"},
                "title": {"type": "string"},
                "url": {"type": "string", "description": "The record in the API"},
                "score": {"type": "number"},
                "highlights": {
                    "type": "object",
                    "description": "title and body snippets: HTML-escaped, only <mark> tags",
                    "additionalProperties": {"type": "string"},
                },
            },
        },
        "SearchResult": {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/SearchHit"}},
                "total": {"type": "integer"},
                "page": {"type": "integer"},
                "per_page": {"type": "integer"},
                "facets": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "value": {"type": "string"},
                                "count": {"type": "integer"},
                            },
                        },
                    },
                },
                "degraded": {
                    "type": "boolean",
                    "description": "True when the search service is (partly) down: results "
                    "may be incomplete",
                },
            },
        },
        "Suggestions": {
            "type": "object",
            "properties": {
                "suggestions": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "text": {"type": "string"},
                            "id": {"type": "string"},
                            "type": {"type": "string"},
                        },
                    },
                },
                "degraded": {"type": "boolean"},
            },
        },
    }
)

_API_PATHS = {
    "demand": "demands",
    "product": "products",
    "proposal": "proposals",
    "idea": "ideas",
    "organisation": "organisations",
}
_LIST = {"type": "array", "items": {"type": "string"}}


def _hit_json(item: search_service.Item) -> dict:
    row = item.row
    title = getattr(row, "title", None) or getattr(row, "name", "")
    return {
        "id": item.hit.id,
        "type": item.type,
        "entity_id": row.id,
        "title": title,
        "url": f"/api/v1/{_API_PATHS[item.type]}/{row.id}",
        "score": item.hit.score,
        "highlights": dict(item.hit.highlights),
    }


def _reject_unknown(allowed) -> None:
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        raise Invalid(
            _("Check the query parameters."),
            [FieldError(name, _("Unknown parameter.")) for name in unknown],
        )


@bp.route("/search", methods=["GET"])
@authz.public
@document(
    "Search demands, products, organisations, public ideas and the reverse proposals you may "
    "see; ranked hits with highlighted snippets, facet counts and the total. Repeat a filter "
    "to match any of its values.",
    parameters=[
        query_param("q", {"type": "string", "maxLength": search_service.MAX_TEXT}, "Words"),
        query_param("type", {"type": "string", "enum": list(search.DOCUMENT_TYPES)}),
        query_param("division", {"type": "string", "pattern": "^([0-9]{2}|[A-Z][0-9]{2})$"}),
        query_param("region", {"type": "string", "enum": list(REGIONS)}, "시·도 code"),
        query_param("status", {"type": "string", "enum": list(search_service.STATUSES)}),
        query_param("designated", {"type": "string", "enum": ["true", "false"]}),
        query_param("readiness_level", {"type": "integer", "minimum": 1, "maximum": 9}),
        query_param(
            "price_range",
            {"type": "string", "enum": [k for k, _low, _high in search.PRICE_BUCKETS]},
        ),
        query_param("agency", {"type": "integer", "minimum": 1}, "Organisation id"),
        query_param("amount_min", {"type": "integer", "minimum": 0}, "Won"),
        query_param("amount_max", {"type": "integer", "minimum": 0}, "Won"),
        query_param("sort", {"type": "string", "enum": list(search_service.SORT_LABELS)}),
        query_param("page", {"type": "integer", "minimum": 1, "maximum": 500}),
        query_param(
            "per_page", {"type": "integer", "minimum": 1, "maximum": search_service.MAX_PER_PAGE}
        ),
    ],
    responses={
        "200": {
            "description": "Hits, facets and total",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/SearchResult"}}
            },
        },
        "422": {"description": "A parameter is not valid"},
    },
    tags=TAGS,
)
def search_endpoint():
    _reject_unknown(search_service.PARAMS)
    params = search_service.parse_or_raise(request.args)
    page = search_service.run_search(current_user, params)
    return jsonify(
        items=[_hit_json(item) for item in page.items],
        total=page.total,
        page=page.page,
        per_page=page.per_page,
        facets={
            name: [{"value": value, "count": count} for value, count in values]
            for name, values in page.facets.items()
        },
        degraded=page.degraded or page.unavailable,
    )


@bp.route("/search/suggest", methods=["GET"])
@authz.public
@document(
    "Titles completing what is being typed (only what the caller may see)",
    parameters=[query_param("q", {"type": "string", "maxLength": 100}, "The words typed")],
    responses={
        "200": {
            "description": "Suggestions",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Suggestions"}}
            },
        },
        "422": {"description": "A parameter is not valid"},
    },
    tags=TAGS,
)
def search_suggest():
    _reject_unknown(("q", "limit"))
    text = request.args.get("q", "")
    errors = []
    if len(text) > 100:
        errors.append(FieldError("q", _("Use at most %(max)d characters.", max=100)))
    limit = whole_number(request.args.get("limit", "8"), 1, 20)
    if limit is None:
        errors.append(FieldError("limit", _("Use a whole number from 1 to %(max)d.", max=20)))
    if errors:
        raise Invalid(_("Check the query parameters."), errors)
    items, unavailable = search_service.suggest(current_user, text, limit=limit)
    return jsonify(suggestions=items, degraded=unavailable)
