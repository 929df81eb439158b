"""The rules of citizen ideas: submission, moderation, adoption as a demand."""

from __future__ import annotations

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from procure import policy
from procure.audit.services import record
from procure.checks import Checker
from procure.demands.services import DemandInput, create_demand
from procure.errors import Conflict, FieldError, Forbidden, Invalid, NotFound, stale_message
from procure.extensions import db
from procure.models import CitizenIdea, Demand, IdeaStatus, Role, User
from procure.models.base import utcnow
from procure.notifications.services import notify

MODERATION = {IdeaStatus.APPROVED, IdeaStatus.REJECTED}


def _values(title, problem, suggestion, region) -> dict:
    check = Checker()
    values = {
        "title": check.text("title", title, 200, required=True),
        "problem": check.text("problem", problem, 5000, required=True),
        "suggestion": check.text("suggestion", suggestion, 5000),
        "region": check.region("region", region),
    }
    check.done()
    return values


def submit_idea(
    actor: User, *, title: str, problem: str, suggestion: str = "", region: str | None = None
) -> CitizenIdea:
    """Any signed-in person may submit; the idea is public once an operator approves it."""
    values = _values(title, problem, suggestion, region)
    idea = CitizenIdea(author_id=actor.id, status=IdeaStatus.SUBMITTED, **values)
    db.session.add(idea)
    db.session.flush()
    record("idea.submitted", "idea", idea.id, actor=actor, after=values)
    return idea


def update_idea(actor: User, idea: CitizenIdea, version: int, **fields) -> CitizenIdea:
    if not policy.can_edit_idea(actor, idea):
        raise Forbidden(_("Only the author can change an idea, and only before it is reviewed."))
    if version != idea.version:
        raise Conflict(stale_message())
    values = _values(
        fields.get("title"), fields.get("problem"), fields.get("suggestion"), fields.get("region")
    )
    before = {k: getattr(idea, k) for k in values}
    for key, value in values.items():
        setattr(idea, key, value)
    idea.updated_at = utcnow()
    db.session.flush()
    record("idea.updated", "idea", idea.id, actor=actor, before=before, after=values)
    return idea


def moderate(
    actor: User, idea: CitizenIdea, decision: str, note: str = "", version: int | None = None
) -> CitizenIdea:
    """Operators publish (approve) or decline (reject, with a note to the author) a new idea.

    :param version: the version the operator read; an idea its author changed since is not
        published unseen (None: not checked, for API callers that send none).
    """
    if not actor.has_role(Role.OPERATOR):
        raise Forbidden(_("Only operators moderate ideas."))
    if version is not None and version != idea.version:
        from procure.errors import stale_message

        raise Conflict(stale_message())
    if decision not in MODERATION:
        raise Invalid(
            _("Choose to publish the idea or not."),
            [FieldError("decision", _("Choose one of the listed options."))],
        )
    if idea.status != IdeaStatus.SUBMITTED:
        raise Conflict(_("This idea has already been reviewed."))
    check = Checker()
    note = check.text("note", note, 500, required=decision == IdeaStatus.REJECTED)
    check.done()
    idea.status = decision
    idea.moderation_note = note or None
    idea.moderated_by_id = actor.id
    idea.moderated_at = utcnow()
    db.session.flush()
    record(
        f"idea.{decision}",
        "idea",
        idea.id,
        actor=actor,
        before={"status": IdeaStatus.SUBMITTED},
        after={"status": decision, "note": note or None},
    )
    author = db.session.get(User, idea.author_id)
    notify(
        [author] if author else [],
        "idea.moderated",
        (lambda: _("Your idea “%(title)s” is now public", title=idea.title))
        if decision == IdeaStatus.APPROVED
        else (lambda: _("Your idea “%(title)s” was not published", title=idea.title)),
        lambda: note,
        url_for("ideas.detail", idea_id=idea.id),
    )
    return idea


def adopt(actor: User, idea: CitizenIdea) -> Demand:
    """An agency adopts a published idea: a draft demand is created, linked, and the author told."""
    if not actor.has_role(Role.OFFICER) or not actor.can_act_for_organisation:
        raise Forbidden(_("Only verified agency officers can adopt ideas."))
    if idea.status != IdeaStatus.APPROVED:
        raise Conflict(_("Only published ideas that no agency has adopted yet can be adopted."))
    demand = create_demand(
        actor,
        DemandInput(
            title=idea.title,
            problem=idea.problem,
            desired_outcome=idea.suggestion,
            region=idea.region,
        ),
    )
    demand.idea_id = idea.id
    idea.status = IdeaStatus.ADOPTED
    idea.adopted_by_id = actor.organisation_id
    idea.updated_at = utcnow()
    db.session.flush()
    record(
        "idea.adopted",
        "idea",
        idea.id,
        actor=actor,
        before={"status": IdeaStatus.APPROVED},
        after={"status": IdeaStatus.ADOPTED, "demand_id": demand.id},
    )
    author = db.session.get(User, idea.author_id)
    agency = actor.organisation.name
    notify(
        [author] if author else [],
        "idea.adopted",
        lambda: _("An agency adopted your idea “%(title)s”", title=idea.title),
        lambda: _("%(agency)s will turn your idea into a demand.", agency=agency),
        url_for("ideas.detail", idea_id=idea.id),
    )
    return demand


def release(actor: User, demand: Demand) -> CitizenIdea | None:
    """The draft demand an agency made from an idea was deleted: the idea is published again,
    for any agency to adopt, and its author is told. Returns the idea (None if there is none)."""
    idea = demand.idea
    if (
        idea is None
        or idea.status != IdeaStatus.ADOPTED
        or idea.adopted_by_id != demand.agency_id
        or db.session.scalar(  # another live demand carries the adoption
            select(Demand.id).where(
                Demand.idea_id == idea.id, Demand.id != demand.id, Demand.deleted_at.is_(None)
            )
        )
    ):
        return None
    before = {"status": idea.status, "adopted_by_id": idea.adopted_by_id}
    idea.status = IdeaStatus.APPROVED
    idea.adopted_by_id = None
    idea.updated_at = utcnow()
    db.session.flush()
    record(
        "idea.released",
        "idea",
        idea.id,
        actor=actor,
        before=before,
        after={"status": IdeaStatus.APPROVED, "deleted_demand_id": demand.id},
    )
    author = db.session.get(User, idea.author_id)
    organisation = actor.organisation
    notify(
        [author] if author else [],
        "idea.released",
        lambda: _("Your idea “%(title)s” is open for adoption again", title=idea.title),
        lambda: _(
            "%(agency)s will not turn your idea into a demand after all. It stays published, "
            "and another agency can adopt it.",
            agency=organisation.display_name(str(get_locale())) if organisation else "",
        ),
        url_for("ideas.detail", idea_id=idea.id),
    )
    return idea


def get_idea(user, idea_id: int) -> CitizenIdea:
    idea = db.session.get(CitizenIdea, idea_id)
    if idea is None or not policy.can_read_idea(user, idea):
        raise NotFound(_("This idea does not exist."))
    return idea
