"""Translated labels for enumerations shown in pages."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

ROLE_LABELS = {
    "citizen": _l("Citizen"),
    "officer": _l("Agency officer"),
    "supplier": _l("Supplier"),
    "evaluator": _l("Evaluator"),
    "operator": _l("Operator"),
}

KIND_LABELS = {
    "agency": _l("Agency (수요기관)"),
    "supplier": _l("Supplier (조달기업)"),
    "operator": _l("Operator"),
}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def role_labels(roles) -> str:
    return ", ".join(role_label(role) for role in sorted(roles))


DEMAND_STATUS = {
    "draft": _l("draft"),
    "published": _l("open"),
    "closed": _l("closed"),
}
DEMAND_OUTCOME = {
    "awarded": _l("awarded"),
    "withdrawn": _l("withdrawn"),
    "unsuccessful": _l("unsuccessful"),
}
DEMAND_TYPE = {
    "purchase": _l("Purchase"),
    "pilot": _l("Pilot purchase"),
    "rnd": _l("Demand-driven R&D"),
    "dialogue": _l("Competitive dialogue"),
}
PRODUCT_STATUS = {
    "draft": _l("draft"),
    "listed": _l("listed"),
    "suspended": _l("suspended"),
    "archived": _l("archived"),
}
PROPOSAL_STATUS = {
    "draft": _l("draft"),
    "submitted": _l("submitted"),
    "shortlisted": _l("shortlisted"),
    "declined": _l("declined"),
    "accepted": _l("accepted"),
    "withdrawn": _l("withdrawn"),
}
COMPLIANCE = {
    "exceeds": _l("Exceeds"),
    "meets": _l("Meets"),
    "partly": _l("Partly"),
    "no": _l("Does not meet"),
}
IDEA_STATUS = {
    "submitted": _l("awaiting review"),
    "approved": _l("published"),
    "rejected": _l("not published"),
    "adopted": _l("adopted by an agency"),
}


#: Pilot rounds and pilot purchases (procure/pilots): shown as badges and in messages.
ROUND_STATUS = {
    "draft": _l("Draft"),
    "open": _l("Open for plans and applications"),
    "allocating": _l("Allocating"),
    "published": _l("Allocation published"),
    "closed": _l("Closed"),
}
PILOT_STATUS = {
    "allocated": _l("Allocated"),
    "contracted": _l("Contracted"),
    "delivered": _l("Delivered"),
    "in_use": _l("In use"),
    "reported": _l("Reported"),
    "evaluated": _l("Evaluated"),
    "closed": _l("Closed"),
}

PILOT_VERDICT = {"success": _l("Success"), "insufficient": _l("Insufficient")}
PILOT_MODE = {"purchase": _l("Purchase"), "rental": _l("Rental or subscription")}
#: Why the allocation optimiser chose or left out an application (``allocation.optimise``).
ALLOCATION_REASON = {
    "chosen-new-agency": _l("Chosen: covers an agency not otherwise covered"),
    "chosen-new-product": _l("Chosen: covers a product not otherwise covered"),
    "chosen": _l("Chosen"),
    "not-eligible": _l("Left out: the product has no plan in this round"),
    "exceeds-units": _l("Left out: asks for more units than the supplier offered"),
    "exceeds-budget": _l("Left out: costs more than the whole budget"),
    "exceeds-cap": _l("Left out: costs more than the per-agency cap"),
    "budget-used": _l("Left out: too little budget left after the higher-priority choices"),
    "units-used": _l("Left out: too few units left after the higher-priority choices"),
    "cap-used": _l("Left out: the agency's cap is used by its other applications"),
    "lower-priority": _l("Left out: lower priority"),
}
#: What an audited action did, in words (the audit log and the good-faith record): the kind
#: of record, then what happened to it (a state, or one of the verbs). A code neither table
#: knows is shown as it is.
AUDITED_RECORD = {
    "pilot": _l("Pilot purchase"),
    "pilot_round": _l("Pilot round"),
    "pilot_plan": _l("Pilot-use plan"),
    "pilot_application": _l("Pilot application"),
    "field_report": _l("Field report"),
    "follow_on": _l("Follow-on purchase"),
    "follow_on_purchase": _l("Follow-on purchase"),
    "demand": _l("Demand"),
    "product": _l("Product"),
    "proposal": _l("Reverse proposal"),
    "idea": _l("Citizen idea"),
    "question": _l("Question"),
    "designation": _l("Designation"),
    "designation_application": _l("Designation application"),
    "dialogue": _l("Competitive dialogue"),
    "dialogue_thread": _l("Dialogue thread"),
    "evaluation": _l("Evaluation"),
    "evaluation_round": _l("Evaluation round"),
    "evaluation_sheet": _l("Score sheet"),
    "round_item": _l("Evaluation dossier"),
    "user": _l("Account"),
    "organisation": lazy_pgettext("record", "Organisation"),
    "api_token": _l("API token"),
    "attachment": _l("Attachment"),
    "agency_budget": _l("Agency budget"),
    "demand_info": _l("Demand information digest"),
    "insights": _l("Demand gaps"),
    "match": _l("Matching suggestion"),
    "ocds": _l("OCDS import"),
}
AUDITED_VERB = {
    "created": _l("created"),
    "updated": _l("changed"),
    "filed": _l("filed"),
    "submitted": _l("submitted"),
    "withdrawn": _l("withdrawn"),
    "adjusted": _l("adjusted by hand"),
    "allocated": _l("allocated"),
    "recorded": _l("recorded"),
    "defect_fixed": _l("defect fixed"),
    "report_due": _l("report reminder sent"),
    "report_overdue": _l("report overdue notice sent"),
    "published": _l("published"),
    "closed": _l("closed"),
    "deleted": _l("deleted"),
    "amended": _l("amended"),
    "listed": _l("listed"),
    "suspended": _l("suspended"),
    "archived": _l("archived"),
    "shortlisted": _l("shortlisted"),
    "declined": _l("declined"),
    "accepted": _l("accepted"),
    "reopened": _l("taken back to revise"),
    "approved": _l("approved"),
    "rejected": _l("rejected"),
    "adopted": _l("adopted"),
    "released": _l("released"),
    "asked": _l("asked"),
    "answered": _l("answered"),
    "corrected": _l("answer corrected"),
    "applied": _l("applied"),
    "in_round": _l("taken into a round"),
    "extended": _l("extended"),
    "revoked": _l("revoked"),
    "conflict_declared": _l("conflict of interest declared"),
    "sheet_saved": _l("score sheet saved"),
    "sheet_submitted": _l("score sheet submitted"),
    "item_decided": _l("decision recorded"),
    "round_created": _l("round created"),
    "round_updated": _l("round changed"),
    "round_opened": _l("round opened"),
    "round_closed": _l("round closed"),
    "round_decided": _l("round decided"),
    "round_deleted": _l("draft round deleted"),
    "registered": _l("registered"),
    "verified": _l("verified"),
    "signed_in": _l("signed in"),
    "password_changed": _l("password changed"),
    "password_reset": _l("password reset"),
    "password_reset_requested": _l("password reset asked for"),
    "profile_updated": _l("profile changed"),
    "locale_changed": _l("language changed"),
    "membership_approved": _l("membership approved"),
    "role_granted": _l("role granted"),
    "role_withdrawn": _l("role withdrawn"),
    "deactivated": _l("deactivated"),
    "operator_created": _l("operator created"),
    "added": _l("added"),
    "removed": _l("removed"),
    "set": _l("set"),
    "message": _l("message sent"),
    "spec_version": _l("specification version added"),
    "evaluator_added": _l("committee member appointed"),
    "evaluator_removed": _l("committee member removed"),
    "proposal_submitted": _l("proposal submitted"),
    "proposal_replaced": _l("proposal replaced"),
    "publish": _l("notice published"),
    "close_basic": _l("basic proposals closed"),
    "select_partners": _l("partners selected"),
    "start_stage_2": _l("stage 2 started"),
    "close_dialogue": _l("dialogue closed"),
    "issue_final_spec": _l("final specification issued"),
    "close_final": _l("final proposals closed"),
    "award": _l("award made"),
    "cancel": _l("cancelled"),
    "deadlines_extended": _l("deadlines extended"),
    "gap_published": _l("gap published as R&D demand"),
    "gaps_requested": _l("analysis asked for"),
    "dismissed": _l("dismissed"),
    "imported": _l("imported"),
    "match_alerts": _l("match alerts changed"),
    "subscription_requested": _l("subscription asked for"),
    "subscription_confirmed": _l("subscription confirmed"),
    "unsubscribed": _l("unsubscribed"),
    "digest_sent": _l("digest sent"),
}


#: Actions the kind and the verb would name wrongly.
AUDITED_ACTION = {"user.closed": _l("Account: closed by its holder")}


def audited_action(action: str) -> str:
    """``pilot_round.published`` → "Pilot round: Allocation published"; unknown codes as is."""
    if action in AUDITED_ACTION:
        return str(AUDITED_ACTION[action])
    kind, _dot, verb = action.partition(".")
    if kind not in AUDITED_RECORD:
        return action
    states = ROUND_STATUS if kind == "pilot_round" else PILOT_STATUS
    what = AUDITED_VERB.get(verb) or states.get(verb) or verb
    return f"{AUDITED_RECORD[kind]}: {what}"


def audited_record(target_type: str, target_id) -> str:
    """``pilot_round``, 3 → "Pilot round #3" (the kind alone when there is no id)."""
    kind = AUDITED_RECORD.get(target_type, target_type)
    return f"{kind} #{target_id}" if target_id not in (None, "") else str(kind)


def label(table: dict, value) -> str:
    return str(table.get(value, value or ""))
