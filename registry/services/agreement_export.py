"""The agreements register's export: every agreement the filtered list shows, read in batches.

One giant fetch would hold the whole register in memory before the first byte went out. Instead
the list's own query (``agreement_filters.query``: visible to the user, filtered, ordered by a sort
that ends in a unique column) is read a batch at a time, each batch starting after the sort values
of the last row of the one before (a row-value comparison, as ``paging`` does).

Each batch costs three statements however many rows it has: the agreements' own columns with
the partnership's and owner's names joined in, then the party names and the data categories of
the batch (one ``IN`` query each). Rows are plain tuples read through the session's connection,
not ORM objects: no identity map grows with the export, and the register is read several times
faster than through the mapper.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, literal, select, tuple_

from registry.extensions import db
from registry.models import Agreement, DataItem, Organisation, Partnership, Party, User
from registry.services import paging
from registry.services.agreement_filters import SORTS, AgreementFilters, query

BATCH = 1000


@dataclass
class ExportRow:
    """What the export shows of one agreement (stored values; the caller labels them)."""

    id: int
    reference: str
    title: str
    kind: str
    status: str
    version_number: int
    purpose: str | None
    art6_basis: str | None
    effective_from: date | None
    end_date: date | None
    next_review_date: date | None
    updated_at: datetime
    partnership: str | None
    owner: str | None
    parties: list[str] = field(default_factory=list)  # organisation names, in the order added
    categories: set[str] = field(default_factory=set)  # of its data items


COLUMNS = (
    Agreement.id, Agreement.reference, Agreement.title, Agreement.kind, Agreement.status, Agreement.version_number,
    Agreement.purpose, Agreement.art6_basis, Agreement.effective_from, Agreement.end_date,
    Agreement.next_review_date, Agreement.updated_at, Partnership.name, User.name,
)  # fmt: skip


def statement(user: User, filters: AgreementFilters) -> Select[Any]:
    """The list's query as plain columns, with each row's sort values after them (to start the next batch)."""
    order = SORTS.get(filters.sort, SORTS["reference"])
    return (
        query(user, filters)
        .with_only_columns(*COLUMNS, *order.columns)
        .select_from(Agreement)
        .outerjoin(Partnership, Partnership.id == Agreement.partnership_id)
        .outerjoin(User, User.id == Agreement.owner_id)
    )


def agreements(user: User, filters: AgreementFilters, *, batch: int = BATCH) -> Iterator[ExportRow]:
    """Every agreement the list would show for these filters, in its order, a batch at a time.

    The statement is built now, from the user as the request knows them; nothing is read until the
    first agreement is asked for (by then the request's session, and the user with it, may be gone)."""
    order = SORTS.get(filters.sort, SORTS["reference"])
    return _batches(statement(user, filters).limit(batch), order, batch)


def _batches(base: Select[Any], order: paging.Order, batch: int) -> Iterator[ExportRow]:
    position = tuple_(*order.columns)
    width = len(COLUMNS)
    last: tuple[Any, ...] | None = None
    while True:
        stmt = base
        if last is not None:
            bound = tuple_(*(literal(value, column.type) for value, column in zip(last, order.columns, strict=True)))
            stmt = base.where(position < bound if order.descending else position > bound)
        rows = db.session.connection().execute(stmt).all()
        if not rows:
            return
        found = {row[0]: ExportRow(*row[:width]) for row in rows}
        _add_parts(found)
        yield from found.values()
        last = tuple(rows[-1][width:])
        if len(rows) < batch:
            return


def _add_parts(found: dict[int, ExportRow]) -> None:
    """Party names and data categories for a batch: one statement each."""
    ids = list(found)
    connection = db.session.connection()
    parties = (
        select(Party.agreement_id, Organisation.name)
        .join(Organisation, Organisation.id == Party.organisation_id)
        .where(Party.agreement_id.in_(ids))
        .order_by(Party.agreement_id, Party.id)
    )
    for agreement_id, name in connection.execute(parties):
        found[agreement_id].parties.append(name)
    categories = select(DataItem.agreement_id, DataItem.category).where(DataItem.agreement_id.in_(ids)).distinct()
    for agreement_id, category in connection.execute(categories):
        found[agreement_id].categories.add(category)
