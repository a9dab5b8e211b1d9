"""The audit trail as a hash chain: each event's hash covers its content and the previous hash.

Events join the chain as the transaction commits: the writer locks the one head row (SELECT ...
FOR UPDATE on PostgreSQL; SQLite has one writer at a time), so two transactions can never give out
the same sequence number or fork the chain. Changing, removing or reordering any stored event
breaks the chain from that event on, and ``verify`` names the first such event.

Lock order (docs/ARCHITECTURE.md): the head is the last lock a transaction takes. A recorded event
is held aside (``hold``) until the commit; then everything else the transaction writes is flushed
first (its rows, the counts their triggers keep), the share locks the events' foreign keys need are
taken (the actors' user and organisation rows), and only then is the head locked and the events
inserted. A transaction holding the head therefore waits for nothing, so no deadlock can pass
through it; anything written after it is refused (``LockOrderError``).
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
from sqlalchemy.orm import Session, SessionTransaction

from registry.models import AuditChainHead, AuditEvent, Organisation, User

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
    if not hasattr(event, "_chain_order"):
        event._chain_order = next(_order)  # type: ignore[attr-defined]


def link(session: Session) -> None:
    """Give every new audit event its sequence number and hashes (in the commit's last flush)."""
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


# session.info keys
HELD = "audit_events_held"  # [(event, the savepoint it was recorded in, or None)]: waiting for the commit
LINKING = "audit_chain_linking"  # the commit's last flush: the held events join the chain
LOCKED = "audit_chain_locked"  # the head is locked: nothing but the events may be written now


class LockOrderError(RuntimeError):
    """Something was written after the audit chain head was locked (a programming error)."""


def hold(session: Session, event: AuditEvent) -> None:
    """Keep a recorded event aside until its transaction commits (then it joins the chain, last)."""
    mark_order(event)
    session.info.setdefault(HELD, []).append((event, session.get_nested_transaction()))


def held(session: Session) -> list[AuditEvent]:
    """The events recorded in this transaction that have not yet joined the chain."""
    return [event for event, _ in session.info.get(HELD, ())]


def install(session_factory: Any) -> None:
    @sa_event.listens_for(session_factory, "before_flush")
    def _before_flush(session, flush_context, instances) -> None:  # type: ignore[no-untyped-def]
        if session.info.get(LINKING):
            link(session)
            return
        if session.info.get(LOCKED) and _writes(session):
            raise LockOrderError("A record was written after the audit chain head was locked: the head must be last")
        for obj in list(session.new):  # an event added to the session directly waits for the commit too
            if isinstance(obj, AuditEvent) and obj.seq is None:
                session.expunge(obj)
                hold(session, obj)


def register() -> None:
    """Join held events to the chain at each commit (called by create_app after ``tallies.register``,
    so the readiness it stores just before the commit is written before the head is locked)."""
    if sa_event.contains(Session, "before_commit", _join_at_commit):
        return
    sa_event.listen(Session, "before_commit", _join_at_commit)
    sa_event.listen(Session, "after_soft_rollback", _forget_rolled_back)
    sa_event.listen(Session, "after_transaction_end", _forget_at_end)


def _join_at_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint's release: its events wait for the real commit
        return
    entries = session.info.pop(HELD, None)
    if not entries:
        return
    session.flush()  # everything else first: its rows (and the counts their triggers keep) are locked now
    events = [event for event, _ in entries]
    _share_lock_actors(session, events)
    session.info[LINKING] = True
    try:
        session.add_all(events)
        session.flush()  # before_flush: link() locks the head, then the events are inserted
    finally:
        session.info.pop(LINKING, None)
    session.info[LOCKED] = True


def _share_lock_actors(session: Session, events: list[AuditEvent]) -> None:
    """PostgreSQL: the share locks the events' foreign keys take, taken before the head (in id order), so
    a transaction holding the head never waits for a row another holds (say an organisation being edited)."""
    if session.connection().dialect.name != "postgresql":
        return  # SQLite: one writer at a time
    for model, ids in (
        (User, {event.actor_id for event in events}),
        (Organisation, {event.actor_organisation_id for event in events}),
    ):
        wanted = sorted(i for i in ids if i is not None)
        if wanted:
            rows = select(model.id).where(model.id.in_(wanted)).order_by(model.id)
            session.execute(rows.with_for_update(read=True, key_share=True))


def _writes(session: Session) -> bool:
    chain = (AuditEvent, AuditChainHead)
    return any(not isinstance(obj, chain) for obj in (*session.new, *session.deleted)) or any(
        not isinstance(obj, chain) and session.is_modified(obj) for obj in session.dirty
    )


def _forget_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    """A savepoint rolled back: the events recorded inside it go with it (as pending objects would)."""
    if not previous_transaction.nested or HELD not in session.info:
        return

    def inside(savepoint: SessionTransaction | None) -> bool:
        while savepoint is not None:
            if savepoint is previous_transaction:
                return True
            savepoint = savepoint.parent
        return False

    session.info[HELD] = [(event, savepoint) for event, savepoint in session.info[HELD] if not inside(savepoint)]


def _forget_at_end(session: Session, transaction: SessionTransaction) -> None:
    """The transaction committed (its events with it), rolled back or was closed: nothing is held now."""
    if transaction.parent is None:
        session.info.pop(HELD, None)
        session.info.pop(LOCKED, None)


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
