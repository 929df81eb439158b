"""The rules of pilot purchases (시범구매): rounds, plans, applications, allocation, pilots.

Every function that changes state takes the acting user, checks the rule, changes the models,
writes an audit event and flushes; the caller commits once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from procure import policy
from procure.audit.services import record
from procure.checks import Checker
from procure.clock import local_today
from procure.errors import Conflict, FieldError, Forbidden, Invalid, NotFound, stale_message
from procure.extensions import db
from procure.labels import PILOT_STATUS, ROUND_STATUS, label
from procure.models import (
    Notification,
    Organisation,
    OrganisationKind,
    PilotApplication,
    PilotPlan,
    PilotPurchase,
    PilotRound,
    PilotRoundStatus,
    PilotStatus,
    Product,
    Role,
    User,
)
from procure.models.base import utcnow
from procure.models.evaluation import Designation, DesignationStatus
from procure.models.pilots import AgencyBudget, FieldReport, FollowOnPurchase
from procure.notifications.services import agency_officers, members, notify, operators
from procure.pilots import allocation
from procure.validators import posted_id

R = PilotRoundStatus
ROUND_TRANSITIONS: dict[str, frozenset[str]] = {
    R.DRAFT: frozenset({R.OPEN}),
    R.OPEN: frozenset({R.ALLOCATING}),
    R.ALLOCATING: frozenset({R.PUBLISHED}),
    R.PUBLISHED: frozenset({R.CLOSED}),
    R.CLOSED: frozenset(),
}

P = PilotStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    P.ALLOCATED: frozenset({P.CONTRACTED}),
    P.CONTRACTED: frozenset({P.DELIVERED}),
    P.DELIVERED: frozenset({P.IN_USE}),
    P.IN_USE: frozenset({P.REPORTED}),
    P.REPORTED: frozenset({P.EVALUATED}),
    P.EVALUATED: frozenset({P.CLOSED}),
    P.CLOSED: frozenset(),
}
VERDICTS = ("success", "insufficient")
MODES = ("purchase", "rental")
FINISHED = (P.EVALUATED, P.CLOSED)
REMIND_DAYS = 7


def _link(endpoint: str, **values) -> str | None:
    return url_for(endpoint, **values) if has_request_context() else None


def _require_operator(actor: User) -> None:
    if not policy.is_operator(actor):
        raise Forbidden(_("Only operators can do this."))


def _check_version(record_, version: int | None) -> None:
    if version is not None and version != record_.version:
        raise Conflict(stale_message())


# -- designation ---------------------------------------------------------------------------


def active_designation(product_id: int, on: date | None = None) -> Designation | None:
    """The product's active designation valid on ``on`` (today), the longest-lasting first."""
    on = on or local_today()
    return db.session.scalar(
        select(Designation)
        .where(
            Designation.product_id == product_id,
            Designation.status == DesignationStatus.ACTIVE,
            Designation.starts_on <= on,
            Designation.ends_on >= on,
        )
        .order_by(Designation.ends_on.desc())
        .limit(1)
    )


def is_designated(product_id: int, on: date | None = None) -> bool:
    return active_designation(product_id, on) is not None


def designated_products() -> list[Product]:
    today = local_today()
    return list(
        db.session.scalars(
            select(Product)
            .where(
                Product.id.in_(
                    select(Designation.product_id).where(
                        Designation.status == DesignationStatus.ACTIVE,
                        Designation.starts_on <= today,
                        Designation.ends_on >= today,
                    )
                ),
                Product.deleted_at.is_(None),
            )
            .order_by(Product.name)
        )
    )


# -- rounds --------------------------------------------------------------------------------


@dataclass
class RoundInput:
    title: str = ""
    budget: object = None
    mode: str = "purchase"
    starts_on: object = None
    ends_on: object = None
    applications_close_on: object = None
    per_agency_cap: object = None
    product_ids: list = field(default_factory=list)


def round_snapshot(round_: PilotRound) -> dict:
    return {
        "title": round_.title,
        "budget": round_.budget,
        "mode": round_.mode,
        "starts_on": round_.starts_on,
        "ends_on": round_.ends_on,
        "applications_close_on": round_.applications_close_on,
        "per_agency_cap": round_.per_agency_cap,
        "status": round_.status,
        "products": sorted(p.id for p in round_.products),
    }


def _validated_round(data: RoundInput) -> dict:
    """The round's fields checked, products resolved. :raise Invalid: field errors."""
    check = Checker()
    title = check.text("title", data.title, 200, required=True)
    budget = check.integer("budget", data.budget, minimum=1, required=True)
    mode = check.choice("mode", data.mode, MODES)
    starts_on = check.day("starts_on", data.starts_on, required=True)
    ends_on = check.day("ends_on", data.ends_on, required=True)
    closes = check.day("applications_close_on", data.applications_close_on)
    cap = check.integer("per_agency_cap", data.per_agency_cap, minimum=1)
    if starts_on and ends_on and ends_on < starts_on:
        check.fail("ends_on", _("The period must end on or after the day it starts."))
    if closes and ends_on and closes > ends_on:
        check.fail("applications_close_on", _("Applications must close before the round ends."))
    products = []
    ids = data.product_ids or []
    if not isinstance(ids, list) or not ids:
        check.fail("product_ids", _("Choose at least one designated product."))
        ids = []
    for raw in ids:
        product_id = posted_id(raw)  # -1 for text or numbers no key can hold
        product = db.session.get(Product, product_id) if product_id else None
        if product is None or product.deleted_at is not None:
            check.fail("product_ids", _("One of the chosen products does not exist."))
        elif not is_designated(product.id):
            check.fail(
                "product_ids",
                _("“%(name)s” is not a designated innovative product.", name=product.name),
            )
        elif product not in products:
            products.append(product)
    check.done()
    return {
        "title": title,
        "budget": budget,
        "mode": mode,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "applications_close_on": closes,
        "per_agency_cap": cap,
        "products": products,
    }


def _apply_round(round_: PilotRound, values: dict) -> None:
    for name, value in values.items():
        setattr(round_, name, value)


def create_round(actor: User, data: RoundInput) -> PilotRound:
    """An operator opens a draft round: budget, period, mode and the eligible products."""
    _require_operator(actor)
    values = _validated_round(data)
    round_ = PilotRound(
        weights=dict(allocation.DEFAULT_WEIGHTS),
        status=R.DRAFT,
        created_by_id=actor.id,
    )
    _apply_round(round_, values)
    db.session.add(round_)
    db.session.flush()
    record(
        "pilot_round.created", "pilot_round", round_.id, actor=actor, after=round_snapshot(round_)
    )
    return round_


