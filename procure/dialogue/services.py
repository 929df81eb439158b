"""The rules of competitive dialogue (경쟁적 대화방식).

One state machine (``TRANSITIONS``) moves a procedure through its stages; each stage that takes
submissions has a deadline (a Korean calendar date, inclusive). Everything a partner writes or
uploads is private to that partner and the agency: ``can_read_participant`` and
``can_read_proposal`` are the only gates, used by pages, attachments and downloads alike.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import scoring
from procure import policy
from procure.audit.services import record
from procure.checks import Checker
from procure.clock import local_today
from procure.database import insert_unique
from procure.dialogue import committee
from procure.errors import Conflict, FieldError, Forbidden, Invalid, NotFound, stale_message
from procure.extensions import db
from procure.models import (
    Demand,
    DemandStatus,
    DemandType,
    Dialogue,
    DialogueMessage,
    DialogueParticipant,
    DialogueProposal,
    DialogueSheet,
    DialogueStatus,
    ParticipantStatus,
    ProposalKind,
    Role,
    SpecVersion,
    User,
)
from procure.models.base import utcnow
from procure.notifications.services import members, notify

S = DialogueStatus

# The procedure, declared once: state -> {action: next state}. Nothing else moves it.
TRANSITIONS: dict[str, dict[str, str]] = {
    S.DRAFT: {"publish": S.BASIC_PROPOSALS, "cancel": S.CANCELLED},
    S.BASIC_PROPOSALS: {"close_basic": S.BASIC_EVALUATION, "cancel": S.CANCELLED},
    S.BASIC_EVALUATION: {"select_partners": S.DIALOGUE_1, "cancel": S.CANCELLED},
    S.DIALOGUE_1: {"start_stage_2": S.DIALOGUE_2, "cancel": S.CANCELLED},
    S.DIALOGUE_2: {"close_dialogue": S.SPECIFICATION, "cancel": S.CANCELLED},
    S.SPECIFICATION: {"issue_final_spec": S.FINAL_PROPOSALS, "cancel": S.CANCELLED},
    S.FINAL_PROPOSALS: {"close_final": S.FINAL_EVALUATION, "cancel": S.CANCELLED},
    S.FINAL_EVALUATION: {"award": S.AWARDED, "cancel": S.CANCELLED},
    S.AWARDED: {},
    S.CANCELLED: {},
}
# The stages as the timeline shows them, in order, with the deadline field of each.
STAGES: tuple[tuple[str, str | None], ...] = (
    (S.DRAFT, None),
    (S.BASIC_PROPOSALS, "basic_due_on"),
    (S.BASIC_EVALUATION, None),
    (S.DIALOGUE_1, "dialogue_1_due_on"),
    (S.DIALOGUE_2, "dialogue_2_due_on"),
    (S.SPECIFICATION, None),
    (S.FINAL_PROPOSALS, "final_due_on"),
    (S.FINAL_EVALUATION, None),
    (S.AWARDED, None),
)
ORDER = [state for state, _field in STAGES]
DIALOGUE_STAGES = (S.DIALOGUE_1, S.DIALOGUE_2)
# Stages whose deadline must have passed before the officer may close them: closing early
# would shut out suppliers who were promised the full period.
CLOSE_AFTER_DEADLINE = {"close_basic": "basic_due_on", "close_final": "final_due_on"}
BASIC_SCHEME = "dialogue_basic-v1"
FINAL_SCHEME = "dialogue_final-v1"
MIN_PARTNERS = 2
MAX_TEXT = 20_000


def submissions_open_until(dialogue: Dialogue, action: str) -> date | None:
    """The deadline that keeps ``action`` (closing a submission stage) waiting, or None."""
    field = CLOSE_AFTER_DEADLINE.get(action)
    deadline = getattr(dialogue, field) if field else None
    return deadline if deadline is not None and local_today() <= deadline else None


def _actions():
    return {
        "publish": _("Publish the notice"),
        "close_basic": _("Close basic proposals"),
        "select_partners": _("Select the dialogue partners"),
        "start_stage_2": _("Start dialogue stage 2"),
        "close_dialogue": _("Close the dialogue"),
        "issue_final_spec": _("Issue the final specification"),
        "close_final": _("Close final proposals"),
        "award": _("Award"),
        "cancel": _("Cancel the procedure"),
    }


def action_label(action: str) -> str:
    return _actions().get(action, action)


def status_label(status: str) -> str:
    labels = {
        S.DRAFT: _("Notice in preparation"),
        S.BASIC_PROPOSALS: _("Basic proposals"),
        S.BASIC_EVALUATION: _("Evaluation of basic proposals"),
        S.DIALOGUE_1: _("Dialogue, stage 1"),
        S.DIALOGUE_2: _("Dialogue, stage 2"),
        S.SPECIFICATION: _("Final specification"),
        S.FINAL_PROPOSALS: _("Final proposals"),
        S.FINAL_EVALUATION: _("Final evaluation"),
        S.AWARDED: _("Awarded"),
        S.CANCELLED: _("Cancelled"),
    }
    return str(labels.get(status, status))


def participant_label(status: str) -> str:
    labels = {
        ParticipantStatus.APPLICANT: _("Applicant"),
        ParticipantStatus.PARTNER: _("Dialogue partner"),
        ParticipantStatus.NOT_SELECTED: _("Not selected"),
    }
    return str(labels.get(status, status))


def scoring_lang() -> str:
    from flask_babel import get_locale

    return "ko" if str(get_locale() or "ko").startswith("ko") else "en"


def scheme_for(key: str) -> scoring.Scheme:
    name, version = key.rsplit("-v", 1)
    return scoring.load_scheme(name, int(version))


# -- who may do what ---------------------------------------------------------------------


def is_agency_officer(user, dialogue: Dialogue) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.has_role(Role.OFFICER)
        and policy.acts_for(user, dialogue.agency_id)
    )


def can_read_dialogue(user, dialogue: Dialogue) -> bool:
    """The notice is public once published; a draft only for its agency, operators and the
    evaluation committee's members appointed to it already."""
    if dialogue.status != S.DRAFT:
        return True
    return (
        is_agency_officer(user, dialogue)
        or policy.is_operator(user)
        or committee.on_committee(user, dialogue)
    )


