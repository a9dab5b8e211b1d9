"""Data-sharing agreements: the record, its parties, data, versions and reviews."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.dates import utcnow
from registry.extensions import db
from registry.models import agreement_choices as choices
from registry.models.types import UTCDateTime

if TYPE_CHECKING:
    from registry.models.organisation import Organisation
    from registry.models.partnership import Objective, Partnership
    from registry.models.user import User


def _in(column: str, values: dict | tuple) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


agreement_objective = Table(
    "agreement_objective",
    db.metadata,
    Column("agreement_id", ForeignKey("agreement.id"), primary_key=True),
    Column("objective_id", ForeignKey("objective.id"), primary_key=True),
)

agreement_gateway = Table(
    "agreement_gateway",
    db.metadata,
    Column("agreement_id", ForeignKey("agreement.id"), primary_key=True),
    Column("gateway_id", ForeignKey("statutory_gateway.id"), primary_key=True),
)


class StatutoryGateway(db.Model):  # type: ignore[name-defined,misc]
    """A managed list of the statutory powers that allow or require sharing."""

    __tablename__ = "statutory_gateway"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    active: Mapped[bool] = mapped_column(default=True)


class ReferenceCounter(db.Model):  # type: ignore[name-defined,misc]
    """The last reference number given out in each year (DSA-YYYY-NNNN)."""

    __tablename__ = "reference_counter"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class Agreement(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "agreement"
    __table_args__ = (
        CheckConstraint(_in("kind", choices.KINDS), name="kind_known"),
        CheckConstraint(_in("status", choices.STATUSES), name="status_known"),
        CheckConstraint("review_interval_months BETWEEN 1 AND 36", name="review_interval_sensible"),
        # the register's sorts, each ending in the id, for keyset pages (migration 0010; the review
        # date sort's index is on an expression, so it is in the migration only)
        Index("ix_agreement_title_id", "title", "id"),
        Index("ix_agreement_updated_at_id", "updated_at", "id"),
        Index("ix_agreement_status_next_review_date", "status", "next_review_date"),
        Index("ix_agreement_status_reference", "status", "reference"),
        Index("ix_agreement_status_title_id", "status", "title", "id"),
        Index("ix_agreement_status_updated_at_id", "status", "updated_at", "id"),
        Index("ix_agreement_status_readiness_gaps", "status", "readiness_gaps"),  # 0011
        # at most one open variation per agreement (0013)
        Index("uq_agreement_open_variation", "variation_of_id", unique=True,
              sqlite_where=text("variation_of_id IS NOT NULL AND variation_ended_at IS NULL"),
              postgresql_where=text("variation_of_id IS NOT NULL AND variation_ended_at IS NULL")),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    # DSA-YYYY-NNNN; a variation's is its agreement's with -VAR<n>. SQLite ignores declared lengths, and
    # widening the column there would rebuild the table and drop its search and tally triggers (0013)
    reference: Mapped[str] = mapped_column(String(14).with_variant(String(20), "postgresql"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), index=True)
    status: Mapped[str] = mapped_column(String(30), default="draft", index=True)
    version_number: Mapped[int] = mapped_column(default=1)
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnership.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    # purpose and necessity
    purpose: Mapped[str | None] = mapped_column(Text)
    benefits: Mapped[str | None] = mapped_column(Text)
    necessity: Mapped[str | None] = mapped_column(Text)
    less_data_rationale: Mapped[str | None] = mapped_column(Text)

    # legal basis
    art6_basis: Mapped[str | None] = mapped_column(String(30))
    art9_condition: Mapped[str | None] = mapped_column(String(5))
    schedule1_condition: Mapped[str | None] = mapped_column(String(10))
    policy_document_in_place: Mapped[bool | None]
    criminal_condition: Mapped[str | None] = mapped_column(String(30))
    law_enforcement_processing: Mapped[bool] = mapped_column(default=False)
    other_gateways: Mapped[str | None] = mapped_column(Text)
    common_law_duty: Mapped[str | None] = mapped_column(Text)
    national_data_opt_out: Mapped[str | None] = mapped_column(String(20))
    confirmed_anonymised: Mapped[bool] = mapped_column(default=False)

    # data
    identifiability: Mapped[str | None] = mapped_column(String(20))
    approximate_volume: Mapped[str | None] = mapped_column(String(200))

    # flow
    direction: Mapped[str | None] = mapped_column(String(20))
    frequency: Mapped[str | None] = mapped_column(String(20))
    transfer_method: Mapped[str | None] = mapped_column(Text)
    access_controls: Mapped[str | None] = mapped_column(Text)
    onward_sharing: Mapped[str | None] = mapped_column(Text)
    international_transfers: Mapped[bool] = mapped_column(default=False)
    transfer_safeguards: Mapped[str | None] = mapped_column(Text)
    security_measures: Mapped[str | None] = mapped_column(Text)

    # governance
    dpia_screening: Mapped[dict[str, bool] | None] = mapped_column(JSON)
    dpia_reference: Mapped[str | None] = mapped_column(String(100))
    dpia_date: Mapped[date | None]
    dpia_outcome: Mapped[str | None] = mapped_column(String(30))
    privacy_notice_links: Mapped[str | None] = mapped_column(Text)
    breach_contact: Mapped[str | None] = mapped_column(Text)
    termination_arrangements: Mapped[str | None] = mapped_column(Text)

    # dates
    effective_from: Mapped[date | None]
    end_date: Mapped[date | None]
    review_interval_months: Mapped[int] = mapped_column(default=12)
    next_review_date: Mapped[date | None] = mapped_column(index=True)

    return_comments: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # how many gaps the readiness check finds in the record as it stands, kept by services/tallies.py
    readiness_gaps: Mapped[int | None]
    # bumped on every save; forms carry it so a stale edit is refused
    lock_version: Mapped[int] = mapped_column(default=1)
    # four-eyes approval: neither of these may approve the version (policy.four_eyes_problem)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    last_edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    # A proposed variation is a row of its own beside the agreement in the register, which stays the
    # version in force until the variation is approved and signed by every party (services/variations.py).
    variation_of_id: Mapped[int | None] = mapped_column(ForeignKey("agreement.id"), index=True)
    # on a variation: how it closed (VARIATION_OUTCOMES) and when; both empty while it is open
    variation_outcome: Mapped[str | None] = mapped_column(String(20))
    variation_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # on an agreement in the register: the status of its open variation, for lists and filters
    variation_status: Mapped[str | None] = mapped_column(String(30), index=True)

    partnership: Mapped[Partnership | None] = relationship(lazy="joined")
    # a proposed variation's agreement in the register (loaded only when asked for)
    variation_of: Mapped[Agreement | None] = relationship(remote_side=[id], lazy="select")
    owner: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[owner_id])
    parties: Mapped[list[Party]] = relationship(
        back_populates="agreement", lazy="selectin", order_by="Party.id", cascade="all, delete-orphan"
    )
    data_items: Mapped[list[DataItem]] = relationship(
        lazy="selectin", order_by="DataItem.id", cascade="all, delete-orphan"
    )
    subject_groups: Mapped[list[SubjectGroup]] = relationship(
        lazy="selectin", order_by="SubjectGroup.id", cascade="all, delete-orphan"
    )
    objectives: Mapped[list[Objective]] = relationship(secondary=agreement_objective, lazy="selectin")
    gateways: Mapped[list[StatutoryGateway]] = relationship(
        secondary=agreement_gateway, lazy="selectin", order_by="StatutoryGateway.name"
    )

    # the fields of the record itself (child rows are snapshotted separately)
    RECORD_FIELDS = (
        "title", "kind", "partnership_id", "purpose", "benefits", "necessity", "less_data_rationale",
        "art6_basis", "art9_condition", "schedule1_condition", "policy_document_in_place", "criminal_condition",
        "law_enforcement_processing", "other_gateways", "common_law_duty", "national_data_opt_out",
        "confirmed_anonymised", "identifiability", "approximate_volume", "direction", "frequency",
        "transfer_method", "access_controls", "onward_sharing", "international_transfers", "transfer_safeguards",
        "security_measures", "dpia_screening", "dpia_reference", "dpia_date", "dpia_outcome",
        "privacy_notice_links", "breach_contact", "termination_arrangements", "effective_from", "end_date",
        "review_interval_months", "next_review_date",
    )  # fmt: skip
    AUDITED = (*RECORD_FIELDS, "status", "version_number", "owner_id", "return_comments")

    @property
    def is_variation(self) -> bool:
        return self.variation_of_id is not None

    @property
    def is_open_variation(self) -> bool:
        return self.variation_of_id is not None and self.variation_ended_at is None

    @property
    def root_id(self) -> int:
        """The agreement in the register: its versions, signatures and sealed documents are kept under it."""
        return self.variation_of_id or self.id

    @property
    def register_reference(self) -> str:
        """The reference people and documents use: a variation carries its agreement's."""
        return self.reference.rsplit("-VAR", 1)[0]

    @property
    def variation_status_label(self) -> str | None:
        return choices.STATUSES[self.variation_status] if self.variation_status else None

    @property
    def kind_label(self) -> str:
        return choices.KINDS[self.kind]

    @property
    def status_label(self) -> str:
        return choices.STATUSES[self.status]

    @property
    def is_personal(self) -> bool:
        return self.kind != "non_personal"

    @property
    def dpia_required(self) -> bool | None:
        """From the screening: None until answered, else whether any answer is yes."""
        if not self.dpia_screening:
            return None
        return any(self.dpia_screening.values())


