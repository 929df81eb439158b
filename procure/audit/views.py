"""The operators' audit-log browser."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request
from sqlalchemy import select

from procure import authz
from procure.audit import bp
from procure.audit.services import verify_chain
from procure.models import AuditEvent, Role
from procure.pagination import paginate


def _day(value: str | None, end: bool = False):
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
    zone = ZoneInfo(current_app.config["SETTINGS"].display_timezone)
    moment = datetime.combine(day, time.min, tzinfo=zone)
    return moment + timedelta(days=1) if end else moment


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
    actor = args.get("actor", type=int)
    if actor:
        query = query.where(AuditEvent.actor_id == actor)
    since, until = _day(args.get("from")), _day(args.get("to"), end=True)
    if since:
        query = query.where(AuditEvent.occurred_at >= since)
    if until:
        query = query.where(AuditEvent.occurred_at < until)
    page = paginate(query.order_by(AuditEvent.id.desc()))
    report = verify_chain() if args.get("verify") == "1" else None
    filters = {k: v for k, v in args.items() if k not in ("page", "verify")}
    return render_template("audit/index.html", page=page, args=args, report=report, filters=filters)