def participant_of(user, dialogue: Dialogue) -> DialogueParticipant | None:
    """The user's organisation's participation, if the user acts for it as a supplier."""
    if user is None or not user.is_authenticated or not user.has_role(Role.SUPPLIER):
        return None
    if not user.can_act_for_organisation:
        return None
    return next((p for p in dialogue.participants if p.supplier_id == user.organisation_id), None)


def can_read_participant(user, participant: DialogueParticipant) -> bool:
    """A private thread: its own supplier, the agency's officers and operators; nobody else."""
    if user is None or not user.is_authenticated:
        return False
    if policy.acts_for(user, participant.supplier_id) and user.has_role(Role.SUPPLIER):
        return True
    return is_agency_officer(user, participant.dialogue) or policy.is_operator(user)


def can_read_proposal(user, proposal: DialogueProposal) -> bool:
    """The thread's readers, and the evaluation committee's members once its evaluation has
    begun and they declared no conflict with the supplier (``committee.may_read``)."""
    return can_read_participant(user, proposal.participant) or committee.may_read(user, proposal)


def can_edit_thread_files(user, participant: DialogueParticipant) -> bool:
    """Documents go into a thread while the dialogue runs, from either side."""
    dialogue = participant.dialogue
    if dialogue.status not in DIALOGUE_STAGES or not participant.is_partner:
        return False
    if local_today() > deadline_of(dialogue, dialogue.status):
        return False
    own = user.has_role(Role.SUPPLIER) and policy.acts_for(user, participant.supplier_id)
    return own or is_agency_officer(user, dialogue)


def can_edit_proposal_files(user, proposal: DialogueProposal) -> bool:
    """The supplier adds documents to its proposal while that proposal's stage is open."""
    participant = proposal.participant
    stage = S.BASIC_PROPOSALS if proposal.kind == ProposalKind.BASIC else S.FINAL_PROPOSALS
    return bool(
        user.is_authenticated
        and user.has_role(Role.SUPPLIER)
        and policy.acts_for(user, participant.supplier_id)
        and participant.dialogue.status == stage
        and local_today() <= deadline_of(participant.dialogue, stage)
    )


def require_officer(user, dialogue: Dialogue) -> None:
    if not is_agency_officer(user, dialogue):
        raise Forbidden(_("Only the officers of the agency running this dialogue can do this."))


# -- loading -----------------------------------------------------------------------------


def get_dialogue(user, dialogue_id: int) -> Dialogue:
    """:raise NotFound: no such dialogue, or a draft the user may not see."""
    dialogue = db.session.get(Dialogue, dialogue_id)
    if dialogue is None or not can_read_dialogue(user, dialogue):
        raise NotFound(_("This dialogue does not exist."))
    return dialogue


def get_participant(user, participant_id: int) -> DialogueParticipant:
    """:raise NotFound: also when it is another supplier's: nobody learns it exists."""
    participant = db.session.get(DialogueParticipant, participant_id)
    if participant is None or not can_read_participant(user, participant):
        raise NotFound(_("This dialogue thread does not exist."))
    return participant


def get_proposal(user, proposal_id: int) -> DialogueProposal:
    proposal = db.session.get(DialogueProposal, proposal_id)
    if proposal is None or not can_read_proposal(user, proposal):
        raise NotFound(_("This proposal does not exist."))
    return proposal


def dialogue_for_demand(demand_id: int) -> Dialogue | None:
    return db.session.scalar(select(Dialogue).where(Dialogue.demand_id == demand_id))


def deadline_of(dialogue: Dialogue, state: str) -> date | None:
    field = dict(STAGES).get(state)
    return getattr(dialogue, field) if field else None


def _stage_name(state: str) -> str:
    """A stage as a step of the timeline: "Notice", "Award" (the status names say what a
    dialogue is in — "Notice in preparation", "Awarded" — and read oddly beside "Done")."""
    steps = {S.DRAFT: _("Preparing the notice"), S.AWARDED: _("Award")}
    return str(steps[state]) if state in steps else status_label(state)


def timeline(dialogue: Dialogue) -> list[dict]:
    """Each stage with its state (done, current, upcoming, skipped) and its deadline."""
    current = dialogue.status
    position = ORDER.index(current) if current in ORDER else None
    entered = dialogue.stage_log or {}
    rows = []
    for n, (state, _field) in enumerate(STAGES):
        if position is None:  # cancelled: what was reached is done, the rest skipped
            phase = "done" if state in entered else "skipped"
        elif n < position:
            phase = "done"
        elif n == position:
            phase = "done" if state == S.AWARDED else "current"
        else:
            phase = "upcoming"
        rows.append(
            {
                "state": state,
                "label": _stage_name(state),
                "phase": phase,
                "deadline": deadline_of(dialogue, state),
                "entered": entered.get(state),
            }
        )
    return rows


