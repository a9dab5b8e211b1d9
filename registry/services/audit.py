"""Record audit events in the same transaction as the change they describe."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import inspect, select

from registry import audit_chain
from registry.dates import utcnow
from registry.extensions import db
from registry.models import AuditEvent, User


def _plain(value: Any) -> Any:
    """JSON-safe form of a column value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Every listed field of a new object as an after-value."""
    return {f: {"before": None, "after": _plain(getattr(obj, f))} for f in fields if getattr(obj, f) is not None}


def diff(obj: Any, fields: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Field-level before/after of pending changes, from SQLAlchemy's attribute history."""
    state = inspect(obj)
    changes: dict[str, dict[str, Any]] = {}
    for field in fields:
        history = state.attrs[field].history
        if not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else None
        after = history.added[0] if history.added else None
        if before != after:
            changes[field] = {"before": _plain(before), "after": _plain(after)}
    return changes


def record(
    action: str,
    entity_type: str,
    entity_id: int | str | None,
    *,
    actor: User | None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (committed with the change, or not at all)."""
    event = AuditEvent(
        occurred_at=utcnow(),
        actor_id=actor.id if actor else None,
        actor_email=actor.email if actor else None,
        actor_role=actor.role if actor else None,
        actor_organisation_id=actor.organisation_id if actor else None,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        changes=changes or {},
    )
    if has_request_context():
        event.ip_address = request.remote_addr
        event.request_id = g.get("request_id")
    audit_chain.hold(db.session(), event)  # added to the session at the commit, after everything else
    return event


def changes_since(entity_type: str, entity_id: int | str, saves: int) -> dict[str, Any]:
    """The fields changed by the last ``saves`` recorded changes of a record, newest value first.

    Used to tell someone whose edit was refused as stale what the other person changed.
    """
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
        .order_by(AuditEvent.id.desc())
        .limit(max(saves, 1))
    )
    changed: dict[str, Any] = {}
    for event in events:
        for field, change in event.changes.items():
            if isinstance(change, dict):
                changed.setdefault(field, change.get("after"))
    return changed


audit_chain.install(db.session)  # events join the hash chain as the transaction commits
