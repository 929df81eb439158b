"""The rules of the evaluation workflow: rounds, conflicts, blind scoring, decisions, designations.

Every function that changes state checks who may do it, changes the models, writes an audit
event and flushes; the caller commits once. The numbers come from the ``scoring`` library.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import exists, func, or_, select, text
from sqlalchemy.orm import selectinload

import scoring
from procure import conflicts, policy
from procure.audit.services import record
from procure.checks import Checker, day_range_message
from procure.clock import local_today
from procure.database import insert_unique
from procure.errors import Conflict, FieldError, Forbidden, Invalid, NotFound, stale_message
from procure.evaluation import applications
from procure.extensions import db
from procure.models import (
    ConflictDeclaration,
    Designation,
    DesignationStatus,
    EvaluationRound,
    EvaluationSheet,
    Organisation,
    Product,
    ProductStatus,
    ReverseProposal,
    Role,
    RoundEvaluator,
    RoundItem,
    RoundStatus,
    SheetStatus,
    User,
)
from procure.models.base import utcnow
from procure.notifications.services import members, notify
from procure.validators import is_plausible_day

SEOUL = ZoneInfo("Asia/Seoul")
_NUMBER_LOCK = 0x68_79_65_6F_6B  # advisory lock key for designation numbers
MAX_TEXT = 5_000
MAX_ITEMS = 100
MAX_PANEL = 30

# The lifecycle, declared once: state -> states it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    RoundStatus.DRAFT: frozenset({RoundStatus.OPEN}),
    RoundStatus.OPEN: frozenset({RoundStatus.CLOSED}),
    RoundStatus.CLOSED: frozenset({RoundStatus.DECIDED}),
    RoundStatus.DECIDED: frozenset(),
}

# What an evaluator's cell of the round overview says.
NOT_STARTED, DRAFT, SUBMITTED, CONFLICT = "not_started", "draft", "submitted", "conflict"
DECISIONS = ("confirm", "override")


def end_of_day(day: date) -> datetime:
    """The last second of ``day`` in Korea, as an aware datetime."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=SEOUL)


# -- schemes ------------------------------------------------------------------------------


def scheme_keys() -> list[str]:
    # Competitive-dialogue schemes (procure/dialogue) score proposals, not products.
    return [
        f"{info.id}-v{info.version}"
        for info in scoring.available_schemes()
        if not info.id.startswith("dialogue_")
    ]


def scheme_title(key: str, locale: str) -> str:
    """The scheme's own title (it is versioned in its title), or the key if it has none."""
    parsed = parse_scheme_key(key)
    if parsed is None:
        return key
    return scoring.load_scheme(*parsed).title.get(locale) or key


def parse_scheme_key(key: str) -> tuple[str, int] | None:
    if not isinstance(key, str):
        return None
    match = re.fullmatch(r"([a-z0-9_]+)-v(\d+)", key)
    if not match or key not in scheme_keys():
        return None
    return match[1], int(match[2])


def scheme_of(entity) -> scoring.Scheme:
    """The exact scheme version a round or a designation was made under."""
    return scoring.load_scheme(entity.scheme_id, int(entity.scheme_version))


def lang() -> str:
    return "ko" if str(get_locale() or "ko").startswith("ko") else "en"


# -- rounds -------------------------------------------------------------------------------


@dataclass
class ItemInput:
    product_id: int | None = None
    proposal_id: int | None = None
    product_kind: str | None = None


@dataclass
class RoundInput:
    title: str = ""
    scheme: str = ""
    deadline: object = None  # a date (end of that day in Korea) or an aware datetime
    items: list = field(default_factory=list)  # ItemInput
    evaluator_ids: list = field(default_factory=list)
    purpose: str = "designation"


def _deadline(check: Checker, value) -> datetime | None:
    if value in (None, ""):
        check.fail("deadline", _("This field is required."))
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = end_of_day(value)
    elif isinstance(value, str):
        try:
            moment = (
                end_of_day(date.fromisoformat(value))
                if len(value) == 10
                else datetime.fromisoformat(value)
            )
        except ValueError:
            check.fail("deadline", _("Enter a date as YYYY-MM-DD or a date and time with offset."))
            return None
    else:
        check.fail("deadline", _("Enter a date as YYYY-MM-DD or a date and time with offset."))
        return None
    if moment.tzinfo is None:
        check.fail("deadline", _("Give the time zone offset, for example +09:00."))
        return None
    # The day as written, before any conversion: moving 9999-12-31 to UTC may overflow.
    if not is_plausible_day(moment):
        check.fail("deadline", day_range_message())
        return None
    if moment <= utcnow():
        check.fail("deadline", _("The deadline must be in the future."))
        return None
    return moment


