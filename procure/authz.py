"""Authorisation in one place: every view declares a rule, one hook enforces it.

A view without a rule makes ``create_app`` fail, so no route can be added unguarded.
Object-level checks (whose record is this?) live in the services, which raise ``Forbidden``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, abort, g, request
from flask_babel import gettext as _
from flask_login import current_user

from procure.errors import Forbidden
from procure.models import Role

ALL_ROLES = frozenset(Role)


@dataclass(frozen=True)
class Rule:
    """Who may call a view.

    ``public``: anyone, signed in or not. Otherwise the caller must be signed in and hold one
    of ``roles`` (any role when ``roles`` is empty). ``acting``: the caller must also act for a
    verified organisation with an approved membership (officers and suppliers posting).
    """

    public: bool = False
    roles: frozenset[str] = frozenset()
    acting: bool = False

    def allows(self, user) -> bool | None:
        """True (allowed), False (forbidden) or None (must sign in first)."""
        if self.public:
            return True
        if not user.is_authenticated:
            return None
        if self.roles and not user.has_role(*self.roles):
            return False
        return not (self.acting and not user.can_act_for_organisation)


def _attach(rule: Rule) -> Callable:
    def decorate(view):
        view.authz_rule = rule
        return view

    return decorate


def public(view=None):
    """Anyone may call this view."""
    decorate = _attach(Rule(public=True))
    return decorate(view) if view else decorate


def signed_in(view=None):
    """Any signed-in user may call this view."""
    decorate = _attach(Rule())
    return decorate(view) if view else decorate


def roles(*names: str, acting: bool = False):
    """Only users holding one of ``names`` may call this view."""
    unknown = set(names) - ALL_ROLES
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    return _attach(Rule(roles=frozenset(names), acting=acting))


def rule_for(app: Flask, endpoint: str | None) -> Rule | None:
    view = app.view_functions.get(endpoint or "")
    return getattr(view, "authz_rule", None)


# Endpoints served by Flask itself or by extensions, with the rule that applies to them.
BUILTIN_RULES = {"static": Rule(public=True)}


def unguarded_endpoints(app: Flask) -> list[str]:
    return sorted(
        endpoint
        for endpoint in app.view_functions
        if endpoint not in BUILTIN_RULES and rule_for(app, endpoint) is None
    )


def init_app(app: Flask) -> None:
    """Install the enforcing hook; must run before CSRF so unauthorised callers learn nothing."""

    @app.before_request
    def enforce():
        if request.endpoint is None:  # 404 and 405 are handled by the router
            return None
        rule = BUILTIN_RULES.get(request.endpoint) or rule_for(app, request.endpoint)
        if rule is None:
            # Unreachable once create_app has checked the routes; refuse rather than allow.
            abort(403)
        g.authz_rule = rule
        verdict = rule.allows(current_user)
        if verdict is None:
            abort(401)
        if verdict is False:
            if rule.acting and current_user.has_role(*rule.roles or ALL_ROLES):
                raise Forbidden(
                    _(
                        "Your organisation or your membership has not been verified yet. "
                        "An operator will review it shortly."
                    )
                )
            abort(403)
        return None


def check_routes(app: Flask) -> None:
    """Refuse to start when a route has no rule."""
    missing = unguarded_endpoints(app)
    if missing:
        raise RuntimeError(f"routes without an authorisation rule: {', '.join(missing)}")
