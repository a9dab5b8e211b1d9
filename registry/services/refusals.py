"""Refused access attempts, recorded in the audit trail.

A signed-in user who is refused (403), or who asks for a record that exists but is hidden from
them (404), leaves one ``access.refused`` event naming the page, the answer and, when the
address names a record, that record. A 404 for something that does not exist is not a refusal
and is not recorded (nor is anything for anonymous users: scanners would flood the trail).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from registry.extensions import db
from registry.models import Agreement, AuditEvent, Objective, Organisation, Partnership, User
from registry.policy import can_see
from registry.services import audit

# the address's arguments that name a record, most specific first: (argument, entity type, model)
RECORD_ARGUMENTS: tuple[tuple[str, str, type], ...] = (
    ("objective_id", "objective", Objective),
    ("reference", "agreement", Agreement),
    ("partnership_id", "partnership", Partnership),
    ("organisation_id", "organisation", Organisation),
    ("user_id", "user", User),
)


def _load(model: type, value: Any) -> Any:
    if model is Agreement:
        return db.session.scalar(select(Agreement).where(Agreement.reference == str(value).upper()))
    return db.session.get(model, value) if isinstance(value, int) else None


def named_records(view_args: Mapping[str, Any] | None) -> list[tuple[str, Any]]:
    """The records the address names that exist, most specific first, with their entity type."""
    found = []
    for argument, entity_type, model in RECORD_ARGUMENTS:
        if view_args and argument in view_args:
            record = _load(model, view_args[argument])
            if record is not None:
                found.append((entity_type, record))
    return found


def _entity_id(entity_type: str, record: Any) -> str:
    return record.reference if entity_type == "agreement" else str(record.id)


def record(
    user: User, *, method: str, path: str, status: int, view_args: Mapping[str, Any] | None
) -> AuditEvent | None:
    """Record the refusal (in the current transaction), or nothing when it was not one."""
    named = named_records(view_args)
    if status == 404:
        named = [(entity_type, obj) for entity_type, obj in named if not can_see(user, obj)]
        if not named:
            return None  # missing, not hidden
    elif status != 403:
        return None
    entity_type, entity_id = (named[0][0], _entity_id(*named[0])) if named else ("page", None)
    changes = {
        "path": {"before": None, "after": path[:500]},
        "method": {"before": None, "after": method},
        "status": {"before": None, "after": status},
    }
    return audit.record("access.refused", entity_type, entity_id, actor=user, changes=changes)
