"""One-stop demand information (원스톱 수요정보): e-mail digest subscriptions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from procure.extensions import db
from procure.models.base import UTCDateTime, utcnow


class DigestFrequency:
    DAILY = "daily"
    WEEKLY = "weekly"
    ALL = ("daily", "weekly")


class DemandInfoSubscription(db.Model):
    """Anyone's e-mail digest of new demand information matching saved filters.

    Double opt-in: nothing is sent until the address confirms (``confirmed_at``). The tokens in
    the confirmation and unsubscribe links are signed and carry ``nonce``; ``last_sent_at`` is
    the moment up to which items have been sent, so each item is sent once.
    """

    __tablename__ = "demand_info_subscription"
    __table_args__ = (
        Index("ix_demand_info_subscription_email_at", "email", "created_at"),
        Index("ix_demand_info_subscription_address_at", "requested_from", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    frequency: Mapped[str] = mapped_column(String(16), default=DigestFrequency.WEEKLY)
    locale: Mapped[str] = mapped_column(String(8), default="ko")
    nonce: Mapped[str] = mapped_column(String(32))
    requested_from: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None
