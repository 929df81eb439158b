"""Pilot purchases (시범구매): rounds, plans, applications, purchases and field reports."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.extensions import db
from procure.models.accounts import Organisation
from procure.models.base import TimestampMixin, UTCDateTime, VersionedMixin
from procure.models.market import Product


class PilotRoundStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    ALLOCATING = "allocating"
    PUBLISHED = "published"
    CLOSED = "closed"


pilot_round_product = Table(
    "pilot_round_product",
    db.metadata,
    Column("round_id", ForeignKey("pilot_round.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", ForeignKey("product.id"), primary_key=True),
)


class PilotRound(TimestampMixin, VersionedMixin, db.Model):
    """A pilot-purchase round: a budget, a period, the eligible designated products."""

    __tablename__ = "pilot_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    budget: Mapped[int] = mapped_column(BigInteger)
    mode: Mapped[str] = mapped_column(String(16), default="purchase")  # purchase or rental
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    applications_close_on: Mapped[date | None] = mapped_column(Date)
    per_agency_cap: Mapped[int | None] = mapped_column(BigInteger)
    weights: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=PilotRoundStatus.DRAFT, index=True)
    allocation_report: Mapped[dict | None] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    products: Mapped[list[Product]] = relationship(secondary=pilot_round_product)
    plans: Mapped[list[PilotPlan]] = relationship(back_populates="round", order_by="PilotPlan.id")


class PilotPlan(TimestampMixin, VersionedMixin, db.Model):
    """A supplier's pilot-use plan for an eligible product in a round."""

    __tablename__ = "pilot_plan"
    __table_args__ = (UniqueConstraint("round_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("pilot_round.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    units_offered: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    support_offered: Mapped[str] = mapped_column(Text, default="")
    test_period_days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="submitted")

    round: Mapped[PilotRound] = relationship(back_populates="plans")
    product: Mapped[Product] = relationship()
    supplier: Mapped[Organisation] = relationship()


class PilotApplication(TimestampMixin, VersionedMixin, db.Model):
    """An agency's application for a product in an open round."""

    __tablename__ = "pilot_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("pilot_round.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("pilot_plan.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    intended_use: Mapped[str] = mapped_column(Text)
    site: Mapped[str] = mapped_column(String(200))
    expected_improvement: Mapped[str] = mapped_column(Text, default="")
    plans_follow_on: Mapped[bool] = mapped_column(Boolean, default=False)
    small_agency: Mapped[bool] = mapped_column(Boolean, default=False)
    local_agency: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="submitted", index=True)
    allocated_quantity: Mapped[int] = mapped_column(Integer, default=0)
    allocated_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    adjusted_by_hand: Mapped[bool] = mapped_column(Boolean, default=False)

    plan: Mapped[PilotPlan] = relationship()
    agency: Mapped[Organisation] = relationship()


class PilotStatus(enum.StrEnum):
    ALLOCATED = "allocated"
    CONTRACTED = "contracted"
    DELIVERED = "delivered"
    IN_USE = "in_use"
    REPORTED = "reported"
    EVALUATED = "evaluated"
    CLOSED = "closed"


class PilotPurchase(TimestampMixin, VersionedMixin, db.Model):
    """One pilot: allocated → contracted → delivered → in use → reported → evaluated → closed."""

    __tablename__ = "pilot_purchase"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("pilot_application.id"), unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("pilot_round.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=PilotStatus.ALLOCATED, index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)
    contract_number: Mapped[str | None] = mapped_column(String(64))
    contract_date: Mapped[date | None] = mapped_column(Date)
    delivery_date: Mapped[date | None] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    use_started_on: Mapped[date | None] = mapped_column(Date)
    report_due_on: Mapped[date | None] = mapped_column(Date)
    verdict: Mapped[str | None] = mapped_column(String(16))  # success or insufficient
    verdict_note: Mapped[str | None] = mapped_column(Text)
    verdict_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verdict_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[PilotApplication] = relationship()
    product: Mapped[Product] = relationship()
    agency: Mapped[Organisation] = relationship(foreign_keys=[agency_id])
    supplier: Mapped[Organisation] = relationship(foreign_keys=[supplier_id])
    report: Mapped[FieldReport | None] = relationship(back_populates="purchase", uselist=False)


class FieldReport(TimestampMixin, db.Model):
    """The using agency's report at the end of the test period."""

    __tablename__ = "field_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_id: Mapped[int] = mapped_column(ForeignKey("pilot_purchase.id"), unique=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    satisfaction: Mapped[int] = mapped_column(Integer)
    would_buy_again: Mapped[bool] = mapped_column(Boolean)
    summary: Mapped[str] = mapped_column(Text)
    measurements: Mapped[list] = mapped_column(
        JSON, default=list
    )  # name, target, measured, unit, met
    defects: Mapped[list] = mapped_column(JSON, default=list)  # description, fixed, fixed_on

    purchase: Mapped[PilotPurchase] = relationship(back_populates="report")


class FollowOnPurchase(TimestampMixin, db.Model):
    """A later purchase of the same product by an agency with its own budget."""

    __tablename__ = "follow_on_purchase"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    pilot_id: Mapped[int | None] = mapped_column(ForeignKey("pilot_purchase.id"))
    purchased_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    contract_number: Mapped[str | None] = mapped_column(String(64))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class AgencyBudget(db.Model):
    """An agency's goods budget for a year, against which its innovation-purchase target is set."""

    __tablename__ = "agency_budget"
    __table_args__ = (UniqueConstraint("agency_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    goods_budget: Mapped[int] = mapped_column(BigInteger)
    target_share: Mapped[float] = mapped_column(Float, default=0.01)
