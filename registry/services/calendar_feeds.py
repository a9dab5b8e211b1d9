"""Private calendar feeds of review dates: one revocable secret token per user.

The token is the credential for the feed (calendar apps cannot sign in), so it is long and
random, shown to its user once, and only its SHA-256 is stored: a copy of the database does
not give anyone a working feed address. Making a new token replaces the old one, which then
answers 404, as does a revoked token or one of a deactivated user.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import Row, Select, delete, func, select

from registry.documents.review_calendar import ReviewEvent, render
from registry.extensions import db
from registry.models import Agreement, CalendarFeed, User
from registry.services import audit
from registry.services.agreements import visible
from registry.services.errors import DomainError
from registry.services.persist import flush
from registry.services.reviews import LIVE

TOKEN_BYTES = 32


class FeedChangedMeanwhile(DomainError):
    message = "Your calendar feed was changed in another window at the same moment: try again"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def current(user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def create(user: User) -> str:
    """A new feed token for the user, replacing (so revoking) any old one. The token is returned only here."""
    replaced = db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id)).rowcount
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(CalendarFeed(user_id=user.id, token_hash=token_hash(token)))
    flush({"uq_calendar_feed_user_id": FeedChangedMeanwhile, "calendar_feed.user_id": FeedChangedMeanwhile})
    action = "calendar_feed.replaced" if replaced else "calendar_feed.created"
    audit.record(action, "user", user.id, actor=user)
    return token


def revoke(user: User) -> bool:
    """Stop the user's feed; False when there was none."""
    if not db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id)).rowcount:
        return False
    flush()
    audit.record("calendar_feed.revoked", "user", user.id, actor=user)
    return True


def owner_of(token: str) -> User | None:
    """The active user whose feed the token opens, or None (unknown, revoked or replaced token)."""
    if not token or len(token) > 100:
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == token_hash(token)))
    if feed is None or not feed.user.active:
        return None
    return feed.user


def _live_with_review_date(user: User) -> Select[Any]:
    return visible(user).where(Agreement.status.in_(LIVE), Agreement.next_review_date.is_not(None))


def review_dates(user: User) -> list[Row[Any]]:
    """The agreements the user can see that are approved, awaiting signatures or active, with a review date:
    only the columns the feed needs (not each agreement's parties, data items and the rest)."""
    columns = (Agreement.id, Agreement.reference, Agreement.title, Agreement.next_review_date, Agreement.updated_at)
    query = _live_with_review_date(user).with_only_columns(*columns)
    return list(db.session.execute(query.order_by(Agreement.next_review_date, Agreement.id)))


def count(user: User) -> int:
    query = _live_with_review_date(user).with_only_columns(func.count(Agreement.id))
    return db.session.scalar(query) or 0


def feed(user: User) -> bytes:
    config = current_app.config
    base = config["BASE_URL"]
    host = urlsplit(base).hostname or "registry"
    events = [
        ReviewEvent(
            uid=f"review-{agreement.id}-{agreement.next_review_date.isoformat()}@{host}",
            day=agreement.next_review_date,
            summary=f"Review due: {agreement.reference} {agreement.title}",
            url=f"{base}/agreements/{agreement.reference}",
            description=(
                f"The review of the data-sharing agreement ‘{agreement.title}’ ({agreement.reference}) "
                f"is due. Record it on the agreement’s page: {base}/agreements/{agreement.reference}"
            ),
            stamp=agreement.updated_at,
        )
        for agreement in review_dates(user)
    ]
    product = f"-//{config['ORGANISATION_NAME']}//{config['SERVICE_NAME']}//EN"
    return render(events, name=f"Reviews due – {config['SERVICE_NAME']}", product=product)
