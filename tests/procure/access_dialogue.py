"""Who may call each competitive-dialogue route: merged by test_authz_routes.

Object-level rules (only the agency's officers manage a dialogue; a partner sees only its own
thread and proposals) are tested in test_dialogue.py; the evaluation committee's (members only,
after declaring no conflict) in test_dialogue_committee.py.
"""

from access_pages import PUBLIC, SIGNED_IN

OFFICER = {"officer"}
SUPPLIER = {"supplier"}

EXPECTED: dict[str, object] = {
    "dialogue.index": PUBLIC,
    "api.dialogues": PUBLIC,
    "api.dialogue": PUBLIC,
    "api.dialogue_participation": SUPPLIER,
    "dialogue.detail": PUBLIC,
    "dialogue.award_page": PUBLIC,
    "dialogue.specification": PUBLIC,
    "dialogue.new": OFFICER,
    "dialogue.edit": OFFICER,
    "dialogue.manage": {"officer", "operator"},
    "dialogue.move": OFFICER,
    "dialogue.extend_deadlines": OFFICER,
    "dialogue.select_partners": OFFICER,
    "dialogue.award": OFFICER,
    "dialogue.add_spec": OFFICER,
    "dialogue.score_proposal": {"officer", "evaluator"},
    "dialogue.add_member": {"officer", "operator"},
    "dialogue.remove_member": {"officer", "operator"},
    "dialogue.declare": {"evaluator"},
    "dialogue.mine": SUPPLIER,
    "dialogue.submit_basic": SUPPLIER,
    "dialogue.submit_final": SUPPLIER,
    "dialogue.proposal_detail": SIGNED_IN,
    "dialogue.thread": SIGNED_IN,
    "dialogue.post_message": {"officer", "supplier"},
}
