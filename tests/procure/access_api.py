"""Who may call each API route: the expected-access table for test_authz_routes."""

from access_pages import PUBLIC, SIGNED_IN

EXPECTED: dict[str, object] = {
    "api.me": SIGNED_IN,
    "api.update_me": SIGNED_IN,
    "api.organisations": PUBLIC,
    "api.organisation": PUBLIC,
    "api.openapi": PUBLIC,
    # market: demands and their questions
    "api.demands": PUBLIC,
    "api.create_demand": {"officer"},
    "api.demand": PUBLIC,
    "api.update_demand": {"officer", "operator"},  # operators: gap R&D demands
    "api.publish_demand": {"officer", "operator"},  # operators: gap R&D demands
    "api.close_demand": {"officer", "operator"},  # operators: gap R&D demands
    "api.questions": PUBLIC,
    "api.ask_question": {"supplier"},
    "api.answer_question": {"officer", "operator"},  # operators: gap R&D demands
    # products
    "api.products": PUBLIC,
    "api.create_product": {"supplier"},
    "api.product": PUBLIC,
    "api.update_product": {"supplier"},
    "api.product_status": {"supplier", "operator"},
    # proposals (confidential: the policy narrows every list and read)
    "api.proposals": SIGNED_IN,
    "api.create_proposal": {"supplier"},
    "api.proposal": SIGNED_IN,
    "api.update_proposal": {"supplier"},
    "api.submit_proposal": {"supplier"},
    "api.reopen_proposal": {"supplier"},
    "api.withdraw_proposal": {"supplier"},
    "api.shortlist_proposal": {"officer", "operator"},
    "api.decline_proposal": {"officer", "operator"},
    "api.accept_proposal": {"officer", "operator"},
    # citizen ideas
    "api.ideas": PUBLIC,
    "api.submit_idea": SIGNED_IN,
    "api.idea": PUBLIC,
    "api.update_idea": SIGNED_IN,
    "api.moderate_idea": {"operator"},
    "api.adopt_idea": {"officer"},
}

EXPECTED.update(
    {
        "api.demand_matches": PUBLIC,
        "api.product_matches": PUBLIC,
        "api.suggest_codes": PUBLIC,
    }
)
