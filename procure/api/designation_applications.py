"""Applications for designation in the API: suppliers apply and withdraw; operators list them.

The rules are ``procure.evaluation.applications``; this module only reads bodies and writes JSON.
"""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from procure import authz, policy
from procure.api import bp
from procure.api.helpers import page_params, page_response
from procure.api.market_common import (
    OPTIONAL_VERSION,
    Field,
    body_schema,
    created,
    one,
    page_of,
    read_body,
)
from procure.api.openapi import PAGE_PARAMS, SCHEMAS, document, query_param
from procure.errors import FieldError, Invalid
from procure.evaluation import applications
from procure.extensions import db
from procure.models import ApplicationStatus, DesignationApplication, Role
from procure.pagination import paginate
from procure.products.services import get_product

TAGS = ["evaluation"]
APPLY_FIELDS = {"note": Field("text", applications.MAX_NOTE, description="For the operators")}
TRANSITION_FIELDS = {"version": OPTIONAL_VERSION}

SCHEMAS.update(
    {
        "DesignationApplication": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "product_id": {"type": "integer"},
                "supplier_id": {"type": "integer"},
                "status": {"type": "string", "enum": list(ApplicationStatus)},
                "note": {"type": ["string", "null"]},
                "round_id": {"type": ["integer", "null"]},
                "created_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"},
                "version": {"type": "integer"},
            },
        }
    }
)


def application_json(application: DesignationApplication) -> dict:
    return {
        "id": application.id,
        "product_id": application.product_id,
        "supplier_id": application.supplier_id,
        "status": application.status,
        "note": application.note,
        "round_id": application.round_id,
        "created_at": application.created_at.isoformat(),
        "updated_at": application.updated_at.isoformat(),
        "version": application.version,
    }


@bp.route("/designation-applications", methods=["GET"])
@authz.roles(Role.OPERATOR, Role.SUPPLIER)
@document(
    "Applications for designation: every one for operators, your company's for suppliers",
    parameters=[
        *PAGE_PARAMS,
        query_param(
            "status",
            {"type": "string", "enum": list(ApplicationStatus)},
            "Only the applications in this state",
        ),
    ],
    responses=page_of("DesignationApplication", "A page of applications, newest first"),
    tags=TAGS,
)
def designation_applications():
    page, per_page = page_params()
    query = select(DesignationApplication).order_by(DesignationApplication.id.desc())
    if not policy.is_operator(current_user):
        # Only a member the operator approved reads the company's applications (their notes
        # are the company's): anyone may claim to belong to a company when registering.
        own = current_user.organisation_id if current_user.can_act_for_organisation else None
        query = query.where(DesignationApplication.supplier_id == (own or -1))
    status = request.args.get("status")
    if status is not None:
        if status not in set(ApplicationStatus):
            message = _("Choose one of the listed options.")
            raise Invalid(message, [FieldError("status", message)])
        query = query.where(DesignationApplication.status == status)
    return page_response(paginate(query, page, per_page), application_json)


@bp.route("/products/<int:product_id>/designation-application", methods=["POST"])
@authz.roles(Role.SUPPLIER, acting=True)
@document(
    "Apply for the designation of one of your listed products",
    body=body_schema(APPLY_FIELDS),
    responses=one("DesignationApplication", "The application", status="201"),
    tags=TAGS,
)
def apply_for_designation(product_id: int):
    product = get_product(current_user, product_id)
    data = read_body(APPLY_FIELDS, optional=True)
    application = applications.apply(
        current_user._get_current_object(), product, data.get("note") or ""
    )
    db.session.commit()
    return created(
        application_json(application), f"/api/v1/designation-applications/{application.id}"
    )


@bp.route("/designation-applications/<int:application_id>", methods=["GET"])
@authz.roles(Role.OPERATOR, Role.SUPPLIER)
@document(
    "One application for designation (operators, or the applying company)",
    responses=one("DesignationApplication", "The application"),
    tags=TAGS,
)
def designation_application(application_id: int):
    return jsonify(application_json(applications.get_readable(current_user, application_id)))


@bp.route("/designation-applications/<int:application_id>/withdraw", methods=["POST"])
@authz.roles(Role.SUPPLIER, acting=True)
@document(
    "Withdraw your application before a round takes it",
    body=body_schema(TRANSITION_FIELDS),
    responses=one("DesignationApplication", "The withdrawn application"),
    tags=TAGS,
)
def withdraw_designation_application(application_id: int):
    application = applications.get_own(current_user, application_id)
    data = read_body(TRANSITION_FIELDS, optional=True)
    applications.withdraw(current_user._get_current_object(), application, data.get("version"))
    db.session.commit()
    return jsonify(application_json(application))
