"""Partner organisations: the bodies in partnerships and agreements."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.dates import utcnow
from registry.extensions import db
from registry.models.types import UTCDateTime


class Sector(StrEnum):
    PUBLIC = "public"
    THIRD = "third"
    PRIVATE = "private"

    @property
    def label(self) -> str:
        return {"public": "Public sector", "third": "Third sector", "private": "Private sector"}[self.value]


class OrganisationKind(StrEnum):
    LOCAL_AUTHORITY = "local_authority"
    PARISH_COUNCIL = "parish_council"
    HOUSING_ASSOCIATION = "housing_association"
    NHS_BODY = "nhs_body"
    POLICE = "police"
    FIRE_AND_RESCUE = "fire_and_rescue"
    PROBATION = "probation"
    JOBCENTRE_PLUS = "jobcentre_plus"
    FE_COLLEGE = "fe_college"
    SCHOOL = "school"
    CAREERS_SERVICE = "careers_service"
    VOLUNTARY_GROUP = "voluntary_group"
    CHARITY = "charity"
    SOCIAL_ENTERPRISE = "social_enterprise"
    BUSINESS = "business"
    TELECOMS_PROVIDER = "telecoms_provider"
    OTHER = "other"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    OrganisationKind.LOCAL_AUTHORITY: "Local authority",
    OrganisationKind.PARISH_COUNCIL: "Parish or town council",
    OrganisationKind.HOUSING_ASSOCIATION: "Housing association (RSL)",
    OrganisationKind.NHS_BODY: "NHS body",
    OrganisationKind.POLICE: "Police",
    OrganisationKind.FIRE_AND_RESCUE: "Fire and rescue service",
    OrganisationKind.PROBATION: "Probation service",
    OrganisationKind.JOBCENTRE_PLUS: "Jobcentre Plus (DWP)",
    OrganisationKind.FE_COLLEGE: "Further education college",
    OrganisationKind.SCHOOL: "School",
    OrganisationKind.CAREERS_SERVICE: "Careers service",
    OrganisationKind.VOLUNTARY_GROUP: "Voluntary or community group",
    OrganisationKind.CHARITY: "Charity",
    OrganisationKind.SOCIAL_ENTERPRISE: "Social enterprise",
    OrganisationKind.BUSINESS: "Business",
    OrganisationKind.TELECOMS_PROVIDER: "Telecoms provider",
    OrganisationKind.OTHER: "Other",
}


class OrganisationStatus(StrEnum):
    ACTIVE = "active"
    DISSOLVED = "dissolved"


class Organisation(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "organisation"
    __table_args__ = (
        CheckConstraint("sector IN ('public', 'third', 'private')", name="sector_known"),
        CheckConstraint("status IN ('active', 'dissolved')", name="status_known"),
        CheckConstraint("status = 'dissolved' OR successor_id IS NULL", name="successor_only_if_dissolved"),
        CheckConstraint("successor_id IS NULL OR successor_id != id", name="not_own_successor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # name folded to lower case and trimmed: uniqueness ignores case and surrounding spaces
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)

    ico_registration_number: Mapped[str | None] = mapped_column(String(10))
    companies_house_number: Mapped[str | None] = mapped_column(String(10))
    charity_number: Mapped[str | None] = mapped_column(String(12))
    nhs_ods_code: Mapped[str | None] = mapped_column(String(10))
    ukprn: Mapped[str | None] = mapped_column(String(10))
    school_urn: Mapped[str | None] = mapped_column(String(10))
    rsh_number: Mapped[str | None] = mapped_column(String(10))

    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(10))
    website: Mapped[str | None] = mapped_column(String(300))
    main_contact_name: Mapped[str | None] = mapped_column(String(200))
    main_contact_email: Mapped[str | None] = mapped_column(String(254))
    main_contact_phone: Mapped[str | None] = mapped_column(String(40))
    dpo_name: Mapped[str | None] = mapped_column(String(200))
    dpo_email: Mapped[str | None] = mapped_column(String(254))

    status: Mapped[str] = mapped_column(String(20), default=OrganisationStatus.ACTIVE.value, index=True)
    dissolved_on: Mapped[date | None]
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # bumped on every edit; an edit form carries the version it was read at
    version: Mapped[int] = mapped_column(default=1)

    successor: Mapped[Organisation | None] = relationship(remote_side=[id], lazy="joined", join_depth=1)

    AUDITED = (
        "name", "sector", "kind",
        "ico_registration_number", "companies_house_number", "charity_number", "nhs_ods_code",
        "ukprn", "school_urn", "rsh_number",
        "address", "postcode", "website",
        "main_contact_name", "main_contact_email", "main_contact_phone", "dpo_name", "dpo_email",
        "status", "dissolved_on", "successor_id",
    )  # fmt: skip

    @property
    def sector_label(self) -> str:
        return Sector(self.sector).label

    @property
    def kind_label(self) -> str:
        return OrganisationKind(self.kind).label

    @property
    def is_dissolved(self) -> bool:
        return self.status == OrganisationStatus.DISSOLVED

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name}>"