def _validated_round(data: RoundInput, round_id: int | None = None) -> dict:
    from procure.evaluation.applications import held_designation

    check = Checker()
    values = {"title": check.text("title", data.title, 200, required=True)}
    values["scheme"] = parse_scheme_key(data.scheme)
    if values["scheme"] is None:
        check.fail("scheme", _("Choose one of the listed options."))
    values["deadline"] = _deadline(check, data.deadline)
    values["purpose"] = check.choice("purpose", data.purpose or "designation", {"designation"})
    kinds = set()
    if values["scheme"]:
        kinds = {k.id for k in scoring.load_scheme(*values["scheme"]).product_kinds}
    items, seen = [], set()
    raw_items = data.items if isinstance(data.items, list) else []
    if not raw_items:
        check.fail("items", _("Add at least one product or proposal."))
    if len(raw_items) > MAX_ITEMS:
        check.fail("items", _("Use at most %(max)d items.", max=MAX_ITEMS))
        raw_items = raw_items[:MAX_ITEMS]
    for index, item in enumerate(raw_items):
        if isinstance(item, dict):
            item = ItemInput(
                **{k: item.get(k) for k in ("product_id", "proposal_id", "product_kind")}
            )
        name = f"items-{index}"
        if not isinstance(item, ItemInput) or (item.product_id is None) == (
            item.proposal_id is None
        ):
            check.fail(name, _("Each item is either a product or a proposal."))
            continue
        if item.product_kind not in (None, "") and (
            not isinstance(item.product_kind, str) or item.product_kind not in kinds
        ):
            check.fail(name, _("Unknown product kind: %(kind)s.", kind=item.product_kind))
            continue
        if item.product_id is not None:
            if _int_or_none(item.product_id) is None:
                check.fail(name, _("Give the product's id as a whole number."))
                continue
            product = db.session.get(Product, item.product_id)
            if not product or product.deleted_at is not None or product.status == "draft":
                check.fail(name, _("There is no product %(id)s.", id=item.product_id))
                continue
            held = held_designation(product.id)
            if held is not None:
                check.fail(name, _held_message(product, held))
                continue
            elsewhere = undecided_round(product.id, other_than=round_id)
            if elsewhere is not None:
                check.fail(name, _elsewhere_message(product, elsewhere))
                continue
            key = ("product", product.id)
        else:
            if _int_or_none(item.proposal_id) is None:
                check.fail(name, _("Give the proposal's id as a whole number."))
                continue
            proposal = db.session.get(ReverseProposal, item.proposal_id)
            if not proposal or proposal.status == "draft":
                check.fail(name, _("There is no proposal %(id)s.", id=item.proposal_id))
                continue
            key = ("proposal", proposal.id)
        if key in seen:
            check.fail(name, _("The same dossier is listed twice."))
            continue
        seen.add(key)
        items.append(
            ItemInput(
                product_id=item.product_id,
                proposal_id=item.proposal_id,
                product_kind=item.product_kind or None,
            )
        )
    values["items"] = items
    panel = []
    raw_panel = data.evaluator_ids if isinstance(data.evaluator_ids, list) else []
    if len(raw_panel) > MAX_PANEL:
        check.fail("evaluator_ids", _("Use at most %(max)d evaluators.", max=MAX_PANEL))
        raw_panel = raw_panel[:MAX_PANEL]
    for user_id in raw_panel:
        if _int_or_none(user_id) is None:
            check.fail("evaluator_ids", _("Give each evaluator's id as a whole number."))
            continue
        user = db.session.get(User, user_id)
        if not user or not user.is_active or not user.has_role(Role.EVALUATOR):
            check.fail("evaluator_ids", _("User %(id)s is not an evaluator.", id=user_id))
            continue
        if user not in panel:
            panel.append(user)
    if not panel:
        check.fail("evaluator_ids", _("Choose at least one evaluator."))
    values["panel"] = panel
    check.done()
    return values


def _held_message(product: Product, designation: Designation) -> str:
    from procure.evaluation.applications import renewal_from

    return _(
        "“%(name)s” is designated until %(day)s (%(number)s); it can be evaluated again "
        "from %(from)s.",
        name=product.name,
        day=designation.ends_on.isoformat(),
        number=designation.number,
        **{"from": renewal_from(designation).isoformat()},
    )


UNDECIDED_ROUND = (RoundStatus.DRAFT, RoundStatus.OPEN, RoundStatus.CLOSED)


def undecided_round(product_id: int, other_than: int | None = None) -> EvaluationRound | None:
    """A round (draft, open or closed) where the product waits for its decision.

    One evaluation at a time: two rounds deciding on one product could designate it twice.
    """
    query = (
        select(EvaluationRound)
        .join(RoundItem, RoundItem.round_id == EvaluationRound.id)
        .where(
            RoundItem.product_id == product_id,
            RoundItem.decision.is_(None),
            EvaluationRound.status.in_(UNDECIDED_ROUND),
        )
        .order_by(EvaluationRound.id)
        .limit(1)
    )
    if other_than is not None:
        query = query.where(EvaluationRound.id != other_than)
    return db.session.scalar(query)


def _elsewhere_message(product: Product, round_: EvaluationRound) -> str:
    return _(
        "“%(name)s” is already in the round “%(round)s”, which has not decided on it yet.",
        name=product.name,
        round=round_.title,
    )


