"""Who may call each page route: the expected-access table for test_authz_routes.

PUBLIC: anyone; SIGNED_IN: any signed-in user; a set: only those roles.
"""

PUBLIC = "public"
SIGNED_IN = "signed_in"

EXPECTED: dict[str, object] = {
    "static": PUBLIC,
    "main.home": PUBLIC,
    "main.health": PUBLIC,
    "main.privacy": PUBLIC,
    "main.set_locale": PUBLIC,
    "main.dashboard": SIGNED_IN,
    "auth.login": PUBLIC,
    "auth.logout": SIGNED_IN,
    "auth.register": PUBLIC,
    "auth.forgot_password": PUBLIC,
    "auth.reset_password": PUBLIC,
    "account.profile": SIGNED_IN,
    "account.change_password": SIGNED_IN,
    "account.tokens": SIGNED_IN,
    "account.revoke_token": SIGNED_IN,
    "account.my_data": SIGNED_IN,
    "account.close": SIGNED_IN,
    "admin.organisations": {"operator"},
    "admin.verify_organisation": {"operator"},
    "admin.users": {"operator"},
    "admin.approve_user": {"operator"},
    "admin.toggle_evaluator": {"operator"},
    "admin.deactivate_user": {"operator"},
    "audit.index": {"operator"},
    "notifications.index": SIGNED_IN,
    "main.match_alerts": {"supplier"},
    "notifications.open_one": SIGNED_IN,
    "notifications.read_all": SIGNED_IN,
    "attachments.download": PUBLIC,
    "attachments.upload": SIGNED_IN,
    "attachments.remove": SIGNED_IN,
    "demands.index": PUBLIC,
    "demands.detail": PUBLIC,
    "demands.versions": PUBLIC,
    "demands.new": {"officer"},
    "demands.edit": {"officer", "operator"},  # operators: gap R&D demands
    "demands.publish": {"officer", "operator"},  # operators: gap R&D demands
    "demands.close": {"officer", "operator"},  # operators: gap R&D demands
    "demands.delete": {"officer", "operator"},  # operators: gap R&D demands
    "demands.ask": {"supplier"},
    "demands.answer": {"officer", "operator"},  # operators: gap R&D demands
    "demands.compare": {"officer", "operator"},
    "demands.dismiss_suggestion": {"officer", "operator"},
    "products.index": PUBLIC,
    "products.detail": PUBLIC,
    "products.new": {"supplier"},
    "products.edit": {"supplier"},
    "products.change_status": {"supplier", "operator"},
    "proposals.index": {"supplier", "officer", "operator"},
    "proposals.new": {"supplier"},
    "proposals.edit": {"supplier"},
    "proposals.detail": SIGNED_IN,
    "proposals.submit": {"supplier"},
    "proposals.reopen": {"supplier"},
    "proposals.withdraw": {"supplier"},
    "proposals.decide": {"officer", "operator"},
    "ideas.index": PUBLIC,
    "ideas.detail": PUBLIC,
    "ideas.new": SIGNED_IN,
    "ideas.edit": SIGNED_IN,
    "ideas.moderate": {"operator"},
    "ideas.adopt": {"officer"},
    "organisations.index": PUBLIC,
    "organisations.detail": PUBLIC,
}
