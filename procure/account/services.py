"""Account rules: registration, throttled sign-in, passwords, profiles, tokens, verification."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from werkzeug.security import check_password_hash, generate_password_hash

from procure import mail
from procure.audit.services import client_address, record, snapshot
from procure.errors import Conflict, FieldError, Forbidden, Invalid, NotFound, Throttled
from procure.extensions import db
from procure.models import (
    ApiToken,
    AuditEvent,
    LoginAttempt,
    Organisation,
    OrganisationKind,
    Role,
    User,
    UserRole,
)
from procure.models.accounts import ROLE_FOR_KIND
from procure.models.base import utcnow
from procure.validators import (
    PASSWORD_MAX,
    PASSWORD_MIN,
    is_valid_business_number,
    is_valid_email,
    normalise_business_number,
)

TOKEN_PREFIX = "prc_"  # noqa: S105 - a public marker that makes leaked tokens easy to find
_RESET_SALT = "password-reset"


def _settings():
    return current_app.config["SETTINGS"]


def hash_password(password: str) -> str:
    """scrypt, Werkzeug's default memory-hard KDF."""
    return generate_password_hash(password, method="scrypt")


def check_password_rules(password: str, field: str = "password") -> None:
    if not PASSWORD_MIN <= len(password or "") <= PASSWORD_MAX:
        raise Invalid(
            _("Check the password."),
            [
                FieldError(
                    field,
                    _(
                        "Use between %(min)d and %(max)d characters.",
                        min=PASSWORD_MIN,
                        max=PASSWORD_MAX,
                    ),
                )
            ],
        )


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def user_snapshot(user: User) -> dict:
    data = snapshot(user, "email", "name", "organisation_id", "locale", "phone", "approved_at")
    data["roles"] = sorted(user.roles)
    return data


def org_snapshot(org: Organisation) -> dict:
    return snapshot(
        org, "kind", "name", "name_en", "business_number", "is_sme", "region", "verified_at"
    )


# -- registration -------------------------------------------------------------------------


@dataclass
class Registration:
    email: str
    name: str
    password: str
    account_type: str  # citizen, supplier or agency
    organisation_name: str = ""
    organisation_name_en: str = ""
    business_number: str = ""
    is_sme: bool = False
    region: str = ""
    locale: str | None = None


def register(data: Registration) -> User:
    """Create a user and, for suppliers and agencies, their organisation (pending verification).

    Joining an organisation that already exists leaves the membership pending until an
    operator approves it, so nobody can read a supplier's confidential work by claiming to
    belong to it.

    :raise Invalid: a field is wrong (the errors say which).
    :raise Conflict: the e-mail address is already registered.
    """
    address = client_address()
    if address is not None:  # commands and the demo register outside any request
        check_registration_throttle(address)
    errors: list[FieldError] = []
    email = data.email.strip().lower()
    if not is_valid_email(email):
        errors.append(FieldError("email", _("Enter a valid e-mail address.")))
    if not data.name.strip() or len(data.name) > 100:
        errors.append(FieldError("name", _("Enter your name (up to 100 characters).")))
    if data.account_type not in ("citizen", "supplier", "agency"):
        errors.append(FieldError("account_type", _("Choose an account type.")))
    if not PASSWORD_MIN <= len(data.password) <= PASSWORD_MAX:
        errors.append(
            FieldError(
                "password",
                _(
                    "Use between %(min)d and %(max)d characters.",
                    min=PASSWORD_MIN,
                    max=PASSWORD_MAX,
                ),
            )
        )
    business_number = normalise_business_number(data.business_number)
    if data.account_type in ("supplier", "agency"):
        if not data.organisation_name.strip() or len(data.organisation_name) > 200:
            errors.append(
                FieldError(
                    "organisation_name", _("Enter the organisation's name (up to 200 characters).")
                )
            )
        if data.region and data.region not in _region_codes():
            errors.append(FieldError("region", _("Choose a region from the list.")))
    if data.account_type == "supplier" and not is_valid_business_number(business_number):
        errors.append(
            FieldError(
                "business_number",
                _("This business registration number is not valid: check the ten digits."),
            )
        )
    if errors:
        raise Invalid(_("Some fields need your attention."), errors)
    if user_by_email(email):
        raise Conflict(
            _("An account with this e-mail address already exists."),
            [FieldError("email", _("This e-mail address is already registered."))],
        )

    user = User(
        email=email,
        name=data.name.strip(),
        password_hash=hash_password(data.password),
        locale=data.locale,
    )
    roles = [Role.CITIZEN]
    if data.account_type in ("supplier", "agency"):
        kind = (
            OrganisationKind.SUPPLIER
            if data.account_type == "supplier"
            else OrganisationKind.AGENCY
        )
        org = _find_organisation(kind, data.organisation_name.strip(), business_number)
        if org is None:
            org = Organisation(
                kind=kind,
                name=data.organisation_name.strip(),
                name_en=data.organisation_name_en.strip() or None,
                business_number=business_number or None,
                is_sme=bool(data.is_sme) if kind == OrganisationKind.SUPPLIER else False,
                region=data.region or None,
            )
            db.session.add(org)
            db.session.flush()
            record("organisation.registered", "organisation", org.id, after=org_snapshot(org))
        user.organisation = org
        roles = [ROLE_FOR_KIND[kind]]
    user.role_rows = [UserRole(role=role) for role in roles]
    db.session.add(user)
    db.session.flush()
    record("user.registered", "user", user.id, actor=user, after=user_snapshot(user))
    return user