# -- creating and moving -----------------------------------------------------------------


@dataclass
class DialogueInput:
    title: str = ""
    notice: str = ""
    technical_weight: object = 80
    price_weight: object = 20
    min_partners: object = MIN_PARTNERS
    basic_due_on: object = None
    dialogue_1_due_on: object = None
    dialogue_2_due_on: object = None
    final_due_on: object = None


def _check_input(data: DialogueInput, *, today: date) -> dict:
    check = Checker()
    values = {
        "title": check.text("title", data.title, 200, required=True),
        "notice": check.text("notice", data.notice, MAX_TEXT, required=True),
        "technical_weight": check.integer(
            "technical_weight", data.technical_weight, minimum=0, maximum=100, required=True
        ),
        "price_weight": check.integer(
            "price_weight", data.price_weight, minimum=0, maximum=100, required=True
        ),
        "min_partners": check.integer(
            "min_partners", data.min_partners, minimum=1, maximum=20, required=True
        ),
    }
    tw, pw = values["technical_weight"], values["price_weight"]
    if tw is not None and pw is not None and tw + pw != 100:
        check.fail("price_weight", _("The technical and price weights must add up to 100."))
    previous = today
    previous_field = None
    for field in ("basic_due_on", "dialogue_1_due_on", "dialogue_2_due_on", "final_due_on"):
        value = check.day(field, getattr(data, field), required=True)
        values[field] = value
        if value is None:
            continue
        if previous_field is None and value < today:
            check.fail(field, _("The deadline cannot be in the past."))
        elif previous_field is not None and value <= previous:
            check.fail(field, _("Each deadline must come after the one before it."))
        previous, previous_field = value, field
    check.done()
    return values


def create_dialogue(actor: User, demand: Demand, data: DialogueInput) -> Dialogue:
    """An officer of the demand's agency sets up the procedure (a draft notice)."""
    if not policy.can_edit_demand(actor, demand):
        raise Forbidden(_("Only the officers of the demand's agency can run it as a dialogue."))
    if demand.demand_type != DemandType.DIALOGUE:
        raise Conflict(_("Only a demand of the type competitive dialogue can be run as one."))
    if dialogue_for_demand(demand.id) is not None:
        raise Conflict(_("This demand already has a dialogue."))
    if demand.status == DemandStatus.CLOSED:
        raise Conflict(_("The demand is closed; a procedure can no longer be run on it."))
    values = _check_input(data, today=local_today())
    dialogue = Dialogue(
        demand_id=demand.id,
        agency_id=demand.agency_id,
        created_by_id=actor.id,
        basic_scheme=BASIC_SCHEME,
        final_scheme=FINAL_SCHEME,
        stage_log={S.DRAFT: utcnow().isoformat(timespec="seconds")},
        **values,
    )
    db.session.add(dialogue)
    db.session.flush()
    record("dialogue.created", "dialogue", dialogue.id, actor=actor, after=_snapshot(dialogue))
    return dialogue


def update_dialogue(actor: User, dialogue: Dialogue, data: DialogueInput, version: int):
    """The notice and the declared weights change only while it is a draft."""
    require_officer(actor, dialogue)
    _check_version(dialogue, version)
    if dialogue.status != S.DRAFT:
        raise Conflict(_("The notice is published; its terms can no longer change."))
    before = _snapshot(dialogue)
    for key, value in _check_input(data, today=local_today()).items():
        setattr(dialogue, key, value)
    db.session.flush()
    record(
        "dialogue.updated",
        "dialogue",
        dialogue.id,
        actor=actor,
        before=before,
        after=_snapshot(dialogue),
    )
    return dialogue


def _snapshot(dialogue: Dialogue) -> dict:
    return {
        "status": dialogue.status,
        "title": dialogue.title,
        "weights": [dialogue.technical_weight, dialogue.price_weight],
        "min_partners": dialogue.min_partners,
        "deadlines": [
            str(dialogue.basic_due_on),
            str(dialogue.dialogue_1_due_on),
            str(dialogue.dialogue_2_due_on),
            str(dialogue.final_due_on),
        ],
    }


def _check_version(dialogue: Dialogue, version: int | None) -> None:
    if version is not None and version != dialogue.version:
        raise Conflict(stale_message())


def _require_allowed(dialogue: Dialogue, action: str) -> dict[str, str]:
    """:raise Conflict: the move is not in TRANSITIONS from the current state."""
    allowed = TRANSITIONS.get(dialogue.status, {})
    if action in allowed and action != "cancel" and dialogue.demand.status == DemandStatus.CLOSED:
        # The demand was closed before the procedure started (closing is refused while one
        # runs): the procedure can only be cancelled now.
        raise Conflict(
            _("The demand of this procedure is closed; the procedure can only be cancelled.")
        )
    if action not in allowed:
        raise Conflict(
            _(
                "“%(action)s” is not possible while the procedure is at the stage “%(stage)s”.",
                action=action_label(action),
                stage=status_label(dialogue.status),
            )
        )
    return allowed


