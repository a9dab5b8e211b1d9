"""Keyset pagination: a page starts after (or ends before) the sort values of a row, not at an offset.

OFFSET makes the database read and throw away every row before the page, so page 500 costs 500
pages' work; a keyset page is one index range read, so page 500 costs what page 1 costs. The sort
must end in a unique column (the id) so the order is total and no row is skipped or repeated.
All the sort's columns go the same way (all ascending or all descending) so one row-value
comparison, which both PostgreSQL and SQLite answer from a matching index, finds the page.

The position travels in the URL as an opaque token (``after`` or ``before``): URL-safe base64 of
the row's sort values as JSON. A token that does not decode is ignored (the first page), since it
can only come from an edited or truncated link; so is one holding a value the database cannot be
asked about (a number beyond its column's range, text with a NUL or a lone surrogate). Totals are
counted only up to a cap: counting a million matching rows would cost more than the page itself.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import BigInteger, ColumnElement, Integer, Select, SmallInteger, func, literal, select, tuple_

from registry import parsing
from registry.extensions import db

T = TypeVar("T")
COUNT_CAP = 1000


@dataclass(frozen=True)
class Order:
    """A sort: its columns in order (the last unique) and whether they descend."""

    columns: tuple[ColumnElement[Any], ...]
    descending: bool = False

    def clauses(self, *, reverse: bool = False) -> list[ColumnElement[Any]]:
        down = self.descending != reverse
        return [column.desc() if down else column.asc() for column in self.columns]


@dataclass
class KeysetPage(Generic[T]):
    items: list[T]
    next_token: str | None = None  # the ``after`` of the next page
    previous_token: str | None = None  # the ``before`` of the previous page
    is_first: bool = True
    total: int = 0  # matching rows, counted up to ``cap``
    cap: int = COUNT_CAP
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def total_is_capped(self) -> bool:
        return self.total > self.cap


def encode(values: Sequence[Any]) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return {"dt": value.isoformat()}
        if isinstance(value, date):
            return {"d": value.isoformat()}
        return value

    raw = json.dumps([plain(value) for value in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _python_type(column: ColumnElement[Any]) -> type | None:
    for kind in (column.type, getattr(column.type, "impl", None)):
        try:
            return kind.python_type if kind is not None else None
        except NotImplementedError:
            continue
    return None


def _sendable(value: Any, column: ColumnElement[Any]) -> bool:
    """Whether the database can be asked about the value: an integer within its column's range
    (PostgreSQL casts the bound value to the column's type, so an ``integer`` column refuses 2**40;
    beyond 64 bits neither driver can send it at all), text without control characters (PostgreSQL
    refuses NUL) or lone surrogates."""
    if isinstance(value, int):
        low, high = _integer_range(column)
        return low <= value <= high
    if isinstance(value, str):
        return not parsing.has_control_characters(value) and _encodes(value)
    return True


def _integer_range(column: ColumnElement[Any]) -> tuple[int, int]:
    kind = getattr(column.type, "impl", column.type)
    if isinstance(kind, BigInteger):
        return parsing.INT64_MIN, parsing.INT64_MAX
    if isinstance(kind, SmallInteger):
        return -(2**15), 2**15 - 1
    if isinstance(kind, Integer):
        return -(2**31), parsing.DB_INT_MAX
    return parsing.INT64_MIN, parsing.INT64_MAX


def _encodes(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def decode(token: str | None, columns: Sequence[ColumnElement[Any]]) -> list[Any] | None:
    """The sort values a token carries, or None when it is missing or not one of ours (each value
    must be of its column's type, so an edited token cannot reach the database as the wrong type)."""
    width = len(columns)
    if not token or len(token) > 600:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(values, list) or len(values) != width:
        return None
    decoded: list[Any] = []
    for value in values:
        try:
            if isinstance(value, dict) and "dt" in value:
                value = datetime.fromisoformat(value["dt"])
            elif isinstance(value, dict) and "d" in value:
                value = date.fromisoformat(value["d"])
        except (TypeError, ValueError):
            return None
        column = columns[len(decoded)]
        expected = _python_type(column)
        if isinstance(value, bool) or (expected is not None and type(value) is not expected):
            return None
        if not _sendable(value, column):
            return None
        decoded.append(value)
    return decoded


def page(
    query: Select[Any],
    order: Order,
    values_of: Callable[[Any], Sequence[Any]],
    *,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 20,
    cap: int = COUNT_CAP,
    count: bool = True,
) -> KeysetPage[Any]:
    """One page of ``query`` (a select of one entity) in ``order``; ``values_of(row)`` gives a row's
    value for each order column (for the tokens). Two statements: the page (one row more than a
    page, to know whether there is another in that direction) and the capped count."""
    after_values = decode(after, order.columns)
    before_values = decode(before, order.columns) if after_values is None else None
    position = tuple_(*order.columns)

    def beyond(values: list[Any], *, down: bool) -> list[ColumnElement[bool]]:
        """Rows past ``values`` going down (or up). The first column's own bound repeats what the
        row value says: SQLite walks an expression index as a range only when it sees one."""
        bound = [literal(value, column.type) for value, column in zip(values, order.columns, strict=True)]
        first = order.columns[0]
        if down:
            return [first <= bound[0], position < tuple_(*bound)]
        return [first >= bound[0], position > tuple_(*bound)]

    backwards = before_values is not None
    paged = query
    if after_values is not None:
        paged = paged.where(*beyond(after_values, down=order.descending))
    elif before_values is not None:
        paged = paged.where(*beyond(before_values, down=not order.descending))
    rows = list(db.session.scalars(paged.order_by(*order.clauses(reverse=backwards)).limit(per_page + 1)))
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
    result: KeysetPage[Any] = KeysetPage(items=rows, cap=cap)
    # nothing is hard-deleted, so the row a token names is still there: coming from it, there is a
    # page on its side
    has_next = more if not backwards else True
    has_previous = more if backwards else after_values is not None
    if rows:
        result.next_token = encode(values_of(rows[-1])) if has_next else None
        result.previous_token = encode(values_of(rows[0])) if has_previous else None
    result.is_first = not has_previous
    if count:
        limited = (
            query.with_only_columns(literal(1), maintain_column_froms=True).order_by(None).limit(cap + 1).subquery()
        )
        result.total = db.session.scalar(select(func.count()).select_from(limited)) or 0
    return result
