"""A competitive dialogue's evaluation committee (평가위원회): who scores, and what they may read.

Without a committee the agency's officers score the proposals (as before). Once the agency's
officer or an operator appoints evaluators from outside the agency, only they score: each
declares, per participating supplier and before reading its proposals, whether they have a
conflict of interest; a declared conflict is final and keeps them away from that supplier's
proposals, and their sheets on it no longer count. During an evaluation the committee may take
in or let go of members (to replace one in conflict) but is never set up or dissolved, and a
member who has scored stays on the record (docs/dialogue.md).
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from procure import conflicts, policy
from procure.audit.services import record
from procure.database import insert_unique
from procure.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from procure.extensions import db
from procure.models import (
    Dialogue,
    DialogueConflict,
    DialogueEvaluator,
    DialogueParticipant,
    DialogueProposal,
    DialogueSheet,
    DialogueStatus,
    ProposalKind,
    Role,
    User,
    UserRole,
)
from procure.notifications.services import notify

S = DialogueStatus

#: Stages in which the committee may be changed freely. In an evaluation stage it may only be
#: reinforced or relieved of members who have not scored, never appear or vanish: the officers
#: or the committee score a stage, not both. Once the dialogue is over it is fixed.
CHANGEABLE = (
    S.DRAFT,
    S.BASIC_PROPOSALS,
    S.DIALOGUE_1,
    S.DIALOGUE_2,
    S.SPECIFICATION,
    S.FINAL_PROPOSALS,
)
#: The stage in which each kind of proposal is scored.
EVALUATION_STAGE = {ProposalKind.BASIC: S.BASIC_EVALUATION, ProposalKind.FINAL: S.FINAL_EVALUATION}
EVALUATING = tuple(EVALUATION_STAGE.values())
#: Stages from which a committee member may read each kind of proposal: its evaluation and
#: after (never while suppliers may still submit or replace one).
READABLE_FROM = {
    ProposalKind.BASIC: (
        S.BASIC_EVALUATION,
        S.DIALOGUE_1,
        S.DIALOGUE_2,
        S.SPECIFICATION,
        S.FINAL_PROPOSALS,
        S.FINAL_EVALUATION,
        S.AWARDED,
    ),
    ProposalKind.FINAL: (S.FINAL_EVALUATION, S.AWARDED),
}

UNDECLARED, CONFLICT, CLEAR = "undeclared", "conflict", "clear"


# -- who is who ----------------------------------------------------------------------------


def manages(user, dialogue: Dialogue) -> bool:
    """Sees the manage page (every proposal and score) and appoints and removes members: the
    agency's officers and the operators."""
    if policy.is_operator(user):
        return True
    return bool(
        user is not None
        and user.is_authenticated
        and user.has_role(Role.OFFICER)
        and policy.acts_for(user, dialogue.agency_id)
    )


def member_ids(dialogue: Dialogue) -> set[int]:
    return {m.user_id for m in dialogue.committee}


def has_committee(dialogue: Dialogue) -> bool:
    return bool(dialogue.committee)


def on_committee(user, dialogue: Dialogue) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.has_role(Role.EVALUATOR)
        and user.id in member_ids(dialogue)
    )


def declaration(user_id: int, participant: DialogueParticipant) -> DialogueConflict | None:
    return next((c for c in participant.conflicts if c.evaluator_id == user_id), None)


def standing(user, participant: DialogueParticipant) -> str:
    """UNDECLARED, CONFLICT or CLEAR: where a committee member stands on a supplier."""
    found = declaration(user.id, participant)
    if found is None:
        return UNDECLARED
    return CONFLICT if found.has_conflict else CLEAR


def may_read(user, proposal: DialogueProposal) -> bool:
    """A committee member reads a proposal once its evaluation has begun, after declaring
    no conflict with its supplier."""
    participant = proposal.participant
    dialogue = participant.dialogue
    return (
        on_committee(user, dialogue)
        and dialogue.status in READABLE_FROM[proposal.kind]
        and standing(user, participant) == CLEAR
    )


def being_scored(proposal: DialogueProposal) -> bool:
    """The proposal's evaluation stage is the dialogue's current one."""
    return proposal.participant.dialogue.status == EVALUATION_STAGE[proposal.kind]


