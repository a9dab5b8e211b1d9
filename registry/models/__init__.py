"""SQLAlchemy models, one module per aggregate."""

from registry.models.audit import AuditEvent
from registry.models.organisation import Organisation, OrganisationKind, OrganisationStatus, Sector
from registry.models.partnership import (
    Community,
    MemberRole,
    Membership,
    Objective,
    Partnership,
    PartnershipStatus,
    Priority,
    ProgressUpdate,
)
from registry.models.user import Role, User

__all__ = [
    "AuditEvent",
    "Community",
    "MemberRole",
    "Membership",
    "Objective",
    "Organisation",
    "OrganisationKind",
    "OrganisationStatus",
    "Partnership",
    "PartnershipStatus",
    "Priority",
    "ProgressUpdate",
    "Role",
    "Sector",
    "User",
]