def update_round(
    actor: User, round_: PilotRound, data: RoundInput, version: int | None = None
) -> PilotRound:
    """The operator changes a draft round; once open, its terms are what suppliers and
    agencies answered, so they stay.

    :raise Conflict: stale ``version``, or the round is no longer a draft.
    :raise Invalid: field errors.
    """
    _require_operator(actor)
    _check_version(round_, version)
    if round_.status != R.DRAFT:
        raise Conflict(_("Only a draft round can be changed; this one is open already."))
    values = _validated_round(data)
    before = round_snapshot(round_)
    _apply_round(round_, values)
    after = round_snapshot(round_)
    if before == after:
        return round_
    round_.updated_at = utcnow()
    db.session.flush()
    record("pilot_round.updated", "pilot_round", round_.id, actor=actor, before=before, after=after)
    return round_


def _move_round(actor: User, round_: PilotRound, target: str, version: int | None) -> None:
    _require_operator(actor)
    _check_version(round_, version)
    if target not in ROUND_TRANSITIONS[round_.status]:
        raise Conflict(
            _(
                "A round in the state “%(state)s” cannot move to “%(target)s”.",
                state=label(ROUND_STATUS, round_.status),
                target=label(ROUND_STATUS, target),
            )
        )
    before = round_.status
    round_.status = target
    round_.updated_at = utcnow()
    db.session.flush()
    record(
        f"pilot_round.{target}",
        "pilot_round",
        round_.id,
        actor=actor,
        before={"status": before},
        after={"status": target},
    )


def open_round(actor: User, round_: PilotRound, version: int | None = None) -> PilotRound:
    """draft → open: suppliers may file plans and agencies may apply. The suppliers of the
    round's products are told to file their plans, and every verified agency's officers that
    the round is open. :raise Invalid: its applications would already be closed."""
    closes = round_.applications_close_on
    if closes is not None and closes < local_today() and round_.status == R.DRAFT:
        message = _(
            "Applications would already be closed (on %(day)s): agencies could not apply. "
            "Move the closing day first.",
            day=closes.isoformat(),
        )
        raise Invalid(message, [FieldError("applications_close_on", message)])
    _move_round(actor, round_, R.OPEN, version)
    link = _link("pilots.round_detail", round_id=round_.id)
    title, closes = round_.title, round_.applications_close_on
    suppliers = {p.supplier_id for p in round_.products}
    notify(
        [u for sid in sorted(suppliers) for u in members(sid)],
        "pilot_round.opened",
        lambda: _("Pilot round “%(title)s” is open: file a pilot-use plan", title=title),
        lambda: _(
            "Your product is in this round. File its pilot-use plan (units, price, support) so "
            "agencies can apply for it."
        ),
        link,
    )
    notify(
        agency_officers(),
        "pilot_round.opened",
        lambda: _("Pilot round “%(title)s” is open for applications", title=title),
        lambda: (
            _("Agencies may apply until %(day)s.", day=closes.isoformat())
            if closes
            else _("Agencies may apply while the round is open.")
        ),
        link,
    )
    return round_


def get_round(user, round_id: int) -> PilotRound:
    """Draft rounds are the operators' own; the others are public."""
    round_ = db.session.get(PilotRound, round_id)
    if round_ is None or (round_.status == R.DRAFT and not policy.is_operator(user)):
        raise NotFound(_("This pilot round does not exist."))
    return round_


def rounds_query(user):
    query = select(PilotRound).order_by(PilotRound.starts_on.desc(), PilotRound.id.desc())
    if not policy.is_operator(user):
        query = query.where(PilotRound.status != R.DRAFT)
    return query


def visible_rounds(user) -> list[PilotRound]:
    return list(db.session.scalars(rounds_query(user)))


# -- plans ---------------------------------------------------------------------------------


@dataclass
class PlanInput:
    product_id: object = None
    units_offered: object = None
    unit_price: object = None
    support_offered: str = ""
    test_period_days: object = None


def plan_snapshot(plan: PilotPlan) -> dict:
    return {
        "round_id": plan.round_id,
        "product_id": plan.product_id,
        "units_offered": plan.units_offered,
        "unit_price": plan.unit_price,
        "support_offered": plan.support_offered,
        "test_period_days": plan.test_period_days,
    }


def file_plan(actor: User, round_: PilotRound, data: PlanInput) -> PilotPlan:
    """A supplier files a pilot-use plan for one of its eligible products in an open round."""
    if not actor.has_role(Role.SUPPLIER) or not actor.can_act_for_organisation:
        raise Forbidden(_("Only verified suppliers can file a pilot-use plan."))
    if round_.status != R.OPEN:
        raise Conflict(_("This round is not open for plans."))
    check = Checker()
    product_id = check.integer("product_id", data.product_id, minimum=1, required=True)
    units = check.integer(
        "units_offered", data.units_offered, minimum=1, maximum=100_000, required=True
    )
    price = check.integer("unit_price", data.unit_price, minimum=1, required=True)
    support = check.text("support_offered", data.support_offered, 5000)
    days = check.integer(
        "test_period_days", data.test_period_days, minimum=7, maximum=730, required=True
    )
    if product_id:
        product = db.session.get(Product, product_id)
        if product is None or product.supplier_id != actor.organisation_id:
            check.fail("product_id", _("Choose one of your own products."))
        elif product not in round_.products:
            check.fail("product_id", _("This product is not eligible in this round."))
        elif not is_designated(product_id):
            check.fail("product_id", _("The product's designation is no longer valid."))
        elif db.session.scalar(
            select(PilotPlan.id).where(
                PilotPlan.round_id == round_.id, PilotPlan.product_id == product_id
            )
        ):
            check.fail("product_id", _("A plan for this product has already been filed."))
    check.done()
    plan = PilotPlan(
        round_id=round_.id,
        product_id=product_id,
        supplier_id=actor.organisation_id,
        units_offered=units,
        unit_price=price,
        support_offered=support,
        test_period_days=days,
    )
    db.session.add(plan)
    db.session.flush()
    record("pilot_plan.filed", "pilot_plan", plan.id, actor=actor, after=plan_snapshot(plan))
    return plan


# -- applications --------------------------------------------------------------------------


@dataclass
class ApplicationInput:
    plan_id: object = None
    quantity: object = None
    intended_use: str = ""
    site: str = ""
    expected_improvement: str = ""
    plans_follow_on: object = False
    small_agency: object = False
    local_agency: object = False


