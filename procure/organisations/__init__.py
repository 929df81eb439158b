"""Public pages of agencies and suppliers."""

from flask import Blueprint

bp = Blueprint("organisations", __name__, url_prefix="/organisations")

from procure.organisations import views  # noqa: E402,F401
