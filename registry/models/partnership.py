"""Partnerships, their members over time, shared objectives and measured progress."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index, Numeric, String, Table, Text, func, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.dates import today_in_london, utcnow
from registry.extensions import db
from registry.models.types import UTCDateTime

if TYPE_CHECKING:
    from registry.models.organisation import Organisation
    from registry.models.user import User


class PartnershipStatus(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class MemberRole(StrEnum):
    LEAD = "lead"
    MEMBER = "member"
    FUNDER = "funder"
    OBSERVER = "observer"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Priority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Partnership(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "partnership"
    __table_args__ = (
        CheckConstraint("status IN ('proposed', 'active', 'closed')", name="status_known"),
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    purpose: Mapped[str] = mapped_column(Text)
    lead_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=PartnershipStatus.PROPOSED.value, index=True)
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    strategies: Mapped[list[str]] = mapped_column(JSON, default=list)
    risk_reward_sharing: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    lead_organisation: Mapped[Organisation] = relationship(lazy="joined")

    AUDITED = (
        "name", "purpose", "lead_organisation_id", "status", "start_date", "end_date", "strategies",
        "risk_reward_sharing",
    )  # fmt: skip

    @property
    def status_label(self) -> str:
        return PartnershipStatus(self.status).label

    def has_current_member(self, organisation_id: int | None) -> bool:
        if organisation_id is None:
            return False
        today = today_in_london()
        query = (
            select(func.count())
            .select_from(Membership)
            .where(
                Membership.partnership_id == self.id,
                Membership.organisation_id == organisation_id,
                or_(Membership.left_on.is_(None), Membership.left_on > today),
            )
        )
        return bool(db.session.scalar(query))


class Membership(db.Model):  # type: ignore[name-defined,misc]
    """One spell of an organisation in a partnership; leaving sets left_on, history is kept."""

    __tablename__ = "membership"
    __table_args__ = (
        CheckConstraint("role IN ('lead', 'member', 'funder', 'observer')", name="role_known"),
        CheckConstraint("left_on IS NULL OR left_on >= joined_on", name="leaves_after_joining"),
        Index("ix_membership_organisation_partnership", "organisation_id", "partnership_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    role: Mapped[str] = mapped_column(String(20))
    joined_on: Mapped[date]
    left_on: Mapped[date | None]

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    AUDITED = ("partnership_id", "organisation_id", "role", "joined_on", "left_on")

    def is_current(self, on: date | None = None) -> bool:
        on = on or today_in_london()
        return self.left_on is None or self.left_on > on

    @property
    def role_label(self) -> str:
        return MemberRole(self.role).label


objective_community = Table(
    "objective_community",
    db.metadata,
    Column("objective_id", ForeignKey("objective.id"), primary_key=True),
    Column("community_id", ForeignKey("community.id"), primary_key=True),
)


class Community(db.Model):  # type: ignore[name-defined,misc]
    """A managed list of the communities objectives are for (retired, never deleted)."""

    __tablename__ = "community"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    active: Mapped[bool] = mapped_column(default=True)


class Objective(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "objective"
    __table_args__ = (
        CheckConstraint("priority IN ('high', 'medium', 'low')", name="priority_known"),
        CheckConstraint("target_date > baseline_date", name="target_after_baseline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(10), index=True)
    owner_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    baseline_date: Mapped[date]
    target_date: Mapped[date]
    indicator: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(60))
    baseline: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    target: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    partnership: Mapped[Partnership] = relationship(lazy="joined")
    owner: Mapped[Organisation] = relationship(lazy="joined")
    communities: Mapped[list[Community]] = relationship(
        secondary=objective_community, lazy="selectin", order_by="Community.name"
    )

    AUDITED = (
        "title", "description", "priority", "owner_organisation_id", "baseline_date", "target_date",
        "indicator", "unit", "baseline", "target",
    )  # fmt: skip

    @property
    def priority_label(self) -> str:
        return Priority(self.priority).label


class ProgressUpdate(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "progress_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objective.id"), index=True)
    recorded_on: Mapped[date]
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    narrative: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship(lazy="joined")

    AUDITED = ("objective_id", "recorded_on", "value", "narrative")

    def as_dict(self) -> dict[str, Any]:
        return {"recorded_on": self.recorded_on, "value": self.value}
