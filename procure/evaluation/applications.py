"""Applications for designation (지정 신청): a supplier asks for its listed product to be
evaluated; operators see what waits and put it into an evaluation round.

The application follows its product through the round: ``applied`` → ``in_round`` (an
operator's round includes the product) → ``decided`` (the committee's decision on it is
recorded). Until a round takes it, the supplier may withdraw it.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from procure import policy
from procure.audit.services import record
from procure.checks import Checker
from procure.clock import local_today
from procure.database import insert_unique
from procure.errors import Conflict, Forbidden, NotFound, stale_message
from procure.extensions import db
from procure.models import (
    ApplicationStatus,
    Designation,
    DesignationApplication,
    EvaluationRound,
    Product,
    ProductStatus,
    User,
)
from procure.notifications.services import members, notify, operators

A = ApplicationStatus
#: An application is open while it waits for a round or is in one.
OPEN = (A.APPLIED, A.IN_ROUND)
#: A designated product may apply again (for a new designation) this close to its end.
RENEWAL_WINDOW_DAYS = 180
MAX_NOTE = 2000


def get_own(user: User, application_id: int) -> DesignationApplication:
    """:raise NotFound: no such application, or another company's."""
    application = db.session.get(DesignationApplication, application_id)
    if application is None or not policy.acts_for(user, application.supplier_id):
        raise NotFound(_("This application does not exist."))
    return application


def get_readable(user: User, application_id: int) -> DesignationApplication:
    """Operators read every application; a company its own. :raise NotFound: otherwise."""
    if policy.is_operator(user):
        application = db.session.get(DesignationApplication, application_id)
        if application is None:
            raise NotFound(_("This application does not exist."))
        return application
    return get_own(user, application_id)


def open_application(product_id: int) -> DesignationApplication | None:
    return db.session.scalar(
        select(DesignationApplication)
        .where(
            DesignationApplication.product_id == product_id,
            DesignationApplication.status.in_(OPEN),
        )
        .order_by(DesignationApplication.id.desc())
        .limit(1)
    )


def latest_application(product_id: int) -> DesignationApplication | None:
    return db.session.scalar(
        select(DesignationApplication)
        .where(DesignationApplication.product_id == product_id)
        .order_by(DesignationApplication.id.desc())
        .limit(1)
    )


def renewal_horizon() -> date:
    """A designation ending after this day is not evaluated again yet (the renewal window)."""
    return local_today() + timedelta(days=RENEWAL_WINDOW_DAYS)


def renewal_from(designation: Designation) -> date:
    """The first day the designated product may be evaluated again."""
    return designation.ends_on - timedelta(days=RENEWAL_WINDOW_DAYS)


def held_designation(product_id: int) -> Designation | None:
    """The product's designation (in force, or the renewal to follow it) when it runs past
    the renewal window (no new application, nor a round, before then: one designation at a
    time), else None."""
    from procure.evaluation.services import latest_designation

    designation = latest_designation(product_id)
    if designation is not None and designation.ends_on > renewal_horizon():
        return designation
    return None


def why_not(product: Product) -> str | None:
    """Why the product cannot apply now (None: it can)."""
    if product.status != ProductStatus.LISTED:
        return _("Only a listed product can apply for designation.")
    if open_application(product.id) is not None:
        return _("This product has applied already; the application is being handled.")
    designation = held_designation(product.id)
    if designation is not None:
        return _(
            "This product is designated until %(day)s. It can apply again from %(from)s.",
            day=designation.ends_on.isoformat(),
            **{"from": renewal_from(designation).isoformat()},
        )
    return None