def _move(actor: User, dialogue: Dialogue, action: str, version: int | None, **after) -> None:
    """Check the move against TRANSITIONS, apply it and audit it."""
    require_officer(actor, dialogue)
    _check_version(dialogue, version)
    allowed = _require_allowed(dialogue, action)
    still_open = submissions_open_until(dialogue, action)
    if still_open is not None:
        raise Conflict(
            _(
                "Submissions are open until %(day)s; the stage can be closed after that day.",
                day=still_open.isoformat(),
            )
        )
    before = dialogue.status
    dialogue.status = allowed[action]
    log = dict(dialogue.stage_log or {})
    log[dialogue.status] = utcnow().isoformat(timespec="seconds")
    dialogue.stage_log = log
    db.session.flush()
    record(
        f"dialogue.{action}",
        "dialogue",
        dialogue.id,
        actor=actor,
        before={"status": before},
        after={"status": dialogue.status, **after},
    )


def move(actor: User, dialogue: Dialogue, action: str, version: int | None, reason: str = ""):
    """The simple moves: those that need nothing but the officer's decision (and a reason to
    cancel). Selecting partners and awarding have their own functions."""
    if action in ("select_partners", "award"):
        raise Invalid(_("This step needs its own form."))
    if action not in _actions():
        raise Invalid(_("Unknown step."))
    require_officer(actor, dialogue)
    _check_version(dialogue, version)
    _require_allowed(dialogue, action)
    extra: dict = {}
    if action == "cancel":
        check = Checker()
        reason = check.text("reason", reason, 2000, required=True)
        check.done()
        dialogue.cancel_reason = reason
        extra["reason"] = reason
    if action == "publish":
        if dialogue.demand.status == DemandStatus.DRAFT:
            raise Conflict(_("Publish the demand first; the notice points to it."))
        if local_today() > dialogue.basic_due_on:
            raise Conflict(_("The deadline for basic proposals has passed; change it first."))
    if action == "issue_final_spec":
        current = latest_spec(dialogue)
        if current is None:
            raise Conflict(_("Write the specification before issuing it as final."))
        if local_today() > dialogue.final_due_on:
            raise Conflict(_("The deadline for final proposals has passed; it cannot be issued."))
        current.is_final = True
        extra["final_spec"] = current.number
    _move(actor, dialogue, action, version, **extra)
    if action == "publish":
        dialogue.published_at = utcnow()
    if action == "issue_final_spec":
        _notify_partners(
            dialogue,
            "dialogue.final_spec",
            lambda: _("The final specification of “%(title)s” is issued", title=dialogue.title),
            lambda: _(
                "Submit your final proposal with price by %(day)s.", day=dialogue.final_due_on
            ),
        )
    if action == "start_stage_2":
        _notify_partners(
            dialogue,
            "dialogue.stage",
            lambda: _("Dialogue stage 2 of “%(title)s” has started", title=dialogue.title),
        )
    if action == "cancel":
        _notify_participants(
            dialogue,
            "dialogue.cancelled",
            lambda: _("The dialogue “%(title)s” is cancelled", title=dialogue.title),
            lambda: reason,
        )
    if action in ("close_basic", "close_final"):
        committee.notify_members(
            dialogue,
            lambda: _(
                "The proposals of “%(title)s” are ready for evaluation", title=dialogue.title
            ),
            lambda: _(
                "Declare any conflict of interest with each supplier, then score its proposals."
            ),
        )
    return dialogue


DEADLINE_FIELDS = tuple(field for _state, field in STAGES if field)


def extendable_deadlines(dialogue: Dialogue) -> list[str]:
    """The deadline fields an officer may still move: those of the current stage and the
    stages after it, unless the day has already passed (a passed deadline stays passed:
    suppliers who let it go must not find it reopened)."""
    if dialogue.status not in ORDER or dialogue.status in (S.DRAFT, S.AWARDED):
        return []
    position = ORDER.index(dialogue.status)
    today = local_today()
    return [
        field
        for n, (_state, field) in enumerate(STAGES)
        if field and n >= position and getattr(dialogue, field) >= today
    ]


def extend_deadlines(
    actor: User, dialogue: Dialogue, days: dict, reason: str, version: int | None
) -> list[str]:
    """Move the deadlines of the current and later stages later — never earlier — with a
    reason; every participant is told. Returns the fields that changed.

    A draft's deadlines are edited with the notice; a published notice's may only grow,
    stay in order, and a day that has passed is not reopened.
    """
    require_officer(actor, dialogue)
    _check_version(dialogue, version)
    editable = extendable_deadlines(dialogue)
    if dialogue.status == S.DRAFT:
        raise Conflict(_("The notice is still a draft: change its deadlines by editing it."))
    if not editable:
        raise Conflict(_("No deadline is left to extend at this stage."))
    check = Checker()
    reason = check.text("reason", reason, 2000, required=True)
    new = {field: getattr(dialogue, field) for field in DEADLINE_FIELDS}
    for field in DEADLINE_FIELDS:
        value = check.day(field, days.get(field))
        if value is None or value == getattr(dialogue, field):
            continue
        if field not in editable:
            check.fail(field, _("This deadline has passed or its stage is over; it stays."))
            continue
        if value < getattr(dialogue, field):
            check.fail(
                field,
                _("A deadline can only be moved later: participants rely on the one announced."),
            )
            continue
        new[field] = value
    previous = None
    for field in DEADLINE_FIELDS:
        if previous is not None and new[field] <= previous and field in editable:
            check.fail(field, _("Each deadline must come after the one before it."))
        previous = new[field]
    changed = [f for f in editable if new[f] != getattr(dialogue, f)]
    if not changed and not check.errors:
        check.fail(editable[0], _("Nothing to change: every date is the one already announced."))
    check.done()
    before = _snapshot(dialogue)
    for field in changed:
        setattr(dialogue, field, new[field])
    db.session.flush()
    record(
        "dialogue.deadlines_extended",
        "dialogue",
        dialogue.id,
        actor=actor,
        before=before,
        after={**_snapshot(dialogue), "reason": reason, "changed": changed},
    )
    _notify_participants(
        dialogue,
        "dialogue.deadlines",
        lambda: _("The deadlines of “%(title)s” are extended", title=dialogue.title),
        lambda: reason,
    )
    return changed


