"""Translated labels for enumerations shown in pages."""

from flask_babel import lazy_gettext as _l

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
#: What an audited action did, for records shown outside the audit log (the good-faith
#: record): the kind of record, then what happened to it (a state, or one of the verbs).
AUDITED_RECORD = {
    "pilot": _l("Pilot purchase"),
    "pilot_round": _l("Pilot round"),
    "pilot_plan": _l("Pilot-use plan"),
    "pilot_application": _l("Pilot application"),
    "field_report": _l("Field report"),
    "follow_on": _l("Follow-on purchase"),
    "follow_on_purchase": _l("Follow-on purchase"),
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
}


def audited_action(action: str) -> str:
    """``pilot_round.published`` → "Pilot round: Allocation published"; unknown codes as is."""
    kind, _dot, verb = action.partition(".")
    if kind not in AUDITED_RECORD:
        return action
    states = ROUND_STATUS if kind == "pilot_round" else PILOT_STATUS
    what = AUDITED_VERB.get(verb) or states.get(verb) or verb
    return f"{AUDITED_RECORD[kind]}: {what}"


def audited_record(target_type: str, target_id) -> str:
    return f"{AUDITED_RECORD.get(target_type, target_type)} #{target_id}"


def label(table: dict, value) -> str:
    return str(table.get(value, value or ""))
