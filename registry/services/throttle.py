"""Throttling of sign-ins, per account and per address, counted in the database.

The counts live in ``sign_in_throttle`` so every gunicorn worker and every server sees the same
numbers. Each failure adds one to the account's counter (by the email address typed, whether or
not an account has it, so a lock-out does not tell which addresses exist) and to the address's.
After ``SIGN_IN_SLOW_AFTER`` failures an account's sign-ins wait a little longer each time; at
``SIGN_IN_ACCOUNT_LIMIT`` failures within ``SIGN_IN_WINDOW_MINUTES`` the account is locked for
``SIGN_IN_LOCK_MINUTES``; an address is locked at ``SIGN_IN_ADDRESS_LIMIT``. A locked sign-in gets
the same message as a wrong password and its password is not checked. A successful sign-in
clears the account's counter (not the address's: one good account must not reset an attacker's).
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
from registry.models import SignInThrottle
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
class Verdict:
    locked: bool
    delay: float  # seconds to wait before checking the password


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


def _current(key: str, now: datetime, window: timedelta) -> SignInThrottle | None:
    row = db.session.get(SignInThrottle, key, populate_existing=True)
    if row is None:
        return None
    if row.locked_until is not None and row.locked_until > now:
        return row
    return row if row.window_started_at > now - window else None


def delay_for(failures: int, *, slow_after: int, base: float) -> float:
    """Nothing for the first few failures, then doubling: base, 2 x base, 4 x base ... at most MAX_DELAY_SECONDS."""
    if base <= 0 or failures < slow_after:
        return 0.0
    return min(base * 2 ** (failures - slow_after), MAX_DELAY_SECONDS)


def check(email: str, address: str | None) -> Verdict:
    """Whether a sign-in for this email address from this address is refused, and how long it waits first."""
    settings, now = _settings(), dates.utcnow()
    account = _current(account_key(email), now, settings["window"])
    key = address_key(address)
    place = _current(key, now, settings["window"]) if key else None
    for row in (account, place):
        if row is not None and row.locked_until is not None and row.locked_until > now:
            return Verdict(locked=True, delay=0.0)
    failures = account.failures if account is not None else 0
    return Verdict(locked=False, delay=delay_for(failures, slow_after=settings["slow_after"], base=settings["delay"]))


def wait(verdict: Verdict) -> None:
    if verdict.delay > 0:
        sleep(verdict.delay)


def _count_failure(key: str, limit: int, now: datetime, settings: dict) -> None:
    """Add one failure atomically (an upsert), then lock the key if it has reached its limit."""
    table = SignInThrottle.__table__
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    expired = table.c.window_started_at <= now - settings["window"]
    statement = insert(table).values(key=key, failures=1, window_started_at=now, locked_until=None)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "failures": case((expired, 1), else_=table.c.failures + 1),
            "window_started_at": case((expired, literal(now, UTCDateTime())), else_=table.c.window_started_at),
        },
    )
    db.session.execute(statement)
    db.session.execute(
        update(table)
        .where(table.c.key == key, table.c.failures >= limit)
        .where(or_(table.c.locked_until.is_(None), table.c.locked_until <= now))
        .values(locked_until=now + settings["lock"])
    )


def failed(email: str, address: str | None) -> None:
    settings, now = _settings(), dates.utcnow()
    _count_failure(account_key(email), settings["account_limit"], now, settings)
    key = address_key(address)
    if key:
        _count_failure(key, settings["address_limit"], now, settings)
    # forget counters that have run out, so the table stays small
    db.session.execute(
        delete(SignInThrottle).where(
            SignInThrottle.window_started_at <= now - settings["window"] - settings["lock"],
            or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until <= now),
        )
    )


def succeeded(email: str) -> None:
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.key == account_key(email)))


def failures(key: str) -> int:
    """The failures counted for a key now (for tests and support)."""
    return db.session.scalar(select(SignInThrottle.failures).where(SignInThrottle.key == key)) or 0
