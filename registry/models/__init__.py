"""SQLAlchemy models, one module per aggregate."""

from registry.models.audit import AuditEvent
from registry.models.organisation import Organisation, OrganisationKind, OrganisationStatus, Sector
from registry.models.user import Role, User

__all__ = [
    "AuditEvent",
    "Organisation",
    "OrganisationKind",
    "OrganisationStatus",
    "Role",
    "Sector",
    "User",
]
