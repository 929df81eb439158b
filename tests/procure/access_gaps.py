"""Who may call the demand-gap routes: operators only (merged by test_authz_routes)."""

OPERATOR = {"operator"}

EXPECTED: dict[str, object] = {
    "insights.gaps": OPERATOR,
    "insights.gap": OPERATOR,
    "insights.publish": OPERATOR,
    "insights.request_analysis": OPERATOR,
}
