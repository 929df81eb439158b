"""The rules of demands: a state machine, published versions, questions and answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from procure import policy
from procure.audit.services import record
from procure.checks import Checker
from procure.classification.services import check_codes
from procure.clock import local_today
from procure.errors import Conflict, FieldError, Forbidden, Invalid, NotFound, stale_message
from procure.extensions import db
from procure.models import (
    Demand,
    DemandCode,
    DemandOutcome,
    DemandRequirement,
    DemandRevision,
    DemandStatus,
    DemandType,
    Dialogue,
    DialogueStatus,
    ProposalStatus,
    Question,
    RequirementResponse,
    ReverseProposal,
    Role,
    User,
)
from procure.models.base import utcnow
from procure.notifications.services import members, notify
from procure.validators import is_valid_email, is_valid_phone

# The lifecycle, declared once: state -> states it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    DemandStatus.DRAFT: frozenset({DemandStatus.PUBLISHED}),
    DemandStatus.PUBLISHED: frozenset({DemandStatus.CLOSED}),
    DemandStatus.CLOSED: frozenset(),
}
MAX_REQUIREMENTS = 50


@dataclass
class RequirementInput:
    name: str
    target_value: str = ""
    unit: str = ""
    mandatory: bool = True


@dataclass
class DemandInput:
    title: str = ""
    problem: str = ""
    desired_outcome: str = ""
    demand_type: str = DemandType.PURCHASE
    budget: object = None
    quantity: object = None
    region: str | None = None
    opens_on: object = None
    closes_on: object = None
    expected_purchase_on: object = None
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    codes: object = field(default_factory=list)
    requirements: list = field(default_factory=list)
    language: str = "ko"


def _validated(data: DemandInput) -> dict:
    check = Checker()
    values = {
        "title": check.text("title", data.title, 200, required=True),
        "problem": check.text("problem", data.problem, 10_000, required=True),
        "desired_outcome": check.text("desired_outcome", data.desired_outcome, 5_000),
        "demand_type": check.choice("demand_type", data.demand_type, set(DemandType)),
        "budget": check.integer("budget", data.budget),
        "quantity": check.integer("quantity", data.quantity, minimum=1, maximum=10_000_000),
        "region": check.region("region", data.region),
        "opens_on": check.day("opens_on", data.opens_on),
        "closes_on": check.day("closes_on", data.closes_on),
        "expected_purchase_on": check.day("expected_purchase_on", data.expected_purchase_on),
        "contact_name": check.text("contact_name", data.contact_name, 100),
        "contact_email": check.text("contact_email", data.contact_email, 254),
        "contact_phone": check.text("contact_phone", data.contact_phone, 32),
        "language": check.choice("language", data.language or "ko", {"ko", "en"}),
    }
    values["codes"] = check_codes(check, "codes", data.codes)
    if values["contact_email"] and not is_valid_email(values["contact_email"]):
        check.fail("contact_email", _("Enter a valid e-mail address."))
    if values["contact_phone"] and not is_valid_phone(values["contact_phone"]):
        check.fail("contact_phone", _("Enter a telephone number, such as 02-2100-1234."))
    if values["opens_on"] and values["closes_on"] and values["closes_on"] < values["opens_on"]:
        check.fail("closes_on", _("The closing date must not be before the opening date."))
    purchase, closes = values["expected_purchase_on"], values["closes_on"]
    if purchase and closes and purchase < closes:
        # The purchase follows the call: proposals come in until it closes (docs/architecture.md).
        check.fail(
            "expected_purchase_on",
            _("The expected purchase date must not be before the closing date."),
        )
    requirements = []
    raw = data.requirements or []
    if not isinstance(raw, list):
        check.fail("requirements", _("Give the requirements as a list."))
        raw = []
    if len(raw) > MAX_REQUIREMENTS:
        check.fail("requirements", _("Use at most %(max)d requirements.", max=MAX_REQUIREMENTS))
        raw = raw[:MAX_REQUIREMENTS]
    for index, item in enumerate(raw):
        if isinstance(item, dict):
            item = RequirementInput(
                name=item.get("name", ""),
                target_value=item.get("target_value", ""),
                unit=item.get("unit", ""),
                mandatory=item.get("mandatory", True),
            )
        if not isinstance(item, RequirementInput):
            check.fail(f"requirements-{index}", _("Each requirement needs a name."))
            continue
        name = check.text(f"requirements-{index}-name", item.name, 200)
        if not name:
            if item.target_value or item.unit:
                check.fail(f"requirements-{index}-name", _("Each requirement needs a name."))
            continue
        if not isinstance(item.mandatory, bool):
            check.fail(
                f"requirements-{index}-mandatory", _("Say whether it is mandatory (true or false).")
            )
        requirements.append(
            RequirementInput(
                name=name,
                target_value=check.text(
                    f"requirements-{index}-target_value", item.target_value, 100
                ),
                unit=check.text(f"requirements-{index}-unit", item.unit, 40),
                mandatory=bool(item.mandatory),
            )
        )
    names = [r.name for r in requirements]
    if len(set(names)) != len(names):
        check.fail("requirements", _("Give each requirement a different name."))
    values["requirements"] = requirements
    check.done()
    return values


def check_input(data: DemandInput) -> None:
    """Apply every rule of a demand's content without saving anything (raises ``Invalid``).

    The form uses it to report all problems at once when its own checks already failed.
    """
    _validated(data)


def snapshot(demand: Demand) -> dict:
    """What readers compare between versions."""
    return {
        "title": demand.title,
        "problem": demand.problem,
        "desired_outcome": demand.desired_outcome,
        "demand_type": demand.demand_type,
        "budget": demand.budget,
        "quantity": demand.quantity,
        "region": demand.region,
        "opens_on": demand.opens_on.isoformat() if demand.opens_on else None,
        "closes_on": demand.closes_on.isoformat() if demand.closes_on else None,
        "expected_purchase_on": (
            demand.expected_purchase_on.isoformat() if demand.expected_purchase_on else None
        ),
        "contact_name": demand.contact_name,
        "codes": sorted(demand.code_values),
        "requirements": [
            {
                "name": r.name,
                "target_value": r.target_value,
                "unit": r.unit,
                "mandatory": r.mandatory,
            }
            for r in demand.requirements
        ],
    }


_PLAIN_FIELDS = (
    "title",
    "problem",
    "desired_outcome",
    "demand_type",
    "budget",
    "quantity",
    "region",
    "opens_on",
    "closes_on",
    "expected_purchase_on",
    "language",
)
_OPTIONAL_TEXT = ("contact_name", "contact_email", "contact_phone")


def _apply(demand: Demand, values: dict) -> None:
    for name in _PLAIN_FIELDS:
        setattr(demand, name, values[name])
    for name in _OPTIONAL_TEXT:
        setattr(demand, name, values[name] or None)
    current = {c.code: c for c in demand.codes}
    demand.codes = [
        current.get(code) or DemandCode(scheme="CPV", code=code) for code in values["codes"]
    ]
    # Requirements keep their rows (and ids, which proposals answer) by name, so reordering or
    # editing a target never moves a supplier's answer onto another requirement.
    existing = {}
    for row in demand.requirements:
        existing.setdefault(row.name, row)
    rows = []
    for position, item in enumerate(values["requirements"]):
        row = existing.pop(item.name, None) or DemandRequirement()
        row.position, row.name, row.target_value = position, item.name, item.target_value
        row.unit, row.mandatory = item.unit, item.mandatory
        rows.append(row)
    removed = [row.id for row in existing.values() if row.id is not None]
    if removed:
        # Only answers that were sent hold a requirement: a draft never sent is its supplier's
        # alone, so it neither freezes the demand nor is revealed by a refusal; its answers to
        # a removed requirement go with it.
        ever_sent = select(ReverseProposal.id).where(ReverseProposal.submitted_at.is_not(None))
        answered = db.session.scalars(
            select(DemandRequirement.name)
            .join(RequirementResponse, RequirementResponse.requirement_id == DemandRequirement.id)
            .where(
                DemandRequirement.id.in_(removed),
                RequirementResponse.proposal_id.in_(ever_sent),
            )
        ).first()
        if answered is not None:
            raise Conflict(
                _(
                    "The requirement “%(name)s” has answers in proposals and cannot be removed "
                    "or renamed: keep its name. You may mark it desirable or change its target, "
                    "and add a requirement under the new name.",
                    name=answered,
                )
            )
        for response in db.session.scalars(
            select(RequirementResponse).where(RequirementResponse.requirement_id.in_(removed))
        ):
            response.proposal.responses.remove(response)
    demand.requirements = rows


def _require_officer(actor: User, agency_id: int | None = None) -> None:
    if not actor.has_role(Role.OFFICER) or not actor.can_act_for_organisation:
        raise Forbidden(_("Only verified agency officers can post demands."))
    if agency_id is not None and actor.organisation_id != agency_id:
        raise Forbidden(_("This demand belongs to another agency."))


def _require_manager(actor: User, demand: Demand) -> None:
    """The actor acts as the demand's buyer (``policy.manages_demand``), and the demand still
    exists: a deleted draft is read by its agency (for the record) but never changed again."""
    if demand.deleted_at is not None:
        raise NotFound(_("This demand does not exist."))
    if policy.manages_demand(actor, demand):
        return
    _require_officer(actor, demand.agency_id)  # says why: not an officer, or another agency
    raise Forbidden(_("This demand belongs to another agency."))


def create_demand(actor: User, data: DemandInput) -> Demand:
    """Save a new draft for the actor's agency.

    :raise Forbidden: not a verified officer.  :raise Invalid: field errors.
    """
    _require_officer(actor)
    values = _validated(data)
    demand = Demand(
        agency_id=actor.organisation_id, created_by_id=actor.id, status=DemandStatus.DRAFT
    )
    _apply(demand, values)
    db.session.add(demand)
    db.session.flush()
    record("demand.created", "demand", demand.id, actor=actor, after=snapshot(demand))
    return demand


def accepts_proposals(demand: Demand) -> bool:
    """Published, its opening day come and its closing day not passed (a demand stays
    published after its closing day until the agency records the outcome; proposals stop at
    the day)."""
    today = local_today()
    return (
        demand.status == DemandStatus.PUBLISHED
        and (demand.opens_on is None or demand.opens_on <= today)
        and (demand.closes_on is None or demand.closes_on >= today)
    )


def opens_later(demand: Demand) -> bool:
    """Published with an opening day still to come: suppliers may prepare a draft, and send
    it from that day."""
    return (
        demand.status == DemandStatus.PUBLISHED
        and demand.opens_on is not None
        and demand.opens_on > local_today()
    )


def update_demand(
    actor: User, demand: Demand, data: DemandInput, version: int, note: str = ""
) -> Demand:
    """Change a draft, or a published demand (which then gets a new, comparable version).

    :raise Conflict: stale ``version``, or the demand is closed.
    """
    _require_manager(actor, demand)
    if version != demand.version:
        raise Conflict(stale_message())
    if demand.status == DemandStatus.CLOSED:
        raise Conflict(_("A closed demand cannot be changed."))
    values = _validated(data)
    if demand.status == DemandStatus.PUBLISHED:
        # As when publishing: an amendment sets no closing day that has passed (an unchanged
        # one that passed is left as it is, so the rest can still be corrected).
        closes = values["closes_on"]
        if closes is None:
            message = _("A published demand needs a closing date.")
            raise Invalid(message, [FieldError("closes_on", message)])
        if closes < local_today() and closes != demand.closes_on:
            message = _("The closing date is in the past.")
            raise Invalid(message, [FieldError("closes_on", message)])
        # Publishing set the opening day; an amendment left empty keeps it (erasing it would
        # open a call announced for later at once).
        if values["opens_on"] is None:
            values["opens_on"] = demand.opens_on
    if values["demand_type"] != demand.demand_type and _has_dialogue(demand):
        message = _(
            "A competitive dialogue is prepared or held on this demand, so its type stays "
            "“competitive dialogue”. Cancel the dialogue first."
        )
        raise Invalid(message, [FieldError("demand_type", message)])
    before = snapshot(demand)
    _apply(demand, values)
    after = snapshot(demand)
    if before == after:
        return demand
    demand.updated_at = utcnow()  # also bumps the version, so concurrent editors are refused
    if demand.status == DemandStatus.PUBLISHED:
        demand.revision += 1
        db.session.add(
            DemandRevision(
                demand=demand,
                revision=demand.revision,
                snapshot=after,
                note=(note or "").strip()[:500] or None,
                created_by_id=actor.id,
                created_at=utcnow(),  # the same clock as the demand's own times
            )
        )
    db.session.flush()
    record("demand.updated", "demand", demand.id, actor=actor, before=before, after=after)
    if demand.status == DemandStatus.PUBLISHED:
        _tell_proposers_of_the_amendment(demand)
    return demand


def _tell_proposers_of_the_amendment(demand: Demand) -> None:
    """Suppliers with a proposal on the demand that is not settled yet hear of each new version:
    a sent one may be taken back and revised (``proposals.services.may_revise``)."""
    from procure.notifications.services import members

    suppliers = db.session.scalars(
        select(ReverseProposal.supplier_id)
        .where(
            ReverseProposal.demand_id == demand.id,
            ReverseProposal.status.in_(
                [ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.SHORTLISTED]
            ),
        )
        .distinct()
    ).all()
    revision = demand.revision
    for supplier_id in sorted(suppliers):
        notify(
            members(supplier_id),
            "demand.amended",
            lambda: _(
                "The demand “%(title)s” was amended (version %(n)d)",
                title=demand.title,
                n=revision,
            ),
            lambda: _(
                "Compare the versions and check your proposal against the amended demand. A "
                "proposal you have sent can be taken back, revised and sent again while the "
                "demand is open."
            ),
            url_for("demands.versions", demand_id=demand.id),
        )


def _move(demand: Demand, target: str) -> None:
    if target not in TRANSITIONS[demand.status]:
        raise Conflict(
            _(
                "A demand that is %(state)s cannot become %(target)s.",
                state=status_label(demand.status),
                target=status_label(target),
            )
        )


def publish_demand(actor: User, demand: Demand, version: int | None = None) -> Demand:
    """draft → published: needs requirements and a closing date not in the past."""
    _require_manager(actor, demand)
    if version is not None and version != demand.version:
        raise Conflict(stale_message())
    _move(demand, DemandStatus.PUBLISHED)
    check = Checker()
    if not demand.requirements:
        check.fail("requirements", _("Add at least one performance requirement before publishing."))
    if not demand.codes:
        check.fail("codes", _("Choose at least one classification code before publishing."))
    if demand.closes_on is None:
        check.fail("closes_on", _("Set a closing date before publishing."))
    elif demand.closes_on < local_today():
        check.fail("closes_on", _("The closing date is in the past."))
    check.done(_("The demand is not ready to publish."))
    before = {"status": demand.status}
    demand.status = DemandStatus.PUBLISHED
    demand.published_at = utcnow()
    demand.opens_on = demand.opens_on or local_today()
    demand.revision = 1
    db.session.add(
        DemandRevision(
            demand=demand,
            revision=1,
            snapshot=snapshot(demand),
            created_by_id=actor.id,
            created_at=demand.published_at,  # the version is dated as the publication
        )
    )
    db.session.flush()
    record(
        "demand.published",
        "demand",
        demand.id,
        actor=actor,
        before=before,
        after={"status": demand.status},
    )
    return demand


def close_demand(
    actor: User, demand: Demand, outcome: str, note: str = "", version: int | None = None
) -> Demand:
    """published → closed with an outcome (awarded, withdrawn, unsuccessful)."""
    _require_manager(actor, demand)
    if version is not None and version != demand.version:
        raise Conflict(stale_message())
    _move(demand, DemandStatus.CLOSED)
    if running_dialogue(demand) is not None:
        raise Conflict(
            _(
                "A competitive dialogue is running on this demand. Award or cancel the "
                "dialogue first."
            )
        )
    check = Checker()
    outcome = check.choice("outcome", outcome, set(DemandOutcome))
    note = check.text("outcome_note", note, 2000)
    check.done()
    demand.status = DemandStatus.CLOSED
    demand.outcome = outcome
    demand.outcome_note = note or None
    demand.closed_at = utcnow()
    db.session.flush()
    record(
        "demand.closed",
        "demand",
        demand.id,
        actor=actor,
        before={"status": DemandStatus.PUBLISHED},
        after={"status": demand.status, "outcome": outcome},
    )
    from procure.proposals.services import close_open_proposals

    close_open_proposals(actor, demand)
    return demand


def running_dialogue(demand: Demand) -> Dialogue | None:
    """The competitive dialogue under way on ``demand``: opened, and not yet awarded or
    cancelled. While there is one, the demand takes no reverse proposals and stays open."""
    return db.session.scalar(
        select(Dialogue).where(
            Dialogue.demand_id == demand.id,
            Dialogue.status.not_in(
                [DialogueStatus.DRAFT, DialogueStatus.AWARDED, DialogueStatus.CANCELLED]
            ),
        )
    )


def _has_dialogue(demand: Demand) -> bool:
    """A dialogue that is not cancelled stands on the demand (in preparation, under way or
    awarded)."""
    return (
        db.session.scalar(
            select(Dialogue.id)
            .where(Dialogue.demand_id == demand.id, Dialogue.status != DialogueStatus.CANCELLED)
            .limit(1)
        )
        is not None
    )


def delete_draft(actor: User, demand: Demand) -> None:
    _require_manager(actor, demand)
    if demand.status != DemandStatus.DRAFT:
        raise Conflict(_("Only drafts can be deleted; close a published demand instead."))
    demand.deleted_at = utcnow()
    record("demand.deleted", "demand", demand.id, actor=actor, before=snapshot(demand))
    if demand.idea_id is not None:
        from procure.ideas.services import release

        release(actor, demand)


def get_demand(user, demand_id: int) -> Demand:
    """:raise NotFound: no such demand, or one the user may not see."""
    demand = db.session.get(Demand, demand_id)
    if demand is None or not policy.can_read_demand(user, demand):
        raise NotFound(_("This demand does not exist."))
    return demand


def status_label(status: str) -> str:
    from procure.labels import DEMAND_STATUS

    return str(DEMAND_STATUS.get(status, status))


# -- versions ---------------------------------------------------------------------------------


def compare(demand: Demand, old: int, new: int) -> list[tuple[str, object, object]]:
    """The fields that differ between two published versions: (field, old value, new value)."""
    by_number = {r.revision: r.snapshot for r in demand.revisions}
    if old not in by_number or new not in by_number:
        raise NotFound(_("This version does not exist."))
    a, b = by_number[old], by_number[new]
    return [(key, a.get(key), b.get(key)) for key in b if a.get(key) != b.get(key)]


# -- questions and answers -----------------------------------------------------------------


def ask_question(actor: User, demand: Demand, body: str) -> Question:
    """Suppliers ask on published demands; the question is public, the asker's company is not."""
    if not actor.has_role(Role.SUPPLIER) or not actor.can_act_for_organisation:
        raise Forbidden(_("Only verified suppliers can ask questions."))
    if demand.status != DemandStatus.PUBLISHED:
        raise Conflict(_("Questions can be asked only while the demand is open."))
    check = Checker()
    body = check.text("body", body, 2000, required=True)
    check.done()
    question = Question(
        demand=demand, asked_by_id=actor.id, organisation_id=actor.organisation_id, body=body
    )
    db.session.add(question)
    db.session.flush()
    record("question.asked", "demand", demand.id, actor=actor, after={"question_id": question.id})
    link = url_for("demands.detail", demand_id=demand.id, _anchor=f"q{question.id}")
    from procure.notifications.services import members

    notify(
        [member for member in members(demand.agency_id) if policy.manages_demand(member, demand)],
        "question.asked",
        lambda: _("New question on your demand “%(title)s”", title=demand.title),
        lambda: body,
        link,
    )
    return question