def _region_codes():
    from procure.regions import REGIONS

    return REGIONS


def _find_organisation(kind: str, name: str, business_number: str) -> Organisation | None:
    query = select(Organisation).where(Organisation.kind == kind)
    if business_number:
        query = query.where(Organisation.business_number == business_number)
    else:
        query = query.where(func.lower(Organisation.name) == name.lower())
    return db.session.scalar(query)


# -- limits on what one address or account may ask for in a short time ----------------------

# Registrations from one address per window: a whole office may sign up together, a script not.
REGISTRATIONS_PER_WINDOW = 10
# Reset e-mails per account, and per address, per window: enough for a lost message, too few to
# flood someone's mailbox through our server.
RESETS_PER_ACCOUNT = 3
RESETS_PER_ADDRESS = 10
# Live (unrevoked) API tokens per account.
MAX_LIVE_TOKENS = 20


def _recent_events(action: str, since, **where) -> int:
    query = select(func.count(AuditEvent.id)).where(
        AuditEvent.action == action, AuditEvent.occurred_at >= since
    )
    for column, value in where.items():
        query = query.where(getattr(AuditEvent, column) == value)
    return db.session.scalar(query) or 0


def check_registration_throttle(address: str) -> None:
    """:raise Throttled: this address registered too many accounts within the window."""
    since = utcnow() - _throttle_window()
    if _recent_events("user.registered", since, address=address) >= REGISTRATIONS_PER_WINDOW:
        raise Throttled(
            _(
                "Too many accounts were registered from your network in a short time. "
                "Try again in %(minutes)d minutes.",
                minutes=_settings().login_window_minutes,
            ),
            retry_after=_settings().login_window_minutes * 60,
        )


def _reset_throttled(user: User) -> bool:
    since = utcnow() - _throttle_window()
    action = "user.password_reset_requested"
    address = client_address() or "unknown"
    return (
        _recent_events(action, since, target_type="user", target_id=str(user.id))
        >= RESETS_PER_ACCOUNT
        or _recent_events(action, since, address=address) >= RESETS_PER_ADDRESS
    )


# -- sign-in ---------------------------------------------------------------------------------


def _throttle_window() -> timedelta:
    return timedelta(minutes=_settings().login_window_minutes)


