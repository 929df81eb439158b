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


def label(table: dict, value) -> str:
    return str(table.get(value, value or ""))
