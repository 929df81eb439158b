"""The home page, dashboards, language choice and health check."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from procure.main import navigation, views  # noqa: E402,F401
