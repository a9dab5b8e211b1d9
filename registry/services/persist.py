"""Flushing with database constraint names mapped to domain errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError

from registry.extensions import db
from registry.services.errors import DomainError


def flush(constraint_errors: dict[str, Callable[[], DomainError]] | None = None) -> None:
    """Flush; a violated constraint that names a known column becomes its domain error.

    The check before the write gives the friendly message in the common case; this turns
    the lost race (two people saving the same name at once) into the same message.
    """
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        text = str(error.orig)
        for marker, make_error in (constraint_errors or {}).items():
            if marker in text:
                raise make_error() from error
        raise


def lock(record: Any) -> None:
    """Lock the record's row until the commit and read it again, before checking the version a form was opened at.

    On PostgreSQL (read committed) two saves of the same version would otherwise both pass the check, the
    second wait for the first's row lock and then overwrite it: a lost update (found by ``make load``). Now
    the second waits here, sees the new version and is told someone else changed the record. SQLite needs
    no lock (a write transaction there begins IMMEDIATE, so writers already queue) and renders none.

    ``FOR NO KEY UPDATE``: the lock the row's own UPDATE takes, so no stronger than the write. Two editors
    still queue on it, but rows that merely refer to the record (an audit event naming the actor's
    organisation, a party, a progress update) take their foreign key's share lock without waiting.
    """
    db.session.refresh(record, with_for_update={"of": type(record), "key_share": True})


def name_key(name: str) -> str:
    """A name folded for uniqueness: case and surrounding or repeated spaces ignored."""
    return " ".join(name.split()).casefold()


def contains(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with %, _ and \\ in it taken literally (escape '\\')."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