def application_snapshot(app_: PilotApplication) -> dict:
    return {
        "round_id": app_.round_id,
        "plan_id": app_.plan_id,
        "agency_id": app_.agency_id,
        "quantity": app_.quantity,
        "site": app_.site,
        "plans_follow_on": app_.plans_follow_on,
        "small_agency": app_.small_agency,
        "local_agency": app_.local_agency,
        "status": app_.status,
        "allocated_quantity": app_.allocated_quantity,
        "allocated_amount": app_.allocated_amount,
    }


def _flag(check: Checker, name: str, value) -> bool:
    if value in (None, ""):
        return False
    if not isinstance(value, bool):
        check.fail(name, _("Answer yes or no."))
        return False
    return value


def apply(actor: User, round_: PilotRound, data: ApplicationInput) -> PilotApplication:
    """An agency officer applies for a product (a supplier's plan) in an open round."""
    if not actor.has_role(Role.OFFICER) or not actor.can_act_for_organisation:
        raise Forbidden(_("Only verified agency officers can apply for a pilot."))
    if round_.status != R.OPEN:
        raise Conflict(_("This round is not open for applications."))
    if round_.applications_close_on and round_.applications_close_on < local_today():
        raise Conflict(
            _(
                "Applications closed on %(day)s.",
                day=round_.applications_close_on.isoformat(),
            )
        )
    check = Checker()
    plan_id = check.integer("plan_id", data.plan_id, minimum=1, required=True)
    quantity = check.integer("quantity", data.quantity, minimum=1, maximum=100_000, required=True)
    intended_use = check.text("intended_use", data.intended_use, 5000, required=True)
    site = check.text("site", data.site, 200, required=True)
    improvement = check.text("expected_improvement", data.expected_improvement, 5000, required=True)
    follow_on = _flag(check, "plans_follow_on", data.plans_follow_on)
    small = _flag(check, "small_agency", data.small_agency)
    local = _flag(check, "local_agency", data.local_agency)
    plan = db.session.get(PilotPlan, plan_id) if plan_id else None
    if plan_id and (plan is None or plan.round_id != round_.id):
        check.fail("plan_id", _("Choose a product offered in this round."))
        plan = None
    if plan is not None and not is_designated(plan.product_id):
        check.fail("plan_id", _("The product's designation is no longer valid."))
    if plan is not None and quantity and quantity > plan.units_offered:
        check.fail(
            "quantity",
            _("The supplier offers at most %(n)d units.", n=plan.units_offered),
        )
    if plan is not None and db.session.scalar(
        select(PilotApplication.id).where(
            PilotApplication.plan_id == plan.id,
            PilotApplication.agency_id == actor.organisation_id,
            PilotApplication.status != WITHDRAWN,
        )
    ):
        check.fail("plan_id", _("Your agency has already applied for this product."))
    check.done()
    app_ = PilotApplication(
        round_id=round_.id,
        plan_id=plan.id,
        agency_id=actor.organisation_id,
        applicant_id=actor.id,
        quantity=quantity,
        intended_use=intended_use,
        site=site,
        expected_improvement=improvement,
        plans_follow_on=follow_on,
        small_agency=small,
        local_agency=local,
        status="submitted",
    )
    db.session.add(app_)
    db.session.flush()
    record(
        "pilot_application.submitted",
        "pilot_application",
        app_.id,
        actor=actor,
        after=application_snapshot(app_),
    )
    agency = actor.organisation.name if actor.organisation else ""
    product_name = plan.product.name
    notify(
        operators(),
        "pilot_application.submitted",
        lambda: _("New pilot application in “%(title)s”", title=round_.title),
        lambda: _("%(agency)s applied for “%(name)s”.", agency=agency, name=product_name),
        _link("pilots.round_detail", round_id=round_.id),
    )
    return app_


#: An application's states: submitted, then allocated or not_allocated by the optimiser (or
#: by hand); withdrawn by its agency while the round is open.
WITHDRAWN = "withdrawn"


def withdraw_application(
    actor: User, app_: PilotApplication, reason: str = "", version: int | None = None
) -> PilotApplication:
    """The applying agency takes its application back while the round is still open.

    It stays on record (status ``withdrawn``, audited with the reason), the optimiser leaves
    it out, and the agency may apply for the same product again.

    :raise Forbidden: not an officer of the applying agency.
    :raise Conflict: stale ``version``, already withdrawn, or the round is no longer open.
    """
    if not (actor.has_role(Role.OFFICER) and policy.acts_for(actor, app_.agency_id)):
        raise Forbidden(_("Only the applying agency's officers can withdraw its application."))
    _check_version(app_, version)
    if app_.status == WITHDRAWN:
        raise Conflict(_("This application is already withdrawn."))
    if app_.plan.round.status != R.OPEN:
        raise Conflict(
            _("Applications can be withdrawn only while the round is open for applications.")
        )
    check = Checker()
    reason = check.text("reason", reason, 2000)
    check.done()
    before = {"status": app_.status}
    app_.status = WITHDRAWN
    app_.updated_at = utcnow()
    db.session.flush()
    record(
        "pilot_application.withdrawn",
        "pilot_application",
        app_.id,
        actor=actor,
        before=before,
        after={"status": WITHDRAWN, "reason": reason or None},
    )
    return app_


def allocation_published(round_: PilotRound) -> bool:
    return round_.status in (R.PUBLISHED, R.CLOSED)


def can_read_application(user, app_: PilotApplication) -> bool:
    """Its agency and operators always; everyone else once the allocation is published."""
    if policy.is_operator(user) or policy.acts_for(user, app_.agency_id):
        return True
    return allocation_published(app_.plan.round)


def applications_for(user, round_: PilotRound) -> list[PilotApplication]:
    """The applications of a round this user may see."""
    query = select(PilotApplication).where(PilotApplication.round_id == round_.id)
    if not (policy.is_operator(user) or allocation_published(round_)):
        if user is None or not user.is_authenticated or not user.can_act_for_organisation:
            return []
        query = query.where(PilotApplication.agency_id == user.organisation_id)
    return list(db.session.scalars(query.order_by(PilotApplication.id)))


def get_application(user, application_id: int) -> PilotApplication:
    app_ = db.session.get(PilotApplication, application_id)
    if app_ is None or not can_read_application(user, app_):
        raise NotFound(_("This application does not exist."))
    return app_


# -- allocation ----------------------------------------------------------------------------


