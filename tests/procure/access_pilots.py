"""Who may call each pilot-purchase route (pages and API): merged by test_authz_routes."""

from access_pages import PUBLIC

OPERATOR = {"operator"}
OFFICER = {"officer"}
SUPPLIER = {"supplier"}

EXPECTED: dict[str, object] = {
    # pages
    "pilots.index": PUBLIC,
    "pilots.new_round": OPERATOR,
    "pilots.round_detail": PUBLIC,
    "pilots.open_round": OPERATOR,
    "pilots.allocate": OPERATOR,
    "pilots.publish": OPERATOR,
    "pilots.close_round": OPERATOR,
    "pilots.adjust": OPERATOR,
    "pilots.new_plan": SUPPLIER,
    "pilots.apply": OFFICER,
    "pilots.pilot_detail": PUBLIC,
    "pilots.contract": OPERATOR,
    "pilots.delivery": {"officer", "operator"},
    "pilots.start": {"officer", "operator"},
    "pilots.report": OFFICER,
    "pilots.verdict": OPERATOR,
    "pilots.close_pilot": OPERATOR,
    "pilots.good_faith": PUBLIC,
    "pilots.good_faith_pdf": PUBLIC,
    "pilots.results": PUBLIC,
    "pilots.new_follow_on": OFFICER,
    "pilots.stats_page": PUBLIC,
    "pilots.stats_csv": PUBLIC,
}
