"""Reading the audit trail: the filtered log, a record's history and the export. Queries only.

Events are listed newest first by their place in the chain (``seq``), which is unique, so the
order is the same on every page and every database. Names of the people and records an event
mentions are looked up once per page (or per batch of the export), not once per event.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, func, or_, select

from registry import audit_text
from registry.dates import LONDON
from registry.extensions import db
from registry.models import Agreement, AuditEvent, Community, Objective, Organisation, Partnership, User
from registry.models.user import ROLE_LABELS
from registry.services import paging

# reads and refused attempts: in the audit log, and in histories only for those who may audit
READ_ACTIONS = ("document.downloaded", "access.refused")
PER_PAGE = 50


@dataclass(frozen=True)
class Filters:
    entity_type: str = ""
    entity_id: str = ""
    actor: str = ""  # part of the actor's email address
    organisation_id: int | None = None  # the actor's organisation
    action: str = ""
    date_from: date | None = None  # UK dates, both included
    date_to: date | None = None

    def describe(self) -> dict[str, Any]:
        """The filters that are set, as plain data (recorded with an export)."""
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(self).items() if v not in ("", None)}


@dataclass(frozen=True)
class EventView:
    seq: int
    occurred_at: datetime
    actor_name: str | None
    actor_email: str | None
    actor_role: str | None  # its label
    actor_organisation: str | None
    action: str
    action_label: str
    entity_type: str
    entity_type_label: str
    entity_id: str | None
    entity_name: str | None  # the record's name now (None: no such record)
    entity_parent_id: int | None  # an objective's partnership, for its link
    changes: list[audit_text.Change] = field(default_factory=list)
    ip_address: str | None = None
    request_id: str | None = None

    @property
    def who(self) -> str:
        if self.actor_name is None and self.actor_email is None:
            return "No signed-in user"  # a command, the registry itself, or a failed sign-in
        return self.actor_name or self.actor_email or ""


def start_of(day: date) -> datetime:
    """Midnight at the start of a UK day, in UTC."""
    return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(UTC)


def conditions(filters: Filters) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if filters.entity_type:
        found.append(AuditEvent.entity_type == filters.entity_type)
    if filters.entity_id:
        found.append(AuditEvent.entity_id == filters.entity_id)
    if filters.actor:
        found.append(func.lower(AuditEvent.actor_email).contains(filters.actor.lower(), autoescape=True))
    if filters.organisation_id is not None:
        found.append(AuditEvent.actor_organisation_id == filters.organisation_id)
    if filters.action:
        found.append(AuditEvent.action == filters.action)
    if filters.date_from:
        found.append(AuditEvent.occurred_at >= start_of(filters.date_from))
    if filters.date_to:
        found.append(AuditEvent.occurred_at < start_of(filters.date_to + timedelta(days=1)))
    return found


NEWEST_FIRST = paging.Order((AuditEvent.seq,), descending=True)


def _seq(event: AuditEvent) -> list[Any]:
    return [event.seq]


def search(filters: Filters, *, after: str | None = None, before: str | None = None,
           per_page: int = PER_PAGE) -> paging.KeysetPage[EventView]:  # fmt: skip
    """One page of the events that match, newest first (a keyset page: the trail grows ten times
    faster than the register, and page 500 must cost what page 1 costs); ``items`` are EventViews."""
    query = select(AuditEvent).where(*conditions(filters))
    return _described(paging.page(query, NEWEST_FIRST, _seq, after=after, before=before, per_page=per_page))


def stream(filters: Filters, *, batch: int = 500) -> Iterator[EventView]:
    """Every event that matches, newest first, read in batches: the whole trail is never held at once."""
    query = select(AuditEvent).where(*conditions(filters)).order_by(AuditEvent.seq.desc()).limit(batch)
    below: int | None = None
    while True:
        events = list(db.session.scalars(query if below is None else query.where(AuditEvent.seq < below)))
        if not events:
            return
        yield from describe(events)
        below = events[-1].seq
        if len(events) < batch:
            return


def history(record: Organisation | Partnership | Agreement, *, include_reads: bool, after: str | None = None,
            before: str | None = None, per_page: int = PER_PAGE) -> paging.KeysetPage[EventView]:  # fmt: skip
    """The events about one record, newest first. A partnership's include its objectives' events
    (an agreement's parties, data items and subjects are recorded against the agreement itself)."""
    query = select(AuditEvent).where(about(record))
    if not include_reads:
        query = query.where(AuditEvent.action.not_in(READ_ACTIONS))
    return _described(paging.page(query, NEWEST_FIRST, _seq, after=after, before=before, per_page=per_page))


def about(record: Organisation | Partnership | Agreement) -> ColumnElement[bool]:
    if isinstance(record, Agreement):  # and its proposed variations': one agreement, one history
        from registry.services.variations import references

        return and_(AuditEvent.entity_type == "agreement", AuditEvent.entity_id.in_(references(record)))
    if isinstance(record, Partnership):
        objective_ids = select(cast(Objective.id, String)).where(Objective.partnership_id == record.id)
        return or_(
            and_(AuditEvent.entity_type == "partnership", AuditEvent.entity_id == str(record.id)),
            and_(AuditEvent.entity_type == "objective", AuditEvent.entity_id.in_(objective_ids)),
        )
    return and_(AuditEvent.entity_type == "organisation", AuditEvent.entity_id == str(record.id))


def _described(results: paging.KeysetPage[Any]) -> paging.KeysetPage[Any]:
    results.items = describe(results.items)
    return results


# --- names of the people and records the events mention -------------------------------------

_NAMED = {
    "organisation": (Organisation.id, Organisation.name),
    "partnership": (Partnership.id, Partnership.name),
    "user": (User.id, User.name),
    "community": (Community.id, Community.name),
}


def describe(events: Iterable[AuditEvent]) -> list[EventView]:
    events = list(events)
    wanted: dict[str, set[str]] = {}
    for event in events:
        if event.actor_id is not None:
            wanted.setdefault("user", set()).add(str(event.actor_id))
        if event.actor_organisation_id is not None:
            wanted.setdefault("organisation", set()).add(str(event.actor_organisation_id))
        if event.entity_id is not None:
            wanted.setdefault(event.entity_type, set()).add(event.entity_id)
        for kind, ids in audit_text.referenced_ids(event.changes).items():
            wanted.setdefault(kind, set()).update(ids)
    names, parents = _names(wanted)
    return [_view(event, names, parents) for event in events]


def _names(wanted: dict[str, set[str]]) -> tuple[dict[str, dict[str, str]], dict[str, int]]:
    names: dict[str, dict[str, str]] = {}
    for kind, (id_column, name_column) in _NAMED.items():
        ids = [int(i) for i in wanted.get(kind, ()) if i.isdigit() and len(i) < 10]
        if ids:
            rows = db.session.execute(select(id_column, name_column).where(id_column.in_(ids)))
            names[kind] = {str(row[0]): row[1] for row in rows}
    references = [r.upper() for r in wanted.get("agreement", ())]
    if references:
        rows = db.session.execute(
            select(Agreement.reference, Agreement.title).where(Agreement.reference.in_(references))
        )
        names["agreement"] = {row.reference: f"{row.reference}: {row.title}" for row in rows}
    parents: dict[str, int] = {}
    objective_ids = [int(i) for i in wanted.get("objective", ()) if i.isdigit() and len(i) < 10]
    if objective_ids:
        rows = db.session.execute(
            select(Objective.id, Objective.title, Objective.partnership_id).where(Objective.id.in_(objective_ids))
        )
        names["objective"] = {}
        for row in rows:
            names["objective"][str(row.id)] = row.title
            parents[str(row.id)] = row.partnership_id
    return names, parents


def _view(event: AuditEvent, names: dict[str, dict[str, str]], parents: dict[str, int]) -> EventView:
    role = event.actor_role
    entity_id = event.entity_id
    return EventView(
        seq=event.seq,
        occurred_at=event.occurred_at,
        actor_name=names.get("user", {}).get(str(event.actor_id)) if event.actor_id is not None else None,
        actor_email=event.actor_email,
        actor_role=ROLE_LABELS.get(role, role) if role else None,  # type: ignore[call-overload]
        actor_organisation=(
            names.get("organisation", {}).get(str(event.actor_organisation_id))
            if event.actor_organisation_id is not None
            else None
        ),
        action=event.action,
        action_label=audit_text.action_label(event.action),
        entity_type=event.entity_type,
        entity_type_label=audit_text.entity_label(event.entity_type),
        entity_id=entity_id,
        entity_name=names.get(event.entity_type, {}).get(entity_id) if entity_id is not None else None,
        entity_parent_id=parents.get(entity_id) if event.entity_type == "objective" and entity_id else None,
        changes=audit_text.changes(event.changes, names, event.entity_type),
        ip_address=event.ip_address,
        request_id=event.request_id,
    )
