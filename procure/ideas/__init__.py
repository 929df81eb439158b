"""Citizen ideas (국민 제안): problems seen in daily life, moderated, adopted as demands."""

from flask import Blueprint

bp = Blueprint("ideas", __name__, url_prefix="/ideas")

from procure.ideas import views  # noqa: E402,F401
