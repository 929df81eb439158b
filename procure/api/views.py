"""API v1 views: the caller, organisations and the OpenAPI document."""

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from procure import authz
from procure.account import services as accounts
from procure.api import bp
from procure.api.helpers import json_body, page_params, page_response, string_field
from procure.api.openapi import PAGE_PARAMS, build, document, query_param
from procure.errors import FieldError, Invalid, NotFound
from procure.extensions import db
from procure.listing import text_contains
from procure.models import Organisation
from procure.pagination import paginate
from procure.regions import REGIONS


def organisation_json(org: Organisation | None) -> dict | None:
    if org is None:
        return None
    return {
        "id": org.id,
        "kind": org.kind,
        "name": org.name,
        "name_en": org.name_en,
        "region": org.region,
        "is_sme": org.is_sme,
        "verified": org.is_verified,
    }


def me_json(user) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "phone": user.phone,
        "locale": user.locale,
        "roles": sorted(user.roles),
        "version": user.version,
        "organisation": organisation_json(user.organisation),
    }


ME = {
    "200": {
        "description": "The caller",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Me"}}},
    }
}


@bp.route("/me", methods=["GET"])
@authz.signed_in
@document("The account that owns the token", responses=ME, tags=["accounts"])
def me():
    return jsonify(me_json(current_user))


@bp.route("/me", methods=["PATCH"])
@authz.signed_in
@document(
    "Update the caller's profile (send the version you read)",
    responses=ME,
    tags=["accounts"],
    body={
        "type": "object",
        "required": ["version"],
        "properties": {
            "name": {"type": "string", "maxLength": 100},
            "phone": {"type": ["string", "null"], "maxLength": 32},
            "locale": {"type": ["string", "null"], "enum": ["ko", "en", None]},
            "version": {"type": "integer"},
        },
    },
)
def update_me():
    data = json_body()
    errors: list[FieldError] = []
    user = current_user._get_current_object()
    name = string_field(data, "name", max_length=100, errors=errors)
    phone = string_field(data, "phone", max_length=32, errors=errors)
    locale = string_field(data, "locale", max_length=2, errors=errors)
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        errors.append(FieldError("version", _("Send the version you read, as a whole number.")))
    if locale not in (None, "ko", "en"):
        errors.append(FieldError("locale", _("Use ko or en.")))
    if errors:
        raise Invalid(_("Some fields need your attention."), errors)
    accounts.update_profile(
        user,
        name=name if name is not None else user.name,
        phone=phone if "phone" in data else user.phone,
        locale=locale if "locale" in data else user.locale,
        version=version,
    )
    db.session.commit()
    return jsonify(me_json(user))


@bp.route("/organisations")
@authz.public
@document(
    "Verified organisations, filterable by kind, region and name",
    parameters=[
        query_param("kind", {"type": "string", "enum": ["agency", "supplier"]}),
        query_param("region", {"type": "string"}, "시·도 code"),
        query_param("q", {"type": "string", "maxLength": 100}, "Part of the name"),
        *PAGE_PARAMS,
    ],
    responses={
        "200": {
            "description": "A page of organisations",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "items": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/Organisation"},
                            },
                            "page": {"type": "integer"},
                            "per_page": {"type": "integer"},
                            "total": {"type": "integer"},
                        },
                    }
                }
            },
        }
    },
    tags=["organisations"],
)
def organisations():
    page, per_page = page_params()
    args = request.args
    errors = []
    query = select(Organisation).where(
        Organisation.verified_at.is_not(None),
        Organisation.deleted_at.is_(None),
        Organisation.kind.in_(("agency", "supplier")),
    )
    kind = args.get("kind")
    if kind:
        if kind not in ("agency", "supplier"):
            errors.append(FieldError("kind", _("Use agency or supplier.")))
        query = query.where(Organisation.kind == kind)
    region = args.get("region")
    if region:
        if region not in REGIONS:
            errors.append(FieldError("region", _("Unknown region code.")))
        query = query.where(Organisation.region == region)
    q = args.get("q", "")
    if len(q) > 100:
        errors.append(FieldError("q", _("Use at most %(max)d characters.", max=100)))
    if errors:
        raise Invalid(_("Check the query parameters."), errors)
    if q:
        query = query.where(text_contains(q, Organisation.name, Organisation.name_en))
    result = paginate(query.order_by(Organisation.name, Organisation.id), page, per_page)
    return page_response(result, organisation_json)


@bp.route("/organisations/<int:org_id>")
@authz.public
@document(
    "One verified organisation",
    responses={
        "200": {
            "description": "The organisation",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Organisation"}}
            },
        }
    },
    tags=["organisations"],
)
def organisation(org_id: int):
    org = db.session.get(Organisation, org_id)
    if org is None or not org.is_verified or org.is_deleted or org.kind == "operator":
        raise NotFound(_("This organisation does not exist."))
    return jsonify(organisation_json(org))


@bp.route("/openapi.json")
@authz.public
@document("This OpenAPI 3.1 document", tags=["meta"])
def openapi():
    return jsonify(build(current_app))
