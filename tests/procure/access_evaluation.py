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
    "evaluation.apply_for_designation": {"supplier"},
    "evaluation.withdraw_application": {"supplier"},
    # API
    "api.evaluation_rounds": {"operator", "evaluator"},
    "api.designation_applications": {"operator", "supplier"},
    "api.designation_application": {"operator", "supplier"},
    "api.apply_for_designation": {"supplier"},
    "api.withdraw_designation_application": {"supplier"},
    "api.create_evaluation_round": {"operator"},
    "api.evaluation_round": {"operator", "evaluator"},
    "api.update_evaluation_round": {"operator"},
    "api.open_evaluation_round": {"operator"},
    "api.close_evaluation_round": {"operator"},
    "api.evaluation_assignments": {"operator", "evaluator"},
    "api.declare_evaluation_conflict": {"evaluator"},
    "api.evaluation_sheet": {"evaluator"},
    "api.save_evaluation_sheet": {"evaluator"},
    "api.evaluation_item": {"operator"},
    "api.evaluation_scores": {"operator"},
    "api.decide_evaluation_item": {"operator"},
    "api.designation_detail": PUBLIC,
    "api.extend_designation": {"operator"},
    "api.revoke_designation": {"operator"},
    "api.product_innovation_index": PUBLIC,
}