def _candidates(round_: PilotRound) -> tuple[list[allocation.Candidate], dict[int, int]]:
    apps = db.session.scalars(
        select(PilotApplication)
        .where(PilotApplication.round_id == round_.id, PilotApplication.status != WITHDRAWN)
        .order_by(PilotApplication.id)
    ).all()
    candidates = [
        allocation.Candidate(
            id=a.id,
            agency=a.agency_id,
            product=a.plan.product_id,
            quantity=a.quantity,
            unit_price=a.plan.unit_price,
            small=a.small_agency,
            local=a.local_agency,
            follow_on=a.plans_follow_on,
        )
        for a in apps
    ]
    units = {plan.product_id: plan.units_offered for plan in round_.plans}
    return candidates, units


def _check_weights(weights) -> dict[str, float]:
    if weights is None:
        return {}
    check = Checker()
    if not isinstance(weights, dict):
        check.fail("weights", _("Give the weights as an object of numbers."))
        check.done()
    low, high = allocation.WEIGHT_BOUNDS
    out = {}
    for key, value in weights.items():
        if key not in allocation.DEFAULT_WEIGHTS:
            check.fail(f"weights-{key}", _("Unknown weight."))
        elif isinstance(value, bool) or not isinstance(value, int | float):
            check.fail(f"weights-{key}", _("Enter a number."))
        elif not low <= value <= high:
            check.fail(
                f"weights-{key}",
                _("Enter a number from %(min)s to %(max)s.", min=f"{low:g}", max=f"{high:g}"),
            )
        else:
            out[key] = float(value)
    check.done()
    return out


def applications_still_open_until(round_: PilotRound) -> date | None:
    """The closing day of an open round whose applications have not closed yet (else None):
    the optimiser waits for it, so no agency is shut out before the day announced."""
    closes = round_.applications_close_on
    if round_.status == R.OPEN and closes is not None and closes >= local_today():
        return closes
    return None


def allocate(
    actor: User, round_: PilotRound, weights: dict | None = None, version: int | None = None
) -> PilotRound:
    """Run the optimiser: open → allocating (or again while allocating, e.g. with new weights).

    Hand adjustments are discarded by a new run; the report keeps what the optimiser chose,
    why, and every later adjustment.
    """
    _require_operator(actor)
    _check_version(round_, version)
    if round_.status not in (R.OPEN, R.ALLOCATING):
        raise Conflict(_("Allocation is possible only while a round is open or allocating."))
    closes = applications_still_open_until(round_)
    if closes is not None:
        raise Conflict(
            _(
                "Applications are open until %(day)s; the optimiser can run from the next day.",
                day=closes.isoformat(),
            )
        )
    chosen_weights = allocation.clean_weights({**(round_.weights or {}), **_check_weights(weights)})
    candidates, units = _candidates(round_)
    if not candidates:
        raise Conflict(_("There are no applications to allocate."))
    result = allocation.optimise(
        candidates, round_.budget, units, round_.per_agency_cap, chosen_weights
    )
    chosen = set(result.chosen)
    apps = {
        a.id: a
        for a in db.session.scalars(
            select(PilotApplication).where(PilotApplication.round_id == round_.id)
        )
    }
    lines = []
    for c in candidates:
        app_ = apps[c.id]
        app_.allocated_quantity = c.quantity if c.id in chosen else 0
        app_.allocated_amount = c.cost if c.id in chosen else 0
        app_.status = "allocated" if c.id in chosen else "not_allocated"
        app_.adjusted_by_hand = False
        lines.append(
            {
                "application_id": c.id,
                "agency_id": c.agency,
                "product_id": c.product,
                "quantity": c.quantity,
                "cost": c.cost,
                "chosen": c.id in chosen,
                "reason": result.reasons.get(c.id),
            }
        )
    before = round_.status
    round_.weights = chosen_weights
    round_.allocation_report = {
        "ran_at": utcnow().isoformat(timespec="seconds"),
        "solver": "scipy.optimize.milp (HiGHS)",
        "status": result.status,
        "objective": result.objective,
        "budget": round_.budget,
        "spent": result.spent,
        "per_agency_cap": round_.per_agency_cap,
        "agencies_covered": result.agencies,
        "products_covered": result.products,
        "applications": len(candidates),
        "weights": chosen_weights,
        "lines": lines,
        "adjustments": [],
    }
    round_.status = R.ALLOCATING
    round_.updated_at = utcnow()
    db.session.flush()
    record(
        "pilot_round.allocated",
        "pilot_round",
        round_.id,
        actor=actor,
        before={"status": before},
        after={
            "status": R.ALLOCATING,
            "weights": chosen_weights,
            "chosen": sorted(chosen),
            "objective": result.objective,
            "spent": result.spent,
        },
    )
    return round_


def adjust(
    actor: User, app_: PilotApplication, quantity, reason: str, version: int | None = None
) -> PilotApplication:
    """The operator changes an allocation by hand, within the budget, units and cap."""
    _require_operator(actor)
    _check_version(app_, version)
    round_ = app_.plan.round
    if round_.status != R.ALLOCATING:
        raise Conflict(_("Allocations can be changed only before they are published."))
    if app_.status == WITHDRAWN:
        raise Conflict(_("This application was withdrawn by its agency."))
    check = Checker()
    qty = check.integer("quantity", quantity, minimum=0, maximum=app_.quantity, required=True)
    reason = check.text("reason", reason, 2000, required=True)
    check.done()
    others = list(
        db.session.scalars(
            select(PilotApplication).where(
                PilotApplication.round_id == round_.id, PilotApplication.id != app_.id
            )
        )
    )
    amount = qty * app_.plan.unit_price
    if sum(a.allocated_amount for a in others) + amount > round_.budget:
        check.fail("quantity", _("This would exceed the round's budget."))
    used = sum(a.allocated_quantity for a in others if a.plan_id == app_.plan_id)
    if used + qty > app_.plan.units_offered:
        check.fail("quantity", _("This would exceed the units the supplier offered."))
    if round_.per_agency_cap is not None and (
        sum(a.allocated_amount for a in others if a.agency_id == app_.agency_id) + amount
        > round_.per_agency_cap
    ):
        check.fail("quantity", _("This would exceed the per-agency cap."))
    check.done()
    before = {
        "allocated_quantity": app_.allocated_quantity,
        "allocated_amount": app_.allocated_amount,
    }
    app_.allocated_quantity = qty
    app_.allocated_amount = amount
    app_.status = "allocated" if qty else "not_allocated"
    app_.adjusted_by_hand = True
    app_.updated_at = utcnow()
    report = dict(round_.allocation_report or {})
    report["adjustments"] = [
        *report.get("adjustments", []),
        {
            "application_id": app_.id,
            "by": actor.id,
            "at": utcnow().isoformat(timespec="seconds"),
            "before": before["allocated_quantity"],
            "after": qty,
            "reason": reason,
        },
    ]
    report["spent"] = sum(a.allocated_amount for a in others) + amount
    round_.allocation_report = report
    db.session.flush()
    record(
        "pilot_application.adjusted",
        "pilot_application",
        app_.id,
        actor=actor,
        before=before,
        after={"allocated_quantity": qty, "allocated_amount": amount, "reason": reason},
    )
    return app_


