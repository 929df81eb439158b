"""Display labels of the evaluation workflow, translated at use."""

from flask_babel import lazy_gettext as _l

ROUND_STATUS = {
    "draft": _l("draft"),
    "open": _l("open for scoring"),
    "closed": _l("closed"),
    "decided": _l("decided"),
}
CELL_STATUS = {
    "not_started": _l("not started"),
    "draft": _l("draft"),
    "submitted": _l("submitted"),
    "conflict": _l("conflict of interest"),
}
DECISION = {
    "confirmed": _l("result confirmed"),
    "overridden": _l("result overridden"),
}
DESIGNATION_STATUS = {
    "active": _l("in force"),
    "revoked": _l("revoked"),
}


def round_status(value: str) -> str:
    return str(ROUND_STATUS.get(value, value))


def cell_status(value: str) -> str:
    return str(CELL_STATUS.get(value, value))


def decision(value: str | None) -> str:
    return str(DECISION.get(value, value or ""))


def designation_status(value: str) -> str:
    return str(DESIGNATION_STATUS.get(value, value))
