"""SQLAlchemy models, one module per domain; importing this package registers them all."""

from procure.models.accounts import (
    ApiToken,
    LoginAttempt,
    Organisation,
    OrganisationKind,
    Role,
    User,
    UserRole,
)
from procure.models.audit import AuditEvent

__all__ = [
    "ApiToken",
    "AuditEvent",
    "LoginAttempt",
    "Organisation",
    "OrganisationKind",
    "Role",
    "User",
    "UserRole",
]
