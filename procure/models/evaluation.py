"""Evaluation rounds, score sheets, committee decisions and designations (혁신제품 지정)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.extensions import db
from procure.models.accounts import User
from procure.models.base import TimestampMixin, UTCDateTime, VersionedMixin, utcnow
from procure.models.market import Product, ReverseProposal


class RoundStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    DECIDED = "decided"


class EvaluationRound(TimestampMixin, VersionedMixin, db.Model):
    """An evaluation round: a scheme version, the dossiers, a panel and a deadline."""

    __tablename__ = "evaluation_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(32), default="designation")
    scheme_id: Mapped[str] = mapped_column(String(64))
    scheme_version: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=RoundStatus.DRAFT, index=True)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    agreement: Mapped[dict | None] = mapped_column(JSON)

    items: Mapped[list[RoundItem]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundItem.id"
    )
    panel: Mapped[list[RoundEvaluator]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundEvaluator.id"
    )


class RoundEvaluator(db.Model):
    """An evaluator on a round's panel."""

    __tablename__ = "round_evaluator"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_round.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[EvaluationRound] = relationship(back_populates="panel")
    user: Mapped[User] = relationship()


class RoundItem(db.Model):
    """One dossier in a round: a product (or a proposal) with its result and the decision."""

    __tablename__ = "round_item"
    __table_args__ = (
        UniqueConstraint("round_id", "product_id", name="uq_round_item_round_product"),
        UniqueConstraint("round_id", "proposal_id", name="uq_round_item_round_proposal"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_round.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("reverse_proposal.id"), index=True)
    product_kind: Mapped[str | None] = mapped_column(String(32))
    result: Mapped[dict | None] = mapped_column(JSON)
    decision: Mapped[str | None] = mapped_column(String(16))  # confirmed or overridden
    certified: Mapped[bool | None] = mapped_column(Boolean)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[EvaluationRound] = relationship(back_populates="items")
    product: Mapped[Product | None] = relationship()
    proposal: Mapped[ReverseProposal | None] = relationship()


class ConflictDeclaration(db.Model):
    """An evaluator's declaration, made before seeing a dossier, of any conflict of interest."""

    __tablename__ = "conflict_declaration"
    __table_args__ = (UniqueConstraint("item_id", "evaluator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("round_item.id", ondelete="CASCADE"), index=True
    )
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    has_conflict: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(500))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SheetStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class EvaluationSheet(TimestampMixin, VersionedMixin, db.Model):
    """One evaluator's scores for one dossier (the scoring library's ScoreSheet, as JSON)."""

    __tablename__ = "evaluation_sheet"
    __table_args__ = (UniqueConstraint("item_id", "evaluator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("round_item.id", ondelete="CASCADE"), index=True
    )
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=SheetStatus.DRAFT)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item: Mapped[RoundItem] = relationship()
    evaluator: Mapped[User] = relationship()


class DesignationStatus(enum.StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"


class Designation(TimestampMixin, VersionedMixin, db.Model):
    """혁신제품 지정: a certification with a number and a validity, extendable, revocable."""

    __tablename__ = "designation"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("round_item.id"))
    index_value: Mapped[float] = mapped_column(Float)
    criteria: Mapped[dict] = mapped_column(JSON, default=dict)
    scheme_id: Mapped[str] = mapped_column(String(64))
    scheme_version: Mapped[str] = mapped_column(String(32))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default=DesignationStatus.ACTIVE, index=True)
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    product: Mapped[Product] = relationship()


class ApplicationStatus(enum.StrEnum):
    APPLIED = "applied"
    IN_ROUND = "in_round"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"


class DesignationApplication(TimestampMixin, VersionedMixin, db.Model):
    """지정 신청: a supplier asks for its product to be evaluated for designation; operators put
    the waiting applications into an evaluation round."""

    __tablename__ = "designation_application"
    # One open application per product, also against two requests at the same moment.
    __table_args__ = (
        Index(
            "uq_designation_application_open",
            "product_id",
            unique=True,
            sqlite_where=text("status IN ('applied', 'in_round')"),
            postgresql_where=text("status IN ('applied', 'in_round')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=ApplicationStatus.APPLIED, index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_round.id"))

    product: Mapped[Product] = relationship()
    round: Mapped[EvaluationRound | None] = relationship()