def _notify_partners(dialogue: Dialogue, kind: str, title, body=lambda: "") -> None:
    for participant in dialogue.participants:
        if participant.is_partner:
            notify(
                members(participant.supplier_id),
                kind,
                title,
                body,
                url_for("dialogue.mine", dialogue_id=dialogue.id),
            )


def _notify_participants(dialogue: Dialogue, kind: str, title, body=lambda: "") -> None:
    for participant in dialogue.participants:
        notify(
            members(participant.supplier_id),
            kind,
            title,
            body,
            url_for("dialogue.mine", dialogue_id=dialogue.id),
        )


# -- proposals ---------------------------------------------------------------------------


@dataclass
class ProposalInput:
    title: str = ""
    summary: str = ""
    price: object = None


def submit_proposal(
    actor: User, dialogue: Dialogue, kind: str, data: ProposalInput, version: int | None = None
) -> DialogueProposal:
    """A supplier submits (or, until the deadline, replaces) its basic or final proposal."""
    if not actor.has_role(Role.SUPPLIER) or not actor.can_act_for_organisation:
        raise Forbidden(_("Only verified suppliers can submit proposals."))
    stage = S.BASIC_PROPOSALS if kind == ProposalKind.BASIC else S.FINAL_PROPOSALS
    if dialogue.status != stage:
        raise Conflict(
            _(
                "Proposals of this kind are not accepted at the stage “%(stage)s”.",
                stage=status_label(dialogue.status),
            )
        )
    due = deadline_of(dialogue, stage)
    if local_today() > due:
        raise Conflict(_("The deadline of %(day)s has passed.", day=due.isoformat()))
    participant = participant_of(actor, dialogue)
    if kind == ProposalKind.FINAL and (participant is None or not participant.is_partner):
        raise Forbidden(_("Only the selected dialogue partners submit final proposals."))
    check = Checker()
    title = check.text("title", data.title, 200, required=True)
    summary = check.text("summary", data.summary, MAX_TEXT, required=True)
    price = None
    if kind == ProposalKind.FINAL:
        price = check.integer("price", data.price, minimum=1, required=True)
    check.done()
    if participant is None:
        participant = DialogueParticipant(dialogue=dialogue, supplier_id=actor.organisation_id)
        db.session.add(participant)
        db.session.flush()
    proposal = participant.proposal(kind)
    spec = final_spec(dialogue) if kind == ProposalKind.FINAL else None
    if proposal is None:
        proposal = DialogueProposal(participant=participant, kind=kind, title="", summary="")
        db.session.add(proposal)
        action = "dialogue.proposal_submitted"
    else:
        if version is not None and version != proposal.version:
            raise Conflict(stale_message())
        action = "dialogue.proposal_replaced"
    proposal.title, proposal.summary, proposal.price = title, summary, price
    proposal.spec_number = spec.number if spec else None
    proposal.submitted_by_id = actor.id
    proposal.submitted_at = utcnow()
    db.session.flush()
    record(
        action,
        "dialogue",
        dialogue.id,
        actor=actor,
        after={"proposal_id": proposal.id, "kind": kind, "price": price},
    )
    if action == "dialogue.proposal_submitted":
        supplier = actor.organisation.name if actor.organisation else ""
        notify(
            [m for m in members(dialogue.agency_id) if m.has_role(Role.OFFICER)],
            "dialogue.proposal_received",
            lambda: _("New proposal in the dialogue “%(title)s”", title=dialogue.title),
            lambda: _("%(supplier)s has submitted a proposal.", supplier=supplier),
            url_for("dialogue.manage", dialogue_id=dialogue.id),
        )
    return proposal


def proposals_of(dialogue: Dialogue, kind: str) -> list[DialogueProposal]:
    return [p.proposal(kind) for p in dialogue.participants if p.proposal(kind) is not None]


# -- evaluation (score sheets per evaluator, aggregated by the scoring library) -----------


def proposal_scheme(proposal: DialogueProposal) -> scoring.Scheme:
    dialogue = proposal.participant.dialogue
    key = dialogue.basic_scheme if proposal.kind == ProposalKind.BASIC else dialogue.final_scheme
    return scheme_for(key)


