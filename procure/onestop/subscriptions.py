"""E-mail digests of new demand information: double opt-in, signed links, throttled, sent once.

A request stores the address with the reader's filters and e-mails a confirmation link; nothing
else is sent until it is confirmed. Every digest carries an unsubscribe link. ``send_digests``
sends each confirmed subscriber the items published (or adopted) since their last digest that
match their filters, then records the moment it covered, so an item is never sent twice.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from flask import current_app, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from procure import mail
from procure.audit.services import client_address, record
from procure.clock import local_today
from procure.errors import FieldError, Invalid, NotFound, Throttled
from procure.extensions import db
from procure.models import DemandInfoSubscription, DigestFrequency, Organisation, User
from procure.models.base import utcnow
from procure.onestop.services import Filters, Item, date_label, find_all, kind_label, parse_filters
from procure.validators import is_valid_email

CONFIRM_SALT = "demand-info-confirm"
UNSUBSCRIBE_SALT = "demand-info-unsubscribe"
CONFIRM_MAX_AGE = timedelta(days=7)
MAX_PER_EMAIL = 3  # requests per address within EMAIL_WINDOW
EMAIL_WINDOW = timedelta(hours=24)
MAX_PER_CLIENT = 20  # requests from one network address within CLIENT_WINDOW
CLIENT_WINDOW = timedelta(hours=1)
DIGEST_MAX_ITEMS = 50


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def make_token(subscription: DemandInfoSubscription, salt: str) -> str:
    return _serializer(salt).dumps({"s": subscription.id, "n": subscription.nonce})


def absolute(endpoint: str, **values) -> str:
    base = current_app.config["SETTINGS"].base_url.rstrip("/")
    return base + url_for(endpoint, **values)


def _bad_link() -> Invalid:
    return Invalid(
        _(
            "This link is not valid or has expired. "
            "Subscribe again from the demand information page."
        )
    )


def from_token(token: str, salt: str) -> DemandInfoSubscription:
    """The subscription a link names.

    :raise Invalid: the link is forged, expired (confirmation) or refers to nothing.
    """
    max_age = int(CONFIRM_MAX_AGE.total_seconds()) if salt == CONFIRM_SALT else None
    try:
        data = _serializer(salt).loads(token or "", max_age=max_age)
    except (BadSignature, SignatureExpired):
        raise _bad_link() from None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise _bad_link()
    subscription = db.session.get(DemandInfoSubscription, data["s"])
    if subscription is None or subscription.nonce != data.get("n"):
        raise _bad_link()
    return subscription


def _check_throttle(email: str, address: str | None) -> None:
    now = utcnow()
    checks = [(DemandInfoSubscription.email == email, MAX_PER_EMAIL, EMAIL_WINDOW)]
    if address:
        checks.append(
            (DemandInfoSubscription.requested_from == address, MAX_PER_CLIENT, CLIENT_WINDOW)
        )
    for condition, limit, window in checks:
        times = (
            db.session.execute(
                select(DemandInfoSubscription.created_at)
                .where(condition, DemandInfoSubscription.created_at >= now - window)
                .order_by(DemandInfoSubscription.created_at.desc())
                .limit(limit)
            )
            .scalars()
            .all()
        )
        if len(times) >= limit:
            seconds = max(1, int((times[-1] + window - now).total_seconds()))
            raise Throttled(
                _(
                    "Too many subscription requests for this address. "
                    "Try again in %(minutes)d minutes.",
                    minutes=seconds // 60 + 1,
                ),
                retry_after=seconds,
            )


def subscribe(
    email: str,
    filters: Filters,
    frequency: str,
    locale: str,
    user: User | None = None,
) -> DemandInfoSubscription:
    """Store a pending subscription and e-mail its confirmation link.

    :raise Invalid: the address or the frequency is not valid.
    :raise Throttled: too many requests for this address, or from this network address.
    """
    email = (email or "").strip().lower()
    errors = []
    if not is_valid_email(email):
        errors.append(FieldError("email", _("Enter a valid e-mail address.")))
    if frequency not in DigestFrequency.ALL:
        errors.append(FieldError("frequency", _("Choose one of the listed options.")))
    if errors:
        raise Invalid(_("Check the subscription."), errors)
    address = (client_address() or "")[:64] or None
    _check_throttle(email, address)
    owner = user if user is not None and user.is_authenticated and user.email == email else None
    subscription = DemandInfoSubscription(
        email=email,
        user_id=owner.id if owner else None,
        filters=filters.as_args(),
        frequency=frequency,
        locale=locale if locale in ("ko", "en") else "ko",
        nonce=secrets.token_hex(16),
        requested_from=address,
        created_at=utcnow(),
    )
    db.session.add(subscription)
    db.session.flush()
    link = absolute("onestop.confirm", token=make_token(subscription, CONFIRM_SALT))
    with force_locale(subscription.locale):
        mail.send(
            email,
            _("Confirm your demand information digest"),
            _(
                "Someone asked to receive a %(frequency)s e-mail digest of new demand "
                "information at this address (filters: %(filters)s). If it was you, open this "
                "link within 7 days to confirm:\n\n%(link)s\n\nIf it was not you, ignore this "
                "message: nothing will be sent.",
                frequency=frequency_label(frequency),
                filters=describe(filters),
                link=link,
            ),
        )
    record(
        "demand_info.subscription_requested",
        "demand_info_subscription",
        subscription.id,
        actor=owner,
        after={"frequency": frequency, "filters": subscription.filters},
    )
    return subscription


def confirm(token: str) -> DemandInfoSubscription:
    """:raise Invalid: the link is not valid, has expired or was unsubscribed."""
    subscription = from_token(token, CONFIRM_SALT)
    if subscription.unsubscribed_at is not None:
        raise _bad_link()
    if subscription.confirmed_at is None:
        subscription.confirmed_at = utcnow()
        db.session.flush()
        record(
            "demand_info.subscription_confirmed",
            "demand_info_subscription",
            subscription.id,
            after={"confirmed": True},
        )
    return subscription


def _end(subscription: DemandInfoSubscription, actor: User | None = None) -> None:
    if subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = utcnow()
        db.session.flush()
        record(
            "demand_info.unsubscribed",
            "demand_info_subscription",
            subscription.id,
            actor=actor,
            after={"unsubscribed": True},
        )


def unsubscribe(token: str) -> DemandInfoSubscription:
    """:raise Invalid: the link is not valid."""
    subscription = from_token(token, UNSUBSCRIBE_SALT)
    _end(subscription)
    return subscription


def own_subscriptions(user: User) -> list[DemandInfoSubscription]:
    """The signed-in user's subscriptions (by their account's e-mail address), newest first."""
    return list(
        db.session.scalars(
            select(DemandInfoSubscription)
            .where(
                DemandInfoSubscription.email == user.email.lower(),
                DemandInfoSubscription.unsubscribed_at.is_(None),
            )
            .order_by(DemandInfoSubscription.created_at.desc())
        )
    )


def cancel_own(user: User, subscription_id: int) -> DemandInfoSubscription:
    """:raise NotFound: no such subscription for this user's address."""
    subscription = db.session.get(DemandInfoSubscription, subscription_id)
    if subscription is None or subscription.email != user.email.lower():
        raise NotFound(_("This subscription does not exist."))
    _end(subscription, actor=user)
    return subscription


