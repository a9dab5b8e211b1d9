"""One-time submission tokens: a form that creates a record is saved once, however often it is sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db
from registry.models.types import UTCDateTime


class SubmissionToken(db.Model):  # type: ignore[name-defined,misc]
    """A create form's token, claimed by the request that saved it (in the same transaction).

    The token is random and grants nothing, so it is kept as sent. ``location`` is where that
    request sent the browser (the new record), so a second sending of the form goes there too.
    Rows older than ``services.submissions.KEEP`` are removed as new ones are claimed.
    """

    __tablename__ = "submission_token"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    location: Mapped[str | None] = mapped_column(String(500))
