"""The audit log as CSV: streamed row by row, with cells a spreadsheet will not run as formulas
(``documents.csv_export``, shared with the compliance report)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from flask import Flask

from registry import database
from registry.dates import format_datetime
from registry.documents import csv_export
from registry.services import audit_log
from registry.services.audit_log import EventView, Filters

HEADINGS = (
    "Event number",
    "When (UK time)",
    "When (UTC)",
    "Who",
    "Email address",
    "Role",
    "Organisation",
    "What they did",
    "Kind of record",
    "Record number or reference",
    "Record",
    "Changes",
    "IP address",
    "Request ID",
)


def cells(event: EventView) -> list[object]:
    return [
        event.seq,
        format_datetime(event.occurred_at),
        event.occurred_at.isoformat(),
        event.who,
        event.actor_email,
        event.actor_role,
        event.actor_organisation,
        event.action_label,
        event.entity_type_label,
        event.entity_id,
        event.entity_name,
        "\n".join(str(change) for change in event.changes),
        event.ip_address,
        event.request_id,
    ]


def lines(filters: Filters) -> Iterator[str]:
    """The file, a line at a time: the headings, then each event newest first (read from the
    database in batches, so the whole trail is never held at once)."""
    return csv_export.lines(HEADINGS, (cells(event) for event in audit_log.stream(filters)))


def streamed(app: Flask, filters: Filters) -> Iterator[str]:
    """The lines, read in an app context of their own while the response is sent (the request's
    is gone by then); nothing runs until the first line is asked for."""
    token = database.may_write.set(False)  # a read: on SQLite it must not hold the write lock
    try:
        with app.app_context():
            yield from lines(filters)
    finally:
        with contextlib.suppress(ValueError):  # closed from another context: nothing to undo here
            database.may_write.reset(token)
