"""The two-sided market: demands (혁신수요), products (혁신제품), proposals (역제안), ideas."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.extensions import db
from procure.models.accounts import Organisation, User
from procure.models.base import SoftDeleteMixin, TimestampMixin, UTCDateTime, VersionedMixin, utcnow


class DemandStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


class DemandOutcome(enum.StrEnum):
    AWARDED = "awarded"
    WITHDRAWN = "withdrawn"
    UNSUCCESSFUL = "unsuccessful"


class DemandType(enum.StrEnum):
    PURCHASE = "purchase"
    PILOT = "pilot"
    RND = "rnd"
    DIALOGUE = "dialogue"


class Demand(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """혁신수요: an agency's need, stated as a problem and performance requirements."""

    __tablename__ = "demand"
    __table_args__ = (
        Index("ix_demand_status_closes", "status", "closes_on"),
        Index("ix_demand_status_published", "status", "published_at"),
        Index("ix_demand_status_deleted_updated", "status", "deleted_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text)
    desired_outcome: Mapped[str] = mapped_column(Text, default="")
    demand_type: Mapped[str] = mapped_column(String(16), default=DemandType.PURCHASE)
    budget: Mapped[int | None] = mapped_column(BigInteger)
    quantity: Mapped[int | None] = mapped_column(Integer)
    region: Mapped[str | None] = mapped_column(String(16))
    opens_on: Mapped[date | None] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date)
    expected_purchase_on: Mapped[date | None] = mapped_column(Date)
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8), default="ko")
    status: Mapped[str] = mapped_column(String(16), default=DemandStatus.DRAFT, index=True)
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(16), default="manual")
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("citizen_idea.id"))

    agency: Mapped[Organisation] = relationship(foreign_keys=[agency_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    requirements: Mapped[list[DemandRequirement]] = relationship(
        back_populates="demand",
        cascade="all, delete-orphan",
        order_by="DemandRequirement.position",
    )
    codes: Mapped[list[DemandCode]] = relationship(
        cascade="all, delete-orphan", order_by="DemandCode.code"
    )
    revisions: Mapped[list[DemandRevision]] = relationship(
        back_populates="demand", order_by="DemandRevision.revision"
    )
    idea: Mapped[CitizenIdea | None] = relationship(foreign_keys=[idea_id])

    @property
    def is_open(self) -> bool:
        return self.status == DemandStatus.PUBLISHED

    @property
    def code_values(self) -> list[str]:
        return [c.code for c in self.codes]


class DemandRequirement(db.Model):
    """One performance requirement of a demand (name, target value, unit, mandatory or not)."""

    __tablename__ = "demand_requirement"

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demand.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    target_value: Mapped[str] = mapped_column(String(100), default="")
    unit: Mapped[str] = mapped_column(String(40), default="")
    mandatory: Mapped[bool] = mapped_column(Boolean, default=True)

    demand: Mapped[Demand] = relationship(back_populates="requirements")


class DemandCode(db.Model):
    __tablename__ = "demand_code"
    __table_args__ = (UniqueConstraint("demand_id", "scheme", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demand.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(String(16), default="CPV")
    code: Mapped[str] = mapped_column(String(16), index=True)


class DemandRevision(db.Model):
    """A published version of a demand, kept so readers can compare what changed."""

    __tablename__ = "demand_revision"
    __table_args__ = (UniqueConstraint("demand_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demand.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    demand: Mapped[Demand] = relationship(back_populates="revisions")


class Question(TimestampMixin, db.Model):
    """A supplier's question on a published demand and the officer's public answer."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demand.id", ondelete="CASCADE"), index=True)
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    body: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: A corrected answer: when the first one was published, and the answer it replaced
    #: (shown beside it: a public answer is never changed without a trace).
    first_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    earlier_answer: Mapped[str | None] = mapped_column(Text)

    demand: Mapped[Demand] = relationship()
    asked_by: Mapped[User] = relationship(foreign_keys=[asked_by_id])
    organisation: Mapped[Organisation | None] = relationship()


class ProductStatus(enum.StrEnum):
    DRAFT = "draft"
    LISTED = "listed"
    SUSPENDED = "suspended"
    ARCHIVED = "archived"


class Product(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """혁신제품: a product a supplier offers to the public sector."""

    __tablename__ = "product"
    __table_args__ = (
        Index("ix_product_status_listed", "status", "listed_at"),
        Index("ix_product_status_deleted_updated", "status", "deleted_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    trl: Mapped[int | None] = mapped_column(Integer)
    price: Mapped[int | None] = mapped_column(BigInteger)
    unit: Mapped[str | None] = mapped_column(String(40))
    regions: Mapped[list] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(8), default="ko")
    status: Mapped[str] = mapped_column(String(16), default=ProductStatus.DRAFT, index=True)
    listed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    status_note: Mapped[str | None] = mapped_column(String(500))

    supplier: Mapped[Organisation] = relationship(foreign_keys=[supplier_id])
    specs: Mapped[list[ProductSpec]] = relationship(
        cascade="all, delete-orphan", order_by="ProductSpec.position"
    )
    codes: Mapped[list[ProductCode]] = relationship(
        cascade="all, delete-orphan", order_by="ProductCode.code"
    )
    certifications: Mapped[list[Certification]] = relationship(
        cascade="all, delete-orphan", order_by="Certification.id"
    )
    patents: Mapped[list[Patent]] = relationship(cascade="all, delete-orphan", order_by="Patent.id")

    @property
    def code_values(self) -> list[str]:
        return [c.code for c in self.codes]


class ProductSpec(db.Model):
    __tablename__ = "product_spec"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    value: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(40), default="")


class ProductCode(db.Model):
    __tablename__ = "product_code"
    __table_args__ = (UniqueConstraint("product_id", "scheme", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), index=True
    )
    scheme: Mapped[str] = mapped_column(String(16), default="CPV")
    code: Mapped[str] = mapped_column(String(16), index=True)


class Certification(db.Model):
    """A certification the product holds (type, number, issuer, valid until)."""

    __tablename__ = "certification"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(100))
    number: Mapped[str] = mapped_column(String(100))
    issuer: Mapped[str] = mapped_column(String(200))
    valid_until: Mapped[date | None] = mapped_column(Date)


class Patent(db.Model):
    __tablename__ = "patent"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))


class ProposalStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SHORTLISTED = "shortlisted"
    DECLINED = "declined"
    ACCEPTED = "accepted"
    WITHDRAWN = "withdrawn"


class Compliance(enum.StrEnum):
    EXCEEDS = "exceeds"
    MEETS = "meets"
    PARTLY = "partly"
    NO = "no"


class ReverseProposal(TimestampMixin, VersionedMixin, db.Model):
    """역제안: a supplier's proposal, answering a demand or unsolicited (agency or category)."""

    __tablename__ = "reverse_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("demand.id"), index=True)
    target_agency_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    target_code: Mapped[str | None] = mapped_column(String(16))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    price_offer: Mapped[int | None] = mapped_column(BigInteger)
    delivery_plan: Mapped[str] = mapped_column(Text, default="")
    delivery_days: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=ProposalStatus.DRAFT, index=True)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The version of the demand the proposal answered when it was submitted.
    demand_revision: Mapped[int | None] = mapped_column(Integer)
    #: Withdrawn as a draft (never sent, or taken back to revise): what it holds was never
    #: sent, so it stays its supplier's alone.
    withdrawn_unsent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    supplier: Mapped[Organisation] = relationship(foreign_keys=[supplier_id])
    demand: Mapped[Demand | None] = relationship()
    target_agency: Mapped[Organisation | None] = relationship(foreign_keys=[target_agency_id])
    product: Mapped[Product | None] = relationship()
    responses: Mapped[list[RequirementResponse]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan"
    )

    @property
    def is_unsolicited(self) -> bool:
        return self.demand_id is None

    @property
    def receiving_agency_id(self) -> int | None:
        """The agency that decides on this proposal (none for a category-only proposal)."""
        return self.demand.agency_id if self.demand is not None else self.target_agency_id

    def response_for(self, requirement_id: int) -> RequirementResponse | None:
        for response in self.responses:
            if response.requirement_id == requirement_id:
                return response
        return None


class RequirementResponse(db.Model):
    """The supplier's answer to one performance requirement."""

    __tablename__ = "requirement_response"
    __table_args__ = (UniqueConstraint("proposal_id", "requirement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("reverse_proposal.id", ondelete="CASCADE"), index=True
    )
    requirement_id: Mapped[int] = mapped_column(ForeignKey("demand_requirement.id"))
    compliance: Mapped[str] = mapped_column(String(16))
    offered_value: Mapped[str] = mapped_column(String(200), default="")
    evidence: Mapped[str] = mapped_column(Text, default="")

    proposal: Mapped[ReverseProposal] = relationship(back_populates="responses")
    requirement: Mapped[DemandRequirement] = relationship()


class IdeaStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    ADOPTED = "adopted"


class CitizenIdea(TimestampMixin, VersionedMixin, db.Model):
    """국민 제안: a problem a citizen saw in daily life, moderated and possibly adopted."""

    __tablename__ = "citizen_idea"
    __table_args__ = (Index("ix_citizen_idea_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text)
    suggestion: Mapped[str] = mapped_column(Text, default="")
    region: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=IdeaStatus.SUBMITTED, index=True)
    moderation_note: Mapped[str | None] = mapped_column(String(500))
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    adopted_by_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    adopted_by: Mapped[Organisation | None] = relationship(foreign_keys=[adopted_by_id])
