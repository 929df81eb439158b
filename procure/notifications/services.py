"""Notify people of what concerns them: in the notification centre and by e-mail."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from procure import mail
from procure.extensions import db
from procure.models import Notification, Organisation, Role, User
from procure.models.base import utcnow
from procure.security import LOCALES


def notify(
    users: Iterable[User],
    kind: str,
    title: Callable[[], str],
    body: Callable[[], str] = lambda: "",
    link: str | None = None,
) -> list[Notification]:
    """Notify each user; ``title`` and ``body`` are called once per language of the interface.

    The centre shows each message in the language its reader uses at the time; the e-mail goes
    in the user's own language. The rows are added to the current transaction; the e-mail goes
    out with them (console by default), so a rolled-back change notifies nobody in the app.
    """
    created = []
    seen = set()
    settings = current_app.config["SETTINGS"]
    base = settings.base_url.rstrip("/")
    texts: dict[str, list[str]] = {}
    for user in users:
        if user.id in seen or not user.is_active:
            continue
        seen.add(user.id)
        if not texts:
            for locale in LOCALES:
                with force_locale(locale):
                    texts[locale] = [str(title())[:300], str(body())]
        subject, text = texts.get(user.locale or settings.default_locale, texts[LOCALES[0]])
        row = Notification(
            user_id=user.id, kind=kind, title=subject, body=text, link=link, texts=texts
        )
        db.session.add(row)
        created.append(row)
        mail.send(user.email, subject, f"{text}\n\n{base}{link or ''}".strip())
    db.session.flush()
    return created


def members(organisation_id: int | None) -> list[User]:
    """The approved, active members of an organisation."""
    if organisation_id is None:
        return []
    return list(
        db.session.scalars(
            select(User).where(
                User.organisation_id == organisation_id,
                User.approved_at.is_not(None),
                User.deleted_at.is_(None),
            )
        )
    )


def operators() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Organisation, User.organisation_id == Organisation.id)
            .where(Organisation.kind == "operator", User.deleted_at.is_(None))
        )
    )


def agency_officers() -> list[User]:
    """The approved officers of every verified agency, in one query (a pilot round opens)."""
    users = db.session.scalars(
        select(User)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(
            Organisation.kind == "agency",
            Organisation.verified_at.is_not(None),
            User.approved_at.is_not(None),
            User.deleted_at.is_(None),
        )
        .options(selectinload(User.role_rows))
        .order_by(User.id)
    )
    return [user for user in users if user.has_role(Role.OFFICER)]


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )


def mark_read(user: User, notification_id: int | None = None) -> int:
    """Mark one (or all) of the user's notifications read; return how many changed."""
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    result = db.session.execute(query.values(read_at=utcnow()))
    return result.rowcount or 0
