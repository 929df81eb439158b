"""Accounts: organisations (수요기관, 조달기업, operator), users, roles and API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procure.extensions import db
from procure.models.base import (
    SoftDeleteMixin,
    TimestampMixin,
    UTCDateTime,
    VersionedMixin,
    utcnow,
)


class OrganisationKind(enum.StrEnum):
    AGENCY = "agency"  # 수요기관
    SUPPLIER = "supplier"  # 조달기업
    OPERATOR = "operator"  # the central procurement service


class Role(enum.StrEnum):
    CITIZEN = "citizen"
    OFFICER = "officer"
    SUPPLIER = "supplier"
    EVALUATOR = "evaluator"
    OPERATOR = "operator"


# The role a member gets from the kind of organisation they belong to.
ROLE_FOR_KIND = {
    OrganisationKind.AGENCY: Role.OFFICER,
    OrganisationKind.SUPPLIER: Role.SUPPLIER,
    OrganisationKind.OPERATOR: Role.OPERATOR,
}


class Organisation(TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """An agency (수요기관), a supplier (조달기업) or the operator."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    business_number: Mapped[str | None] = mapped_column(String(10), unique=True)
    is_sme: Mapped[bool] = mapped_column(Boolean, default=False)
    region: Mapped[str | None] = mapped_column(String(16))
    website: Mapped[str | None] = mapped_column(String(300))
    # Suppliers opt in to be told when a new demand strongly matches one of their products.
    match_alerts: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", use_alter=True, name="fk_organisation_verified_by_id_user")
    )

    members: Mapped[list[User]] = relationship(
        back_populates="organisation", foreign_keys="User.organisation_id"
    )

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def display_name(self, locale: str = "ko") -> str:
        return (self.name_en or self.name) if locale == "en" else self.name


class User(UserMixin, TimestampMixin, VersionedMixin, SoftDeleteMixin, db.Model):
    """A person with an account; belongs to at most one organisation."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    phone: Mapped[str | None] = mapped_column(String(32))
    # A member acts for the organisation only once an operator approved the membership.
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation | None] = relationship(
        back_populates="members", foreign_keys=[organisation_id]
    )
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.deleted_at is None

    @property
    def can_act_for_organisation(self) -> bool:
        """True when the user may act on behalf of a verified organisation."""
        org = self.organisation
        return bool(org and org.is_verified and self.approved_at and not org.is_deleted)

    @property
    def primary_role(self) -> str:
        for role in (Role.OPERATOR, Role.OFFICER, Role.SUPPLIER, Role.EVALUATOR):
            if role in self.roles:
                return role
        return Role.CITIZEN


class UserRole(db.Model):
    """One role held by one user."""

    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(Integer)

    user: Mapped[User] = relationship(back_populates="role_rows")


class ApiToken(db.Model):
    """A personal API token; only its SHA-256 digest is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class LoginAttempt(db.Model):
    """One login attempt, kept to throttle guessing by account and by address."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_at", "email", "attempted_at"),
        Index("ix_login_attempt_address_at", "address", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