def _int_or_none(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def round_snapshot(round_: EvaluationRound) -> dict:
    return {
        "title": round_.title,
        "scheme": f"{round_.scheme_id}-v{round_.scheme_version}",
        "status": round_.status,
        "deadline": round_.deadline.isoformat() if round_.deadline else None,
        "items": [
            {"product_id": i.product_id, "proposal_id": i.proposal_id, "kind": i.product_kind}
            for i in round_.items
        ],
        "panel": [p.user_id for p in round_.panel],
    }


def _require_operator(actor: User) -> None:
    if not policy.is_operator(actor):
        raise Forbidden(_("Only operators manage evaluation rounds."))


def _check_version(entity, version: int | None) -> None:
    if version is not None and version != entity.version:
        raise Conflict(stale_message())


def _apply_round(round_: EvaluationRound, values: dict) -> None:
    round_.title = values["title"]
    round_.scheme_id, version = values["scheme"]
    round_.scheme_version = str(version)
    round_.deadline = values["deadline"]
    round_.purpose = values["purpose"]
    current = {(i.product_id, i.proposal_id): i for i in round_.items}
    rows = []
    for item in values["items"]:
        row = current.get((item.product_id, item.proposal_id)) or RoundItem(
            product_id=item.product_id, proposal_id=item.proposal_id
        )
        row.product_kind = item.product_kind
        rows.append(row)
    round_.items = rows
    seated = {p.user_id: p for p in round_.panel}
    round_.panel = [seated.get(u.id) or RoundEvaluator(user_id=u.id) for u in values["panel"]]


def create_round(actor: User, data: RoundInput) -> EvaluationRound:
    """Save a draft round. :raise Forbidden: not an operator. :raise Invalid: field errors."""
    _require_operator(actor)
    values = _validated_round(data)
    round_ = EvaluationRound(status=RoundStatus.DRAFT, created_by_id=actor.id)
    _apply_round(round_, values)
    db.session.add(round_)
    db.session.flush()
    record(
        "evaluation.round_created",
        "evaluation_round",
        round_.id,
        actor=actor,
        after=round_snapshot(round_),
    )
    applications.take_into_round(actor, round_)
    return round_


def update_round(
    actor: User, round_: EvaluationRound, data: RoundInput, version: int | None
) -> EvaluationRound:
    """Change a draft round. :raise Conflict: stale version or no longer a draft."""
    _require_operator(actor)
    _check_version(round_, version)
    if round_.status != RoundStatus.DRAFT:
        raise Conflict(_("Only a draft round can be changed."))
    values = _validated_round(data, round_id=round_.id)
    before = round_snapshot(round_)
    _apply_round(round_, values)
    round_.updated_at = utcnow()
    db.session.flush()
    record(
        "evaluation.round_updated",
        "evaluation_round",
        round_.id,
        actor=actor,
        before=before,
        after=round_snapshot(round_),
    )
    applications.take_into_round(actor, round_)
    return round_


def delete_round(actor: User, round_: EvaluationRound, version: int | None = None) -> None:
    """Delete a draft round (nothing was scored in it); its products' applications for
    designation go back to the waiting list."""
    _require_operator(actor)
    _check_version(round_, version)
    if round_.status != RoundStatus.DRAFT:
        raise Conflict(_("Only a draft round can be deleted."))
    before = round_snapshot(round_)
    round_id = round_.id
    round_.items = []
    applications.take_into_round(actor, round_)  # with no products: every application back
    db.session.delete(round_)
    db.session.flush()
    record("evaluation.round_deleted", "evaluation_round", round_id, actor=actor, before=before)


def _move(round_: EvaluationRound, target: str) -> None:
    if target not in TRANSITIONS[round_.status]:
        from procure.evaluation.labels import round_status

        raise Conflict(
            _(
                "A round that is %(state)s cannot become %(target)s.",
                state=round_status(round_.status),
                target=round_status(target),
            )
        )
    round_.status = target


def open_round(actor: User, round_: EvaluationRound, version: int | None = None) -> EvaluationRound:
    """Open a draft round to its panel and notify the evaluators."""
    _require_operator(actor)
    _check_version(round_, version)
    _move(round_, RoundStatus.OPEN)
    if not round_.items or not round_.panel:
        raise Conflict(_("A round needs at least one item and one evaluator before it opens."))
    if round_.deadline is None or round_.deadline <= utcnow():
        raise Conflict(_("The deadline has passed. Set a new deadline before opening the round."))
    _check_products_still_open(round_)
    round_.opened_at = utcnow()
    db.session.flush()
    record(
        "evaluation.round_opened",
        "evaluation_round",
        round_.id,
        actor=actor,
        before={"status": RoundStatus.DRAFT},
        after={"status": round_.status},
    )
    deadline = round_.deadline.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")
    notify(
        [p.user for p in round_.panel],
        "evaluation.round_opened",
        lambda: _("You are on the panel of the evaluation round “%(title)s”", title=round_.title),
        lambda: _(
            "Declare any conflict of interest, then score each dossier by %(deadline)s (KST).",
            deadline=deadline,
        ),
        link=url_for("evaluation.round_detail", round_id=round_.id),
    )
    return round_


def _check_products_still_open(round_: EvaluationRound) -> None:
    """What held when the draft was saved may have changed since: another round designated
    one of its products, or took it in (rounds saved before the rule)."""
    from procure.evaluation.applications import held_designation

    for item in round_.items:
        if item.product_id is None:
            continue
        held = held_designation(item.product_id)
        if held is not None:
            raise Conflict(_held_message(item.product, held))
        elsewhere = undecided_round(item.product_id, other_than=round_.id)
        if elsewhere is not None:
            raise Conflict(_elsewhere_message(item.product, elsewhere))


def close_round(
    actor: User, round_: EvaluationRound, version: int | None = None
) -> EvaluationRound:
    """Close an open round: aggregate every item's submitted sheets and measure agreement."""
    _require_operator(actor)
    _check_version(round_, version)
    _move(round_, RoundStatus.CLOSED)
    round_.closed_at = utcnow()
    scheme = scheme_of(round_)
    by_item: dict[str, list[scoring.ScoreSheet]] = {}
    summary = {}
    for item in round_.items:
        sheets = [score_sheet(s) for s in counted_sheets(item)]
        by_item[str(item.id)] = sheets
        if not sheets:
            item.result = None
            summary[item.id] = None
            continue
        result = scoring.aggregate(scheme, sheets, product_kind=item.product_kind).to_dict()
        result["deviation_flags"] = [
            {k: f.to_dict()[k] for k in ("evaluator_id", "criterion_id", "direction", "justified")}
            for f in scoring.panel_deviation_flags(scheme, sheets)
        ]
        item.result = result
        summary[item.id] = {"total": result["total"], "certified": result["certified"]}
    round_.agreement = {
        "total": scoring.agreement(scheme, by_item).to_dict(),
        "criteria": {
            c.id: scoring.agreement(scheme, by_item, target=c.id).to_dict() for c in scheme.criteria
        },
    }
    db.session.flush()
    record(
        "evaluation.round_closed",
        "evaluation_round",
        round_.id,
        actor=actor,
        before={"status": RoundStatus.OPEN},
        after={"status": round_.status, "results": summary},
    )
    return round_


def get_round(user, round_id: int) -> EvaluationRound:
    """Operators see every round; evaluators the rounds they sit on, once opened."""
    round_ = db.session.get(EvaluationRound, round_id)
    if round_ is None or not can_read_round(user, round_):
        raise NotFound(_("This evaluation round does not exist."))
    return round_


def can_read_round(user, round_: EvaluationRound) -> bool:
    if policy.is_operator(user):
        return True
    return (
        round_.status != RoundStatus.DRAFT
        and user.is_authenticated
        and user.has_role(Role.EVALUATOR)
        and any(p.user_id == user.id for p in round_.panel)
    )


def rounds_for(user):
    """SQL: the rounds this user may see, newest first."""
    query = select(EvaluationRound).order_by(EvaluationRound.id.desc())
    if policy.is_operator(user):
        return query
    return query.where(
        EvaluationRound.status != RoundStatus.DRAFT,
        EvaluationRound.id.in_(
            select(RoundEvaluator.round_id).where(RoundEvaluator.user_id == user.id)
        ),
    )


def get_item(user, item_id: int, round_id: int | None = None) -> RoundItem:
    item = db.session.get(RoundItem, item_id)
    if item is None or (round_id is not None and item.round_id != round_id):
        raise NotFound(_("This dossier is not in the round."))
    get_round(user, item.round_id)
    return item


def is_overdue(round_: EvaluationRound) -> bool:
    return bool(
        round_.status == RoundStatus.OPEN and round_.deadline and round_.deadline < utcnow()
    )


# -- dossiers and conflicts ---------------------------------------------------------------


def supplier_of(item: RoundItem) -> int | None:
    if item.product is not None:
        return item.product.supplier_id
    if item.proposal is not None:
        return item.proposal.supplier_id
    return None


def supplier_organisation(item: RoundItem) -> Organisation | None:
    """The company whose dossier this is: named to evaluators so they can declare conflicts."""
    supplier_id = supplier_of(item)
    return db.session.get(Organisation, supplier_id) if supplier_id else None


def item_name(item: RoundItem) -> str:
    if item.product is not None:
        return item.product.name
    return item.proposal.title if item.proposal is not None else "—"


def own_organisation(user: User, item: RoundItem) -> bool:
    """The evaluator belongs (even pending) to the organisation whose dossier this is."""
    supplier = supplier_of(item)
    return supplier is not None and user.organisation_id == supplier


def declaration(user: User, item: RoundItem) -> ConflictDeclaration | None:
    return db.session.scalar(
        select(ConflictDeclaration).where(
            ConflictDeclaration.item_id == item.id, ConflictDeclaration.evaluator_id == user.id
        )
    )


def on_panel(user, round_: EvaluationRound) -> bool:
    return bool(
        user.is_authenticated
        and user.has_role(Role.EVALUATOR)
        and any(p.user_id == user.id for p in round_.panel)
    )


def access(user: User, item: RoundItem) -> str:
    """Where an evaluator stands on a dossier: own_organisation, undeclared, conflict or ok."""
    if own_organisation(user, item):
        return "own_organisation"
    found = declaration(user, item)
    if found is None:
        return "undeclared"
    return "conflict" if found.has_conflict else "ok"


def _panel_item(actor: User, item: RoundItem) -> None:
    if not on_panel(actor, item.round):
        raise NotFound(_("This dossier is not in the round."))


def declare_conflict(
    actor: User, item: RoundItem, has_conflict: bool, note: str = ""
) -> ConflictDeclaration:
    """Declare, before seeing the dossier, whether the evaluator has a conflict of interest.

    A declaration of no conflict may later become a conflict; a declared conflict is final.
    """
    _panel_item(actor, item)
    if item.round.status != RoundStatus.OPEN:
        raise Conflict(_("Declarations are taken while the round is open."))
    has_conflict, note = conflicts.checked_answer(
        has_conflict, note, own_organisation=own_organisation(actor, item)
    )
    found = declaration(actor, item)
    before = None
    if found is not None:
        before = conflicts.revise(
            found,
            has_conflict,
            note,
            _("You have already declared a conflict of interest on this dossier."),
        )
    else:
        found = ConflictDeclaration(
            item_id=item.id, evaluator_id=actor.id, has_conflict=has_conflict, note=note
        )
        insert_unique(found)
    db.session.flush()
    after = {"evaluator_id": actor.id, "has_conflict": has_conflict}
    if has_conflict and has_submitted(actor, item):
        after["submitted_sheet_withdrawn"] = True  # no longer counted (counted_sheets)
    record(
        "evaluation.conflict_declared",
        "round_item",
        item.id,
        actor=actor,
        before=before,
        after=after,
    )
    return found


def has_submitted(user: User, item: RoundItem) -> bool:
    """Whether ``user`` has submitted a sheet on ``item`` (a later conflict withdraws it)."""
    sheet = sheet_of(user.id, item)
    return sheet is not None and sheet.status == SheetStatus.SUBMITTED


def open_dossier(actor: User, item: RoundItem) -> RoundItem:
    """The dossier, for an evaluator who has declared no conflict (and is not the supplier).

    :raise Forbidden: a conflict, own organisation, or no declaration yet.
    """
    _panel_item(actor, item)
    state = access(actor, item)
    if state == "own_organisation":
        raise Forbidden(_("You belong to the supplier's organisation and cannot evaluate it."))
    if state == "conflict":
        raise Forbidden(_("You declared a conflict of interest on this dossier."))
    if state == "undeclared":
        raise Forbidden(_("Declare any conflict of interest before you open the dossier."))
    return item


# -- sheets -------------------------------------------------------------------------------


def sheet_of(user_id: int, item: RoundItem) -> EvaluationSheet | None:
    return db.session.scalar(
        select(EvaluationSheet).where(
            EvaluationSheet.item_id == item.id, EvaluationSheet.evaluator_id == user_id
        )
    )


def conflicted_ids(item: RoundItem) -> set[int]:
    declared = set(
        db.session.scalars(
            select(ConflictDeclaration.evaluator_id).where(
                ConflictDeclaration.item_id == item.id, ConflictDeclaration.has_conflict.is_(True)
            )
        )
    )
    supplier = supplier_of(item)
    own = {p.user_id for p in item.round.panel if p.user.organisation_id == supplier}
    return declared | own


def counted_sheets(item: RoundItem, exclude_user_id: int | None = None) -> list[EvaluationSheet]:
    """Submitted sheets of panel members without a conflict (what aggregation uses)."""
    blocked = conflicted_ids(item)
    panel = {p.user_id for p in item.round.panel}
    rows = db.session.scalars(
        select(EvaluationSheet)
        .where(
            EvaluationSheet.item_id == item.id,
            EvaluationSheet.status == SheetStatus.SUBMITTED,
        )
        .order_by(EvaluationSheet.id)
    )
    return [
        s
        for s in rows
        if s.evaluator_id in panel
        and s.evaluator_id not in blocked
        and s.evaluator_id != exclude_user_id
    ]


def score_sheet(row: EvaluationSheet) -> scoring.ScoreSheet:
    data = dict(row.data or {})
    data["evaluator_id"] = str(row.evaluator_id)
    return scoring.ScoreSheet.from_dict(data)


@dataclass
class SheetInput:
    levels: dict = field(default_factory=dict)  # item id -> level id ("" for none yet)
    gates: dict = field(default_factory=dict)  # gate id -> True / False / None
    comments: dict = field(default_factory=dict)  # criterion id -> text
    justifications: dict = field(default_factory=dict)  # criterion id -> text


def _validated_sheet(scheme: scoring.Scheme, actor: User, data: SheetInput) -> scoring.ScoreSheet:
    check = Checker()
    level_ids = {level.id for level in scheme.levels}
    item_ids = {item.id for item in scheme.items}
    criterion_ids = {c.id for c in scheme.criteria}
    gate_ids = {g.id for g in scheme.gates}
    for name, raw, known in (
        ("levels", data.levels, item_ids),
        ("gates", data.gates, gate_ids),
        ("comments", data.comments, criterion_ids),
        ("justifications", data.justifications, criterion_ids),
    ):
        if not isinstance(raw, dict):
            check.fail(name, _("Give %(name)s as an object keyed by id.", name=name))
            continue
        for key in sorted(set(raw) - known):
            check.fail(f"{name}-{key}", _("Unknown id: %(id)s.", id=key))
    check.done()
    scores = {}
    for item_id, level in data.levels.items():
        if level in (None, ""):
            continue
        if not isinstance(level, str) or level not in level_ids:
            check.fail(f"level-{item_id}", _("Choose one of the listed options."))
            continue
        scores[item_id] = scheme.item(item_id).points_for(level)
    gates = {}
    for gate_id, answer in data.gates.items():
        if answer is None or answer == "":
            continue
        if not isinstance(answer, bool):
            check.fail(f"gate-{gate_id}", _("Choose yes or no."))
            continue
        gates[gate_id] = answer
    texts = {}
    for name, prefix in (("comments", "comment"), ("justifications", "justification")):
        texts[name] = {}
        for key, value in getattr(data, name).items():
            value = check.text(f"{prefix}-{key}", value, MAX_TEXT)
            if value:
                texts[name][key] = value
    check.done()
    return scoring.ScoreSheet(
        evaluator_id=str(actor.id),
        gates=gates,
        scores=scores,
        comments=texts["comments"],
        justifications=texts["justifications"],
    )


PROBLEM_FIELD = {
    "missing_score": "level",
    "invalid_score": "level",
    "unknown_item": "level",
    "missing_gate": "gate",
    "unknown_gate": "gate",
    "missing_comment": "comment",
    "missing_justification": "justification",
}


def flagged_criteria(item: RoundItem, sheet: scoring.ScoreSheet, actor: User) -> list[str]:
    """Criteria on which this sheet stands out from the submitted others (ids only, no values)."""
    scheme = scheme_of(item.round)
    others = [score_sheet(s) for s in counted_sheets(item, exclude_user_id=actor.id)]
    return [f.criterion_id for f in scoring.deviation_flags(scheme, sheet, others)]


def save_sheet(
    actor: User,
    item: RoundItem,
    data: SheetInput,
    version: int | None,
    *,
    submit: bool = False,
) -> EvaluationSheet:
    """Save the evaluator's own sheet as a draft, or submit it.

    Submission runs ``scoring.check_submittable`` against the other evaluators' submitted
    sheets (server-side only: their values are never shown). A criterion two or more SDs
    away from the others needs a written justification.

    :raise Forbidden: conflict or own organisation.  :raise Conflict: stale version, already
        submitted, round not open.  :raise Invalid: problems, each tied to its field.
    """
    open_dossier(actor, item)
    if item.round.status != RoundStatus.OPEN:
        raise Conflict(_("Scores are taken only while the round is open."))
    row = sheet_of(actor.id, item)
    if row is not None:
        if version is None or version != row.version:
            raise Conflict(stale_message())
        if row.status == SheetStatus.SUBMITTED:
            raise Conflict(_("You have already submitted this sheet; it can no longer change."))
    elif version not in (None, 0):
        raise Conflict(stale_message())
    scheme = scheme_of(item.round)
    sheet = _validated_sheet(scheme, actor, data)
    if submit:
        others = [score_sheet(s) for s in counted_sheets(item, exclude_user_id=actor.id)]
        problems = scoring.check_submittable(scheme, sheet, others, product_kind=item.product_kind)
        if problems:
            language = lang()
            errors = []
            for p in problems:
                if p.code == "missing_justification":
                    label = scheme.criterion(p.target).label.get(language)
                    message = _(
                        "Your score on %(criterion)s differs markedly from the other "
                        "evaluators'. Explain your reasons in the justification box.",
                        criterion=label,
                    )
                else:
                    message = p.message.get(language)
                errors.append(
                    FieldError(f"{PROBLEM_FIELD.get(p.code, 'sheet')}-{p.target}", message)
                )
            raise Invalid(_("The sheet cannot be submitted yet."), errors)
    before = None
    stored = sheet.to_dict()
    stored.pop("evaluator_id", None)
    if row is None:
        row = EvaluationSheet(item_id=item.id, evaluator_id=actor.id, data=stored)
        insert_unique(row)
    else:
        before = {"status": row.status, "version": row.version}
        row.data = stored
        row.updated_at = utcnow()
    if submit:
        row.status, row.submitted_at = SheetStatus.SUBMITTED, utcnow()
    db.session.flush()
    # The audit trail proves what was stored without showing scores to audit readers.
    digest = hashlib.sha256(json.dumps(stored, sort_keys=True).encode()).hexdigest()
    record(
        "evaluation.sheet_submitted" if submit else "evaluation.sheet_saved",
        "evaluation_sheet",
        row.id,
        actor=actor,
        before=before,
        after={"item_id": item.id, "status": row.status, "version": row.version, "sha256": digest},
    )
    return row


def read_sheet(
    user: User, item: RoundItem, evaluator_id: int | None = None
) -> EvaluationSheet | None:
    """A sheet, for its own evaluator; anyone else's only for operators after the round closed.

    :raise Forbidden: another evaluator's sheet (blind scoring), or before the round closed.
    """
    evaluator_id = evaluator_id or user.id
    if evaluator_id != user.id:
        if not policy.is_operator(user):
            raise Forbidden(_("Scores are blind: you can read only your own sheet."))
        if item.round.status in (RoundStatus.DRAFT, RoundStatus.OPEN):
            raise Forbidden(_("Individual scores are shown only after the round closes."))
    elif not on_panel(user, item.round):
        raise NotFound(_("This dossier is not in the round."))
    return sheet_of(evaluator_id, item)


def individual_sheets(user: User, item: RoundItem) -> list[EvaluationSheet]:
    """Every submitted sheet on the item, for operators once the round is closed."""
    if not policy.is_operator(user):
        raise Forbidden(_("Only operators see individual evaluators' scores."))
    if item.round.status in (RoundStatus.DRAFT, RoundStatus.OPEN):
        raise Forbidden(_("Individual scores are shown only after the round closes."))
    return counted_sheets(item)


# -- overview -----------------------------------------------------------------------------


@dataclass
class Cell:
    status: str
    overdue: bool = False
    version: int | None = None


def overview(round_: EvaluationRound) -> dict[int, dict[int, Cell]]:
    """{item id: {evaluator id: Cell}}: not started, draft, submitted or conflict; overdue."""
    sheets = {
        (s.item_id, s.evaluator_id): s
        for s in db.session.scalars(
            select(EvaluationSheet).where(
                EvaluationSheet.item_id.in_([i.id for i in round_.items] or [0])
            )
        )
    }
    late = is_overdue(round_)
    table: dict[int, dict[int, Cell]] = {}
    for item in round_.items:
        blocked = conflicted_ids(item)
        row = {}
        for seat in round_.panel:
            sheet = sheets.get((item.id, seat.user_id))
            if seat.user_id in blocked:
                cell = Cell(CONFLICT)
            elif sheet is None:
                cell = Cell(NOT_STARTED, late)
            elif sheet.status == SheetStatus.SUBMITTED:
                cell = Cell(SUBMITTED, version=sheet.version)
            else:
                cell = Cell(DRAFT, late, sheet.version)
            row[seat.user_id] = cell
        table[item.id] = row
    return table


def submitted_count(item: RoundItem) -> int:
    return len(counted_sheets(item))


def rounds_awaiting(user: User) -> list[tuple[EvaluationRound, int]]:
    """The open rounds on which the evaluator still has dossiers to score (declared without a
    conflict, or not declared yet, not the evaluator's own organisation's, and no sheet
    submitted), with how many, soonest deadline first: the evaluator's dashboard, and what
    keeps an evaluator from closing the account. One query, however many dossiers."""
    submitted = exists().where(
        EvaluationSheet.item_id == RoundItem.id,
        EvaluationSheet.evaluator_id == user.id,
        EvaluationSheet.status == SheetStatus.SUBMITTED,
    )
    conflicted = exists().where(
        ConflictDeclaration.item_id == RoundItem.id,
        ConflictDeclaration.evaluator_id == user.id,
        ConflictDeclaration.has_conflict.is_(True),
    )
    query = (
        select(EvaluationRound, func.count(RoundItem.id))
        .join(RoundEvaluator, RoundEvaluator.round_id == EvaluationRound.id)
        .join(RoundItem, RoundItem.round_id == EvaluationRound.id)
        .where(
            RoundEvaluator.user_id == user.id,
            EvaluationRound.status == RoundStatus.OPEN,
            ~submitted,
            ~conflicted,
        )
        .group_by(EvaluationRound.id)
    )
    if user.organisation_id is not None:
        # A dossier of the evaluator's own organisation is never theirs to score.
        supplier = func.coalesce(Product.supplier_id, ReverseProposal.supplier_id)
        query = (
            query.outerjoin(Product, Product.id == RoundItem.product_id)
            .outerjoin(ReverseProposal, ReverseProposal.id == RoundItem.proposal_id)
            .where(or_(supplier.is_(None), supplier != user.organisation_id))
        )
    waiting = [(round_, left) for round_, left in db.session.execute(query) if left]
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(waiting, key=lambda pair: (pair[0].deadline or far, pair[0].id))


def my_items(
    user: User, round_: EvaluationRound
) -> list[tuple[RoundItem, str, EvaluationSheet | None]]:
    """The evaluator's dossiers in a round with where they stand and their own sheet."""
    return [(item, access(user, item), sheet_of(user.id, item)) for item in round_.items]


# -- decisions and designations -----------------------------------------------------------


def decide_item(actor: User, item: RoundItem, decision: str, reason: str = "") -> RoundItem:
    """Record the committee's decision on a closed round's item: confirm, or override with a reason.

    A certified product gets a designation; the supplier is notified.
    """
    _require_operator(actor)
    if item.round.status != RoundStatus.CLOSED:
        raise Conflict(_("Decisions are recorded once the round is closed."))
    if item.decision is not None:
        raise Conflict(_("The decision on this dossier has already been recorded."))
    check = Checker()
    decision = check.choice("decision", decision, DECISIONS)
    reason = check.text("reason", reason, MAX_TEXT, required=decision == "override")
    check.done()
    computed = bool(item.result and item.result.get("certified"))
    if item.result is None and decision == "override":
        raise Conflict(_("Without any submitted sheet there is no index to certify."))
    certified = computed if decision == "confirm" else not computed
    item.decision = "confirmed" if decision == "confirm" else "overridden"
    item.certified = certified
    item.decision_reason = reason or None
    item.decided_by_id, item.decided_at = actor.id, utcnow()
    designation = None
    if certified and item.product_id is not None:
        designation = _designate(actor, item)
    if item.product_id is not None:
        applications.mark_decided(item.product_id, item.round_id)
    if all(i.decision is not None for i in item.round.items):
        _move(item.round, RoundStatus.DECIDED)
        record(
            "evaluation.round_decided",
            "evaluation_round",
            item.round_id,
            actor=actor,
            before={"status": RoundStatus.CLOSED},
            after={"status": RoundStatus.DECIDED},
        )
    db.session.flush()
    record(
        "evaluation.item_decided",
        "round_item",
        item.id,
        actor=actor,
        after={
            "decision": item.decision,
            "certified": certified,
            "computed": computed,
            "reason": item.decision_reason,
            "designation": designation.number if designation else None,
        },
    )
    supplier = supplier_of(item)
    name = item_name(item)
    link = (
        url_for("evaluation.certificate", designation_id=designation.id)
        if designation
        else (url_for("products.detail", product_id=item.product_id) if item.product_id else None)
    )
    notify(
        members(supplier),
        "evaluation.decided",
        lambda: _("Evaluation decision on “%(name)s”", name=name),
        lambda: (
            _(
                "It is designated an innovative product (number %(number)s).",
                number=designation.number,
            )
            if designation
            else (_("It is certified.") if certified else _("It is not certified this time."))
        ),
        link=link,
    )
    return item


def overriding_decision(designation: Designation) -> RoundItem | None:
    """The round item whose committee decision went against the computed result to make this
    designation (None when the index rule itself certified it): the certificate says so."""
    item = db.session.get(RoundItem, designation.item_id) if designation.item_id else None
    return item if item is not None and item.decision == "overridden" else None


def _next_number(year: int) -> str:
    """The next number of the year; on PostgreSQL, concurrent deciders take turns."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _NUMBER_LOCK})
    prefix = f"{year}-혁신-"
    numbers = db.session.scalars(
        select(Designation.number).where(Designation.number.like(f"{prefix}%"))
    ).all()
    last = max((int(n[len(prefix) :]) for n in numbers if n[len(prefix) :].isdigit()), default=0)
    return f"{prefix}{last + 1:04d}"


def _designate(actor: User, item: RoundItem) -> Designation:
    scheme = scheme_of(item.round)
    start = local_today()
    # A renewal follows on from the designation still in force; the two never overlap.
    latest = latest_designation(item.product_id)
    if latest is not None:
        start = max(start, latest.ends_on + timedelta(days=1))
    result = item.result or {}
    criteria = {
        c["id"]: {"score": c["subtotal"], "points": c["points"]} for c in result.get("criteria", [])
    }
    designation = Designation(
        number=_next_number(start.year),
        product_id=item.product_id,
        item_id=item.id,
        index_value=float(result.get("total", 0)),
        criteria=criteria,
        scheme_id=scheme.id,
        scheme_version=str(scheme.version),
        starts_on=start,
        ends_on=scoring.validity_end(scheme, start, 0),
        extensions=0,
        status=DesignationStatus.ACTIVE,
    )
    db.session.add(designation)
    db.session.flush()
    record(
        "designation.created",
        "designation",
        designation.id,
        actor=actor,
        after=designation_snapshot(designation),
    )
    return designation


def designation_snapshot(d: Designation) -> dict:
    return {
        "number": d.number,
        "product_id": d.product_id,
        "index": d.index_value,
        "starts_on": d.starts_on.isoformat(),
        "ends_on": d.ends_on.isoformat(),
        "extensions": d.extensions,
        "status": d.status,
    }


def get_designation(designation_id: int) -> Designation:
    designation = db.session.get(Designation, designation_id)
    if designation is None:
        raise NotFound(_("This designation does not exist."))
    return designation


def extend_designation(
    actor: User, designation: Designation, version: int | None = None
) -> Designation:
    """Extend by the scheme's next step (+1 year, then +2); a third extension is refused."""
    _require_operator(actor)
    _check_version(designation, version)
    if designation.status != DesignationStatus.ACTIVE:
        raise Conflict(_("A revoked designation cannot be extended."))
    from procure.pilots.services import extension_blocked

    if extension_blocked(designation.product_id):
        raise Conflict(
            _(
                "A pilot of this product was judged insufficient and a defect is still unfixed, "
                "so the designation cannot be extended until the supplier fixes it."
            )
        )
    scheme = scheme_of(designation)
    try:
        ends_on = scoring.validity_end(scheme, designation.starts_on, designation.extensions + 1)
    except scoring.ExtensionError:
        raise Conflict(
            _(
                "This designation has had every extension the rules allow "
                "(%(years)d years in all).",
                years=scheme.validity.max_years,
            )
        ) from None
    before = designation_snapshot(designation)
    designation.extensions += 1
    designation.ends_on = ends_on
    db.session.flush()
    record(
        "designation.extended",
        "designation",
        designation.id,
        actor=actor,
        before=before,
        after=designation_snapshot(designation),
    )
    return designation


def revoke_designation(
    actor: User, designation: Designation, reason: str, version: int | None = None
) -> Designation:
    _require_operator(actor)
    _check_version(designation, version)
    if designation.status == DesignationStatus.REVOKED:
        raise Conflict(_("This designation is already revoked."))
    check = Checker()
    reason = check.text("reason", reason, MAX_TEXT, required=True)
    check.done()
    before = designation_snapshot(designation)
    designation.status = DesignationStatus.REVOKED
    designation.revoked_reason, designation.revoked_at = reason, utcnow()
    db.session.flush()
    record(
        "designation.revoked",
        "designation",
        designation.id,
        actor=actor,
        before=before,
        after={**designation_snapshot(designation), "reason": reason},
    )
    product = designation.product
    number = designation.number
    notify(
        members(product.supplier_id),
        "designation.revoked",
        lambda: _("Designation %(number)s was revoked", number=number),
        lambda: reason,
        link=url_for("evaluation.certificate", designation_id=designation.id),
    )
    return designation


def is_current(designation: Designation) -> bool:
    """In force today: active, begun and not ended (a renewal starts when the last one ends)."""
    today = local_today()
    return (
        designation.status == DesignationStatus.ACTIVE
        and designation.starts_on <= today <= designation.ends_on
    )


def current_designation(product_id: int) -> Designation | None:
    return db.session.scalar(
        select(Designation)
        .where(
            Designation.product_id == product_id,
            Designation.status == DesignationStatus.ACTIVE,
            Designation.starts_on <= local_today(),
            Designation.ends_on >= local_today(),
        )
        .order_by(Designation.starts_on.desc(), Designation.id.desc())
        .limit(1)
    )


def latest_designation(product_id: int) -> Designation | None:
    """The active designation that lasts longest: the one in force, or the renewal that will
    follow it (a renewal starts the day after the designation in force ends)."""
    return db.session.scalar(
        select(Designation)
        .where(
            Designation.product_id == product_id,
            Designation.status == DesignationStatus.ACTIVE,
            Designation.ends_on >= local_today(),
        )
        .order_by(Designation.ends_on.desc(), Designation.id.desc())
        .limit(1)
    )


def designated_product_ids():
    """SQL: ids of products with a designation in force today (for list filters)."""
    today = local_today()
    return select(Designation.product_id).where(
        Designation.status == DesignationStatus.ACTIVE,
        Designation.starts_on <= today,
        Designation.ends_on >= today,
    )


# -- what a product page shows ------------------------------------------------------------


@dataclass
class ProductIndex:
    designation: Designation | None
    designations: list
    history: list  # RoundItem, decided
    comments: dict  # criterion id -> [text], anonymised and shuffled; insiders only
    insider: bool


def product_index(user, product: Product) -> ProductIndex:
    """The current designation, the designations and evaluations of a product.

    Everyone sees designations and their index. The supplier and operators also see every
    decided evaluation and the evaluators' comments, anonymised (never names or scores).
    """
    insider = policy.is_operator(user) or policy.acts_for(user, product.supplier_id)
    designations = list(
        db.session.scalars(
            select(Designation)
            .where(Designation.product_id == product.id)
            .order_by(Designation.starts_on.desc(), Designation.id.desc())
        )
    )
    current = next((d for d in designations if is_current(d)), None)
    history, comments = [], {}
    if insider:
        history = list(
            db.session.scalars(
                select(RoundItem)
                .join(EvaluationRound)
                .where(RoundItem.product_id == product.id, RoundItem.decision.is_not(None))
                .options(selectinload(RoundItem.round))
                .order_by(RoundItem.decided_at.desc())
            )
        )
        for item in history:
            comments[item.id] = anonymised_comments(item)
    return ProductIndex(current, designations, history, comments, insider)


def anonymised_comments(item: RoundItem) -> dict[str, list[str]]:
    """Comments per criterion from the counted sheets, in a stable shuffled order, no names."""
    out: dict[str, list[str]] = {}
    for sheet in counted_sheets(item):
        for criterion_id, comment in (sheet.data or {}).get("comments", {}).items():
            out.setdefault(criterion_id, []).append(comment)
    shuffle = random.Random(item.id)
    for texts in out.values():
        texts.sort()
        shuffle.shuffle(texts)
    return out


# -- the radar chart ----------------------------------------------------------------------


def radar(scheme: scoring.Scheme, scores: dict, size: int = 240) -> dict:
    """Coordinates of an SVG radar chart of the criteria, as shares of each one's points."""
    import math

    centre, radius = size / 2, size / 2 - 40
    language = lang()
    axes, points, rings = [], [], []
    n = len(scheme.criteria)
    for index, criterion in enumerate(scheme.criteria):
        angle = -math.pi / 2 + 2 * math.pi * index / n
        share = 0.0
        entry = scores.get(criterion.id)
        if entry and criterion.points:
            share = max(0.0, min(1.0, float(entry["score"]) / float(criterion.points)))
        cos, sin = math.cos(angle), math.sin(angle)
        axes.append(
            {
                "x": round(centre + radius * cos, 1),
                "y": round(centre + radius * sin, 1),
                "lx": round(centre + (radius + 18) * cos, 1),
                "ly": round(centre + (radius + 18) * sin, 1),
                "anchor": "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end"),
                "label": criterion.label.get(language),
                "score": entry["score"] if entry else None,
                "points": criterion.points,
            }
        )
        points.append(f"{centre + radius * share * cos:.1f},{centre + radius * share * sin:.1f}")
    for level in (0.25, 0.5, 0.75, 1.0):
        ring = []
        for index in range(n):
            angle = -math.pi / 2 + 2 * math.pi * index / n
            ring.append(
                f"{centre + radius * level * math.cos(angle):.1f},"
                f"{centre + radius * level * math.sin(angle):.1f}"
            )
        rings.append(" ".join(ring))
    return {
        "size": size,
        "centre": centre,
        "axes": axes,
        "polygon": " ".join(points),
        "rings": rings,
    }