def publish_allocation(actor: User, round_: PilotRound, version: int | None = None) -> PilotRound:
    """allocating → published: one pilot per allocated application; agencies are told."""
    _move_round(actor, round_, R.PUBLISHED, version)
    round_.published_at = utcnow()
    apps = db.session.scalars(
        select(PilotApplication).where(
            PilotApplication.round_id == round_.id, PilotApplication.allocated_quantity > 0
        )
    ).all()
    for app_ in apps:
        pilot = PilotPurchase(
            application_id=app_.id,
            round_id=round_.id,
            product_id=app_.plan.product_id,
            agency_id=app_.agency_id,
            supplier_id=app_.plan.supplier_id,
            status=P.ALLOCATED,
            quantity=app_.allocated_quantity,
            amount=app_.allocated_amount,
        )
        db.session.add(pilot)
        db.session.flush()
        record("pilot.allocated", "pilot", pilot.id, actor=actor, after=pilot_snapshot(pilot))
        link = _link("pilots.pilot_detail", pilot_id=pilot.id)
        product_name = app_.plan.product.name
        notify(
            members(app_.agency_id) + members(app_.plan.supplier_id),
            "pilot.allocated",
            lambda name=product_name: _("A pilot of “%(name)s” has been allocated", name=name),
            lambda: _(
                "The round's allocation is published. The central procurement service signs "
                "the contract next; the pilot's page shows each step."
            ),
            link,
        )
    db.session.flush()
    return round_


def close_round(actor: User, round_: PilotRound, version: int | None = None) -> PilotRound:
    _move_round(actor, round_, R.CLOSED, version)
    return round_


# -- pilots: the state machine -------------------------------------------------------------


def pilot_snapshot(pilot: PilotPurchase) -> dict:
    return {
        "status": pilot.status,
        "quantity": pilot.quantity,
        "amount": pilot.amount,
        "contract_number": pilot.contract_number,
        "contract_date": pilot.contract_date,
        "delivery_date": pilot.delivery_date,
        "accepted_on": pilot.accepted_on,
        "use_started_on": pilot.use_started_on,
        "report_due_on": pilot.report_due_on,
        "verdict": pilot.verdict,
    }


def can_read_pilot(user, pilot: PilotPurchase) -> bool:
    """Its agency, its supplier and operators; everyone once it is evaluated (published)."""
    if pilot.status in FINISHED and pilot.published_at is not None:
        return True
    return bool(
        policy.is_operator(user)
        or policy.acts_for(user, pilot.agency_id)
        or policy.acts_for(user, pilot.supplier_id)
    )


def get_pilot(user, pilot_id: int) -> PilotPurchase:
    pilot = db.session.get(PilotPurchase, pilot_id)
    if pilot is None or not can_read_pilot(user, pilot):
        raise NotFound(_("This pilot does not exist."))
    return pilot


def pilots_query(user, status: str | None = None):
    """The pilots this user may see: its organisation's, and every published one."""
    query = select(PilotPurchase)
    if not policy.is_operator(user):
        orgs = []
        if user is not None and user.is_authenticated and user.can_act_for_organisation:
            orgs = [user.organisation_id]
        query = query.where(
            PilotPurchase.agency_id.in_(orgs)
            | PilotPurchase.supplier_id.in_(orgs)
            | (PilotPurchase.status.in_(FINISHED) & PilotPurchase.published_at.is_not(None))
        )
    if status:
        query = query.where(PilotPurchase.status == status)
    return query.order_by(PilotPurchase.id.desc())


#: The pilots list's "report overdue" filter: in use past the day the report was due.
OVERDUE = "overdue"


def worked_pilots_query(user, status: str | None = None, round_id: int | None = None):
    """SQL: the pilots ``user`` works on, newest first — every pilot for an operator, else
    those of the user's organisation (as agency or supplier). ``status`` is a pilot state or
    ``OVERDUE``."""
    query = select(PilotPurchase)
    if not policy.is_operator(user):
        own = user.organisation_id if user.can_act_for_organisation else None
        query = query.where(
            (PilotPurchase.agency_id == (own or -1)) | (PilotPurchase.supplier_id == (own or -1))
        )
    if status == OVERDUE:
        query = query.where(
            PilotPurchase.status == P.IN_USE, PilotPurchase.report_due_on < local_today()
        )
    elif status:
        query = query.where(PilotPurchase.status == status)
    if round_id:
        query = query.where(PilotPurchase.round_id == round_id)
    return query.options(
        selectinload(PilotPurchase.product), selectinload(PilotPurchase.agency)
    ).order_by(PilotPurchase.id.desc())


def visible_pilots(user, status: str | None = None) -> list[PilotPurchase]:
    return list(db.session.scalars(pilots_query(user, status)))


def _move(actor: User, pilot: PilotPurchase, target: str, version: int | None, **changes) -> None:
    _check_version(pilot, version)
    if target not in TRANSITIONS[pilot.status]:
        raise Conflict(
            _(
                "A pilot in the state “%(state)s” cannot move to “%(target)s”.",
                state=label(PILOT_STATUS, pilot.status),
                target=label(PILOT_STATUS, target),
            )
        )
    before = pilot_snapshot(pilot)
    for key, value in changes.items():
        setattr(pilot, key, value)
    pilot.status = target
    pilot.updated_at = utcnow()
    db.session.flush()
    record(
        f"pilot.{target}",
        "pilot",
        pilot.id,
        actor=actor,
        before=before,
        after=pilot_snapshot(pilot),
    )


def _require_agency(actor: User, pilot: PilotPurchase) -> None:
    if not (actor.has_role(Role.OFFICER) and policy.acts_for(actor, pilot.agency_id)):
        raise Forbidden(_("Only the using agency's officers can do this."))


