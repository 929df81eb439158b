"""A person's rights over their own data: a copy of it, closing the account, and how long
sign-in records are kept (docs/privacy.md).

Closing an account does not delete the person's row: demands, proposals, scores and the audit
log are public records of the organisations they acted for, and point at it. The row is
anonymised instead — name, e-mail address, phone and password go — and everything that
exists only for the person (tokens, notifications, saved searches, e-mail digests) is removed.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from werkzeug.security import check_password_hash

from procure.audit.services import record
from procure.errors import Conflict, FieldError, Invalid
from procure.extensions import db
from procure.models import (
    ApiToken,
    AuditEvent,
    CitizenIdea,
    Demand,
    DemandStatus,
    Dialogue,
    DialogueParticipant,
    DialogueStatus,
    LoginAttempt,
    Notification,
    OrganisationKind,
    ParticipantStatus,
    PilotApplication,
    PilotPurchase,
    PilotRound,
    PilotRoundStatus,
    PilotStatus,
    Product,
    ProductStatus,
    Question,
    ReverseProposal,
    Role,
    SavedSearch,
    User,
    UserRole,
)
from procure.models.base import utcnow
from procure.models.onestop import DemandInfoSubscription
from procure.validators import PASSWORD_MAX

#: The name a closed account shows wherever its past actions are listed.
CLOSED_NAME = "탈퇴한 회원 · closed account"
#: Dialogues in these states are over (or not yet started): a committee member may leave.
_DIALOGUE_OVER = (DialogueStatus.DRAFT, DialogueStatus.AWARDED, DialogueStatus.CANCELLED)
_PILOT_OVER = (PilotStatus.EVALUATED, PilotStatus.CLOSED)
_PROPOSAL_OPEN = ("submitted", "shortlisted")


def closed_email(user_id: int) -> str:
    """The address a closed account keeps: unique, undeliverable (RFC 2606), frees the real one."""
    return f"closed-{user_id}@closed.invalid"


# -- a copy of one's data -------------------------------------------------------------------


def _when(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_data(user: User) -> dict:
    """Everything stored about ``user`` as a person, in one JSON-ready dict.

    Records the person made *for an organisation* (demands, proposals, products, scores) are
    the organisation's and are listed by id only; the audit trail of their own actions is
    listed by action, record and time (its before/after values concern those records)."""
    org = user.organisation
    since = utcnow() - _retention()
    session = db.session
    return {
        "format": "procure personal data export, version 1",
        "exported_at": _when(utcnow()),
        "account": {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "phone": user.phone,
            "locale": user.locale,
            "roles": sorted(user.roles),
            "created_at": _when(user.created_at),
            "last_login_at": _when(user.last_login_at),
            "password_changed_at": _when(user.password_changed_at),
        },
        "organisation": None
        if org is None
        else {
            "id": org.id,
            "kind": org.kind,
            "name": org.name,
            "membership_approved_at": _when(user.approved_at),
        },
        "api_tokens": [
            {
                "name": token.name,
                "prefix": token.prefix,
                "created_at": _when(token.created_at),
                "last_used_at": _when(token.last_used_at),
                "revoked_at": _when(token.revoked_at),
            }
            for token in session.scalars(
                select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
            )
        ],
        "sign_in_attempts": [
            {"at": _when(at), "address": address, "succeeded": ok}
            for at, address, ok in session.execute(
                select(LoginAttempt.attempted_at, LoginAttempt.address, LoginAttempt.succeeded)
                .where(
                    LoginAttempt.email == user.email,
                    # Not those of an earlier, closed account that had the same address.
                    LoginAttempt.attempted_at >= max(since, user.created_at),
                )
                .order_by(LoginAttempt.id)
            )
        ],
        "notifications": [
            {
                "at": _when(note.created_at),
                "title": note.title,
                "body": note.body,
                "link": note.link,
                "read_at": _when(note.read_at),
            }
            for note in session.scalars(
                select(Notification)
                .where(Notification.user_id == user.id)
                .order_by(Notification.id)
            )
        ],
        "saved_searches": [
            {"name": saved.name, "query": saved.query, "frequency": saved.frequency}
            for saved in session.scalars(
                select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(SavedSearch.id)
            )
        ],
        "demand_information_subscriptions": [
            {
                "email": sub.email,
                "filters": sub.filters,
                "frequency": sub.frequency,
                "confirmed_at": _when(sub.confirmed_at),
                "unsubscribed_at": _when(sub.unsubscribed_at),
            }
            for sub in session.scalars(
                select(DemandInfoSubscription)
                .where(
                    (DemandInfoSubscription.user_id == user.id)
                    | (DemandInfoSubscription.email == user.email)
                )
                .order_by(DemandInfoSubscription.id)
            )
        ],
        "ideas": [
            {
                "id": idea.id,
                "title": idea.title,
                "problem": idea.problem,
                "suggestion": idea.suggestion,
                "status": idea.status,
                "created_at": _when(idea.created_at),
            }
            for idea in session.scalars(
                select(CitizenIdea).where(CitizenIdea.author_id == user.id).order_by(CitizenIdea.id)
            )
        ],
        "questions": [
            {"demand_id": q.demand_id, "question": q.body, "asked_at": _when(q.created_at)}
            for q in session.scalars(
                select(Question).where(Question.asked_by_id == user.id).order_by(Question.id)
            )
        ],
        "actions": [
            {"at": _when(at), "action": action, "record": f"{kind}:{target}"}
            for at, action, kind, target in session.execute(
                select(
                    AuditEvent.occurred_at,
                    AuditEvent.action,
                    AuditEvent.target_type,
                    AuditEvent.target_id,
                )
                .where(AuditEvent.actor_id == user.id)
                .order_by(AuditEvent.id)
            )
        ],
    }


# -- closing the account --------------------------------------------------------------------


def closing_blockers(user: User) -> list[str]:
    """What must happen before ``user`` may close the account (empty: nothing).

    Nobody leaves work others wait on: the last operator, an evaluator with dossiers still to
    score in an open round or on the committee of a running dialogue, and the last member of
    an organisation that still has open business (nobody else could answer for it)."""
    from procure.dialogue.committee import running_committees
    from procure.evaluation.services import rounds_awaiting

    session = db.session
    blockers: list[str] = []
    if user.has_role(Role.OPERATOR):
        others = session.scalar(
            select(func.count(User.id))
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.OPERATOR, User.deleted_at.is_(None), User.id != user.id)
        )
        if not others:
            blockers.append(_("You are the only operator. Make another person an operator first."))
    rounds = sorted(round_.title for round_, _left in rounds_awaiting(user))
    for title in rounds:
        blockers.append(
            _(
                "You still have dossiers to score in the open evaluation round “%(title)s”. "
                "Submit your score sheets first.",
                title=title,
            )
        )
    dialogues = running_committees(user)
    for title in dialogues:
        blockers.append(
            _(
                "You sit on the evaluation committee of the running dialogue “%(title)s”. "
                "It must be awarded or cancelled first.",
                title=title,
            )
        )
    org = user.organisation
    if org is not None and user.approved_at is not None and not org.is_deleted:
        members = session.scalar(
            select(func.count(User.id)).where(
                User.organisation_id == org.id,
                User.approved_at.is_not(None),
                User.deleted_at.is_(None),
                User.id != user.id,
            )
        )
        if not members:
            blockers.extend(_open_business(org))
    return blockers


def _open_business(org) -> list[str]:
    """The organisation's open business, one sentence per kind; only a member can settle it."""
    session = db.session

    def count(query) -> int:
        return session.scalar(select(func.count()).select_from(query.subquery())) or 0

    name = org.name
    pilots_under_way = (
        select(PilotPurchase.id).where(
            (PilotPurchase.agency_id == org.id) | (PilotPurchase.supplier_id == org.id),
            PilotPurchase.status.not_in(_PILOT_OVER),
        ),
        lambda n: _(
            "You are the last member of %(org)s, and it still has pilot purchases under way "
            "(%(n)d). Have a colleague join the organisation and be approved first.",
            org=name,
            n=n,
        ),
    )
    # (what is open, the sentence that names it): each kind its own sentence.
    if org.kind == OrganisationKind.AGENCY:
        open_kinds = (
            (
                select(Demand.id).where(
                    Demand.agency_id == org.id,
                    Demand.status == DemandStatus.PUBLISHED,
                    Demand.deleted_at.is_(None),
                ),
                lambda n: _(
                    "You are the last member of %(org)s, and it still has published demands "
                    "(%(n)d). Close them, or have a colleague join the organisation and be "
                    "approved first.",
                    org=name,
                    n=n,
                ),
            ),
            (
                # Proposals sent to the agency without a demand wait for its decision too.
                select(ReverseProposal.id)
                .outerjoin(Demand, Demand.id == ReverseProposal.demand_id)
                .where(
                    ReverseProposal.status.in_(_PROPOSAL_OPEN),
                    (Demand.agency_id == org.id)
                    | (
                        ReverseProposal.demand_id.is_(None)
                        & (ReverseProposal.target_agency_id == org.id)
                    ),
                ),
                lambda n: _(
                    "You are the last member of %(org)s, and proposals still wait for its "
                    "decision (%(n)d). Decide on them, or have a colleague join the "
                    "organisation and be approved first.",
                    org=name,
                    n=n,
                ),
            ),
            (
                select(Dialogue.id).where(
                    Dialogue.agency_id == org.id, Dialogue.status.not_in(_DIALOGUE_OVER)
                ),
                lambda n: _(
                    "You are the last member of %(org)s, and it still runs competitive "
                    "dialogues (%(n)d). Award or cancel them, or have a colleague join the "
                    "organisation and be approved first.",
                    org=name,
                    n=n,
                ),
            ),
            pilots_under_way,
            (
                select(PilotApplication.id)
                .join(PilotRound, PilotRound.id == PilotApplication.round_id)
                .where(
                    PilotApplication.agency_id == org.id,
                    PilotApplication.status == "submitted",
                    PilotRound.status.in_((PilotRoundStatus.OPEN, PilotRoundStatus.ALLOCATING)),
                ),
                lambda n: _(
                    "You are the last member of %(org)s, and its pilot applications still wait "
                    "in open rounds (%(n)d). Withdraw them, or have a colleague join the "
                    "organisation and be approved first.",
                    org=name,
                    n=n,
                ),
            ),
        )
    elif org.kind == OrganisationKind.SUPPLIER:
        open_kinds = (
            (
                select(Product.id).where(
                    Product.supplier_id == org.id,
                    Product.status == ProductStatus.LISTED,
                    Product.deleted_at.is_(None),
                ),
                lambda n: _(
                    "You are the last member of %(org)s, and it still has listed products "
                    "(%(n)d). Suspend or archive them, or have a colleague join the "
                    "organisation and be approved first.",
                    org=name,
                    n=n,
                ),
            ),
            (
                select(ReverseProposal.id).where(
                    ReverseProposal.supplier_id == org.id,
                    ReverseProposal.status.in_(_PROPOSAL_OPEN),
                ),
                lambda n: _(
                    "You are the last member of %(org)s, and its proposals still wait for a "
                    "decision (%(n)d). Withdraw them, or have a colleague join the "
                    "organisation and be approved first.",
                    org=name,
                    n=n,
                ),
            ),
            (
                # A supplier not selected has no part left to play.
                select(DialogueParticipant.id)
                .join(Dialogue, Dialogue.id == DialogueParticipant.dialogue_id)
                .where(
                    DialogueParticipant.supplier_id == org.id,
                    DialogueParticipant.status != ParticipantStatus.NOT_SELECTED,
                    Dialogue.status.not_in(_DIALOGUE_OVER),
                ),
                lambda n: _(
                    "You are the last member of %(org)s, and it takes part in running "
                    "competitive dialogues (%(n)d). They must end first, or have a colleague "
                    "join the organisation and be approved.",
                    org=name,
                    n=n,
                ),
            ),
            pilots_under_way,
        )
    else:
        open_kinds = ()
    found = []
    for query, sentence in open_kinds:
        n = count(query)
        if n:
            found.append(sentence(n))
    return found


