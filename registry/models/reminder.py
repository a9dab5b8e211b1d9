"""Review reminders: one row for each reminder of an agreement's review, claimed before it is sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.dates import utcnow
from registry.extensions import db
from registry.models.types import UTCDateTime

# claimed: a run inserted the row and is sending (or stopped before it could say how it went);
# sent: the mail server accepted the message; unconfirmed: the connection failed while sending,
# so the message may or may not have gone. Neither claimed nor unconfirmed rows are sent again.
REMINDER_STATUSES = ("claimed", "sent", "unconfirmed")


class ReviewReminder(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "review_reminder"
    __table_args__ = (
        UniqueConstraint("agreement_id", "next_review_date", "threshold", name="uq_review_reminder_once"),
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in REMINDER_STATUSES)})", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"))
    # the review date the reminder was for: a new date after a review starts its reminders afresh
    next_review_date: Mapped[date]
    # "90", "30", "due", "overdue-1", "overdue-2", ...
    threshold: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="claimed")
    recipients: Mapped[str] = mapped_column(Text)  # email addresses, comma-separated
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
