"""How Flask-Login finds the user behind a session cookie."""

from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin

from procure.extensions import db, login_manager
from procure.models import User


class AnonymousUser(AnonymousUserMixin):
    """A visitor who has not signed in: no roles, no organisation, no language setting."""

    id = None
    organisation_id = None
    organisation = None
    locale = None
    roles = frozenset()
    can_act_for_organisation = False

    def has_role(self, *roles: str) -> bool:
        return False


login_manager.anonymous_user = AnonymousUser
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Sign in to see this page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str):
    if request.path.startswith("/api/"):
        return None  # the API authenticates by token only; cookies carry no authority there
    try:
        ident = int(user_id)
    except ValueError:
        return None
    user = db.session.get(User, ident)
    return user if user is not None and user.is_active else None
