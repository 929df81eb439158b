"""Who may call each pilot-purchase route (pages and API): merged by test_authz_routes."""

from access_pages import PUBLIC, SIGNED_IN

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
    "pilots.fix_defect": {"officer", "operator"},
    "pilots.verdict": OPERATOR,
    "pilots.close_pilot": OPERATOR,
    "pilots.good_faith": PUBLIC,
    "pilots.good_faith_pdf": PUBLIC,
    "pilots.results": PUBLIC,
    "pilots.follow_on_good_faith": SIGNED_IN,
    "pilots.follow_on_good_faith_pdf": SIGNED_IN,
    "pilots.new_follow_on": OFFICER,
    "pilots.stats_page": PUBLIC,
    "pilots.stats_csv": PUBLIC,
    "pilots.budgets": OPERATOR,
    # API
    "api.pilot_rounds": PUBLIC,
    "api.create_pilot_round": OPERATOR,
    "api.pilot_round": PUBLIC,
    "api.open_pilot_round": OPERATOR,
    "api.allocate_pilot_round": OPERATOR,
    "api.publish_pilot_round": OPERATOR,
    "api.close_pilot_round": OPERATOR,
    "api.file_pilot_plan": SUPPLIER,
    "api.pilot_applications": SIGNED_IN,
    "api.apply_for_pilot": OFFICER,
    "api.adjust_pilot_allocation": OPERATOR,
    "api.pilots": PUBLIC,
    "api.pilot": PUBLIC,
    "api.pilot_contract": OPERATOR,
    "api.pilot_delivery": {"officer", "operator"},
    "api.pilot_start": {"officer", "operator"},
    "api.pilot_report": OFFICER,
    "api.pilot_fix_defect": {"officer", "operator"},
    "api.pilot_verdict": OPERATOR,
    "api.pilot_close": OPERATOR,
    "api.pilot_good_faith": PUBLIC,
    "api.record_follow_on": OFFICER,
    "api.pilot_stats": PUBLIC,
    "api.agency_stats": PUBLIC,
}