def check_throttle(email: str, address: str) -> None:
    """Refuse once an account, or an address, has too many failures within the window.

    :raise Throttled: with the time to wait.
    """
    settings = _settings()
    window = _throttle_window()
    since = utcnow() - window
    limits = (
        (LoginAttempt.email, email, settings.login_max_failures, _account_paused),
        (LoginAttempt.address, address, settings.login_max_failures_per_address, _network_paused),
    )
    for column, value, limit, message in limits:
        failures = (
            db.session.execute(
                select(LoginAttempt.attempted_at)
                .where(
                    LoginAttempt.succeeded.is_(False),
                    LoginAttempt.attempted_at >= since,
                    column == value,
                )
                .order_by(LoginAttempt.attempted_at.desc())
                .limit(limit)
            )
            .scalars()
            .all()
        )
        if len(failures) >= limit:
            # Sign-in reopens when the oldest of the counted failures leaves the window.
            wait = failures[-1] + window - utcnow()
            seconds = max(1, int(wait.total_seconds()))
            raise Throttled(message(seconds // 60 + 1), retry_after=seconds)


def _account_paused(minutes: int) -> str:
    return _(
        "Too many failed sign-in attempts. For your security, sign-in is paused: "
        "try again in %(minutes)d minutes, or reset your password.",
        minutes=minutes,
    )


def _network_paused(minutes: int) -> str:
    # The address's limit: the password of this account may well be right.
    return _(
        "Too many failed sign-in attempts from your network. Sign-in from it is "
        "paused for %(minutes)d minutes; try again then, or from another network.",
        minutes=minutes,
    )


def authenticate(email: str, password: str, address: str | None = None) -> User:
    """Check the password, with throttling by account and by address.

    :raise Throttled: too many recent failures.
    :raise Invalid: wrong e-mail or password (one message for both, to reveal nothing).
    """
    email = (email or "").strip().lower()[:254]
    address = (address or client_address() or "unknown")[:64]
    check_throttle(email, address)
    user = user_by_email(email)
    ok = bool(
        user and user.is_active and check_password_hash(user.password_hash, password[:PASSWORD_MAX])
    )
    db.session.add(LoginAttempt(email=email, address=address, succeeded=ok))
    if not ok:
        db.session.flush()
        raise Invalid(_("The e-mail address or password is not correct."))
    user.last_login_at = utcnow()
    record("user.signed_in", "user", user.id, actor=user)
    return user


# -- passwords ------------------------------------------------------------------------------


def change_password(user: User, current: str, new: str) -> None:
    """:raise Invalid: the current password is wrong or the new one breaks the rules."""
    if not check_password_hash(user.password_hash, current[:PASSWORD_MAX]):
        raise Invalid(
            _("Check the current password."),
            [FieldError("current_password", _("The current password is not correct."))],
        )
    check_password_rules(new, "new_password")
    _set_password(user, new, "user.password_changed")


def _set_password(user: User, new: str, action: str) -> None:
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    record(action, "user", user.id, actor=user)


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_RESET_SALT)


def _password_fingerprint(user: User) -> str:
    # Part of the token: once the password changes, old reset links stop working.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"u": user.id, "f": _password_fingerprint(user)})


def request_password_reset(email: str) -> None:
    """E-mail a reset link when the address belongs to an account; say nothing either way."""
    user = user_by_email(email or "")
    if not user or not user.is_active:
        return
    if _reset_throttled(user):
        # Say nothing different: the page must not reveal that the address has an account.
        current_app.logger.warning("password reset e-mails to user %s throttled", user.id)
        return
    token = make_reset_token(user)
    link = _settings().base_url.rstrip("/") + url_for("auth.reset_password", token=token)
    minutes = _settings().password_reset_max_age_minutes
    with force_locale(user.locale or "ko"):
        mail.send(
            user.email,
            _("Reset your procure password"),
            _(
                "Someone asked to reset the password of your account. If it was you, open this "
                "link within %(minutes)d minutes:\n\n%(link)s\n\nIf it was not you, ignore this "
                "message: your password stays as it is.",
                minutes=minutes,
                link=link,
            ),
        )
    record("user.password_reset_requested", "user", user.id)


def reset_password(token: str, new: str) -> User:
    """:raise Invalid: the link is expired, used or forged, or the password breaks the rules."""
    max_age = _settings().password_reset_max_age_minutes * 60
    try:
        data = _reset_serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise Invalid(_("This reset link has expired. Ask for a new one.")) from None
    except BadSignature:
        raise Invalid(_("This reset link is not valid. Ask for a new one.")) from None
    user = db.session.get(User, data.get("u"))
    if not user or not hmac.compare_digest(str(data.get("f")), _password_fingerprint(user)):
        raise Invalid(_("This reset link has already been used. Ask for a new one."))
    check_password_rules(new)
    _set_password(user, new, "user.password_reset")
    return user


# -- profile ----------------------------------------------------------------------------------


def update_profile(
    user: User, *, name: str, phone: str | None, locale: str | None, version: int
) -> None:
    """:raise Conflict: the profile changed since the form was loaded."""
    if version != user.version:
        from procure.errors import stale_message

        raise Conflict(stale_message())
    if not name.strip() or len(name) > 100:
        raise Invalid(
            _("Check your name."),
            [FieldError("name", _("Enter your name (up to 100 characters)."))],
        )
    before = user_snapshot(user)
    user.name = name.strip()
    user.phone = (phone or "").strip() or None
    user.locale = locale if locale in ("ko", "en") else None
    record(
        "user.profile_updated",
        "user",
        user.id,
        actor=user,
        before=before,
        after=user_snapshot(user),
    )


def set_locale(user: User, locale: str) -> None:
    """Remember the language the user picked in the header."""
    if locale not in ("ko", "en") or user.locale == locale:
        return
    before = {"locale": user.locale}
    user.locale = locale
    record(
        "user.locale_changed", "user", user.id, actor=user, before=before, after={"locale": locale}
    )


def deactivate_user(actor: User, user: User) -> None:
    """Soft-delete an account: it can no longer sign in, and its history stays for audit."""
    _require_operator(actor)
    if user.id == actor.id:
        raise Invalid(_("You cannot deactivate your own account."))
    if user.deleted_at is not None:
        return
    user.deleted_at = utcnow()
    for token in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
        if token.revoked_at is None:
            token.revoked_at = user.deleted_at
    record("user.deactivated", "user", user.id, actor=actor, before=user_snapshot(user))


# -- API tokens ---------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Return the stored token and its plain text, which is shown once and never kept."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise Invalid(
            _("Name the token."),
            [FieldError("name", _("Enter a name of up to 100 characters."))],
        )
    live = db.session.scalar(
        select(func.count(ApiToken.id)).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)
        )
    )
    if live >= MAX_LIVE_TOKENS:
        raise Invalid(
            _("Revoke a token first."),
            [
                FieldError(
                    "name",
                    _(
                        "You have %(n)d live tokens, the most an account may hold. "
                        "Revoke one you no longer use.",
                        n=MAX_LIVE_TOKENS,
                    ),
                )
            ],
        )
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=plain[:12], token_hash=_digest(plain))
    db.session.add(token)
    db.session.flush()
    record("api_token.created", "api_token", token.id, actor=user, after={"name": name})
    return token, plain


