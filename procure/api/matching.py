"""API v1: matches for a demand or a product, and classification code suggestions."""

from flask import jsonify, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from procure import authz, policy
from procure import matching_service as matching
from procure.api import bp
from procure.api.openapi import document, query_param
from procure.demands.services import get_demand
from procure.errors import FieldError, Invalid, NotFound
from procure.extensions import db
from procure.models import Product
from procure.validators import whole_number

K_PARAM = query_param(
    "k", {"type": "integer", "minimum": 1, "maximum": 50}, "How many (default 10)"
)
MATCHES = {
    "200": {
        "description": "Matches, best first, each with its reasons",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "items": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "integer"},
                                    "title": {"type": "string"},
                                    "score": {"type": "number"},
                                    "reasons": {"type": "array", "items": {"type": "string"}},
                                },
                            },
                        }
                    },
                }
            }
        },
    }
}


def _k() -> int:
    k = whole_number(request.args.get("k", "10"), 1, 50)
    if k is None:
        raise Invalid(
            _("Check the query parameters."),
            [FieldError("k", _("Use a whole number from 1 to %(max)d.", max=50))],
        )
    return k


@bp.route("/demands/<int:demand_id>/matches")
@authz.public
@document(
    "Listed products that match a demand",
    parameters=[K_PARAM],
    responses=MATCHES,
    tags=["matching"],
)
def demand_matches(demand_id: int):
    k = _k()
    demand = get_demand(current_user, demand_id)
    items = matching.suggested_products(demand, str(get_locale()), k=k)
    return jsonify(
        items=[
            {
                "id": s.item.id,
                "title": s.item.name,
                "score": round(s.score, 4),
                "reasons": s.reasons,
            }
            for s in items
        ]
    )


@bp.route("/products/<int:product_id>/matches")
@authz.public
@document(
    "Open demands that match a listed product",
    parameters=[K_PARAM],
    responses=MATCHES,
    tags=["matching"],
)
def product_matches(product_id: int):
    from sqlalchemy import select

    from procure.matching_service import demand_dict, get_matcher, listing_for
    from procure.models import Demand, DemandStatus

    k = _k()
    product = db.session.get(Product, product_id)
    if product is None or not policy.can_read_product(current_user, product):
        raise NotFound(_("This product does not exist."))
    matcher = get_matcher()
    if matcher is None:
        return jsonify(items=[])
    demands = db.session.scalars(
        select(Demand)
        .where(Demand.status == DemandStatus.PUBLISHED, Demand.deleted_at.is_(None))
        .order_by(Demand.id)
    ).all()
    by_id = {d.id: d for d in demands}
    locale = str(get_locale())
    ranked = (
        matcher.rank_demands(listing_for(product), [demand_dict(d) for d in demands], k=k)
        if demands
        else []
    )
    return jsonify(
        items=[
            {
                "id": m.demand_id,
                "title": by_id[m.demand_id].title,
                "score": round(m.score, 4),
                "reasons": [r.text(locale) for r in m.reasons][:4],
            }
            for m in ranked
            if m.demand_id in by_id
        ]
    )


@bp.route("/classification/suggest")
@authz.public
@document(
    "Suggest classification codes for a text (top 3 with probabilities)",
    parameters=[
        query_param("text", {"type": "string", "maxLength": 5000}, "The demand or product text")
    ],
    tags=["matching"],
)
def suggest_codes():
    text = request.args.get("text", "")
    if len(text) > 5000:
        raise Invalid(
            _("Check the query parameters."),
            [FieldError("text", _("Use at most %(max)d characters.", max=5000))],
        )
    from procure.classification.services import labels

    suggestions = matching.suggest_codes(text)
    names = labels([s["code"] for s in suggestions])
    return jsonify(items=[{**s, "label": names.get(s["code"], "")} for s in suggestions])
