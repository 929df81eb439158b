"""Attachments: checked uploads stored outside the static folder, authorised downloads."""

from flask import Blueprint

bp = Blueprint("attachments", __name__, url_prefix="/attachments")

from procure.attachments import views  # noqa: E402,F401
