"""One search across organisations, partnerships and agreements, as far as the user may see them.

The index is built by migration 0009 and is not in the models: on PostgreSQL a generated
``search_vector`` tsvector column with a GIN index on each table, matched with ``to_tsquery``;
on SQLite an FTS5 table per table (``<table>_search``), kept in step by triggers, matched with
MATCH and ranked with bm25. What a person typed is cut into words of letters and digits only
(so no quote, star, ``NEAR(`` or minus reaches either query language), every word must match
and the last may be the start of a word.

Each kind is read in the database a page at a time. Counts stop at ``CAP``: counting a million
matches to print "more than 1,000" is wasted work. Up to ``CAP`` matches are ordered by an exact
reference, identifier or name first, then by rank, then by id; past ``CAP`` ranking every match
would read every matching row, so the order is newest first (id descending), which an index
walk answers without a sort.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import Select, String, bindparam, case, func, literal_column, or_, select, table
from sqlalchemy import column as sql_column

from registry.extensions import db
from registry.models import Agreement, Organisation, Partnership, Party, Role, User
from registry.services import agreements, organisations, partnerships
from registry.services.persist import name_key

CAP = 1000  # counts stop here ("more than 1,000"); the SEARCH_COUNT_CAP setting overrides it
SUMMARY_SIZE = 5  # rows of each kind on the first results page
PER_PAGE = 20
MAX_WORDS = 8
MAX_WORD_LENGTH = 60

IDENTIFIERS = (
    "ico_registration_number", "companies_house_number", "charity_number", "nhs_ods_code",
    "ukprn", "school_urn", "rsh_number",
)  # fmt: skip

# the objects migration 0009 makes that the models do not describe
FTS_TABLES = ("organisation_search", "partnership_search", "agreement_search")
PG_INDEXES = ("ix_organisation_search_vector", "ix_partnership_search_vector", "ix_agreement_search_vector")


def is_index_table(name: str | None) -> bool:
    """An FTS5 table of the search index or one of the shadow tables SQLite keeps for it."""
    return bool(name) and any(name == fts or name.startswith(fts + "_") for fts in FTS_TABLES)  # type: ignore[union-attr]


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic hook: do not reflect the search index's tables."""
    return not (type_ == "table" and is_index_table(name))


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic hook: the search index is not in the models, so autogenerate must not drop it."""
    if type_ == "table":
        return not is_index_table(name)
    if type_ == "column":
        return name != "search_vector"
    if type_ == "index":  # also the register's review-date order, an expression index (0010)
        return name not in PG_INDEXES and name != "ix_agreement_review_order"
    return True


def words(text: str) -> list[str]:
    """The words of a query: runs of letters and digits, nothing a query language could read.

    "DSA" before a year is left out: every reference has it, so it narrows nothing and would
    make the index read a posting list as long as the agreements table.
    """
    found = [word[:MAX_WORD_LENGTH] for word in re.findall(r"[^\W_]+", text or "")][:MAX_WORDS]
    if len(found) > 1 and found[0].casefold() == "dsa" and found[1].isdigit():
        found = found[1:]
    return found


def tsquery_text(terms: list[str]) -> str:
    """PostgreSQL: every word, the last as a prefix: ``housing & dat:*``."""
    return " & ".join([*terms[:-1], terms[-1] + ":*"])


def fts5_text(terms: list[str]) -> str:
    """SQLite FTS5: every word quoted, the last as a prefix: ``"housing" "dat"*``."""
    return " ".join([*(f'"{term}"' for term in terms[:-1]), f'"{terms[-1]}"*'])


@dataclass(frozen=True)
class Kind:
    """One kind of record the search covers and how it is matched, ranked and shown."""

    key: str  # in the address: ?kind=agreements
    label: str
    model: type
    visible: Callable[[User], Select]
    columns: Callable[[], tuple]
    exact: Callable[[str], Any]  # SQL: this row is what was typed, exactly
    weights: tuple[float, ...]  # bm25 weight of each FTS5 column


def _identifier_exact(text: str) -> Any:
    value = re.sub(r"\s+", "", text).upper()
    return or_(*(getattr(Organisation, name) == value for name in IDENTIFIERS))


KINDS: dict[str, Kind] = {
    "organisations": Kind(
        "organisations", "Organisations", Organisation, organisations.visible,
        lambda: (Organisation.id, Organisation.name, Organisation.kind, Organisation.status,
                 *(getattr(Organisation, name) for name in IDENTIFIERS)),
        lambda text: or_(_identifier_exact(text), Organisation.name_key == name_key(text)),
        (10.0, *(10.0 for _ in IDENTIFIERS)),
    ),
    "partnerships": Kind(
        "partnerships", "Partnerships", Partnership, partnerships.visible,
        lambda: (Partnership.id, Partnership.name, Partnership.status, Partnership.purpose),
        lambda text: Partnership.name_key == name_key(text),
        (10.0, 1.0),
    ),
    "agreements": Kind(
        "agreements", "Agreements", Agreement, agreements.visible,
        lambda: (Agreement.id, Agreement.reference, Agreement.title, Agreement.status, Agreement.kind),
        lambda text: Agreement.reference == text.strip().upper(),
        (10.0, 5.0, 1.0),
    ),
}  # fmt: skip


@dataclass
class Group:
    """One kind's share of the results: capped count and the rows of one page."""

    kind: Kind
    total: int  # at most cap + 1
    rows: list[Any]
    cap: int
    page: int = 1
    per_page: int = SUMMARY_SIZE

    @property
    def more_than_cap(self) -> bool:
        return self.total > self.cap

    @property
    def pages(self) -> int:
        shown = min(self.total, self.cap)
        return max(1, -(-shown // self.per_page))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1


def count_cap() -> int:
    return int(current_app.config.get("SEARCH_COUNT_CAP", CAP))


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _matching(kind: Kind, user: User, terms: list[str], *columns: Any) -> Select:
    """The user's visible rows of this kind that match every word, selecting ``columns``."""
    query = kind.visible(user).with_only_columns(*columns)
    name = kind.model.__tablename__
    if _dialect() == "postgresql":
        tsquery = func.to_tsquery(literal_column("'english'::regconfig"), bindparam(None, tsquery_text(terms), String))
        return query.where(literal_column(f"{name}.search_vector").op("@@")(tsquery))
    if kind.model is Agreement and user.role == Role.PARTNER:
        # the same rows visible() allows, as a list SQLite builds once: it then tests each full-text
        # match against the list instead of running visible()'s EXISTS for each (10x at 1M rows)
        own = select(Party.agreement_id).where(Party.organisation_id == (user.organisation_id or 0))
        query = query.where(Agreement.id.in_(own))
    fts = table(f"{name}_search", sql_column("rowid"))
    return query.join(fts, fts.c.rowid == kind.model.id).where(
        literal_column(f"{name}_search").op("MATCH")(bindparam(None, fts5_text(terms), String))
    )


def _rank(kind: Kind, terms: list[str]) -> Any:
    """Best first: PostgreSQL's ts_rank descending, or SQLite's bm25 (lower is better)."""
    name = kind.model.__tablename__
    if _dialect() == "postgresql":
        tsquery = func.to_tsquery(literal_column("'english'::regconfig"), bindparam(None, tsquery_text(terms), String))
        return func.ts_rank(literal_column(f"{name}.search_vector"), tsquery).desc()
    return func.bm25(literal_column(f"{name}_search"), *kind.weights).asc()


def _capped_count(kind: Kind, user: User, terms: list[str], cap: int) -> Any:
    """SQL: how many match, counting no further than cap + 1. On PostgreSQL in id order, newest
    first: for a common word the planner then walks the primary key and stops at cap + 1 matches
    (5 ms for 71k matches in a million), for a rare one it still takes the full-text index; with
    no order it always built the index's bitmap of every match first (13 ms, and more under load)."""
    matches = _matching(kind, user, terms, kind.model.id)
    if _dialect() == "postgresql":
        matches = matches.order_by(kind.model.id.desc())
    matches = matches.limit(cap + 1).subquery()
    return select(func.count()).select_from(matches).scalar_subquery()


def _rows(kind: Kind, user: User, text: str, terms: list[str], ranked: bool, page: int, per_page: int) -> list[Any]:
    query = _matching(kind, user, terms, *kind.columns())
    if not ranked:  # newest first; on SQLite by the FTS5 table's rowid, which it walks in that order
        fts_rowid = literal_column(f"{kind.model.__tablename__}_search.rowid")
        query = query.order_by((kind.model.id if _dialect() == "postgresql" else fts_rowid).desc())
    else:
        exact_first = case((kind.exact(text), 0), else_=1)
        query = query.order_by(exact_first, _rank(kind, terms), kind.model.id)
    return list(db.session.execute(query.limit(per_page).offset((page - 1) * per_page)))


def summary(user: User, text: str) -> list[Group]:
    """The first few matches of each kind with their counts: one count query, one per kind."""
    terms = words(text)
    if not terms:
        return []
    cap = count_cap()
    counts = db.session.execute(select(*(_capped_count(kind, user, terms, cap) for kind in KINDS.values()))).one()
    return [
        Group(kind, total, _rows(kind, user, text, terms, total <= cap, 1, SUMMARY_SIZE) if total else [], cap)
        for kind, total in zip(KINDS.values(), counts, strict=True)
    ]


def one_kind(user: User, text: str, key: str, page: int = 1) -> Group | None:
    """A page of one kind's matches (pages stop at CAP matches)."""
    kind = KINDS.get(key)
    terms = words(text)
    if kind is None or not terms:
        return None
    cap = count_cap()
    total = db.session.execute(select(_capped_count(kind, user, terms, cap))).scalar_one()
    last_page = max(1, -(-min(total, cap) // PER_PAGE))
    page = min(max(page, 1), last_page)
    rows = _rows(kind, user, text, terms, total <= cap, page, PER_PAGE) if total else []
    return Group(kind, total, rows, cap, page=page, per_page=PER_PAGE)


def agreement_text_clause(text: str) -> Any:
    """SQL for the agreements register's search box: the reference typed exactly, or every word in
    the index (title, reference, purpose), as the header search matches. None when nothing
    searchable was typed."""
    terms = words(text)
    if not terms:
        return None
    if _dialect() == "postgresql":
        tsquery = func.to_tsquery(literal_column("'english'::regconfig"), bindparam(None, tsquery_text(terms), String))
        match = literal_column("agreement.search_vector").op("@@")(tsquery)
    else:
        fts = table("agreement_search", sql_column("rowid"))
        match = Agreement.id.in_(
            select(fts.c.rowid).where(literal_column("agreement_search").op("MATCH")(
                bindparam(None, fts5_text(terms), String)))
        )  # fmt: skip
    return or_(Agreement.reference == text.strip().upper(), match)