def score(
    actor: User,
    proposal: DialogueProposal,
    levels: dict[str, str],
    comments: dict[str, str],
    justifications: dict[str, str],
) -> DialogueSheet:
    """An officer of the agency, or the committee's member when the dialogue has a committee,
    scores a proposal; the sheet may be replaced until the round of evaluation ends (partners
    selected, or the award made)."""
    dialogue = proposal.participant.dialogue
    committee.require_scorer(actor, proposal, is_agency_officer(actor, dialogue))
    if not committee.being_scored(proposal):
        raise Conflict(_("This proposal can be scored only during its evaluation stage."))
    scheme = proposal_scheme(proposal)
    check = Checker()
    for item in scheme.items:
        check.choice(f"level-{item.id}", levels.get(item.id), [lv.id for lv in scheme.levels])
    for criterion in scheme.criteria:
        comments[criterion.id] = check.text(
            f"comment-{criterion.id}", comments.get(criterion.id), 2000
        )
        justifications[criterion.id] = check.text(
            f"justify-{criterion.id}", justifications.get(criterion.id), 2000
        )
    check.done()
    sheet = scoring.ScoreSheet.from_levels(
        scheme,
        str(actor.id),
        levels,
        comments={k: v for k, v in comments.items() if v},
        justifications={k: v for k, v in justifications.items() if v},
    )
    others = [
        scoring.ScoreSheet.from_dict(s.data)
        for s in committee.counted_sheets(proposal)
        if s.evaluator_id != actor.id
    ]
    problems = scoring.check_submittable(scheme, sheet, others)
    if problems:
        raise Invalid(
            _("The score sheet is not complete."),
            [FieldError(_problem_field(p), p.message.get(scoring_lang())) for p in problems],
        )
    row = next((s for s in proposal.sheets if s.evaluator_id == actor.id), None)
    if row is None:
        row = DialogueSheet(proposal_id=proposal.id, evaluator_id=actor.id, data=sheet.to_dict())
        insert_unique(row)
        db.session.refresh(proposal, ["sheets"])
    row.data = sheet.to_dict()
    row.submitted_at = utcnow()
    db.session.flush()
    record(
        "dialogue.sheet_submitted",
        "dialogue",
        dialogue.id,
        actor=actor,
        after={"proposal_id": proposal.id, "total": sheet.total(scheme)},
    )
    return row


def _problem_field(problem: scoring.Problem) -> str:
    if problem.code in ("missing_comment",):
        return f"comment-{problem.target}"
    if problem.code == "missing_justification":
        return f"justify-{problem.target}"
    return f"level-{problem.target}"


def result_of(proposal: DialogueProposal) -> scoring.Result | None:
    """The aggregate of the counted sheets, or None while nobody has scored it."""
    counted = committee.counted_sheets(proposal)
    if not counted:
        return None
    scheme = proposal_scheme(proposal)
    sheets = [scoring.ScoreSheet.from_dict(s.data) for s in counted]
    return scoring.aggregate(scheme, sheets)


def _fix_results(proposals: list[DialogueProposal]) -> None:
    """Store each proposal's aggregate; every one must have been scored."""
    missing = [p for p in proposals if not committee.counted_sheets(p)]
    if missing:
        raise Conflict(
            _(
                "%(n)d proposals have no score sheet yet; score every proposal first.",
                n=len(missing),
            )
        )
    for proposal in proposals:
        result = result_of(proposal)
        proposal.result = result.to_dict()
        proposal.technical_score = result.total


def select_partners(actor: User, dialogue: Dialogue, participant_ids: list[int], version: int):
    """Fix the basic proposals' scores and choose the partners among the eligible ones.

    Eligible: the aggregate meets the basic scheme's threshold. At least ``min_partners``
    must be chosen, or every eligible applicant when fewer are eligible (at least one).
    """
    require_officer(actor, dialogue)
    _check_version(dialogue, version)
    _require_allowed(dialogue, "select_partners")
    basics = proposals_of(dialogue, ProposalKind.BASIC)
    _fix_results(basics)
    eligible = {p.participant_id for p in basics if p.result and p.result["certified"]}
    chosen = {int(i) for i in participant_ids}
    unknown = chosen - {p.id for p in dialogue.participants}
    if unknown:
        raise Invalid(_("Choose among the applicants listed."))
    if chosen - eligible:
        raise Invalid(
            _("Only applicants whose basic proposal meets the threshold can be selected.")
        )
    needed = min(dialogue.min_partners, len(eligible))
    if not eligible:
        raise Conflict(_("No basic proposal meets the threshold; cancel the procedure instead."))
    if len(chosen) < needed:
        raise Invalid(
            _("Select at least %(n)d dialogue partners.", n=needed),
        )
    now = utcnow()
    for participant in dialogue.participants:
        if participant.id in chosen:
            participant.status = ParticipantStatus.PARTNER
            participant.selected_at = now
        else:
            participant.status = ParticipantStatus.NOT_SELECTED
    _move(
        actor,
        dialogue,
        "select_partners",
        version,
        partners=sorted(chosen),
        scores={str(p.participant_id): p.technical_score for p in basics},
    )
    link = url_for("dialogue.mine", dialogue_id=dialogue.id)
    for participant in dialogue.participants:
        if participant.is_partner:
            notify(
                members(participant.supplier_id),
                "dialogue.selected",
                lambda: _("You are selected for the dialogue “%(title)s”", title=dialogue.title),
                lambda: _("Dialogue stage 1 runs until %(day)s.", day=dialogue.dialogue_1_due_on),
                link,
            )
        else:
            notify(
                members(participant.supplier_id),
                "dialogue.not_selected",
                lambda: _(
                    "You are not selected for the dialogue “%(title)s”", title=dialogue.title
                ),
                link=link,
            )
    return dialogue


