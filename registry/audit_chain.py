"""The audit trail as a hash chain: each event's hash covers its content and the previous hash.

Events join the chain when they are flushed: the writer locks the one head row (SELECT ... FOR
UPDATE on PostgreSQL; SQLite has one writer at a time), so two transactions can never give out
the same sequence number or fork the chain. Changing, removing or reordering any stored event
breaks the chain from that event on, and ``verify`` names the first such event.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64
_order = itertools.count()


def canonical(event: AuditEvent | dict[str, Any]) -> bytes:
    """The exact bytes an event's hash covers."""
    get = event.get if isinstance(event, dict) else (lambda name: getattr(event, name))
    occurred = get("occurred_at")
    if isinstance(occurred, datetime):
        occurred = (occurred if occurred.tzinfo else occurred.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    content = {
        "seq": get("seq"),
        "prev_hash": get("prev_hash"),
        "occurred_at": occurred,
        "actor_id": get("actor_id"),
        "actor_email": get("actor_email"),
        "actor_role": get("actor_role"),
        "actor_organisation_id": get("actor_organisation_id"),
        "action": get("action"),
        "entity_type": get("entity_type"),
        "entity_id": get("entity_id"),
        "changes": get("changes"),
        "ip_address": get("ip_address"),
        "request_id": get("request_id"),
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def event_hash(event: AuditEvent | dict[str, Any]) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()


def mark_order(event: AuditEvent) -> None:
    """Remember the order events were recorded in, so they join the chain in that order."""
    event._chain_order = next(_order)  # type: ignore[attr-defined]


def link(session: Session) -> None:
    """Give every new audit event its sequence number and hashes (called before each flush)."""
    pending = sorted(
        (obj for obj in session.new if isinstance(obj, AuditEvent) and obj.seq is None),
        key=lambda e: getattr(e, "_chain_order", 0),
    )
    if not pending:
        return
    with session.no_autoflush:
        head = session.scalar(select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update())
        if head is None:  # the migration makes it; a database made another way starts its chain here
            head = AuditChainHead(id=1, last_seq=0, last_hash=GENESIS)
            session.add(head)
    for event in pending:
        event.seq = head.last_seq + 1
        event.prev_hash = head.last_hash
        event.hash = event_hash(event)
        head.last_seq, head.last_hash = event.seq, event.hash


def install(session_factory: Any) -> None:
    @sa_event.listens_for(session_factory, "before_flush")
    def _before_flush(session, flush_context, instances) -> None:  # type: ignore[no-untyped-def]
        link(session)


@dataclass(frozen=True)
class Break:
    seq: int
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"event {self.seq}" + (f" (id {self.event_id})" if self.event_id is not None else "")
        return f"The chain breaks at {where}: {self.problem}"


@dataclass(frozen=True)
class Report:
    checked: int
    last_seq: int
    last_hash: str
    first_break: Break | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def verify(rows: Iterable[dict[str, Any]], *, progress: Any = None) -> Report:
    """Walk the events in sequence order and find the first that was edited, removed or reordered."""
    expected_seq, previous = 1, GENESIS
    checked = 0
    for row in rows:
        checked += 1
        if progress and checked % 10000 == 0:
            progress(checked)
        seq = row["seq"]
        if seq != expected_seq:
            problem = (
                f"event {expected_seq} is missing" if seq > expected_seq else "events are out of order or repeated"
            )
            return Report(
                checked,
                expected_seq - 1,
                previous,
                Break(expected_seq if seq > expected_seq else seq, row["id"] if seq <= expected_seq else None, problem),
            )
        if row["prev_hash"] != previous:
            return Report(
                checked,
                seq - 1,
                previous,
                Break(seq, row["id"], "it does not follow the event before it (an event was removed or reordered)"),
            )
        if event_hash(row) != row["hash"]:
            return Report(
                checked, seq - 1, previous, Break(seq, row["id"], "its content was changed after it was recorded")
            )
        previous, expected_seq = row["hash"], seq + 1
    return Report(checked, expected_seq - 1, previous, None)


def stored_rows(session: Session, batch: int = 5000) -> Iterator[dict[str, Any]]:
    """Every event in sequence order, streamed in batches (the trail may hold millions)."""
    columns = [
        AuditEvent.id,
        AuditEvent.seq,
        AuditEvent.prev_hash,
        AuditEvent.hash,
        AuditEvent.occurred_at,
        AuditEvent.actor_id,
        AuditEvent.actor_email,
        AuditEvent.actor_role,
        AuditEvent.actor_organisation_id,
        AuditEvent.action,
        AuditEvent.entity_type,
        AuditEvent.entity_id,
        AuditEvent.changes,
        AuditEvent.ip_address,
        AuditEvent.request_id,
    ]
    last = 0
    while True:
        rows = session.execute(
            select(*columns).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield dict(row._mapping)
        last = rows[-1].seq
