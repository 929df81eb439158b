"""Innovative products (혁신제품) listed by suppliers."""

from flask import Blueprint

bp = Blueprint("products", __name__, url_prefix="/products")

from procure.products import views  # noqa: E402,F401
