"""One-time submission tokens: a create form sent twice (a double click, a resend) makes one record.

Each create form carries a random token (``web/once.py``). The request that saves the form first
claims its token with ``INSERT … ON CONFLICT DO NOTHING`` in the same transaction as the record it
creates. A second request with the same token inserts nothing: on PostgreSQL its insert waits
for the first transaction and then finds the row; on SQLite the second write transaction begins
only after the first has committed. So of two identical posts at once exactly one creates; the
other is sent where the first led (``location``). A create that fails rolls its claim back with
it, so the form can be corrected and sent again with the same token.

Tokens are kept for a day (``KEEP``): a form sent twice is sent twice within seconds, not days.
Each claim removes a few expired rows, so the table stays small without a scheduled job.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from registry import dates
from registry.extensions import db
from registry.models import SubmissionToken

KEEP = timedelta(days=1)
PRUNE_BATCH = 100  # expired rows removed by one claim at most


def claim(token: str) -> bool:
    """Claim a form's token for this transaction: False when it was already claimed (the form was sent before)."""
    now = dates.utcnow()
    table = SubmissionToken.__table__
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(table)
        .values(token=token, created_at=now)
        .on_conflict_do_nothing(index_elements=[table.c.token])
        .returning(table.c.token)  # a row back only when inserted (rowcount is not told on every driver)
    )
    claimed = db.session.execute(statement).first() is not None
    if claimed:
        _prune(now)
    return claimed


def _prune(now: datetime) -> None:
    """Remove a batch of expired tokens; rows another transaction is removing are skipped, not waited for."""
    expired = (
        select(SubmissionToken.token)
        .where(SubmissionToken.created_at < now - KEEP)
        .order_by(SubmissionToken.created_at)
        .limit(PRUNE_BATCH)
        .with_for_update(skip_locked=True)
    )
    db.session.execute(
        delete(SubmissionToken).where(SubmissionToken.token.in_(expired)).execution_options(synchronize_session=False)
    )


def settle(token: str, location: str) -> None:
    """Note where the request that claimed the token sent the browser (committed with the record)."""
    db.session.execute(
        update(SubmissionToken)
        .where(SubmissionToken.token == token)
        .values(location=location[:500])
        .execution_options(synchronize_session=False)
    )


def release(token: str) -> None:
    """Give a claimed token back: the form was not saved, so sending it again may save it."""
    db.session.execute(
        delete(SubmissionToken).where(SubmissionToken.token == token).execution_options(synchronize_session=False)
    )


def location(token: str) -> str | None:
    """Where the first sending of this form led, once it has been saved."""
    return db.session.scalar(select(SubmissionToken.location).where(SubmissionToken.token == token))
