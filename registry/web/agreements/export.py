"""The agreements register as a CSV file or an Excel spreadsheet: the list as filtered and sorted.

The file is streamed: the response starts at once and rows are read in batches while it is sent
(``services/agreement_export.py``), so a register of 100,000 agreements neither waits nor sits in
memory. The download's audit event is committed by the request boundary (``audited_read``) before
the first row is read; ``stream_with_context`` then pushes the request's contexts again for the
generator, which reads through a fresh database session (the request's closed at teardown) as a
read, so on SQLite it never holds the write lock while the file is sent.

A date filter that cannot be read is left out, as the list does (the list shows the error by the
field and the agreements without that date): the file then holds what the person saw, and the
audit event records which filters were set and which were ignored.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from flask import Response, abort, request, stream_with_context
from flask_login import current_user

from registry import database
from registry.dates import format_datetime, today_in_london
from registry.documents import csv_export, xlsx_export
from registry.models import agreement_choices as choices
from registry.services import agreement_export, audit, reviews
from registry.services.agreement_export import ExportRow
from registry.services.agreement_filters import SORT_LABELS, AgreementFilters
from registry.web.access import audited_read, requires
from registry.web.agreements import bp, filters

# heading -> column width in the spreadsheet (characters)
COLUMNS: dict[str, float] = {
    "Reference": 16,
    "Title": 40,
    "Kind": 30,
    "Status": 20,
    "Version": 9,
    "Partnership": 30,
    "Parties": 50,
    "Owner": 24,
    "Purpose": 60,
    "Data shared": 36,
    "Special category data": 12,
    "Criminal offence data": 12,
    "Lawful basis (Article 6)": 32,
    "Effective from": 16,
    "End date": 16,
    "Next review date": 16,
    "Review": 22,
    "Last changed (UK time)": 28,
}
HEADINGS = tuple(COLUMNS)
FORMATS = {"csv": ("CSV", "text/csv"), "xlsx": ("XLSX", xlsx_export.MIMETYPE)}


def _yes_no(flag: bool) -> str:
    return "Yes" if flag else "No"


def cells(agreement: ExportRow, today: date) -> list[object]:
    """One row: labels, not stored values; dates as dates (ISO text in the CSV, real dates in XLSX)."""
    categories = agreement.categories
    return [
        agreement.reference,
        agreement.title,
        choices.KINDS.get(agreement.kind, agreement.kind),
        choices.STATUSES.get(agreement.status, agreement.status),
        agreement.version_number,
        agreement.partnership or "",
        "; ".join(agreement.parties),
        agreement.owner or "",
        agreement.purpose or "",
        "; ".join(label for key, label in choices.DATA_CATEGORIES.items() if key in categories),
        _yes_no("special_category" in categories),
        _yes_no("criminal_offence" in categories),
        choices.ART6_BASES.get(agreement.art6_basis or "", agreement.art6_basis or ""),
        agreement.effective_from,
        agreement.end_date,
        agreement.next_review_date,
        reviews.state(agreement.next_review_date, agreement.status, today).label,
        format_datetime(agreement.updated_at),
    ]


def rows(found: AgreementFilters) -> Iterator[list[object]]:
    """The rows, read while the response is sent: the statement is built now (from the signed-in
    user), the batches are read later as a read (on SQLite it must not hold the write lock)."""
    agreements = agreement_export.agreements(current_user, found)
    today = today_in_london()

    def read() -> Iterator[list[object]]:
        token = database.may_write.set(False)
        try:
            for agreement in agreements:
                yield cells(agreement, today)
        finally:
            with contextlib.suppress(ValueError):  # closed from another context: nothing to undo here
                database.may_write.reset(token)

    return read()


def _body(fmt: str, found: AgreementFilters) -> Iterator[str] | Iterator[bytes]:
    if fmt == "csv":
        return csv_export.lines(HEADINGS, rows(found))
    return xlsx_export.stream(HEADINGS, rows(found), sheet_name="Agreements", widths=tuple(COLUMNS.values()))


def streamed(body: Iterator[Any]) -> Iterator[Any]:
    """The body, its first piece (the headings: nothing from the database) sent outside any context,
    the rest inside the request's contexts (``stream_with_context``).

    A client that reads only the first piece and drops the response (the test client does, when a
    test looks only at the status) then leaves no context pushed: a generator left suspended inside
    them would lend the request's app context, with its ``g`` and signed-in user, to the next request."""
    inside = stream_with_context(body)  # called now, while the request's contexts are current

    def pieces() -> Iterator[Any]:
        yield next(body)
        yield from inside

    return pieces()


@bp.route("/export.<format>")
@audited_read
@requires("agreement.list")
def export(format: str) -> Response:
    if format not in FORMATS:
        abort(404)
    label, mimetype = FORMATS[format]
    found, errors = filters.from_args(request.args)
    changes: dict[str, object] = {
        "format": {"before": None, "after": label},
        "filters": {"before": None, "after": found.describe() or "none"},
        "sort": {"before": None, "after": SORT_LABELS.get(found.sort, found.sort)},
    }
    if errors:
        changes["ignored"] = {"before": None, "after": [filters.DATE_FIELDS[name] for name in errors]}
    audit.record("agreements.exported", "agreement", None, actor=current_user, changes=changes)
    response = Response(streamed(_body(format, found)), mimetype=mimetype)
    name = re.sub(r"[^A-Za-z0-9._-]", "-", f"agreements-{today_in_london().isoformat()}.{format}")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