# -- the dialogue itself: private threads ----------------------------------------------------


def post_message(
    actor: User, participant: DialogueParticipant, body: str, parent_id: int | None = None
) -> DialogueMessage:
    """A message in one partner's private thread, from the partner or from the agency."""
    dialogue = participant.dialogue
    if not can_read_participant(actor, participant):
        raise NotFound(_("This dialogue thread does not exist."))
    from_agency = is_agency_officer(actor, dialogue)
    own = actor.has_role(Role.SUPPLIER) and policy.acts_for(actor, participant.supplier_id)
    if not (from_agency or own):
        raise Forbidden(_("Only the agency and this partner write in this thread."))
    if dialogue.status not in DIALOGUE_STAGES or not participant.is_partner:
        raise Conflict(_("Messages can be sent only to partners while the dialogue runs."))
    due = deadline_of(dialogue, dialogue.status)
    if local_today() > due:
        raise Conflict(_("This dialogue stage ended on %(day)s.", day=due.isoformat()))
    check = Checker()
    body = check.text("body", body, MAX_TEXT, required=True)
    parent = None
    if parent_id:
        parent = db.session.get(DialogueMessage, parent_id)
        if parent is None or parent.participant_id != participant.id:
            check.fail("parent_id", _("Reply to a message of this thread."))
    check.done()
    message = DialogueMessage(
        participant=participant,
        parent_id=parent.id if parent else None,
        stage=dialogue.status,
        author_id=actor.id,
        from_agency=from_agency,
        body=body,
    )
    db.session.add(message)
    db.session.flush()
    record(
        "dialogue.message",
        "dialogue_thread",
        participant.id,
        actor=actor,
        after={"message_id": message.id, "stage": message.stage},
    )
    link = url_for("dialogue.thread", participant_id=participant.id)
    if from_agency:
        recipients = members(participant.supplier_id)
    else:
        recipients = [m for m in members(dialogue.agency_id) if m.has_role(Role.OFFICER)]
    notify(
        recipients,
        "dialogue.message",
        lambda: _("New message in the dialogue “%(title)s”", title=dialogue.title),
        link=link,
    )
    return message


