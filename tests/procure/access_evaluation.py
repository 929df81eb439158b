"""Who may call each evaluation route (pages and API): the table for test_authz_routes."""

from access_pages import PUBLIC

EXPECTED: dict[str, object] = {
    # pages
    "evaluation.index": {"operator", "evaluator"},
    "evaluation.new_round": {"operator"},
    "evaluation.round_detail": {"operator", "evaluator"},
    "evaluation.open_round": {"operator"},
    "evaluation.close_round": {"operator"},
    "evaluation.declare": {"evaluator"},
    "evaluation.sheet": {"evaluator"},
    "evaluation.item_result": {"operator"},
    "evaluation.decide": {"operator"},
    "evaluation.certificate": PUBLIC,
    "evaluation.extend": {"operator"},
    "evaluation.revoke": {"operator"},
}
