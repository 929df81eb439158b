"""Public pages of one-stop demand information: list, month calendar, Atom and iCalendar feeds,
and the e-mail digest subscription (double opt-in)."""

from __future__ import annotations

import calendar as monthgrid
import re
from datetime import date
from urllib.parse import urlsplit

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from procure import authz
from procure.errors import Invalid, ServiceError
from procure.extensions import db
from procure.forms import ActionForm, apply_service_error
from procure.models.base import utcnow
from procure.onestop import bp, ical, services, subscriptions
from procure.onestop.forms import SubscribeForm
from procure.pagination import page_args
from procure.regions import region_choices
from procure.validators import FIRST_DAY, LAST_DAY

FEED_ITEMS = 50


def _filters(source=None) -> tuple[services.Filters, dict[str, str], str | None]:
    """The filters from the query string: (filters, field errors, message)."""
    try:
        return services.parse_filters(source if source is not None else request.args), {}, None
    except Invalid as error:
        return services.Filters(), {e.field: e.message for e in error.errors}, error.message


def _sort() -> str:
    value = request.args.get("sort") or "next"
    return value if value in services.SORTS else "next"


def _context(filters: services.Filters, errors: dict, message: str | None) -> dict:
    raw = {name: (request.args.get(name) or "")[:100] for name in services.FILTER_ARGS}
    return {
        "filters": filters,
        "errors": errors,
        "error_message": message,
        "raw": raw,
        "filter_args": filters.as_args(),
        "agencies": services.agency_choices(),
        "regions": region_choices(),
        "kinds": [(k, services.kind_label(k)) for k in services.KINDS],
        "terms": [(k, str(v)) for k, v in services.TERM_LABELS.items()],
        "states": [(k, str(v)) for k, v in services.STATE_LABELS.items()],
        "kind_label": services.kind_label,
        "date_label": services.date_label,
        "term_label": lambda key: str(services.TERM_LABELS.get(key, key)),
        "state_label": lambda key: str(services.STATE_LABELS.get(key, key)),
        "item_url": item_url,
        "today": services.local_today(),
    }


def item_url(item: services.Item, external: bool = False) -> str:
    if item.source == "demand":
        return url_for("demands.detail", demand_id=item.id, _external=external)
    return url_for("ideas.detail", idea_id=item.id, _external=external)


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@bp.route("")
@authz.public
def index():
    filters, errors, message = _filters()
    sort = _sort()
    if errors:
        page = services.Page([], 1, 20, 0)
    else:
        number, per_page = page_args()
        page = services.find(filters, page=number, per_page=per_page, sort=sort)
    args = dict(filters.as_args(), **({"sort": sort} if sort != "next" else {}))
    return render_template(
        "onestop/index.html", page=page, sort=sort, args=args, **_context(filters, errors, message)
    ), 400 if errors else 200


def _month() -> tuple[date | None, str | None]:
    raw = request.args.get("month")
    if not raw:
        today = services.local_today()
        return today.replace(day=1), None
    try:
        first = date.fromisoformat(f"{raw}-01")
    except ValueError:
        first = None
    if first is None or len(raw) != 7 or not FIRST_DAY <= first <= LAST_DAY:
        return None, _(
            "Enter a month as YYYY-MM from %(first)s to %(last)s.",
            first=FIRST_DAY.strftime("%Y-%m"),
            last=LAST_DAY.strftime("%Y-%m"),
        )
    return first, None