def counted_sheets(proposal: DialogueProposal) -> list[DialogueSheet]:
    """The sheets that make the proposal's score: all of them but those of members who have
    since declared a conflict with its supplier.

    A proposal's sheets are all the officers' or all the committee's: only one of them may
    score while there is, or is not, a committee, a committee is neither set up nor dissolved
    during an evaluation stage, and a member who has scored cannot be removed. So basic
    proposals the officers scored before a committee was appointed keep their officers'
    sheets."""
    conflicted = {c.evaluator_id for c in proposal.participant.conflicts if c.has_conflict}
    return [s for s in proposal.sheets if s.evaluator_id not in conflicted]


def require_scorer(user, proposal: DialogueProposal, is_agency_officer: bool) -> None:
    """:raise Forbidden: the user may not score this proposal (with the reason why)."""
    participant = proposal.participant
    dialogue = participant.dialogue
    if not has_committee(dialogue):
        if not is_agency_officer:
            raise Forbidden(_("Only the officers of the agency running this dialogue can do this."))
        return
    if not on_committee(user, dialogue):
        raise Forbidden(_("This dialogue's evaluation committee scores its proposals."))
    if standing(user, participant) != CLEAR:
        raise Forbidden(
            _("Declare first that you have no conflict of interest with this supplier.")
        )


def committee_dialogues(user) -> list[Dialogue]:
    """For an evaluator's dashboard: the dialogues on whose committee they sit."""
    if user is None or not user.is_authenticated or not user.has_role(Role.EVALUATOR):
        return []
    return list(
        db.session.scalars(
            select(Dialogue)
            .join(DialogueEvaluator, DialogueEvaluator.dialogue_id == Dialogue.id)
            .where(DialogueEvaluator.user_id == user.id)
            .order_by(Dialogue.id.desc())
            .limit(20)
        )
    )


#: Dialogue states in which the committee's work is not yet begun or is over.
_NOT_RUNNING = (DialogueStatus.DRAFT, DialogueStatus.AWARDED, DialogueStatus.CANCELLED)


def running_committees(user) -> list[str]:
    """The titles of the running dialogues on whose committee ``user`` sits (only members
    score there: taking the person away strands the evaluation)."""
    return list(
        db.session.scalars(
            select(Dialogue.title)
            .join(DialogueEvaluator, DialogueEvaluator.dialogue_id == Dialogue.id)
            .where(DialogueEvaluator.user_id == user.id, Dialogue.status.not_in(_NOT_RUNNING))
            .order_by(Dialogue.title)
        )
    )


def summary(dialogue: Dialogue) -> list[dict]:
    """Per member, for the officers' page: declarations made (clear, conflict) and sheets."""
    rows = []
    for member in dialogue.committee:
        mine = [
            d
            for p in dialogue.participants
            for d in p.conflicts
            if d.evaluator_id == member.user_id
        ]
        sheets = sum(
            1
            for p in dialogue.participants
            for proposal in p.proposals
            for sheet in proposal.sheets
            if sheet.evaluator_id == member.user_id
        )
        rows.append(
            {
                "member": member,
                "declared_clear": sum(1 for d in mine if not d.has_conflict),
                "conflicts": [d for d in mine if d.has_conflict],
                "sheets": sheets,
            }
        )
    return rows


def participant_for_member(user, participant_id: int) -> DialogueParticipant:
    """:raise NotFound: no such participant, or the user is not on its dialogue's committee."""
    participant = db.session.get(DialogueParticipant, participant_id)
    if participant is None or not on_committee(user, participant.dialogue):
        raise NotFound(_("This dialogue thread does not exist."))
    return participant


def candidates(dialogue: Dialogue) -> list[User]:
    """Evaluators who may be appointed: not members yet, not of the agency or a participant."""
    excluded = _excluded_organisations(dialogue)
    members = member_ids(dialogue)
    return [
        u
        for u in db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == Role.EVALUATOR, User.deleted_at.is_(None))
            .order_by(User.name)
        )
        if u.id not in members and u.organisation_id not in excluded
    ]


def _excluded_organisations(dialogue: Dialogue) -> set[int]:
    return {dialogue.agency_id} | {p.supplier_id for p in dialogue.participants}


# -- changes -------------------------------------------------------------------------------


def may_change(dialogue: Dialogue, adding: bool) -> bool:
    """Whether a member may be added (``adding``) or removed now; see ``CHANGEABLE``."""
    if dialogue.status in CHANGEABLE:
        return True
    if dialogue.status not in EVALUATING:
        return False
    return len(dialogue.committee) >= (1 if adding else 2)


def _require_manager(actor: User, dialogue: Dialogue, adding: bool) -> None:
    if not manages(actor, dialogue):
        raise Forbidden(_("Only the agency's officers and operators can change the committee."))
    if may_change(dialogue, adding):
        return
    if dialogue.status in EVALUATING:
        raise Conflict(
            _(
                "During an evaluation the committee can take in or let go of members, "
                "but it cannot be set up or dissolved: whoever began the evaluation finishes it."
            )
        )
    raise Conflict(_("This dialogue is over; its committee no longer changes."))


