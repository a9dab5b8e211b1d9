"""A user's private calendar feed of review dates: only a hash of its secret token is stored."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.dates import utcnow
from registry.extensions import db
from registry.models.types import UTCDateTime

if TYPE_CHECKING:
    from registry.models.user import User


class CalendarFeed(db.Model):  # type: ignore[name-defined,misc]
    """At most one per user: making a new one replaces (and so revokes) the old."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    # SHA-256 of the token, hex: the token itself is shown once and never stored
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