def apply(actor: User, product: Product, note: str = "") -> DesignationApplication:
    """The supplier applies; operators are told.

    :raise Forbidden: not a verified member of the product's company.
    :raise Conflict: the product cannot apply now (``why_not``).
    """
    if not policy.acts_for(actor, product.supplier_id):
        raise Forbidden(_("Only the product's company can apply for its designation."))
    reason = why_not(product)
    if reason:
        raise Conflict(reason)
    check = Checker()
    note = check.text("note", note, MAX_NOTE)
    check.done()
    application = DesignationApplication(
        product_id=product.id,
        supplier_id=product.supplier_id,
        created_by_id=actor.id,
        note=note or None,
        status=A.APPLIED,
    )
    insert_unique(application)  # a second request at the same moment: 409, not a 500
    record(
        "designation_application.submitted",
        "product",
        product.id,
        actor=actor,
        after={"application_id": application.id, "note": application.note},
    )
    name = product.name
    notify(
        operators(),
        "designation.applied",
        lambda: _("Application for designation: “%(name)s”", name=name),
        lambda: _("Put it into an evaluation round when the next one is prepared."),
        url_for("evaluation.index"),
    )
    return application


def withdraw(actor: User, application: DesignationApplication, version: int | None = None):
    if not policy.acts_for(actor, application.supplier_id):
        raise Forbidden(_("Only the product's company can apply for its designation."))
    if version is not None and version != application.version:
        raise Conflict(stale_message())
    if application.status != A.APPLIED:
        raise Conflict(_("An application already in an evaluation round cannot be withdrawn."))
    _withdrawn(actor, application)
    return application


def _withdrawn(actor: User, application: DesignationApplication, **why) -> None:
    application.status = A.WITHDRAWN
    db.session.flush()
    record(
        "designation_application.withdrawn",
        "product",
        application.product_id,
        actor=actor,
        before={"status": A.APPLIED},
        after={"application_id": application.id, "status": A.WITHDRAWN, **why},
    )


def close_for_unlisted(actor: User, product: Product) -> None:
    """A product suspended or archived leaves the waiting list: its application waiting for a
    round is withdrawn (one already in a round stays, the round decides on it)."""
    application = open_application(product.id)
    if application is None or application.status != A.APPLIED:
        return
    _withdrawn(actor, application, product=product.status)


def waiting() -> list[DesignationApplication]:
    """Applications no round has taken yet, oldest first (operators' list)."""
    return list(
        db.session.scalars(
            select(DesignationApplication)
            .where(DesignationApplication.status == A.APPLIED)
            .order_by(DesignationApplication.created_at, DesignationApplication.id)
        )
    )


def waiting_product_ids() -> set[int]:
    return set(
        db.session.scalars(
            select(DesignationApplication.product_id).where(
                DesignationApplication.status == A.APPLIED
            )
        )
    )


def take_into_round(actor: User, round_: EvaluationRound) -> None:
    """A draft round saved with products that applied takes their applications (the supplier
    is told); a product taken out of the draft again gives its application back to the list."""
    product_ids = {item.product_id for item in round_.items if item.product_id}
    for application in db.session.scalars(
        select(DesignationApplication).where(
            DesignationApplication.round_id == round_.id,
            DesignationApplication.status == A.IN_ROUND,
        )
    ):
        if application.product_id not in product_ids:
            application.status, application.round_id = A.APPLIED, None
    if not product_ids:
        db.session.flush()
        return
    taken = db.session.scalars(
        select(DesignationApplication).where(
            DesignationApplication.status == A.APPLIED,
            DesignationApplication.product_id.in_(product_ids),
        )
    ).all()
    for application in taken:
        application.status = A.IN_ROUND
        application.round_id = round_.id
        record(
            "designation_application.in_round",
            "product",
            application.product_id,
            actor=actor,
            after={"application_id": application.id, "round_id": round_.id},
        )
        name, title = application.product.name, round_.title
        notify(
            members(application.supplier_id),
            "designation.in_round",
            lambda name=name: _("“%(name)s” is in an evaluation round", name=name),
            lambda title=title: _("The round “%(title)s” will evaluate it.", title=title),
            url_for("products.detail", product_id=application.product_id),
        )
    db.session.flush()


def mark_decided(product_id: int, round_id: int) -> None:
    for application in db.session.scalars(
        select(DesignationApplication).where(
            DesignationApplication.product_id == product_id,
            DesignationApplication.round_id == round_id,
            DesignationApplication.status == A.IN_ROUND,
        )
    ):
        application.status = A.DECIDED
    db.session.flush()
