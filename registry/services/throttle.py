"""Throttling of sign-ins (and other checks of a password or code), per account and per address.

The counts live in ``sign_in_throttle`` so every gunicorn worker and every server sees the same
numbers. An attempt is counted *before* its password is checked (``reserve``): one atomic
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` per key, committed at once in its own short
transaction, so however many attempts arrive together each gets its own number and no more than
the limit are ever checked. It is counted against the account (by the email address typed,
whether or not an account has it, so a lock-out does not tell which addresses exist) and against
the address it came from.

- An attempt numbered past ``SIGN_IN_ACCOUNT_LIMIT`` (``SIGN_IN_ADDRESS_LIMIT`` for an address)
  within ``SIGN_IN_WINDOW_MINUTES`` is refused without its password being checked, and locks the
  key for ``SIGN_IN_LOCK_MINUTES``. A wrong password that brings the count to the limit locks it
  too (``failed``). A locked key refuses every attempt, with the wrong-password message.
- After ``SIGN_IN_SLOW_AFTER`` failures an account's attempts wait a little longer each time.
- A right password gives its attempt back (``passed``): the account's counter is cleared (or only
  this attempt's count taken back, where a right password must not clear wrong codes), and the
  address's count is taken back (a good account must not reset an attacker's count, nor an
  office's sign-ins use up its address's). If the account or address was locked while the password
  was being checked (a burst of attempts past the limit), the right password is refused too.

This service commits the reservation itself, unlike others: the count must be seen by every
other worker before the password is compared, and the commit also ends the transaction before
the wait and the slow hash, so on SQLite no request waits on this one's write lock meanwhile.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from registry import dates
from registry.extensions import db
from registry.models import SignInThrottle, UserSession
from registry.models.types import UTCDateTime

MAX_DELAY_SECONDS = 8.0  # a sync worker sleeps for this long at most


def sleep(seconds: float) -> None:
    """Wait before checking a password (tests replace this, or set SIGN_IN_DELAY_SECONDS to 0)."""
    time.sleep(seconds)


def account_key(email: str) -> str:
    return "account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


def address_key(address: str | None) -> str | None:
    return "address:" + hashlib.sha256(address.encode()).hexdigest() if address else None


@dataclass(frozen=True)
class Reservation:
    """One attempt, counted before its password or code is checked."""

    refused: bool  # locked, or past the limit: check nothing and answer as for a wrong password
    delay: float  # seconds to wait before checking
    counted: tuple[tuple[str, int], ...] = ()  # (key, its limit) for each counter this attempt is on


def _settings() -> dict:
    config = current_app.config
    return {
        "window": timedelta(minutes=config["SIGN_IN_WINDOW_MINUTES"]),
        "lock": timedelta(minutes=config["SIGN_IN_LOCK_MINUTES"]),
        "account_limit": config["SIGN_IN_ACCOUNT_LIMIT"],
        "address_limit": config["SIGN_IN_ADDRESS_LIMIT"],
        "slow_after": config["SIGN_IN_SLOW_AFTER"],
        "delay": float(config["SIGN_IN_DELAY_SECONDS"]),
    }


def delay_for(failures: int, *, slow_after: int, base: float) -> float:
    """Nothing for the first few failures, then doubling: base, 2 x base, 4 x base ... at most MAX_DELAY_SECONDS."""
    if base <= 0 or failures < slow_after:
        return 0.0
    return min(base * 2 ** (failures - slow_after), MAX_DELAY_SECONDS)


def _count(key: str, limit: int, now: datetime, settings: dict) -> tuple[int, bool]:
    """Add this attempt to the key's counter in one statement; its number in the window, and whether the key refuses it.

    A counter whose window or lock has run out starts again at 1. An attempt numbered past the
    limit locks the key; a locked key stays locked (its count still goes up, which changes nothing).
    """
    table = SignInThrottle.__table__
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    at_now = literal(now, UTCDateTime())
    lock_until = literal(now + settings["lock"], UTCDateTime())
    locked = table.c.locked_until > now  # NULL (never locked) is not true: CASE goes on to the next branch
    stale = or_(table.c.window_started_at <= now - settings["window"], table.c.locked_until <= now)
    statement = insert(table).values(key=key, failures=1, window_started_at=now, locked_until=None)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "failures": case((locked, table.c.failures + 1), (stale, 1), else_=table.c.failures + 1),
            "window_started_at": case(
                (locked, table.c.window_started_at), (stale, at_now), else_=table.c.window_started_at
            ),
            "locked_until": case(
                (locked, table.c.locked_until),
                (stale, None),
                (table.c.failures + 1 > limit, lock_until),
                else_=table.c.locked_until,
            ),
        },
    ).returning(table.c.failures, table.c.locked_until)
    number, locked_until = db.session.execute(statement).one()
    return number, locked_until is not None and locked_until > now


def _take_back(key: str, now: datetime) -> None:
    """Give one attempt back to a key that has not been locked since (a lock set meanwhile stays)."""
    db.session.execute(
        update(SignInThrottle)
        .where(SignInThrottle.key == key, SignInThrottle.failures > 0)
        .where(or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until <= now))
        .values(failures=SignInThrottle.failures - 1)
        .execution_options(synchronize_session=False)
    )


def _commit_alone() -> None:
    """Commit the reservation now. The request must not have changed anything yet: at most the
    session's last-seen time (``sessions.touch``), which is then committed with it."""
    session = db.session
    if session.new or session.deleted or any(not isinstance(obj, UserSession) for obj in session.dirty):
        raise RuntimeError("an attempt was counted while the request held unsaved changes")
    session.commit()


