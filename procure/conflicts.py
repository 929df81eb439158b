"""Declarations of conflicts of interest, taken the same way by designation rounds' panels
(procure/evaluation) and competitive dialogues' committees (procure/dialogue/committee.py):
the answer is yes or no, a conflict needs a note, a member of the supplier's organisation is
in conflict whatever they answer, "no conflict" may become a conflict and a conflict is final.
"""

from __future__ import annotations

from flask_babel import gettext as _

from procure.checks import Checker
from procure.errors import Conflict, FieldError, Invalid
from procure.models.base import utcnow


def checked_answer(has_conflict, note: str, *, own_organisation: bool) -> tuple[bool, str | None]:
    """(has_conflict, note) as they will be recorded. :raise Invalid: no yes-or-no answer, a
    conflict without a note, a note over 500 characters."""
    if not isinstance(has_conflict, bool):
        raise Invalid(
            _("Say whether you have a conflict of interest."),
            [FieldError("has_conflict", _("Choose yes or no."))],
        )
    check = Checker()
    note = check.text("note", note, 500, required=has_conflict)
    check.done()
    if own_organisation:
        return True, note or _("Member of the supplier's organisation.")
    return has_conflict, note or None


def revise(found, has_conflict: bool, note: str | None, already_in_conflict: str) -> dict:
    """Turn an earlier declaration of no conflict into a conflict; returns the audit record's
    ``before``. :raise Conflict: the earlier one was a conflict (final), or both say none."""
    if found.has_conflict:
        raise Conflict(already_in_conflict)
    if not has_conflict:
        raise Conflict(_("You have already declared that you have no conflict."))
    found.has_conflict, found.note, found.declared_at = True, note, utcnow()
    return {"has_conflict": False}
