"""Reverse proposals (역제안): answering demands point by point, or unsolicited."""

from flask import Blueprint

bp = Blueprint("proposals", __name__, url_prefix="/proposals")

from procure.proposals import views  # noqa: E402,F401