def reserve(email: str, address: str | None) -> Reservation:
    """Count an attempt for this email address from this address before its password is checked (committed)."""
    settings, now = _settings(), dates.utcnow()
    account = account_key(email)
    number, refused = _count(account, settings["account_limit"], now, settings)
    counted: tuple[tuple[str, int], ...] = ((account, settings["account_limit"]),)
    place = address_key(address)
    if not refused and place:
        _, place_refused = _count(place, settings["address_limit"], now, settings)
        if place_refused:  # refused by its address alone: the account's count is given back
            _take_back(account, now)
            refused, counted = True, ((place, settings["address_limit"]),)
        else:
            counted += ((place, settings["address_limit"]),)
    _commit_alone()
    if refused:
        return Reservation(refused=True, delay=0.0, counted=counted)
    delay = delay_for(number - 1, slow_after=settings["slow_after"], base=settings["delay"])
    return Reservation(refused=False, delay=delay, counted=counted)


def wait(reservation: Reservation) -> None:
    if reservation.delay > 0:
        sleep(reservation.delay)


def failed(reservation: Reservation) -> None:
    """The password or code was wrong: it stays counted, and a key that has reached its limit is locked."""
    settings, now = _settings(), dates.utcnow()
    for key, limit in reservation.counted:
        db.session.execute(
            update(SignInThrottle)
            .where(SignInThrottle.key == key, SignInThrottle.failures >= limit)
            .where(or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until <= now))
            .values(locked_until=now + settings["lock"])
            .execution_options(synchronize_session=False)
        )
    # forget counters that have run out, so the table stays small
    db.session.execute(
        delete(SignInThrottle)
        .where(
            SignInThrottle.window_started_at <= now - settings["window"] - settings["lock"],
            or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until <= now),
        )
        .execution_options(synchronize_session=False)
    )


def passed(reservation: Reservation, *, clear: bool = True) -> bool:
    """The password or code was right: give the attempt back, and say whether it may be honoured.

    ``clear`` empties the account's counter (a finished sign-in); otherwise only this attempt is
    taken back (a right password before its code, a confirmation while signed in). False when the
    account or address was locked while the attempt was checked: it is then refused, still counted.
    """
    now = dates.utcnow()
    for key, _ in reservation.counted:
        if clear and key.startswith("account:"):
            db.session.execute(
                delete(SignInThrottle)
                .where(SignInThrottle.key == key)
                .where(or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until <= now))
                .execution_options(synchronize_session=False)
            )
        else:
            _take_back(key, now)
    keys = [key for key, _ in reservation.counted]
    locked = db.session.scalar(
        select(SignInThrottle.key).where(SignInThrottle.key.in_(keys), SignInThrottle.locked_until > now).limit(1)
    )
    return locked is None


def failures(key: str) -> int:
    """The attempts counted for a key now (for tests and support)."""
    return db.session.scalar(select(SignInThrottle.failures).where(SignInThrottle.key == key)) or 0
