"""Competitive dialogue (경쟁적 대화방식): the procedure, its participants, private threads,
proposals, score sheets and the versioned specification."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.extensions import db
from procure.models.accounts import Organisation, User
from procure.models.base import TimestampMixin, UTCDateTime, VersionedMixin, utcnow
from procure.models.market import Demand


class DialogueStatus(enum.StrEnum):
    """The procedure's state; the stage it is in (see procure.dialogue.services.TRANSITIONS)."""

    DRAFT = "draft"
    BASIC_PROPOSALS = "basic_proposals"
    BASIC_EVALUATION = "basic_evaluation"
    DIALOGUE_1 = "dialogue_1"
    DIALOGUE_2 = "dialogue_2"
    SPECIFICATION = "specification"
    FINAL_PROPOSALS = "final_proposals"
    FINAL_EVALUATION = "final_evaluation"
    AWARDED = "awarded"
    CANCELLED = "cancelled"


class ParticipantStatus(enum.StrEnum):
    APPLICANT = "applicant"  # submitted a basic proposal, not yet selected
    PARTNER = "partner"  # selected for the dialogue
    NOT_SELECTED = "not_selected"


class ProposalKind(enum.StrEnum):
    BASIC = "basic"
    FINAL = "final"


class Dialogue(TimestampMixin, VersionedMixin, db.Model):
    """One competitive dialogue run by an agency for one demand of type "dialogue"."""

    __tablename__ = "dialogue"

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demand.id"), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    title: Mapped[str] = mapped_column(String(200))
    notice: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(24), default=DialogueStatus.DRAFT, index=True)
    technical_weight: Mapped[int] = mapped_column(Integer, default=80)
    price_weight: Mapped[int] = mapped_column(Integer, default=20)
    min_partners: Mapped[int] = mapped_column(Integer, default=2)
    basic_scheme: Mapped[str] = mapped_column(String(64))
    final_scheme: Mapped[str] = mapped_column(String(64))
    basic_due_on: Mapped[date] = mapped_column(Date)
    dialogue_1_due_on: Mapped[date] = mapped_column(Date)
    dialogue_2_due_on: Mapped[date] = mapped_column(Date)
    final_due_on: Mapped[date] = mapped_column(Date)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When each state was entered: {"basic_proposals": "2026-...", ...}
    stage_log: Mapped[dict] = mapped_column(JSON, default=dict)
    winner_supplier_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    award_reason: Mapped[str | None] = mapped_column(Text)
    override_reason: Mapped[str | None] = mapped_column(Text)
    award_scores: Mapped[list | None] = mapped_column(JSON)
    awarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    demand: Mapped[Demand] = relationship()
    agency: Mapped[Organisation] = relationship(foreign_keys=[agency_id])
    participants: Mapped[list[DialogueParticipant]] = relationship(
        back_populates="dialogue", order_by="DialogueParticipant.id"
    )
    winner_supplier: Mapped[Organisation | None] = relationship(foreign_keys=[winner_supplier_id])
    spec_versions: Mapped[list[SpecVersion]] = relationship(
        back_populates="dialogue", order_by="SpecVersion.number"
    )
    committee: Mapped[list[DialogueEvaluator]] = relationship(
        back_populates="dialogue", order_by="DialogueEvaluator.id"
    )


class DialogueParticipant(TimestampMixin, db.Model):
    """A supplier taking part: an applicant once it submits a basic proposal, then a partner."""

    __tablename__ = "dialogue_participant"
    __table_args__ = (UniqueConstraint("dialogue_id", "supplier_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(
        ForeignKey("dialogue.id", ondelete="CASCADE"), index=True
    )
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ParticipantStatus.APPLICANT)
    selected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    dialogue: Mapped[Dialogue] = relationship(back_populates="participants")
    supplier: Mapped[Organisation] = relationship()
    proposals: Mapped[list[DialogueProposal]] = relationship(
        back_populates="participant", order_by="DialogueProposal.id"
    )
    messages: Mapped[list[DialogueMessage]] = relationship(
        back_populates="participant", order_by="DialogueMessage.id"
    )
    conflicts: Mapped[list[DialogueConflict]] = relationship(
        back_populates="participant", order_by="DialogueConflict.id"
    )

    @property
    def is_partner(self) -> bool:
        return self.status == ParticipantStatus.PARTNER

    def proposal(self, kind: str) -> DialogueProposal | None:
        return next((p for p in self.proposals if p.kind == kind), None)


class DialogueProposal(TimestampMixin, VersionedMixin, db.Model):
    """A basic proposal (기본제안) or a final proposal with price (최종제안); confidential."""

    __tablename__ = "dialogue_proposal"
    __table_args__ = (UniqueConstraint("participant_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("dialogue_participant.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    price: Mapped[int | None] = mapped_column(BigInteger)
    spec_number: Mapped[int | None] = mapped_column(Integer)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    technical_score: Mapped[float | None] = mapped_column(Float)
    result: Mapped[dict | None] = mapped_column(JSON)

    participant: Mapped[DialogueParticipant] = relationship(back_populates="proposals")
    sheets: Mapped[list[DialogueSheet]] = relationship(
        back_populates="proposal", order_by="DialogueSheet.id"
    )


class DialogueMessage(db.Model):
    """One message in the private thread between the agency and one partner."""

    __tablename__ = "dialogue_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("dialogue_participant.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("dialogue_message.id"))
    stage: Mapped[str] = mapped_column(String(24))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    from_agency: Mapped[bool] = mapped_column(Boolean)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participant: Mapped[DialogueParticipant] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()


class SpecVersion(db.Model):
    """One version of the specification; every version is kept, the final one is marked."""

    __tablename__ = "dialogue_spec_version"
    __table_args__ = (UniqueConstraint("dialogue_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(
        ForeignKey("dialogue.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(300), default="")
    is_final: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    dialogue: Mapped[Dialogue] = relationship(back_populates="spec_versions")


class DialogueSheet(TimestampMixin, VersionedMixin, db.Model):
    """One evaluator's submitted score sheet on one proposal (the scoring library's ScoreSheet)."""

    __tablename__ = "dialogue_sheet"
    __table_args__ = (UniqueConstraint("proposal_id", "evaluator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("dialogue_proposal.id", ondelete="CASCADE"), index=True
    )
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposal: Mapped[DialogueProposal] = relationship(back_populates="sheets")
    evaluator: Mapped[User] = relationship()


class DialogueEvaluator(db.Model):
    """A member of a dialogue's evaluation committee: an evaluator from outside the agency.

    Once a dialogue has a committee, its members score the proposals instead of the agency's
    officers (docs/dialogue.md, "Evaluation committee")."""

    __tablename__ = "dialogue_evaluator"
    __table_args__ = (UniqueConstraint("dialogue_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(
        ForeignKey("dialogue.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    dialogue: Mapped[Dialogue] = relationship(back_populates="committee")
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class DialogueConflict(db.Model):
    """A committee member's declaration, before reading a participant's proposals, of whether
    they have a conflict of interest with that supplier. A declared conflict is final."""

    __tablename__ = "dialogue_conflict"
    __table_args__ = (UniqueConstraint("participant_id", "evaluator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("dialogue_participant.id", ondelete="CASCADE"), index=True
    )
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    has_conflict: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(500))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participant: Mapped[DialogueParticipant] = relationship(back_populates="conflicts")
