"""Bearer-token authentication for the API; cookies are ignored there, so no CSRF applies."""

from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from procure.api import bp
from procure.errors import problem
from procure.extensions import csrf, login_manager

csrf.exempt(bp)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


@login_manager.request_loader
def load_user_from_request(req):
    if not req.path.startswith("/api/"):
        return None
    token = bearer_token()
    if token is None:
        return None
    from procure.account.services import user_for_token

    return user_for_token(token)


@bp.before_request
def refuse_bad_token():
    if request.headers.get("Authorization") and not current_user.is_authenticated:
        response = problem(
            401,
            _("Sign-in required"),
            _("The API token is missing, malformed, revoked or unknown."),
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="procure"'
        return response
    return None
