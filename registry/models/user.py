"""Staff and partner user accounts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.dates import utcnow
from registry.extensions import db
from registry.models.types import UTCDateTime

if TYPE_CHECKING:
    from registry.models.organisation import Organisation


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    IG_OFFICER = "ig_officer"
    PARTNER = "partner"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.MANAGER: "Partnership manager",
    Role.IG_OFFICER: "Information governance officer",
    Role.PARTNER: "Partner organisation user",
}


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'manager', 'ig_officer', 'partner')", name="role_known"),
        CheckConstraint("role != 'partner' OR organisation_id IS NOT NULL", name="partner_has_organisation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # a partner user who may sign agreements for their organisation
    is_signatory: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # two-factor sign-in (TOTP): the base32 secret, when it was turned on (None: off), and the
    # time-step counter of the last code accepted, so a code cannot be used twice
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    two_factor_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_counter: Mapped[int | None] = mapped_column(BigInteger)

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    AUDITED = ("email", "name", "role", "organisation_id", "active", "is_signatory")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def two_factor_on(self) -> bool:
        return self.two_factor_enabled_at is not None and self.totp_secret is not None

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
