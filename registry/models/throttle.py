"""Counts of failed sign-ins per account and per address, kept in the database so every worker sees them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db
from registry.models.types import UTCDateTime


class SignInThrottle(db.Model):  # type: ignore[name-defined,misc]
    """One counter per key: ``account:`` or ``address:`` and a SHA-256 of the email address or IP address.

    Only a hash is kept, so whatever was typed in the email box is not stored here. ``failures``
    counts within the window that began at ``window_started_at``; ``locked_until`` is set once the
    limit is reached, and sign-ins for the key are refused until then.
    """

    __tablename__ = "sign_in_throttle"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