def answer_question(actor: User, question: Question, answer: str) -> Question:
    demand = question.demand
    _require_manager(actor, demand)
    check = Checker()
    answer = check.text("answer", answer, 5000, required=True)
    check.done()
    before = {"answer": question.answer}
    if question.answer == answer:
        return question  # nothing to correct
    correcting = question.answer is not None
    if correcting:
        # A public answer is corrected in the open: the page shows the earlier text and when.
        question.first_answered_at = question.first_answered_at or question.answered_at
        question.earlier_answer = question.answer
    question.answer = answer
    question.answered_by_id = actor.id
    question.answered_at = utcnow()
    db.session.flush()
    record(
        "question.corrected" if correcting else "question.answered",
        "demand",
        demand.id,
        actor=actor,
        before=before,
        after={"question_id": question.id, "answer": answer},
    )
    link = url_for("demands.detail", demand_id=demand.id, _anchor=f"q{question.id}")
    asker = db.session.get(User, question.asked_by_id)
    if not correcting:
        notify(
            [asker] if asker else [],
            "question.answered",
            lambda: _("Your question on “%(title)s” was answered", title=demand.title),
            lambda: answer,
            link,
        )
        return question
    # Everyone who may have relied on the answer hears of the correction: the asker and the
    # suppliers preparing or having sent a proposal to the demand.
    suppliers = db.session.scalars(
        select(ReverseProposal.supplier_id)
        .where(
            ReverseProposal.demand_id == demand.id,
            ReverseProposal.status != ProposalStatus.WITHDRAWN,
        )
        .distinct()
    ).all()
    told = {asker.id: asker} if asker else {}
    for supplier_id in sorted(suppliers):
        told.update((u.id, u) for u in members(supplier_id))
    notify(
        list(told.values()),
        "question.corrected",
        lambda: _("An answer on “%(title)s” was corrected", title=demand.title),
        lambda: answer,
        link,
    )
    return question


def questions_for(demand: Demand) -> list[Question]:
    return list(
        db.session.scalars(
            select(Question)
            .where(Question.demand_id == demand.id)
            .options(selectinload(Question.organisation))
            .order_by(Question.id)
        )
    )


def show_asker(user, question: Question, demand: Demand) -> bool:
    """The asker's company is shown to the asker's organisation, the agency and operators only."""
    return (
        policy.is_operator(user)
        or policy.acts_for(user, demand.agency_id)
        or policy.acts_for(user, question.organisation_id)
    )
