"""Display labels of the evaluation workflow, translated at use."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from scoring.reliability import NO_VARIANCE, TOO_SMALL, UNDEFINED

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
    "revoked": _l("designation revoked"),
}


APPLICATION_STATUS = {
    "applied": _l("waiting for an evaluation round"),
    "in_round": _l("in an evaluation round"),
    "decided": _l("decided"),
    "withdrawn": _l("withdrawn"),
}


def application_status(value: str) -> str:
    return str(APPLICATION_STATUS.get(value, value))


def round_status(value: str) -> str:
    return str(ROUND_STATUS.get(value, value))


def cell_status(value: str) -> str:
    return str(CELL_STATUS.get(value, value))


def decision(value: str | None) -> str:
    return str(DECISION.get(value, value or ""))


def designation_status(value: str) -> str:
    return str(DESIGNATION_STATUS.get(value, value))


def measure(m: dict) -> str:
    """A stored agreement statistic (``Measure.to_dict()``), or why the scores cannot support
    it in the reader's language (the scoring library explains in English, for its own users;
    a statistic stored without a reason code keeps its English reason)."""
    if m.get("value") is not None:
        return f"{m['value']:.3f}"
    code = m.get("reason_code")
    if code == TOO_SMALL:
        return _(
            "Needs at least 2 dossiers and 2 evaluators who scored them all "
            "(here %(n)d and %(m)d).",
            n=m["n_subjects"],
            m=m["n_raters"],
        )
    if code == NO_VARIANCE:
        return _("Not defined: no evaluator's scores vary between dossiers.")
    if code == UNDEFINED:
        return _("Not defined: the dossiers differ no more than the evaluators disagree.")
    return m.get("reason") or "—"