class Party(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "party"
    __table_args__ = (
        CheckConstraint(_in("role", choices.PARTY_ROLES), name="role_known"),
        UniqueConstraint("agreement_id", "organisation_id", name="uq_party_agreement_organisation"),
        Index("ix_party_organisation_id_agreement_id", "organisation_id", "agreement_id"),  # 0010
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    signatory_name: Mapped[str | None] = mapped_column(String(200))
    signatory_job_title: Mapped[str | None] = mapped_column(String(200))
    rights_contact: Mapped[str | None] = mapped_column(Text)
    retention_period: Mapped[str | None] = mapped_column(String(200))
    disposal_method: Mapped[str | None] = mapped_column(Text)

    agreement: Mapped[Agreement] = relationship(back_populates="parties")
    organisation: Mapped[Organisation] = relationship(lazy="joined")

    FIELDS = ("organisation_id", "role", "signatory_name", "signatory_job_title", "rights_contact",
              "retention_period", "disposal_method")  # fmt: skip

    @property
    def role_label(self) -> str:
        return choices.PARTY_ROLES[self.role]


class DataItem(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "data_item"
    __table_args__ = (CheckConstraint(_in("category", choices.DATA_CATEGORIES), name="category_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(20), index=True)
    provider_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))

    provider: Mapped[Organisation | None] = relationship(lazy="joined")

    FIELDS = ("name", "description", "category", "provider_organisation_id")

    @property
    def category_label(self) -> str:
        return choices.DATA_CATEGORIES[self.category]


class SubjectGroup(db.Model):  # type: ignore[name-defined,misc]
    """A group of people the data is about, with flags for children and vulnerable adults."""

    __tablename__ = "subject_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    includes_children: Mapped[bool] = mapped_column(default=False)
    includes_vulnerable_adults: Mapped[bool] = mapped_column(default=False)

    FIELDS = ("name", "includes_children", "includes_vulnerable_adults")


class AgreementVersion(db.Model):  # type: ignore[name-defined,misc]
    """An agreement as approved at one moment: a frozen snapshot of the whole record."""

    __tablename__ = "agreement_version"
    __table_args__ = (UniqueConstraint("agreement_id", "number", name="uq_agreement_version_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    number: Mapped[int]
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the version that replaced it in force (None: not replaced, or replaced before 0013 recorded it)
    superseded_by: Mapped[int | None]
    # SHA-256 of the approved document (the PDF every party signs)
    document_sha256: Mapped[str | None] = mapped_column(String(64))

    approved_by: Mapped[User | None] = relationship(lazy="joined")


class Review(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "review"
    __table_args__ = (CheckConstraint(_in("outcome", choices.REVIEW_OUTCOMES), name="outcome_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    reviewed_on: Mapped[date]
    outcome: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    next_review_date: Mapped[date | None]
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reviewer: Mapped[User | None] = relationship(lazy="joined")

    @property
    def outcome_label(self) -> str:
        return choices.REVIEW_OUTCOMES[self.outcome]
