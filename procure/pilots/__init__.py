"""Pilot purchases (시범구매): rounds, plans, applications, allocation, pilots and results."""

from flask import Blueprint

bp = Blueprint("pilots", __name__, url_prefix="/pilots")

from procure.pilots import commands, views  # noqa: E402,F401
