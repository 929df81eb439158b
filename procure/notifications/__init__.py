"""The in-app notification centre and the e-mails that accompany it."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

from procure.notifications import views  # noqa: E402,F401
