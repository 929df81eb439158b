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
