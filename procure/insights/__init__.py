"""Insights for operators: demand gaps (수요 공백) found by clustering published demands."""

from flask import Blueprint

bp = Blueprint("insights", __name__, url_prefix="/admin/insights")

from procure.insights import views  # noqa: E402,F401
