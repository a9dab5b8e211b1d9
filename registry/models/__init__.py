"""SQLAlchemy models, one module per aggregate."""

from registry.models.agreement import (
    Agreement,
    AgreementVersion,
    DataItem,
    Party,
    ReferenceCounter,
    Review,
    StatutoryGateway,
    SubjectGroup,
)
from registry.models.audit import AuditChainHead, AuditEvent
from registry.models.calendar_feed import CalendarFeed
from registry.models.document import Signature, SignedDocument
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
from registry.models.reminder import ReviewReminder
from registry.models.submission import SubmissionToken
from registry.models.tally import AgreementReviewTally, AgreementTally
from registry.models.throttle import SignInThrottle
from registry.models.user import Role, User
from registry.models.user_session import RecoveryCode, UserSession

__all__ = [
    "Agreement",
    "AgreementReviewTally",
    "AgreementTally",
    "AgreementVersion",
    "AuditChainHead",
    "AuditEvent",
    "CalendarFeed",
    "Community",
    "DataItem",
    "MemberRole",
    "Membership",
    "Objective",
    "Organisation",
    "OrganisationKind",
    "OrganisationStatus",
    "Partnership",
    "PartnershipStatus",
    "Party",
    "Priority",
    "ProgressUpdate",
    "RecoveryCode",
    "ReferenceCounter",
    "Review",
    "ReviewReminder",
    "Role",
    "Sector",
    "SignInThrottle",
    "Signature",
    "SignedDocument",
    "StatutoryGateway",
    "SubjectGroup",
    "SubmissionToken",
    "User",
    "UserSession",
]
