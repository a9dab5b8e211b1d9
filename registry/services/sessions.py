"""Server-side sessions: a row per sign-in, so that a session can be ended for good.

The signed cookie holds a random token; the table holds only its SHA-256. A request is signed
in only while its row has not ended: signing out ends it (a copy of the old cookie is then
worthless), and a password change, deactivation or role change ends the account's other
sessions. The user and their session are read in one query, so pages do not pay for this.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from registry.dates import utcnow
from registry.extensions import db
from registry.models import User, UserSession

TOKEN_BYTES = 32
SEEN_RESOLUTION = timedelta(minutes=1)  # last_seen_at is written at most once a minute


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def begin(user: User, *, user_agent: str | None = None) -> str:
    """Start a session for the user; returns the token for the cookie (shown nowhere else)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(UserSession(user_id=user.id, token_hash=token_hash(token), user_agent=(user_agent or "")[:200]))
    db.session.flush()
    return token


def find(user_id: int, token: str) -> tuple[User, UserSession] | None:
    """The active user and their live session for this cookie, in one query (None: signed out)."""
    row = db.session.execute(
        select(User, UserSession)
        .join(UserSession, UserSession.user_id == User.id)
        .where(User.id == user_id, UserSession.token_hash == token_hash(token), UserSession.ended_at.is_(None))
    ).first()
    return (row[0], row[1]) if row is not None else None


def touch(session_row: UserSession) -> None:
    """Note that the session was used (called on requests that may write; at most once a minute)."""
    now = utcnow()
    if now - session_row.last_seen_at >= SEEN_RESOLUTION:
        session_row.last_seen_at = now


def end(session_row: UserSession, reason: str) -> None:
    if session_row.ended_at is None:
        session_row.ended_at = utcnow()
        session_row.ended_reason = reason
        db.session.flush()


def end_all(user: User, reason: str, *, keep: UserSession | None = None) -> int:
    """End every live session of the user (but ``keep``); returns how many ended."""
    statement = (
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if keep is not None:
        statement = statement.where(UserSession.id != keep.id)
    return db.session.execute(statement).rowcount or 0


def live(user: User, *, max_age: timedelta) -> list[UserSession]:
    """The user's sessions that have not ended nor passed ``max_age`` since sign-in, newest first
    (the newest 100: a bounded list, however often a script signs in)."""
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
            .where(UserSession.created_at > utcnow() - max_age)
            .order_by(UserSession.created_at.desc(), UserSession.id.desc())
            .limit(100)
        )
    )
