"""API v1: the market as OCDS 1.1 release and record packages (procure/opendata/ocds.py)."""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from procure import authz
from procure.api import bp
from procure.api.helpers import page_params
from procure.api.openapi import PAGE_PARAMS, document, query_param
from procure.checks import day_range_message
from procure.errors import FieldError, Invalid
from procure.opendata import ocds
from procure.validators import is_plausible_day

SINCE = query_param(
    "since",
    {"type": "string"},
    "Only releases dated at or after this moment (records: processes changed since): "
    "an ISO 8601 date (midnight in Asia/Seoul) or date-time",
)


def _package_schema(kind: str) -> dict:
    return {
        "type": "object",
        "required": ["version", kind],
        "properties": {
            "uri": {"type": "string"},
            "version": {"type": "string", "const": ocds.VERSION},
            "publishedDate": {"type": "string"},
            "publisher": {"type": "object"},
            kind: {"type": "array", "items": {"type": "object"}},
            "links": {"type": "object"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
        },
    }


def _since():
    raw = request.args.get("since")
    if raw is None or raw == "":
        return None
    moment = ocds.parse_since(raw) if len(raw) <= 40 else None
    if moment is None:
        raise Invalid(
            _("Check the query parameters."),
            [FieldError("since", _("Use an ISO 8601 date or date and time."))],
        )
    # The day as written, before it is moved to UTC, which overflows at either end of time.
    if not is_plausible_day(moment):
        raise Invalid(_("Check the query parameters."), [FieldError("since", day_range_message())])
    return moment


def _paged(endpoint: str, page_of, build):
    """One page of an OCDS package: ``page_of(since, offset, limit)`` gives (total, items)."""
    page, per_page = page_params()
    since = request.args.get("since")
    total, chunk = page_of(_since(), (page - 1) * per_page, per_page)
    args = {"per_page": per_page, **({"since": since} if since else {})}
    links = {}
    if page * per_page < total:
        links["next"] = ocds.absolute(url_for(endpoint, page=page + 1, **args))
    if page > 1:
        links["prev"] = ocds.absolute(url_for(endpoint, page=page - 1, **args))
    uri = ocds.absolute(url_for(endpoint, page=page, **args))
    package = build(chunk, uri)
    if links:
        package["links"] = links
    package.update(page=page, per_page=per_page, total=total)
    return jsonify(package)


@bp.route("/ocds/releases")
@authz.public
@document(
    "OCDS 1.1 release package: every public release, oldest first",
    parameters=[SINCE, *PAGE_PARAMS],
    responses={
        "200": {
            "description": "A page of releases as an OCDS release package",
            "content": {"application/json": {"schema": _package_schema("releases")}},
        }
    },
    tags=["open data"],
)
def ocds_releases():
    _since()  # a bad date or page is a 422 before any work
    page_params()
    return _paged("api.ocds_releases", ocds.releases_page, ocds.release_package)


@bp.route("/ocds/records")
@authz.public
@document(
    "OCDS 1.1 record package: one record per contracting process, by ocid",
    parameters=[SINCE, *PAGE_PARAMS],
    responses={
        "200": {
            "description": "A page of records (embedded releases and the compiled release)",
            "content": {"application/json": {"schema": _package_schema("records")}},
        }
    },
    tags=["open data"],
)
def ocds_records():
    _since()
    page_params()
    return _paged("api.ocds_records", ocds.records_page, ocds.record_package)
