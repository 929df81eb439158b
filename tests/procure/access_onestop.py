"""Who may call each one-stop demand information route: merged by test_authz_routes."""

from access_pages import PUBLIC, SIGNED_IN

EXPECTED: dict[str, object] = {
    "onestop.index": PUBLIC,
    "onestop.month": PUBLIC,
    "onestop.atom": PUBLIC,
    "onestop.ics": PUBLIC,
    "onestop.subscribe": PUBLIC,
    "onestop.confirm": PUBLIC,
    "onestop.unsubscribe": PUBLIC,
    "onestop.my_subscriptions": SIGNED_IN,
    "onestop.cancel": SIGNED_IN,
    "api.demand_info": PUBLIC,
}
