"""JSON API v1: personal bearer tokens, problem+json errors, an OpenAPI 3.1 document."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from procure.api import (  # noqa: E402,F401
    auth,
    designation_applications,
    dialogue,
    evaluation,
    market,
    matching,
    ocds,
    onestop,
    pilots,
    ratelimit,
    search,
    views,
)
