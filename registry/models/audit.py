"""Audit events: one row for each recorded action, never updated or deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.dates import utcnow
from registry.extensions import db
from registry.models.types import UTCDateTime


class AuditEvent(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "audit_event"
    __table_args__ = (
        # a record's history and the log filtered by action, newest first, read from the index (0010)
        Index("ix_audit_event_entity_seq", "entity_type", "entity_id", "seq"),
        Index("ix_audit_event_action_seq", "action", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # the event's place in the hash chain: 1, 2, 3, ... with no gaps (ids may have gaps; this may not)
    seq: Mapped[int] = mapped_column(unique=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    actor_email: Mapped[str | None] = mapped_column(String(254))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    actor_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    # {"field": {"before": ..., "after": ...}}
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    request_id: Mapped[str | None] = mapped_column(String(40))

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.entity_type}:{self.entity_id}>"


class AuditChainHead(db.Model):  # type: ignore[name-defined,misc]
    """The last event of the chain. Writers lock this one row, so events join the chain one at a time."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
