"""Open data: OCDS export (``ocds``), CSV downloads of the public lists and the open-data page."""

from flask import Blueprint

bp = Blueprint("opendata", __name__, url_prefix="/open-data")

from procure.opendata import views  # noqa: E402,F401
