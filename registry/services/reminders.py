"""Review reminders: 90 and 30 days before a review is due, on the day, and each week while overdue.

The owner of the agreement and every active IG officer get one email per reminder. Dates are
decided in Europe/London. Each reminder is for one review date, so the new date a review sets
starts its reminders afresh. A run sends only the latest reminder an agreement has reached (a
run that missed the 90-day one because the date was set 40 days ahead sends the 30-day one
when that comes, not both).

Never sending twice, with two servers running at once and a run that may stop at any moment:

1. **Claim**: insert the reminder's row (unique on agreement, review date, threshold) with
   ``INSERT ... ON CONFLICT DO NOTHING`` and commit. Only one run's insert can succeed; the other
   gets no row back and moves on without sending.
2. **Send**, with no transaction open (no lock is held while the mail server answers).
3. **Confirm**: mark the row sent and record its audit event, in one commit.

The claim is committed *before* sending, so a crash can only ever lose a reminder, never repeat
one: stopped after claiming but before the server took the message, the reminder is not sent
(its row stays ``claimed``); stopped after the server took it but before confirming, it was sent
once and is not sent again. Committing the claim with the confirmation instead would repeat the
email after a crash between sending and committing, which is the failure we refuse. A lost
reminder is not silent: every run lists claims that were never confirmed (``claimed`` for more
than STALE_CLAIM, or ``unconfirmed`` when the connection broke mid-send) so a person can check
the mail server's log. When the server certainly did not take a message (it could not be
reached, or refused it), the claim is released so the next run tries again.

This batch owns its transactions, unlike other services: its guarantee is in where it commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from flask import current_app
from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from registry import mail
from registry.dates import format_date, today_in_london, utcnow
from registry.extensions import db
from registry.models import Agreement, ReviewReminder, Role, User
from registry.services import audit
from registry.services.reviews import LIVE

FIRST, SECOND = 90, 30  # days before the review date
STALE_CLAIM = timedelta(minutes=15)  # a claim this old was left by a run that stopped


def threshold(review_date: date, today: date) -> str | None:
    """The latest reminder reached by today: "90", "30", "due", "overdue-1" (a week late), ... or None."""
    days = (review_date - today).days
    if days > FIRST:
        return None
    if days > SECOND:
        return str(FIRST)
    if days > 0:
        return str(SECOND)
    if days > -7:
        return "due"
    return f"overdue-{-days // 7}"


def describe(key: str) -> str:
    if key.startswith("overdue-"):
        weeks = int(key.removeprefix("overdue-"))
        return f"overdue reminder (week {weeks})"
    return {"due": "due-today reminder"}.get(key, f"{key}-day reminder")


@dataclass(frozen=True)
class Reminder:
    """Plain data, so nothing touches the database between the claim's commit and the send."""

    agreement_id: int
    reference: str
    title: str
    review_date: date
    threshold: str
    days: int  # until the review date; negative when overdue
    recipients: tuple[str, ...]


@dataclass
class Summary:
    considered: int = 0  # agreements whose review is due within 90 days or overdue
    sent: int = 0
    already: int = 0  # sent or claimed by an earlier run
    taken: int = 0  # claimed by another run at the same moment
    nobody: list[str] = field(default_factory=list)  # no active owner or IG officer to tell
    not_sent: list[str] = field(default_factory=list)  # the server did not take it: tried again next run
    unconfirmed: list[str] = field(default_factory=list)  # may or may not have gone: never sent again
    stopped: str | None = None  # why the run stopped early


def _ig_officers() -> list[str]:
    query = select(User.email).where(User.role == Role.IG_OFFICER, User.active).order_by(User.email)
    return list(db.session.scalars(query))