def threaded(messages: list[DialogueMessage]) -> list[tuple[DialogueMessage, int]]:
    """Messages in reading order with their reply depth (replies under their parent)."""
    children: dict[int | None, list[DialogueMessage]] = {}
    for message in messages:
        children.setdefault(message.parent_id, []).append(message)
    ordered: list[tuple[DialogueMessage, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for message in children.get(parent, []):
            ordered.append((message, min(depth, 4)))
            walk(message.id, depth + 1)

    walk(None, 0)
    return ordered


# -- the specification: every version kept --------------------------------------------------


def latest_spec(dialogue: Dialogue) -> SpecVersion | None:
    return dialogue.spec_versions[-1] if dialogue.spec_versions else None


def final_spec(dialogue: Dialogue) -> SpecVersion | None:
    return next((v for v in reversed(dialogue.spec_versions) if v.is_final), None)


def can_read_spec(user, dialogue: Dialogue) -> bool:
    """Partners and the agency follow the specification; after the award it is public."""
    if dialogue.status == S.AWARDED:
        return True
    if is_agency_officer(user, dialogue) or policy.is_operator(user):
        return True
    participant = participant_of(user, dialogue)
    return participant is not None and participant.is_partner


def add_spec_version(actor: User, dialogue: Dialogue, body: str, note: str) -> SpecVersion:
    """A new version of the specification; the earlier ones stay unchanged."""
    require_officer(actor, dialogue)
    if dialogue.status not in (S.DIALOGUE_1, S.DIALOGUE_2, S.SPECIFICATION):
        raise Conflict(
            _("The specification is written during the dialogue and until it is issued.")
        )
    check = Checker()
    body = check.text("body", body, MAX_TEXT, required=True)
    note = check.text("note", note, 300)
    latest = latest_spec(dialogue)
    if latest is not None and latest.body == body:
        check.fail("body", _("This is the same as the latest version."))
    check.done()
    version = SpecVersion(
        dialogue=dialogue,
        number=(latest.number + 1) if latest else 1,
        body=body,
        note=note,
        created_by_id=actor.id,
    )
    db.session.add(version)
    db.session.flush()
    record(
        "dialogue.spec_version",
        "dialogue",
        dialogue.id,
        actor=actor,
        after={"number": version.number},
    )
    return version


def compare_specs(dialogue: Dialogue, old: int, new: int) -> list[tuple[str, str]]:
    """A line diff between two versions: (``same``|``removed``|``added``, line)."""
    by_number = {v.number: v.body for v in dialogue.spec_versions}
    if old not in by_number or new not in by_number:
        raise NotFound(_("This version does not exist."))
    a, b = by_number[old].splitlines(), by_number[new].splitlines()
    rows: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [("same", line) for line in a[i1:i2]]
            continue
        rows += [("removed", line) for line in a[i1:i2]]
        rows += [("added", line) for line in b[j1:j2]]
    return rows


# -- award ----------------------------------------------------------------------------------


def ranking(dialogue: Dialogue) -> list[dict]:
    """Final proposals with technical, price and combined scores, best first.

    Price score = lowest eligible price / this price × 100; combined = technical × technical
    weight / 100 + price score × price weight / 100. A proposal whose technical result misses
    the final scheme's threshold is ranked last and is not eligible for the award.
    """
    finals = proposals_of(dialogue, ProposalKind.FINAL)
    rows = []
    for proposal in finals:
        live = result_of(proposal) if proposal.result is None else None
        result = proposal.result or (live.to_dict() if live else None)
        technical = result["total"] if result else None
        rows.append(
            {
                "participant_id": proposal.participant_id,
                "supplier_id": proposal.participant.supplier_id,
                "supplier": proposal.participant.supplier.name,
                "proposal_id": proposal.id,
                "price": proposal.price,
                "technical": technical,
                "eligible": bool(result and result["certified"]),
            }
        )
    eligible_prices = [r["price"] for r in rows if r["eligible"] and r["price"]]
    lowest = min(eligible_prices) if eligible_prices else None
    for row in rows:
        if row["eligible"] and lowest:
            row["price_score"] = round(lowest / row["price"] * 100, 2)
            row["combined"] = round(
                row["technical"] * dialogue.technical_weight / 100
                + row["price_score"] * dialogue.price_weight / 100,
                2,
            )
        else:
            row["price_score"] = None
            row["combined"] = None
    rows.sort(key=lambda r: (r["combined"] is None, -(r["combined"] or 0), r["price"] or 0))
    for n, row in enumerate(rows, start=1):
        row["rank"] = n
    return rows


def award(
    actor: User,
    dialogue: Dialogue,
    reason: str,
    version: int,
    winner_participant_id: int | None = None,
    override_reason: str = "",
) -> Dialogue:
    """Record the winner, the reasons and the scores; notify every participant; publish."""
    require_officer(actor, dialogue)
    _check_version(dialogue, version)
    _require_allowed(dialogue, "award")
    finals = proposals_of(dialogue, ProposalKind.FINAL)
    if not finals:
        raise Conflict(_("No final proposal was submitted; cancel the procedure instead."))
    _fix_results(finals)
    rows = ranking(dialogue)
    check = Checker()
    reason = check.text("reason", reason, 4000, required=True)
    override_reason = check.text("override_reason", override_reason, 4000)
    top = rows[0]
    if not top["eligible"]:
        raise Conflict(_("No final proposal meets the technical threshold; cancel instead."))
    winner = top
    if winner_participant_id and int(winner_participant_id) != top["participant_id"]:
        chosen = next((r for r in rows if r["participant_id"] == int(winner_participant_id)), None)
        if chosen is None or not chosen["eligible"]:
            check.fail("winner", _("Choose an eligible final proposal."))
        elif not override_reason:
            check.fail(
                "override_reason",
                _("Say why the award does not go to the highest combined score."),
            )
        winner = chosen or top
    elif override_reason:
        check.fail("override_reason", _("Give a reason only when you choose another winner."))
    check.done()
    dialogue.winner_supplier_id = winner["supplier_id"]
    dialogue.award_reason = reason
    dialogue.override_reason = override_reason or None
    dialogue.award_scores = rows
    dialogue.awarded_at = utcnow()
    _move(
        actor,
        dialogue,
        "award",
        version,
        winner=winner["supplier_id"],
        reason=reason,
        override=override_reason or None,
        scores=rows,
    )
    link = url_for("dialogue.award_page", dialogue_id=dialogue.id)
    winner_name = winner["supplier"]
    for participant in dialogue.participants:
        won = participant.supplier_id == winner["supplier_id"]
        notify(
            members(participant.supplier_id),
            "dialogue.awarded",
            (lambda: _("You are awarded the dialogue “%(title)s”", title=dialogue.title))
            if won
            else (lambda: _("The dialogue “%(title)s” is awarded", title=dialogue.title)),
            lambda: _("Winner: %(name)s. Reasons: %(reason)s", name=winner_name, reason=reason),
            link,
        )
    return dialogue


def visible_dialogues(user) -> list[Dialogue]:
    """For dashboards: the agency's dialogues for officers, the ones a supplier takes part in,
    the ones an evaluator sits on the committee of."""
    if user is not None and user.is_authenticated and user.has_role(Role.EVALUATOR):
        return committee.committee_dialogues(user)
    if user is None or not user.is_authenticated or not user.can_act_for_organisation:
        return []
    org = user.organisation_id
    if user.has_role(Role.OFFICER):
        query = select(Dialogue).where(Dialogue.agency_id == org)
    elif user.has_role(Role.SUPPLIER):
        query = (
            select(Dialogue)
            .join(DialogueParticipant, DialogueParticipant.dialogue_id == Dialogue.id)
            .where(DialogueParticipant.supplier_id == org)
        )
    else:
        return []
    return list(db.session.scalars(query.order_by(Dialogue.id.desc()).limit(20)))


def public_dialogues_query():
    """Published dialogues (every state but draft), newest first."""
    return (
        select(Dialogue)
        .where(Dialogue.status != S.DRAFT)
        .options(selectinload(Dialogue.agency), selectinload(Dialogue.winner_supplier))
        .order_by(Dialogue.id.desc())
    )


def public_dialogues() -> list[Dialogue]:
    return list(db.session.scalars(public_dialogues_query()))