def frequency_label(frequency: str) -> str:
    return _("daily") if frequency == DigestFrequency.DAILY else _("weekly")


def describe(filters: Filters) -> str:
    """The filters in words, for e-mails and the subscriptions page."""
    from procure.regions import region_name

    parts = []
    if filters.kind:
        parts.append(kind_label(filters.kind))
    if filters.agency:
        agency = db.session.get(Organisation, filters.agency)
        parts.append(
            agency.display_name(str(get_locale()))
            if agency is not None
            else _("agency no. %(id)d", id=filters.agency)
        )
    if filters.code:
        parts.append(_("CPV %(code)s…", code=filters.code))
    if filters.region:
        parts.append(region_name(filters.region))
    if filters.term:
        parts.append(_("short term") if filters.term == "short" else _("long term"))
    if filters.state:
        parts.append(_("open now") if filters.state == "open" else _("upcoming"))
    if filters.start or filters.end:
        start = filters.start.isoformat() if filters.start else ""
        end = filters.end.isoformat() if filters.end else ""
        parts.append(f"{start}–{end}")
    return ", ".join(parts) if parts else _("everything")


def _item_url(item: Item) -> str:
    if item.source == "demand":
        return absolute("demands.detail", demand_id=item.id)
    return absolute("ideas.detail", idea_id=item.id)