def _shift(first: date, months: int) -> date | None:
    index = first.year * 12 + first.month - 1 + months
    shifted = date(index // 12, index % 12 + 1, 1)
    return shifted if FIRST_DAY <= shifted <= LAST_DAY else None


@bp.route("/calendar")
@authz.public
def month():
    filters, errors, message = _filters()
    first, month_error = _month()
    if month_error:
        errors["month"] = month_error
        message = message or _("Check the filters.")
    weeks, ongoing = [], []
    if not errors:
        last = first.replace(day=monthgrid.monthrange(first.year, first.month)[1])
        items = services.find_all(services.month_filters(filters, first, last))
        by_day: dict[date, list] = {}
        for item in items:
            placed = False
            for what, day in item.dates():
                if first <= day <= last:
                    by_day.setdefault(day, []).append((what, item))
                    placed = True
            if not placed:
                ongoing.append(item)
        grid = monthgrid.Calendar(firstweekday=6)  # weeks start on Sunday, as in Korea
        weeks = [
            [
                {"day": day, "in_month": day.month == first.month, "events": by_day.get(day, [])}
                for day in week
            ]
            for week in grid.monthdatescalendar(first.year, first.month)
        ]
    previous = _shift(first, -1) if first else None
    following = _shift(first, 1) if first else None
    return render_template(
        "onestop/calendar.html",
        first=first,
        weeks=weeks,
        ongoing=ongoing,
        previous=previous,
        following=following,
        weekdays=_weekday_names(),
        **_context(filters, errors, message),
    ), 400 if errors else 200


def _weekday_names() -> list[str]:
    return [_("Sun"), _("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat")]


def _host() -> str:
    return urlsplit(current_app.config["SETTINGS"].base_url).hostname or "procure.local"


def _bad_feed(message: str | None, errors: dict) -> Response:
    details = " ".join(f"{name}: {text}" for name, text in errors.items())
    return Response(f"{message} {details}".strip() + "\n", status=400, mimetype="text/plain")


@bp.route("/feed.atom")
@authz.public
def atom():
    filters, errors, message = _filters()
    if errors:
        return _bad_feed(message, errors)
    items = services.find_all(filters, sort="newest", limit=FEED_ITEMS)
    updated = max((item.posted_at for item in items if item.posted_at), default=utcnow())
    body = render_template(
        "onestop/feed.xml",
        items=items,
        updated=updated,
        host=_host(),
        # Python's gettext gives plain text, which autoescaping escapes for XML.
        feed_title=_("Demand information"),
        feed_subtitle=_(
            "Open and upcoming public demand: procurement demands, R&D demand surveys and "
            "adopted citizen ideas."
        ),
        feed_author=_("procure"),
        self_url=url_for("onestop.atom", _external=True, **filters.as_args()),
        page_url=url_for("onestop.index", _external=True, **filters.as_args()),
        item_url=item_url,
        kind_label=services.kind_label,
        date_label=services.date_label,
    )
    # Text stored before control characters were refused must not make the feed unreadable:
    # XML 1.0 allows no C0 control but tab and line breaks.
    return Response(_XML_ILLEGAL.sub("", body), mimetype="application/atom+xml")


@bp.route("/calendar.ics")
@authz.public
def ics():
    filters, errors, message = _filters()
    if errors:
        return _bad_feed(message, errors)
    host = _host()
    events = []
    for item in services.find_all(filters):
        agency = item.agency.display_name(str(get_locale())) if item.agency else ""
        summary_text = item.summary.strip()
        if len(summary_text) > 300:
            summary_text = summary_text[:300] + "…"
        for what, day in item.dates():
            events.append(
                ical.Event(
                    uid=f"{item.uid}-{what}@{host}",
                    day=day,
                    summary=f"[{services.date_label(what)}] {item.title}",
                    description="\n".join(
                        part
                        for part in (services.kind_label(item.kind), agency, summary_text)
                        if part
                    ),
                    url=item_url(item, external=True),
                    categories=(services.kind_label(item.kind),),
                )
            )
    text = ical.calendar(
        _("Demand information"), events, utcnow(), "-//procure//One-stop demand information//KO"
    )
    response = Response(text.encode("utf-8"), mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="demand-info.ics"'
    return response


@bp.route("/subscribe", methods=["GET", "POST"])
@authz.public
def subscribe():
    source = request.form if request.method == "POST" else request.args
    filters, errors, message = _filters(source)
    form = SubscribeForm()
    status, retry_after = 200, None
    if request.method == "GET" and current_user.is_authenticated and not form.email.data:
        form.email.data = current_user.email
    if errors:
        form.form_errors = [message, *errors.values()]
        status = 400
    elif form.validate_on_submit():
        try:
            subscriptions.subscribe(
                form.email.data,
                filters,
                form.frequency.data,
                str(get_locale()),
                current_user._get_current_object() if current_user.is_authenticated else None,
            )
        except ServiceError as error:
            db.session.rollback()
            apply_service_error(form, error)
            status = error.status
            retry_after = getattr(error, "retry_after", None)
        else:
            db.session.commit()
            flash(
                _(
                    "We have sent a confirmation link to %(email)s. The digest starts once you "
                    "open it.",
                    email=form.email.data.strip().lower(),
                ),
                "success",
            )
            return redirect(url_for("onestop.index", **filters.as_args()))
    elif form.is_submitted():
        status = 400
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    return (
        render_template(
            "onestop/subscribe.html",
            form=form,
            filters=filters,
            filter_args=filters.as_args(),
            description=subscriptions.describe(filters),
        ),
        status,
        headers,
    )


@bp.route("/subscriptions/confirm/<token>", methods=["GET", "POST"])
@authz.public
def confirm(token: str):
    form = ActionForm()
    if request.method == "POST":
        subscription = subscriptions.confirm(token)
        db.session.commit()
        flash(
            _("Your subscription is confirmed. The first digest comes with new items."), "success"
        )
        return redirect(url_for("onestop.index", **subscription.filters))
    subscription = subscriptions.from_token(token, subscriptions.CONFIRM_SALT)
    return render_template(
        "onestop/confirm.html",
        form=form,
        subscription=subscription,
        description=_describe(subscription),
        frequency=subscriptions.frequency_label(subscription.frequency),
        action="confirm",
    )


@bp.route("/subscriptions/unsubscribe/<token>", methods=["GET", "POST"])
@authz.public
def unsubscribe(token: str):
    form = ActionForm()
    if request.method == "POST":
        subscriptions.unsubscribe(token)
        db.session.commit()
        flash(_("You are unsubscribed. No more digests will be sent to this address."), "success")
        return redirect(url_for("onestop.index"))
    subscription = subscriptions.from_token(token, subscriptions.UNSUBSCRIBE_SALT)
    return render_template(
        "onestop/confirm.html",
        form=form,
        subscription=subscription,
        description=_describe(subscription),
        frequency=subscriptions.frequency_label(subscription.frequency),
        action="unsubscribe",
    )


def _describe(subscription) -> str:
    filters, _errors, _message = _filters(subscription.filters or {})
    return subscriptions.describe(filters)


@bp.route("/subscriptions")
@authz.signed_in
def my_subscriptions():
    rows = subscriptions.own_subscriptions(current_user)
    return render_template(
        "onestop/subscriptions.html",
        rows=[(row, _describe(row), subscriptions.frequency_label(row.frequency)) for row in rows],
        form=ActionForm(),
    )


@bp.route("/subscriptions/<int:subscription_id>/cancel", methods=["POST"])
@authz.signed_in
def cancel(subscription_id: int):
    ActionForm()
    subscriptions.cancel_own(current_user._get_current_object(), subscription_id)
    db.session.commit()
    flash(_("You are unsubscribed. No more digests will be sent to this address."), "success")
    return redirect(url_for("onestop.my_subscriptions"))