def close_account(user: User, password: str, confirmation: str) -> None:
    """Close ``user``'s own account for good (the caller commits and signs them out).

    :raise Invalid: the password is wrong, or the confirmation is not the e-mail address.
    :raise Conflict: something still depends on the person (``closing_blockers``).
    """
    errors: list[FieldError] = []
    if not check_password_hash(user.password_hash, (password or "")[:PASSWORD_MAX]):
        errors.append(FieldError("password", _("The password is not correct.")))
    if (confirmation or "").strip().lower() != user.email:
        errors.append(FieldError("confirmation", _("Type your e-mail address exactly as shown.")))
    if errors:
        raise Invalid(_("The account was not closed. Check the fields below."), errors)
    blockers = closing_blockers(user)
    if blockers:
        raise Conflict(" ".join(blockers))
    now = utcnow()
    before = {
        "organisation_id": user.organisation_id,
        "roles": sorted(user.roles),
        "created_at": user.created_at,
    }
    session = db.session
    for token in session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
    session.execute(delete(Notification).where(Notification.user_id == user.id))
    session.execute(delete(SavedSearch).where(SavedSearch.user_id == user.id))
    session.execute(
        delete(DemandInfoSubscription).where(
            (DemandInfoSubscription.user_id == user.id)
            | (DemandInfoSubscription.email == user.email)
        )
    )
    # The sign-in attempts stay for their retention period (the throttle and investigations
    # read them) but no longer carry the address, which a new account may take.
    session.execute(
        update(LoginAttempt)
        .where(LoginAttempt.email == user.email)
        .values(email=closed_email(user.id))
    )
    user.email = closed_email(user.id)
    user.name = CLOSED_NAME
    user.phone = None
    user.locale = None
    # Not a hash of anything: no password can ever match it.
    user.password_hash = "closed$" + secrets.token_hex(16)
    user.deleted_at = now
    record("user.closed", "user", user.id, actor=user, before=before)


# -- retention ------------------------------------------------------------------------------


def _retention() -> timedelta:
    """How long sign-in attempts are kept (``LOGIN_ATTEMPT_RETENTION_DAYS``)."""
    return timedelta(days=current_app.config["SETTINGS"].login_attempt_retention_days)


def purge_sign_in_attempts(now=None) -> int:
    """Delete sign-in attempts older than the retention period; return how many went."""
    cutoff = (now or utcnow()) - _retention()
    result = db.session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < cutoff))
    return result.rowcount or 0
