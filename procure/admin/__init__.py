"""Operator pages: verifying organisations, approving members, granting the evaluator role."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from procure.admin import views  # noqa: E402,F401