def _require_agency_or_operator(actor: User, pilot: PilotPurchase) -> None:
    if not policy.is_operator(actor):
        _require_agency(actor, pilot)


def _not_future(check: Checker, name: str, day) -> None:
    """A step records what has happened: its day is today at the latest."""
    if day and day > local_today():
        check.fail(name, _("The date cannot be in the future."))


def record_contract(
    actor: User,
    pilot: PilotPurchase,
    contract_number,
    contract_date,
    amount=None,
    quantity=None,
    version: int | None = None,
) -> PilotPurchase:
    """allocated → contracted: the operator (the central buyer) records the contract."""
    _require_operator(actor)
    check = Checker()
    number = check.text("contract_number", contract_number, 64, required=True)
    day = check.day("contract_date", contract_date, required=True)
    _not_future(check, "contract_date", day)
    amount = (
        check.integer("amount", amount, minimum=1) if amount not in (None, "") else pilot.amount
    )
    quantity = (
        check.integer("quantity", quantity, minimum=1, maximum=100_000)
        if quantity not in (None, "")
        else pilot.quantity
    )
    if amount and amount > pilot.application.allocated_amount:
        check.fail("amount", _("The contract may not exceed the allocated amount."))
    allocated = pilot.application.allocated_quantity
    if quantity and allocated and quantity > allocated:
        check.fail(
            "quantity",
            _("The contract may not buy more than the %(n)d units allocated.", n=allocated),
        )
    check.done()
    _move(
        actor,
        pilot,
        P.CONTRACTED,
        version,
        contract_number=number,
        contract_date=day,
        amount=amount,
        quantity=quantity,
    )
    product_name = pilot.product.name
    notify(
        members(pilot.agency_id) + members(pilot.supplier_id),
        "pilot.contracted",
        lambda: _("The pilot contract for “%(name)s” is recorded", name=product_name),
        lambda: _("Contract %(number)s of %(day)s.", number=number, day=day.isoformat()),
        _link("pilots.pilot_detail", pilot_id=pilot.id),
    )
    return pilot


def record_delivery(
    actor: User, pilot: PilotPurchase, delivery_date, accepted_on, version: int | None = None
) -> PilotPurchase:
    """contracted → delivered: the delivery date and the agency's acceptance."""
    _require_agency_or_operator(actor, pilot)
    check = Checker()
    delivered = check.day("delivery_date", delivery_date, required=True)
    accepted = check.day("accepted_on", accepted_on, required=True)
    _not_future(check, "delivery_date", delivered)
    _not_future(check, "accepted_on", accepted)
    if delivered and pilot.contract_date and delivered < pilot.contract_date:
        check.fail("delivery_date", _("Delivery cannot come before the contract."))
    if delivered and accepted and accepted < delivered:
        check.fail("accepted_on", _("Acceptance cannot come before delivery."))
    check.done()
    _move(actor, pilot, P.DELIVERED, version, delivery_date=delivered, accepted_on=accepted)
    return pilot


def start_use(
    actor: User, pilot: PilotPurchase, started_on, report_due_on=None, version: int | None = None
) -> PilotPurchase:
    """delivered → in use; the report is due at the end of the plan's test period by default."""
    _require_agency_or_operator(actor, pilot)
    check = Checker()
    started = check.day("use_started_on", started_on, required=True)
    _not_future(check, "use_started_on", started)
    due = check.day("report_due_on", report_due_on)
    if started and pilot.accepted_on and started < pilot.accepted_on:
        check.fail("use_started_on", _("Use cannot start before acceptance."))
    if started and due and due < started:
        check.fail("report_due_on", _("The report cannot be due before use starts."))
    check.done()
    if due is None and started:
        due = started + timedelta(days=pilot.application.plan.test_period_days)
    _move(actor, pilot, P.IN_USE, version, use_started_on=started, report_due_on=due)
    return pilot


@dataclass
class ReportInput:
    satisfaction: object = None
    would_buy_again: object = None
    summary: str = ""
    measurements: list = field(default_factory=list)
    defects: list = field(default_factory=list)


def _before_use_message(started) -> str:
    return _(
        "A defect cannot be fixed before the pilot's use started (%(day)s).",
        day=started.isoformat(),
    )


def _validated_report(data: ReportInput, started=None) -> dict:
    """:param started: the day the pilot's use started; no defect is fixed before it."""
    check = Checker()
    satisfaction = check.integer(
        "satisfaction", data.satisfaction, minimum=1, maximum=5, required=True
    )
    if not isinstance(data.would_buy_again, bool):
        check.fail("would_buy_again", _("Say whether your agency would buy it again."))
    summary = check.text("summary", data.summary, 10_000, required=True)
    measurements = []
    raw = data.measurements if data.measurements is not None else []
    if not isinstance(raw, list):
        check.fail("measurements", _("Give the measurements as a list."))
        raw = []
    if not raw:
        check.fail("measurements", _("Report at least one specification item."))
    for index, item in enumerate(raw):
        prefix = f"measurements-{index}"
        if not isinstance(item, dict):
            check.fail(prefix, _("Each row must be an object."))
            continue
        met = item.get("met")
        if not isinstance(met, bool):
            check.fail(f"{prefix}-met", _("Say whether the target was met."))
        measurements.append(
            {
                "name": check.text(f"{prefix}-name", item.get("name"), 200, required=True),
                "target": check.text(f"{prefix}-target", item.get("target"), 100, required=True),
                "measured": check.text(
                    f"{prefix}-measured", item.get("measured"), 100, required=True
                ),
                "unit": check.text(f"{prefix}-unit", item.get("unit"), 40),
                "met": bool(met),
            }
        )
    defects = []
    raw = data.defects if data.defects is not None else []
    if not isinstance(raw, list):
        check.fail("defects", _("Give the defects as a list."))
        raw = []
    for index, item in enumerate(raw):
        prefix = f"defects-{index}"
        if not isinstance(item, dict):
            check.fail(prefix, _("Each row must be an object."))
            continue
        fixed = item.get("fixed")
        if not isinstance(fixed, bool):
            check.fail(f"{prefix}-fixed", _("Say whether the supplier fixed it."))
            fixed = False
        fixed_on = check.day(f"{prefix}-fixed_on", item.get("fixed_on"), required=fixed)
        if not fixed and fixed_on:
            check.fail(f"{prefix}-fixed_on", _("Give a date only for a fixed defect."))
        elif fixed_on and fixed_on > local_today():
            check.fail(f"{prefix}-fixed_on", _("The date cannot be in the future."))
        elif fixed_on and started and fixed_on < started:
            check.fail(f"{prefix}-fixed_on", _before_use_message(started))
        defects.append(
            {
                "description": check.text(
                    f"{prefix}-description", item.get("description"), 2000, required=True
                ),
                "fixed": fixed,
                "fixed_on": fixed_on.isoformat() if fixed_on else None,
            }
        )
    check.done(_("The report is not complete."))
    return {
        "satisfaction": satisfaction,
        "would_buy_again": data.would_buy_again,
        "summary": summary,
        "measurements": measurements,
        "defects": defects,
    }


