"""Maintained counts for the governance dashboard, so its figures cost the same at a million
agreements as at a hundred.

``agreement_tally`` holds one row per (dimension, value): how many agreements have each status,
each kind, a party in each sector, and, per status still checked for readiness, gaps in the
readiness check. Database triggers (migration 0011) keep the rows in step with every insert,
update and delete, in the same transaction, whichever code or server writes; the rows for every
known value exist from the start, so a trigger only ever updates (one statement, rows in index
order: concurrent writers cannot deadlock on them). An organisation changing sector recounts the
sector rows (rare, and the one case a row trigger cannot adjust by one).

Readiness is worked out in Python (registry/readiness.py), so the database cannot maintain it:
just before each commit, the agreements whose record or parts changed in the transaction get their
number of gaps stored in ``agreement.readiness_gaps`` (the commit writes it, and the trigger counts it).
``agreement_review_tally`` (migration 0012) holds how many live agreements are due for review on
each date, so the dashboard's review windows are sums over dates, not counts over agreements.
``rebuild`` recounts everything from the records (after a bulk load; a test checks the
maintained counts against it).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, event, func, insert, inspect, select, text
from sqlalchemy.orm import Session, selectinload

from registry.extensions import db
from registry.models import Agreement, AgreementReviewTally, DataItem, Party, Sector, SubjectGroup
from registry.models import agreement_choices as choices
from registry.readiness import gaps
from registry.services.agreement_filters import LIVE, REVIEW_WINDOWS, review_window
from registry.services.snapshots import snapshot

CHECKED = ("draft", "awaiting_approval")
_PARTS = (Party, DataItem, SubjectGroup)

# agreements in the register only: proposed variations beside them are not counted (migration 0013)
RECOUNT = (
    "UPDATE agreement_tally SET number = (SELECT count(*) FROM agreement a WHERE a.status = agreement_tally.value"
    " AND a.variation_of_id IS NULL) WHERE dimension = 'status'",
    "UPDATE agreement_tally SET number = (SELECT count(*) FROM agreement a WHERE a.kind = agreement_tally.value"
    " AND a.variation_of_id IS NULL) WHERE dimension = 'kind'",
    "UPDATE agreement_tally SET number = (SELECT count(DISTINCT p.agreement_id) FROM party p JOIN organisation o"
    " ON o.id = p.organisation_id JOIN agreement a ON a.id = p.agreement_id WHERE o.sector = agreement_tally.value"
    " AND a.variation_of_id IS NULL) WHERE dimension = 'sector'",
    "UPDATE agreement_tally SET number = (SELECT count(*) FROM agreement a WHERE a.status = agreement_tally.value"
    " AND a.readiness_gaps > 0 AND a.variation_of_id IS NULL) WHERE dimension = 'gaps'",
)

# live agreements by next review date (migration 0012 fills it with the same statement)
RECOUNT_REVIEWS = insert(AgreementReviewTally).from_select(
    ["review_date", "number"],
    select(Agreement.next_review_date, func.count())
    .where(Agreement.status.in_(LIVE), Agreement.next_review_date.is_not(None), Agreement.variation_of_id.is_(None))
    .group_by(Agreement.next_review_date),
)


def known_values() -> list[dict[str, str]]:
    """Every (dimension, value) the dashboard shows: the rows exist before anything is counted."""
    rows = [{"dimension": "status", "value": value} for value in choices.STATUSES]
    rows += [{"dimension": "kind", "value": value} for value in choices.KINDS]
    rows += [{"dimension": "sector", "value": sector.value} for sector in Sector]
    rows += [{"dimension": "gaps", "value": status} for status in CHECKED]
    return rows


def counts(dimension: str) -> dict[str, int]:
    """The maintained count for each value of one dimension: one indexed read."""
    rows = db.session.execute(
        text("SELECT value, number FROM agreement_tally WHERE dimension = :dimension"), {"dimension": dimension}
    )
    return {value: number for value, number in rows}


def review_windows(today: date) -> dict[str, int]:
    """How many live agreements fall in each review window, summed over the review-date rows: a few
    thousand dates at most, where counting the agreements read every overdue one."""
    day = AgreementReviewTally.review_date

    def window_sum(key: str) -> Any:
        total = select(func.coalesce(func.sum(AgreementReviewTally.number), 0)).where(review_window(key, today, day))
        return total.scalar_subquery().label(key)

    row = db.session.execute(select(*(window_sum(key) for key in REVIEW_WINDOWS))).one()
    return {key: int(getattr(row, key)) for key in REVIEW_WINDOWS}


def rebuild(session: Session | None = None, *, review_dates: bool = True) -> None:
    """Recount every tally from the records (after a bulk load that bypassed nothing but wants
    certainty, or to check the triggers). The caller commits."""
    session = session or db.session
    session.execute(text("DELETE FROM agreement_tally"))
    session.execute(
        text("INSERT INTO agreement_tally (dimension, value, number) VALUES (:dimension, :value, 0)"), known_values()
    )
    for statement in RECOUNT:
        session.execute(text(statement))
    if review_dates:  # migration 0011 recounts before 0012 has made their table
        session.execute(delete(AgreementReviewTally))
        session.execute(RECOUNT_REVIEWS)


def refresh_readiness(session: Session, agreement_ids: set[int]) -> None:
    """Store the number of readiness gaps of each agreement as its record now stands."""
    if not agreement_ids:
        return
    with session.no_autoflush:
        found = session.scalars(select(Agreement).where(Agreement.id.in_(agreement_ids))).all()
        for agreement in found:
            if agreement.status not in CHECKED and agreement.readiness_gaps is not None:
                continue  # only drafts and agreements awaiting approval are counted by their gaps
            # parts added by id (not through the collection) are only seen after a reload
            session.expire(agreement, ["parties", "data_items", "subject_groups", "objectives", "gateways"])
            number = len(gaps(snapshot(agreement)))
            if agreement.readiness_gaps != number:
                agreement.readiness_gaps = number


def backfill(session: Session, *, batch: int = 500) -> int:
    """Store the readiness of every agreement still checked, a batch at a time with each batch's
    parts loaded in one query per kind of part (migration 0011; a register may hold many drafts)."""
    ids = list(session.scalars(select(Agreement.id).where(Agreement.status.in_(CHECKED)).order_by(Agreement.id)))
    parts = [selectinload(getattr(Agreement, name)) for name in ("parties", "data_items", "subject_groups",
                                                                  "objectives", "gateways")]  # fmt: skip
    session.info["readiness_backfill"] = True  # the values are being set here: no recheck per flush
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        with session.no_autoflush:
            for agreement in session.scalars(select(Agreement).where(Agreement.id.in_(chunk)).options(*parts)):
                agreement.readiness_gaps = len(gaps(snapshot(agreement)))
        session.flush()
        session.expunge_all()
    session.info.pop("readiness_backfill", None)
    return len(ids)


_DERIVED = frozenset({"readiness_gaps", "updated_at"})


def _changed_record(agreement: Agreement) -> bool:
    """Whether more than the stored readiness (and its timestamp) changed: storing it is no reason
    to check it again."""
    state = inspect(agreement)
    return any(attr.history.has_changes() for attr in state.attrs if attr.key not in _DERIVED)


def _touched(session: Session) -> set[int]:
    ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Agreement) and obj.id is not None:
            if obj in session.dirty and not _changed_record(obj):
                continue
            ids.add(obj.id)
        elif isinstance(obj, _PARTS) and getattr(obj, "agreement_id", None) is not None:
            ids.add(obj.agreement_id)
    return ids


def register() -> None:
    """Watch every session for changed agreements (called once by create_app): note them at each
    flush, work their readiness out once, just before the commit (a request flushes many times)."""
    if event.contains(Session, "before_flush", _note_touched):
        return
    event.listen(Session, "before_flush", _note_touched)
    event.listen(Session, "before_commit", _refresh_touched)
    event.listen(Session, "after_soft_rollback", _forget_touched)


def _note_touched(session: Session, flush_context: Any, instances: Any) -> None:
    if session.info.get("readiness_backfill"):
        return
    session.info.setdefault("readiness_touched", set()).update(_touched(session))


def _forget_touched(session: Session, previous_transaction: Any) -> None:
    session.info.pop("readiness_touched", None)


def _refresh_touched(session: Session) -> None:
    if session.info.get("readiness_backfill"):
        return
    session.flush()  # parts not yet written would not be seen
    touched = session.info.pop("readiness_touched", set())
    # new agreements get their id only during a flush
    touched |= {obj.id for obj in session.identity_map.values() if isinstance(obj, Agreement)
                and obj.readiness_gaps is None and obj.id is not None}  # fmt: skip
    refresh_readiness(session, touched)
