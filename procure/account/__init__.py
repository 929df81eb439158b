"""The signed-in user's own account: profile, password and API tokens."""

from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")

from procure.account import views  # noqa: E402,F401