def _digest_body(subscription: DemandInfoSubscription, filters: Filters, items: list[Item]) -> str:
    lines = [
        _(
            "New demand information matching your filters (%(filters)s):",
            filters=describe(filters),
        ),
        "",
    ]
    for item in items:
        dates = ", ".join(f"{date_label(what)} {day.isoformat()}" for what, day in item.dates())
        agency = item.agency.name if item.agency else ""
        lines.append(f"- [{kind_label(item.kind)}] {item.title}")
        details = " · ".join(part for part in (agency, dates) if part)
        if details:
            lines.append(f"  {details}")
        lines.append(f"  {_item_url(item)}")
    unsubscribe_link = absolute(
        "onestop.unsubscribe", token=make_token(subscription, UNSUBSCRIBE_SALT)
    )
    lines += [
        "",
        _("See everything: %(link)s", link=absolute("onestop.index", **filters.as_args())),
        _("Stop these e-mails: %(link)s", link=unsubscribe_link),
    ]
    return "\n".join(lines)


def due(frequency: str) -> list[DemandInfoSubscription]:
    """The confirmed, active subscriptions of one frequency, oldest first."""
    return list(
        db.session.scalars(
            select(DemandInfoSubscription)
            .where(
                DemandInfoSubscription.frequency == frequency,
                DemandInfoSubscription.confirmed_at.is_not(None),
                DemandInfoSubscription.unsubscribed_at.is_(None),
            )
            .order_by(DemandInfoSubscription.id)
        )
    )


def send_digest(
    subscription: DemandInfoSubscription, now: datetime, today: date | None = None
) -> int:
    """E-mail one subscriber the items published (or adopted) after their last digest, up to
    ``now``, that match their filters; record ``now`` as covered. Returns how many items.

    The caller commits right after, so a later failure cannot make this e-mail go out twice.
    Needs a request context (for links); ``procure onestop digest`` makes one.
    """
    since = subscription.last_sent_at or subscription.confirmed_at
    try:
        filters = parse_filters(subscription.filters or {})
    except Invalid:
        filters = Filters()  # stored filters were checked on entry; never fail a whole run
    items = find_all(
        filters,
        sort="newest",
        today=today or local_today(),
        posted_after=since,
        posted_until=now,
        limit=DIGEST_MAX_ITEMS,
    )
    subscription.last_sent_at = now
    db.session.flush()
    if items:
        with force_locale(subscription.locale):
            mail.send(
                subscription.email,
                _("New demand information: %(count)d items", count=len(items)),
                _digest_body(subscription, filters, items),
            )
        record(
            "demand_info.digest_sent",
            "demand_info_subscription",
            subscription.id,
            after={"items": [item.uid for item in items]},
        )
    return len(items)


def send_digests(frequency: str, now: datetime | None = None, after_each=None) -> int:
    """Send every due digest of ``frequency``; return the number of e-mails sent.

    ``after_each`` (the command passes ``db.session.commit``) runs after each subscriber.
    """
    now = now or utcnow()
    today = local_today()
    sent = 0
    for subscription in due(frequency):
        if send_digest(subscription, now, today):
            sent += 1
        if after_each is not None:
            after_each()
    return sent
