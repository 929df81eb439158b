"""Who may call each page route: the expected-access table for test_authz_routes.

PUBLIC: anyone; SIGNED_IN: any signed-in user; a set: only those roles.
"""

PUBLIC = "public"
SIGNED_IN = "signed_in"

EXPECTED: dict[str, object] = {
    "static": PUBLIC,
    "main.home": PUBLIC,
    "main.health": PUBLIC,
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
    "admin.organisations": {"operator"},
    "admin.verify_organisation": {"operator"},
    "admin.users": {"operator"},
    "admin.approve_user": {"operator"},
    "admin.toggle_evaluator": {"operator"},
    "admin.deactivate_user": {"operator"},
    "audit.index": {"operator"},
    "notifications.index": SIGNED_IN,
    "notifications.open_one": SIGNED_IN,
    "notifications.read_all": SIGNED_IN,
    "attachments.download": PUBLIC,
}
