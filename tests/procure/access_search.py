"""Who may call each search route: the expected-access table for test_authz_routes."""

from access_pages import PUBLIC, SIGNED_IN

EXPECTED: dict[str, object] = {
    "searching.index": PUBLIC,
    "searching.suggest": PUBLIC,
    "searching.saved": SIGNED_IN,
    "searching.save": SIGNED_IN,
    "searching.delete_saved": SIGNED_IN,
    "api.search_endpoint": PUBLIC,
    "api.search_suggest": PUBLIC,
}
