"""Sign-in, sign-out, registration and password reset."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from procure.auth import loader, views  # noqa: E402,F401