def submit_report(
    actor: User, pilot: PilotPurchase, data: ReportInput, version: int | None = None
) -> FieldReport:
    """in use → reported: the using agency's field report."""
    _require_agency(actor, pilot)
    if pilot.status != P.IN_USE:
        raise Conflict(_("A report can be filed only while the pilot is in use."))
    values = _validated_report(data, pilot.use_started_on)
    report = FieldReport(purchase_id=pilot.id, submitted_by_id=actor.id, **values)
    db.session.add(report)
    db.session.flush()
    _move(actor, pilot, P.REPORTED, version)
    record("field_report.submitted", "pilot", pilot.id, actor=actor, after=values)
    notify(
        operators(),
        "pilot.reported",
        lambda: _("A field report has been filed for “%(name)s”", name=pilot.product.name),
        lambda: _("Record the verdict on the pilot page."),
        _link("pilots.pilot_detail", pilot_id=pilot.id),
    )
    return report


def evaluate(
    actor: User, pilot: PilotPurchase, verdict: str, note: str = "", version: int | None = None
) -> PilotPurchase:
    """reported → evaluated: the operator's verdict, published on the results page."""
    _require_operator(actor)
    check = Checker()
    verdict = check.choice("verdict", verdict, VERDICTS)
    note = check.text("verdict_note", note, 5000, required=verdict == "insufficient")
    check.done()
    now = utcnow()
    _move(
        actor,
        pilot,
        P.EVALUATED,
        version,
        verdict=verdict,
        verdict_note=note,
        verdict_at=now,
        verdict_by_id=actor.id,
        published_at=now,
    )
    notify(
        members(pilot.agency_id) + members(pilot.supplier_id),
        "pilot.evaluated",
        lambda: _("The pilot of “%(name)s” has been evaluated", name=pilot.product.name),
        lambda: note,
        _link("pilots.pilot_detail", pilot_id=pilot.id),
    )
    return pilot


def close_pilot(actor: User, pilot: PilotPurchase, version: int | None = None) -> PilotPurchase:
    """evaluated → closed."""
    _require_operator(actor)
    _move(actor, pilot, P.CLOSED, version)
    return pilot


def record_fix(
    actor: User, pilot: PilotPurchase, index, fixed_on, version: int | None = None
) -> FieldReport:
    """Record that the supplier fixed a reported defect (the using agency or an operator).

    A fix recorded after an *insufficient* verdict lifts ``extension_blocked`` once no defect
    is left unfixed.
    """
    _require_agency_or_operator(actor, pilot)
    _check_version(pilot, version)
    report = pilot.report
    check = Checker()
    position = check.integer("index", index, minimum=0, maximum=1000, required=True)
    day = check.day("fixed_on", fixed_on, required=True)
    if day and day > local_today():
        check.fail("fixed_on", _("The date cannot be in the future."))
    elif day and pilot.use_started_on and day < pilot.use_started_on:
        check.fail("fixed_on", _before_use_message(pilot.use_started_on))
    check.done()
    defects = list(report.defects or []) if report is not None else []
    if position is None or position >= len(defects) or defects[position].get("fixed"):
        raise NotFound(_("This defect does not exist or is already fixed."))
    changed = {**defects[position], "fixed": True, "fixed_on": day.isoformat()}
    defects[position] = changed
    report.defects = defects
    pilot.updated_at = utcnow()
    db.session.flush()
    record(
        "field_report.defect_fixed",
        "pilot",
        pilot.id,
        actor=actor,
        before={"index": position, "fixed": False},
        after={"index": position, "fixed": True, "fixed_on": day},
    )
    return report


def unfixed_defects(report: FieldReport | None) -> list[dict]:
    if report is None:
        return []
    return [d for d in report.defects or [] if not d.get("fixed")]


def extension_blocked(product_id: int) -> bool:
    """True when a pilot of the product was judged insufficient and a defect is still unfixed.

    The evaluation workflow calls this before extending a designation: such products lose
    their eligibility for an extension until the defects are fixed (a new report or verdict).
    """
    pilots = db.session.scalars(
        select(PilotPurchase).where(
            PilotPurchase.product_id == product_id, PilotPurchase.verdict == "insufficient"
        )
    ).all()
    return any(unfixed_defects(p.report) for p in pilots)


def finished_pilots() -> list[PilotPurchase]:
    """Every evaluated or closed pilot, for the public results page."""
    return list(
        db.session.scalars(
            select(PilotPurchase)
            .where(PilotPurchase.status.in_(FINISHED), PilotPurchase.published_at.is_not(None))
            .order_by(PilotPurchase.verdict_at.desc(), PilotPurchase.id.desc())
        )
    )


# -- reminders -----------------------------------------------------------------------------


def remind(today: date | None = None) -> dict[str, int]:
    """Notify agencies of reports due within 7 days and of overdue ones; once a day each."""
    today = today or local_today()
    sent = {"due": 0, "overdue": 0}
    pilots = db.session.scalars(
        select(PilotPurchase).where(
            PilotPurchase.status == P.IN_USE,
            PilotPurchase.report_due_on.is_not(None),
            PilotPurchase.report_due_on <= today + timedelta(days=REMIND_DAYS),
        )
    ).all()
    for pilot in pilots:
        overdue = pilot.report_due_on < today
        kind = "pilot.report_overdue" if overdue else "pilot.report_due"
        link = f"/pilots/{pilot.id}?reminder={today.isoformat()}"
        already = db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.kind == kind, Notification.link == link
            )
        )
        if already:
            continue
        due = pilot.report_due_on.isoformat()
        name = pilot.product.name
        officers = [u for u in members(pilot.agency_id) if u.has_role(Role.OFFICER)]
        if overdue:
            rows = notify(
                officers,
                kind,
                lambda name=name: _("The field report on “%(name)s” is overdue", name=name),
                lambda due=due: _("It was due on %(day)s. File it on the pilot page.", day=due),
                link,
            )
        else:
            rows = notify(
                officers,
                kind,
                lambda name=name: _("The field report on “%(name)s” is due soon", name=name),
                lambda due=due: _("It is due on %(day)s. File it on the pilot page.", day=due),
                link,
            )
        if rows:
            sent["overdue" if overdue else "due"] += 1
    return sent


