"""The search page, suggestions and saved searches (the search library lives in ``search/``)."""

from flask import Blueprint

bp = Blueprint("searching", __name__, url_prefix="/search")

from procure.searching import views  # noqa: E402,F401
