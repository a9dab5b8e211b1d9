"""Signatures of agreement versions and the sealed signed documents."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from registry.dates import utcnow
from registry.extensions import db
from registry.models.types import UTCDateTime

if TYPE_CHECKING:
    from registry.models.organisation import Organisation
    from registry.models.user import User


class Signature(db.Model):  # type: ignore[name-defined,misc]
    """One party's signatory signing one version; voided (never deleted) when a new version starts."""

    __tablename__ = "signature"
    __table_args__ = (Index("ix_signature_agreement_version", "agreement_id", "version_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"))
    version_number: Mapped[int]
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # the signing account's own name and email at the time it signed (never typed in)
    signer_name: Mapped[str] = mapped_column(String(200))
    signer_email: Mapped[str | None] = mapped_column(String(254))
    job_title: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    document_sha256: Mapped[str] = mapped_column(String(64))
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="joined")

    @property
    def signed_by(self) -> str:
        """Who signed, as the signed PDF and the page say it: the account's name and email."""
        return f"{self.signer_name} ({self.signer_email})" if self.signer_email else self.signer_name


class SignedDocument(db.Model):  # type: ignore[name-defined,misc]
    """The signed PDF of a version, sealed by the registry, stored with its fingerprint."""

    __tablename__ = "signed_document"
    __table_args__ = (UniqueConstraint("agreement_id", "version_number", name="uq_signed_document_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), index=True)
    version_number: Mapped[int]
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    approved_sha256: Mapped[str] = mapped_column(String(64))  # the document the parties signed
    verification_code: Mapped[str] = mapped_column(String(20), unique=True)
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    size: Mapped[int]