# -- follow-on purchases -------------------------------------------------------------------


@dataclass
class FollowOnInput:
    product_id: object = None
    purchased_on: object = None
    amount: object = None
    quantity: object = 1
    contract_number: str = ""


def record_follow_on(actor: User, data: FollowOnInput) -> FollowOnPurchase:
    """An agency records a later purchase, with its own budget, of a piloted product."""
    if not actor.has_role(Role.OFFICER) or not actor.can_act_for_organisation:
        raise Forbidden(_("Only verified agency officers can record a follow-on purchase."))
    check = Checker()
    product_id = check.integer("product_id", data.product_id, minimum=1, required=True)
    day = check.day("purchased_on", data.purchased_on, required=True)
    amount = check.integer("amount", data.amount, minimum=1, required=True)
    quantity = check.integer("quantity", data.quantity, minimum=1, maximum=1_000_000, required=True)
    number = check.text("contract_number", data.contract_number, 64)
    pilot_id = None
    if product_id:
        pilots = db.session.scalars(
            select(PilotPurchase).where(PilotPurchase.product_id == product_id)
        ).all()
        if not pilots:
            check.fail("product_id", _("Choose a product that has been piloted."))
        own = [p for p in pilots if p.agency_id == actor.organisation_id]
        pilot_id = own[0].id if own else None
        contracts = [p.contract_date for p in pilots if p.contract_date]
        if day and contracts and day < min(contracts):
            check.fail("purchased_on", _("A follow-on purchase comes after the pilot."))
    _not_future(check, "purchased_on", day)
    check.done()
    row = FollowOnPurchase(
        product_id=product_id,
        agency_id=actor.organisation_id,
        pilot_id=pilot_id,
        purchased_on=day,
        amount=amount,
        quantity=quantity,
        contract_number=number or None,
        recorded_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    record(
        "follow_on.recorded",
        "follow_on_purchase",
        row.id,
        actor=actor,
        after={
            "product_id": product_id,
            "agency_id": actor.organisation_id,
            "pilot_id": pilot_id,
            "purchased_on": day,
            "amount": amount,
            "quantity": quantity,
        },
    )
    return row


def can_read_follow_on(user, row: FollowOnPurchase) -> bool:
    """The buying agency, the product's supplier and operators."""
    if policy.is_operator(user) or policy.acts_for(user, row.agency_id):
        return True
    product = db.session.get(Product, row.product_id)
    return product is not None and policy.acts_for(user, product.supplier_id)


def get_follow_on(user, follow_on_id: int) -> FollowOnPurchase:
    row = db.session.get(FollowOnPurchase, follow_on_id)
    if row is None or not can_read_follow_on(user, row):
        raise NotFound(_("This purchase does not exist."))
    return row


def follow_ons_of(user) -> list[FollowOnPurchase]:
    """The follow-on purchases recorded by the user's agency."""
    if user is None or not user.is_authenticated or not user.can_act_for_organisation:
        return []
    return list(
        db.session.scalars(
            select(FollowOnPurchase)
            .where(FollowOnPurchase.agency_id == user.organisation_id)
            .order_by(FollowOnPurchase.purchased_on.desc(), FollowOnPurchase.id.desc())
        )
    )


@dataclass
class BudgetInput:
    agency_id: object = None
    year: object = None
    goods_budget: object = None
    target_share_percent: object = None


def set_agency_budget(actor: User, data: BudgetInput) -> AgencyBudget:
    """An operator records an agency's goods budget for a year and its innovation target."""
    _require_operator(actor)
    check = Checker()
    agency_id = check.integer("agency_id", data.agency_id, minimum=1, required=True)
    year = check.integer("year", data.year, minimum=2000, maximum=2100, required=True)
    budget = check.integer("goods_budget", data.goods_budget, minimum=0, required=True)
    share = data.target_share_percent
    if isinstance(share, str):  # "1.5 %" as people write it, ％ as Korean input gives it
        share = share.strip().rstrip("%％").strip()
    if share in (None, ""):
        share = 1.0
    try:
        share = float(share)
    except (TypeError, ValueError):
        check.fail("target_share_percent", _("Enter a number."))
        share = None
    # As the form's field allows (step 0.01): a smaller share would be stored as nothing and
    # read back as the default; NaN compares false both ways and is refused too.
    if share is not None and not 0.01 <= share <= 100:
        check.fail("target_share_percent", _("Enter a percentage from 0.01 to 100."))
    agency = db.session.get(Organisation, agency_id) if agency_id else None
    if agency_id and (agency is None or agency.kind != OrganisationKind.AGENCY):
        check.fail("agency_id", _("Choose an agency."))
    check.done()
    row = db.session.scalar(
        select(AgencyBudget).where(AgencyBudget.agency_id == agency_id, AgencyBudget.year == year)
    )
    before = None
    if row is None:
        row = AgencyBudget(agency_id=agency_id, year=year)
        db.session.add(row)
    else:
        before = {"goods_budget": row.goods_budget, "target_share": row.target_share}
    row.goods_budget = budget
    row.target_share = round(share / 100, 6)
    db.session.flush()
    record(
        "agency_budget.set",
        "agency_budget",
        row.id,
        actor=actor,
        before=before,
        after={
            "agency_id": agency_id,
            "year": year,
            "goods_budget": budget,
            "target_share": row.target_share,
        },
    )
    return row


def agency_budgets(year: int | None = None) -> list[AgencyBudget]:
    query = select(AgencyBudget).order_by(AgencyBudget.year.desc(), AgencyBudget.agency_id)
    if year is not None:
        query = query.where(AgencyBudget.year == year)
    return list(db.session.scalars(query))


def piloted_products() -> list[Product]:
    return list(
        db.session.scalars(
            select(Product)
            .where(Product.id.in_(select(PilotPurchase.product_id)))
            .order_by(Product.name)
        )
    )


def is_agency(organisation_id: int) -> bool:
    """True when the id is an agency's (the statistics' agency filter takes no other kind)."""
    return (
        db.session.scalar(
            select(Organisation.id).where(
                Organisation.id == organisation_id, Organisation.kind == OrganisationKind.AGENCY
            )
        )
        is not None
    )


def agencies() -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.kind == OrganisationKind.AGENCY)
            .order_by(Organisation.name)
        )
    )
