"""Competitive dialogue (경쟁적 대화방식): notice, proposals, private dialogue, award."""

from flask import Blueprint

bp = Blueprint("dialogue", __name__, url_prefix="/dialogues")

from procure.dialogue import views  # noqa: E402,F401