def pending(today: date, summary: Summary) -> list[Reminder]:
    """The reminders reached by today that no run has claimed yet."""
    agreements = list(db.session.scalars(
        select(Agreement)
        .where(Agreement.status.in_(LIVE), Agreement.next_review_date <= today + timedelta(days=FIRST),
               Agreement.variation_of_id.is_(None))
        .order_by(Agreement.next_review_date, Agreement.id)
    ))  # fmt: skip
    claimed = set(db.session.execute(
        select(ReviewReminder.agreement_id, ReviewReminder.threshold)
        .join(Agreement, Agreement.id == ReviewReminder.agreement_id)
        .where(ReviewReminder.next_review_date == Agreement.next_review_date, Agreement.status.in_(LIVE),
               Agreement.variation_of_id.is_(None))
    ).tuples())  # fmt: skip
    officers = _ig_officers()
    found: list[Reminder] = []
    for agreement in agreements:
        review_date = agreement.next_review_date
        key = threshold(review_date, today) if review_date else None
        if key is None:
            continue
        summary.considered += 1
        if (agreement.id, key) in claimed:
            summary.already += 1
            continue
        owner = [agreement.owner.email] if agreement.owner and agreement.owner.active else []
        recipients = tuple(dict.fromkeys([*owner, *officers]))
        reminder = Reminder(agreement.id, agreement.reference, agreement.title, review_date, key,
                            (review_date - today).days, recipients)  # fmt: skip
        if not recipients:
            summary.nobody.append(f"{agreement.reference} ({describe(key)})")
            continue
        found.append(reminder)
    return found


def claim(reminder: Reminder) -> int | None:
    """Insert the reminder's row; its id, or None when another run has it already. The caller commits."""
    table = ReviewReminder.__table__
    values = {"agreement_id": reminder.agreement_id, "next_review_date": reminder.review_date,
              "threshold": reminder.threshold, "status": "claimed", "recipients": ", ".join(reminder.recipients),
              "claimed_at": utcnow()}  # fmt: skip
    dialect = db.session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        make = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            make(table)
            .values(values)
            .on_conflict_do_nothing(index_elements=["agreement_id", "next_review_date", "threshold"])
        )
        return db.session.execute(statement.returning(table.c.id)).scalar()
    try:  # another database: the unique constraint still decides
        with db.session.begin_nested():
            return db.session.execute(insert(table).values(values).returning(table.c.id)).scalar()
    except IntegrityError:
        return None


def _confirm(reminder_id: int, reminder: Reminder, status: str, refused: dict[str, Any] | None = None) -> None:
    sent_at = utcnow() if status == "sent" else None
    db.session.execute(update(ReviewReminder).where(ReviewReminder.id == reminder_id)
                       .values(status=status, sent_at=sent_at))  # fmt: skip
    changes: dict[str, Any] = {
        "reminder": {"before": None, "after": reminder.threshold},
        "review_date": {"before": None, "after": reminder.review_date.isoformat()},
        "recipients": {"before": None, "after": list(reminder.recipients)},
    }
    if refused:
        changes["refused_recipients"] = {"before": None, "after": sorted(refused)}
    action = "agreement.review_reminder_sent" if status == "sent" else "agreement.review_reminder_unconfirmed"
    audit.record(action, "agreement", reminder.reference, actor=None, changes=changes)


def _release(reminder_id: int) -> None:
    db.session.execute(delete(ReviewReminder).where(ReviewReminder.id == reminder_id,
                                                    ReviewReminder.status == "claimed"))  # fmt: skip


