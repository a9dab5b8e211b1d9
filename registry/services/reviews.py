"""Periodic reviews of agreements, and which are overdue or due soon.

"Due" and "overdue" are derived from the next review date and today's date in
Europe/London; they are never stored. A review due today is due, not overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from registry.dates import today_in_london
from registry.extensions import db
from registry.models import Agreement, Review, User
from registry.readiness import add_months
from registry.services import audit, lifecycle, paging, tallies
from registry.services.agreement_filters import LIVE, REVIEW_WINDOWS, review_window
from registry.services.agreements import listed, party_clause, sees_every, visible
from registry.services.errors import DomainError
from registry.services.persist import flush

WINDOWS = REVIEW_WINDOWS  # the dashboard's tabs


@dataclass(frozen=True)
class ReviewState:
    key: str  # overdue, 30, 60, 90, later, none
    label: str


def state(next_review_date: date | None, status: str, today: date | None = None) -> ReviewState:
    if status not in LIVE or next_review_date is None:
        return ReviewState("none", "No review scheduled")
    today = today or today_in_london()
    days = (next_review_date - today).days
    if days < 0:
        return ReviewState("overdue", f"Overdue by {-days} day{'s' if days != -1 else ''}")
    if days == 0:
        return ReviewState("30", "Due today")
    for limit in (30, 60, 90):
        if days <= limit:
            return ReviewState(str(limit), f"Due in {days} day{'s' if days != 1 else ''}")
    return ReviewState("later", f"Due on {next_review_date.day} {next_review_date:%B %Y}")


SOONEST_FIRST = paging.Order((Agreement.next_review_date, Agreement.id))


def due(user: User, *, window: str = "overdue", organisation_id: int | None = None, after: str | None = None,
        before: str | None = None, per_page: int = 20,
        today: date | None = None) -> paging.KeysetPage[Agreement]:  # fmt: skip
    """The live agreements whose review falls in the window, soonest first (a keyset page: a
    national register can have many thousands overdue)."""
    today = today or today_in_london()
    query = listed(visible(user)).where(Agreement.status.in_(LIVE), review_window(window, today))
    if organisation_id:
        query = query.where(party_clause(organisation_id))
    return paging.page(query, SOONEST_FIRST, lambda row: [row.next_review_date, row.id], after=after, before=before,
                       per_page=per_page)  # fmt: skip


def counts(user: User, *, organisation_id: int | None = None, today: date | None = None) -> dict[str, int]:
    """How many agreements fall in each window, in one statement: a count per window, each a range
    of the (status, next review date) index, so agreements reviewed later are never read."""
    today = today or today_in_london()
    if sees_every(user) and not organisation_id:
        return tallies.review_windows(today)  # maintained per review date (migration 0012)

    def window_count(key: str):  # type: ignore[no-untyped-def]
        query = (
            visible(user).with_only_columns(func.count()).where(Agreement.status.in_(LIVE), review_window(key, today))
        )
        if organisation_id:
            query = query.where(party_clause(organisation_id))
        return query.scalar_subquery().label(key)

    row = db.session.execute(select(*(window_count(key) for key in REVIEW_WINDOWS))).one()
    return {key: getattr(row, key) for key in REVIEW_WINDOWS}


def for_agreement(agreement: Agreement) -> list[Review]:
    return list(db.session.scalars(
        select(Review).where(Review.agreement_id == agreement.id).order_by(Review.reviewed_on.desc(), Review.id.desc())
    ))  # fmt: skip


def record(actor: User, agreement: Agreement, *, reviewed_on: date, outcome: str, notes: str) -> Review:
    if agreement.status not in LIVE:
        raise DomainError("Only an approved, awaiting-signature or active agreement can be reviewed")
    if reviewed_on > today_in_london():
        raise DomainError("Date of the review must be today or in the past", field="reviewed_on")
    next_date = None if outcome == "terminate" else add_months(reviewed_on, agreement.review_interval_months)
    review = Review(agreement_id=agreement.id, reviewed_on=reviewed_on, outcome=outcome, notes=notes.strip() or None,
                    next_review_date=next_date, reviewer_id=actor.id)  # fmt: skip
    db.session.add(review)
    before = agreement.next_review_date
    agreement.next_review_date = next_date
    flush()
    audit.record("agreement.reviewed", "agreement", agreement.reference, actor=actor, changes={
        "outcome": {"before": None, "after": outcome},
        "reviewed_on": {"before": None, "after": reviewed_on.isoformat()},
        "next_review_date": {"before": before.isoformat() if before else None,
                             "after": next_date.isoformat() if next_date else None},
    })  # fmt: skip
    if outcome == "terminate":
        lifecycle.terminate(
            actor, agreement, f"Review on {reviewed_on.isoformat()} decided to terminate", read_version=None
        )
    return review
