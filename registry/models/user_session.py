"""Server-side records of signed-in sessions, and two-factor recovery codes.

The signed session cookie carries a random token; only its SHA-256 is stored here. A request
is signed in only while its row has not ended, so signing out (or a password, role or status
change) ends a session for good, even for someone holding a copy of the old cookie.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.dates import utcnow
from registry.extensions import db
from registry.models.types import UTCDateTime


class UserSession(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # SHA-256 of the cookie's token, hex: the token itself is never stored
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the last request that changed something, or the sign-in (updated at most once a minute)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # signed_out, password_changed, role_changed, deactivated, two_factor_reset, ended_by_user
    ended_reason: Mapped[str | None] = mapped_column(String(40))
    user_agent: Mapped[str | None] = mapped_column(String(200))


class RecoveryCode(db.Model):  # type: ignore[name-defined,misc]
    """A single-use two-factor recovery code: only its SHA-256 is stored."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
