"""The operators' audit-log browser."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from procure import authz
from procure.audit import bp
from procure.audit.services import verify_chain
from procure.checks import Checker
from procure.extensions import db
from procure.labels import audited_action, audited_record
from procure.models import AuditEvent, Role, User
from procure.pagination import paginate

#: The page that shows each kind of audited record, by the record's id (``target_id``).
RECORD_PAGES = {
    "demand": ("demands.detail", "demand_id"),
    "product": ("products.detail", "product_id"),
    "proposal": ("proposals.detail", "proposal_id"),
    "idea": ("ideas.detail", "idea_id"),
    "dialogue": ("dialogue.detail", "dialogue_id"),
    "pilot": ("pilots.pilot_detail", "pilot_id"),
    "pilot_round": ("pilots.round_detail", "round_id"),
    "evaluation_round": ("evaluation.round_detail", "round_id"),
    "round_item": ("evaluation.item_result", "item_id"),
    "designation": ("evaluation.certificate", "designation_id"),
    "organisation": ("organisations.detail", "org_id"),
}


def record_url(target_type: str, target_id: str | None) -> str | None:
    """The page of an audited record, when it has one (and its id is a number)."""
    page = RECORD_PAGES.get(target_type)
    if page is None or not (target_id or "").isdigit():
        return None
    return url_for(page[0], **{page[1]: int(target_id)})


def _moment(day, end: bool = False):
    """The start of ``day`` in the display time zone (of the next day for ``end``)."""
    if day is None:
        return None
    zone = ZoneInfo(current_app.config["SETTINGS"].display_timezone)
    moment = datetime.combine(day, time.min, tzinfo=zone)
    return moment + timedelta(days=1) if end else moment


def _filter_values(args):
    """(actor id, first day, last day, problems): a filter that cannot be applied is said,
    never silently ignored."""
    check = Checker()
    actor = check.integer("actor", args.get("actor", "").strip())
    first = check.day("from", args.get("from", "").strip())
    last = check.day("to", args.get("to", "").strip())
    if first and last and last < first:
        check.fail("to", _("The end date is before the start date."))
    labels = {"actor": _("Actor id"), "from": _("From"), "to": _("To")}
    problems = [
        _("%(field)s: %(message)s", field=labels[e.field], message=e.message) for e in check.errors
    ]
    return actor, first, last, problems


@bp.route("/")
@authz.roles(Role.OPERATOR)
def index():
    args = request.args
    query = select(AuditEvent)
    if args.get("action"):
        query = query.where(AuditEvent.action.like(f"{args['action'][:64]}%"))
    if args.get("target_type"):
        query = query.where(AuditEvent.target_type == args["target_type"][:64])
    if args.get("target_id"):
        query = query.where(AuditEvent.target_id == args["target_id"][:64])
    actor, first, last, problems = _filter_values(args)
    if actor:
        query = query.where(AuditEvent.actor_id == actor)
    since, until = _moment(first), _moment(last, end=True)
    if since:
        query = query.where(AuditEvent.occurred_at >= since)
    if until:
        query = query.where(AuditEvent.occurred_at < until)
    page = paginate(query.order_by(AuditEvent.id.desc()))
    report = verify_chain() if args.get("verify") == "1" else None
    filters = {k: v for k, v in args.items() if k not in ("page", "verify")}
    actor_ids = {e.actor_id for e in page.items if e.actor_id is not None}
    actors = (
        {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(actor_ids)))}
        if actor_ids
        else {}
    )
    return render_template(
        "audit/index.html",
        page=page,
        args=args,
        report=report,
        filters=filters,
        actors=actors,
        record_url=record_url,
        audited_action=audited_action,
        audited_record=audited_record,
        problems=problems,
    ), 400 if problems else 200