def revoke_api_token(user: User, token_id: int) -> None:
    """:raise NotFound: no such token of this user."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_("This token does not exist."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("api_token.revoked", "api_token", token.id, actor=user)


def user_for_token(plain: str) -> User | None:
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 100:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(plain)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    now = utcnow()
    # Writing on every request would serialise API reads on one row; a minute is precise enough.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        _touch_token(token.id, now)
    return token.user


def _touch_token(token_id: int, now) -> None:
    """Record a token's last use. The request's transaction has only read so far and may be
    a GET: on SQLite a read transaction cannot take the write lock once another process has
    written (it fails at once instead of waiting), so it is ended first and the update opens
    a transaction of its own, which waits its turn. The timestamp is informative only: when
    the database stays busy it is skipped, never the request."""
    db.session.commit()
    try:
        db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
        db.session.commit()
    except OperationalError:
        db.session.rollback()


# -- operator actions ------------------------------------------------------------------------


def _require_operator(actor: User) -> None:
    if not actor.has_role(Role.OPERATOR):
        raise Forbidden(_("Only operators can do this."))


def verify_organisation(actor: User, org: Organisation) -> None:
    """Verify an organisation and approve its pending members."""
    _require_operator(actor)
    if org.verified_at:
        return
    before = org_snapshot(org)
    org.verified_at = utcnow()
    org.verified_by_id = actor.id
    record(
        "organisation.verified",
        "organisation",
        org.id,
        actor=actor,
        before=before,
        after=org_snapshot(org),
    )
    for member in org.members:
        if member.is_active:  # a closed or deactivated account is nobody to approve
            approve_member(actor, member)


def _require_active(user: User) -> None:
    if not user.is_active:
        raise Conflict(_("This account is closed or deactivated."))


def approve_member(actor: User, user: User) -> None:
    _require_operator(actor)
    _require_active(user)
    if user.approved_at or user.organisation is None:
        return
    user.approved_at = utcnow()
    record(
        "user.membership_approved",
        "user",
        user.id,
        actor=actor,
        after={"organisation_id": user.organisation_id},
    )


def set_role(actor: User, user: User, role: str, granted: bool) -> bool:
    """Grant or withdraw the evaluator role (the only role operators hand out by hand).

    Returns whether anything changed (granting a role held, or withdrawing one not held, does
    nothing and records nothing).

    :raise Conflict: the account is closed, or the evaluator still has work others wait on
        (a running dialogue's committee, dossiers to score in an open round).
    """
    _require_operator(actor)
    if role != Role.EVALUATOR:
        raise Invalid(_("Only the evaluator role can be granted or withdrawn here."))
    _require_active(user)
    before = sorted(user.roles)
    if granted == (role in user.roles):
        return False
    if granted:
        user.role_rows.append(UserRole(role=role, granted_by_id=actor.id))
    else:
        _require_no_evaluation_work(user)
        user.role_rows = [row for row in user.role_rows if row.role != role]
    db.session.flush()
    record(
        "user.role_granted" if granted else "user.role_withdrawn",
        "user",
        user.id,
        actor=actor,
        before={"roles": before},
        after={"roles": sorted(user.roles)},
    )
    return True


def _require_no_evaluation_work(user: User) -> None:
    """Taking the evaluator role away would strand what the evaluator sits on: a running
    dialogue's committee (whose members alone score) or an open round's dossiers."""
    from procure.dialogue.committee import running_committees
    from procure.evaluation.services import rounds_awaiting

    titles = running_committees(user) + [r.title for r, _left in rounds_awaiting(user)]
    if titles:
        raise Conflict(
            _(
                "%(name)s still evaluates in: %(where)s. Take them off the committee or let the "
                "round close first.",
                name=user.name,
                where=", ".join(f"“{t}”" for t in titles),
            )
        )


def create_operator(email: str, name: str, password: str, organisation_name: str) -> User:
    """Create an operator account (used by the command line)."""
    check_password_rules(password)
    if not is_valid_email(email.strip().lower()):
        raise Invalid(_("Enter a valid e-mail address."))
    if user_by_email(email):
        raise Conflict(_("An account with this e-mail address already exists."))
    org = db.session.scalar(
        select(Organisation).where(Organisation.kind == OrganisationKind.OPERATOR)
    )
    if org is None:
        org = Organisation(
            kind=OrganisationKind.OPERATOR, name=organisation_name, verified_at=utcnow()
        )
        db.session.add(org)
    user = User(
        email=email.strip().lower(),
        name=name,
        password_hash=hash_password(password),
        organisation=org,
        approved_at=utcnow(),
        role_rows=[UserRole(role=Role.OPERATOR)],
    )
    db.session.add(user)
    db.session.flush()
    record("user.operator_created", "user", user.id, after=user_snapshot(user))
    return user