NEXT = {
    str(FIRST): f"You will be reminded again {SECOND} days before the review date.",
    str(SECOND): "You will be reminded again on the day if the review has not been recorded by then.",
    "due": "Until the review is recorded you will be reminded each week.",
    "overdue": "Until the review is recorded you will be reminded each week.",
}


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def message(reminder: Reminder, config: Any) -> EmailMessage:
    """The email: plain English with the agreement's title, reference, review date and a link to it."""
    when, days = format_date(reminder.review_date), abs(reminder.days)
    name = f"‘{reminder.title}’ ({reminder.reference})"
    if reminder.days > 0:
        subject = f"Review due in {_count(days, 'day')}"
        opening = f"The data-sharing agreement {name} is due for review on {when}, in {_count(days, 'day')}."
    elif reminder.days == 0:
        subject, opening = "Review due today", f"The data-sharing agreement {name} is due for review today, {when}."
    else:
        subject = f"Review overdue by {_count(days // 7, 'week') if days >= 7 else _count(days, 'day')}"
        opening = (f"The review of the data-sharing agreement {name} was due on {when}. "
                   f"It is now {_count(days, 'day')} overdue.")  # fmt: skip
    link = f"{config['BASE_URL']}/agreements/{reminder.reference}"
    body = "\n\n".join([
        "Hello,",
        opening,
        "Check that the sharing is still needed, lawful and working as agreed, then record the review "
        f"on the agreement’s page:\n{link}",
        NEXT[reminder.threshold if reminder.threshold in NEXT else "overdue"],
        "You get these reminders because you own this agreement or are an information governance officer.",
        f"{config['SERVICE_NAME']}\n{config['ORGANISATION_NAME']}",
    ]) + "\n"  # fmt: skip
    return mail.compose(sender=mail.sender(config), to=list(reminder.recipients),
                        subject=f"{subject}: {reminder.reference} {reminder.title}", body=body)  # fmt: skip


Progress = Callable[[Reminder, str], None]


def send_due(mailer: mail.Mailer, *, today: date | None = None, progress: Progress | None = None) -> Summary:
    """Claim, send and confirm each reminder reached by today (see the module's notes). Commits as it goes."""
    today = today or today_in_london()
    config = current_app.config
    summary = Summary()
    reminders = pending(today, summary)
    db.session.rollback()  # end the read: nothing is held while mail is sent
    for reminder in reminders:
        email = message(reminder, config)
        reminder_id = claim(reminder)
        db.session.commit()
        if reminder_id is None:
            summary.taken += 1
            outcome = "taken"
        else:
            outcome = _deliver(mailer, email, reminder_id, reminder, summary)
        if progress:
            progress(reminder, outcome)
        if summary.stopped:
            break
    return summary


def _deliver(mailer: mail.Mailer, email: EmailMessage, reminder_id: int, reminder: Reminder, summary: Summary) -> str:
    label = f"{reminder.reference} ({describe(reminder.threshold)})"
    try:
        refused = mailer.send(email)
    except mail.MailNotSent as error:
        _release(reminder_id)  # certainly not sent: the next run may try again
        db.session.commit()
        summary.not_sent.append(f"{label}: {error}")
        if isinstance(error, mail.MailServerUnavailable):
            summary.stopped = str(error)
        return "not_sent"
    except mail.MailOutcomeUnknown as error:
        _confirm(reminder_id, reminder, "unconfirmed")
        db.session.commit()
        summary.unconfirmed.append(f"{label}: {error}")
        return "unconfirmed"
    _confirm(reminder_id, reminder, "sent", refused)
    db.session.commit()
    summary.sent += 1
    return "sent"


@dataclass(frozen=True)
class Unconfirmed:
    reference: str
    threshold: str
    claimed_at: datetime
    status: str


def unconfirmed(now: datetime | None = None) -> list[Unconfirmed]:
    """Reminders of current review dates that may not have been sent, for a person to check."""
    stale = (now or utcnow()) - STALE_CLAIM
    rows = db.session.execute(
        select(Agreement.reference, ReviewReminder.threshold, ReviewReminder.claimed_at, ReviewReminder.status)
        .join(Agreement, Agreement.id == ReviewReminder.agreement_id)
        .where(ReviewReminder.next_review_date == Agreement.next_review_date)
        .where(or_(ReviewReminder.status == "unconfirmed",
                   (ReviewReminder.status == "claimed") & (ReviewReminder.claimed_at < stale)))
        .order_by(ReviewReminder.claimed_at)
    ).tuples()  # fmt: skip
    return [Unconfirmed(*row) for row in rows]
