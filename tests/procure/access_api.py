"""Who may call each API route: the expected-access table for test_authz_routes."""

from access_pages import PUBLIC, SIGNED_IN

EXPECTED: dict[str, object] = {
    "api.me": SIGNED_IN,
    "api.update_me": SIGNED_IN,
    "api.organisations": PUBLIC,
    "api.organisation": PUBLIC,
    "api.openapi": PUBLIC,
}