def add_member(actor: User, dialogue: Dialogue, user_id: int | None) -> DialogueEvaluator:
    _require_manager(actor, dialogue, adding=True)
    user = db.session.get(User, user_id) if user_id else None
    if user is None or user.deleted_at is not None or not user.has_role(Role.EVALUATOR):
        raise Invalid(_("Check the evaluator."), [FieldError("user_id", _("Choose an evaluator."))])
    if user.organisation_id is not None and user.organisation_id in _excluded_organisations(
        dialogue
    ):
        raise Invalid(
            _("Check the evaluator."),
            [
                FieldError(
                    "user_id",
                    _(
                        "Evaluators from the agency or from a participating supplier "
                        "cannot sit on the committee."
                    ),
                )
            ],
        )
    if user.id in member_ids(dialogue):
        raise Conflict(_("This evaluator is already on the committee."))
    member = DialogueEvaluator(dialogue_id=dialogue.id, user_id=user.id, added_by_id=actor.id)
    insert_unique(member)
    db.session.refresh(dialogue, ["committee"])
    record(
        "dialogue.evaluator_added", "dialogue", dialogue.id, actor=actor, after={"user_id": user.id}
    )
    notify(
        [user],
        "dialogue.committee",
        lambda: _("You are on the evaluation committee of “%(title)s”", title=dialogue.title),
        lambda: _(
            "Declare any conflict of interest with each supplier before its proposals are "
            "evaluated; the dialogue page lists them."
        ),
        url_for("dialogue.detail", dialogue_id=dialogue.id),
    )
    return member


def notify_members(dialogue: Dialogue, title, body) -> None:
    """Tell the committee's members (an evaluation stage has begun)."""
    notify(
        [m.user for m in dialogue.committee],
        "dialogue.committee",
        title,
        body,
        url_for("dialogue.detail", dialogue_id=dialogue.id),
    )


def remove_member(actor: User, dialogue: Dialogue, user_id: int) -> None:
    _require_manager(actor, dialogue, adding=False)
    member = next((m for m in dialogue.committee if m.user_id == user_id), None)
    if member is None:
        raise NotFound(_("This evaluator is not on the committee."))
    scored = db.session.scalar(
        select(DialogueSheet.id)
        .join(DialogueProposal, DialogueProposal.id == DialogueSheet.proposal_id)
        .join(DialogueParticipant, DialogueParticipant.id == DialogueProposal.participant_id)
        .where(
            DialogueParticipant.dialogue_id == dialogue.id, DialogueSheet.evaluator_id == user_id
        )
        .limit(1)
    )
    if scored is not None:
        raise Conflict(_("This evaluator has scored proposals and stays on the committee."))
    dialogue.committee.remove(member)
    db.session.delete(member)
    db.session.flush()
    record(
        "dialogue.evaluator_removed",
        "dialogue",
        dialogue.id,
        actor=actor,
        before={"user_id": user_id},
    )


def declare(
    actor: User, participant: DialogueParticipant, has_conflict, note: str = ""
) -> DialogueConflict:
    """Declare, before reading a supplier's proposals, whether the member has a conflict of
    interest with it. "No conflict" may later become a conflict; a conflict is final."""
    dialogue = participant.dialogue
    if not on_committee(actor, dialogue):
        raise NotFound(_("This dialogue thread does not exist."))
    if dialogue.status in (S.AWARDED, S.CANCELLED):
        raise Conflict(_("This dialogue is over; declarations are closed."))
    own = actor.organisation_id is not None and actor.organisation_id == participant.supplier_id
    has_conflict, note = conflicts.checked_answer(has_conflict, note, own_organisation=own)
    found = declaration(actor.id, participant)
    before = None
    if found is not None:
        before = conflicts.revise(
            found,
            has_conflict,
            note,
            _("You have already declared a conflict of interest with this supplier."),
        )
    else:
        found = DialogueConflict(
            participant_id=participant.id,
            evaluator_id=actor.id,
            has_conflict=has_conflict,
            note=note,
        )
        insert_unique(found)
        db.session.refresh(participant, ["conflicts"])
    db.session.flush()
    record(
        "dialogue.conflict_declared",
        "dialogue",
        dialogue.id,
        actor=actor,
        before=before,
        after={"participant_id": participant.id, "has_conflict": has_conflict},
    )
    return found
