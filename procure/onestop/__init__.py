"""One-stop demand information (원스톱 수요정보): all open and upcoming demand in one place."""

from flask import Blueprint

bp = Blueprint("onestop", __name__, url_prefix="/demand-info")

from procure.onestop import commands, views  # noqa: E402,F401
