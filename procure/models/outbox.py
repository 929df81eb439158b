"""The outbox: changes to index and match, written in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from procure.extensions import db
from procure.models.base import UTCDateTime, utcnow


class OutboxEvent(db.Model):
    """One change to propagate (search index, match suggestions); drained by the indexer."""

    __tablename__ = "outbox_event"
    __table_args__ = (Index("ix_outbox_pending", "processed_at", "available_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16), default="upsert")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class SavedSearch(db.Model):
    """A user's saved query with filters, and how often to alert them of new matches."""

    __tablename__ = "saved_search"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    query: Mapped[dict] = mapped_column(JSON)
    frequency: Mapped[str] = mapped_column(String(16), default="daily")  # instant, daily, off
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MatchFeedback(db.Model):
    """A label for the matcher: what officers and suppliers did with a pairing."""

    __tablename__ = "match_feedback"
    __table_args__ = (Index("ix_match_feedback_pair", "demand_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demand.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    label: Mapped[str] = mapped_column(
        String(16)
    )  # shortlisted, declined, accepted, pilot, dismissed
    source: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    details: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
