"""The audit log: writing events, verifying the hash chain, and the operator's browser."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

from procure.audit import views  # noqa: E402,F401  (registers the routes)