def criteria_rows(scheme: scoring.Scheme, scores: dict) -> list[dict]:
    language = lang()
    return [
        {
            "id": c.id,
            "label": c.label.get(language),
            "score": (scores.get(c.id) or {}).get("score"),
            "points": c.points,
        }
        for c in scheme.criteria
    ]


def product_choices(round_id: int | None = None) -> list[Product]:
    """Listed products a round may evaluate: not those designated beyond the renewal window,
    nor those another round (than ``round_id``, the draft being edited) has yet to decide on."""
    from procure.evaluation.applications import renewal_horizon

    held = select(Designation.product_id).where(
        Designation.status == DesignationStatus.ACTIVE,
        Designation.ends_on > renewal_horizon(),
    )
    waiting = (
        select(RoundItem.product_id)
        .join(EvaluationRound, RoundItem.round_id == EvaluationRound.id)
        .where(
            RoundItem.product_id.is_not(None),
            RoundItem.decision.is_(None),
            EvaluationRound.status.in_(UNDECIDED_ROUND),
        )
    )
    if round_id is not None:
        waiting = waiting.where(EvaluationRound.id != round_id)
    return list(
        db.session.scalars(
            select(Product)
            .where(
                Product.status == ProductStatus.LISTED,
                Product.deleted_at.is_(None),
                Product.id.not_in(held),
                Product.id.not_in(waiting),
            )
            .order_by(Product.id.desc())
            .limit(500)
        )
    )


def evaluator_choices() -> list[User]:
    from procure.models import UserRole

    return list(
        db.session.scalars(
            select(User)
            .join(UserRole)
            .where(UserRole.role == Role.EVALUATOR, User.deleted_at.is_(None))
            .order_by(User.name)
        )
    )


def count_designations() -> int:
    return db.session.scalar(select(func.count()).select_from(Designation)) or 0
