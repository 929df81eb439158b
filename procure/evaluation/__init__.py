"""The evaluation workflow: rounds, conflicts, blind scoring, decisions, designations."""

from flask import Blueprint

bp = Blueprint("evaluation", __name__, url_prefix="/evaluation")

from procure.evaluation import views  # noqa: E402,F401
