"""The agreements register's filters and sorts, as one query shared by the list and its exports.

The filters are plain data (``AgreementFilters``) so a filtered view lives in its URL and the same
view can be exported. ``query`` builds the statement; ``page`` reads one keyset page of it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, exists, false, func, literal_column

from registry.dates import today_in_london
from registry.models import Agreement, DataItem, User
from registry.services import paging, search
from registry.services.agreements import CHECKED, listed, party_clause, sector_clause, visible
from registry.services.audit_log import start_of

# statuses whose review dates matter (also in services/reviews.py, which imports from here)
LIVE = ("approved", "awaiting_signatures", "active")
REVIEW_WINDOWS = {"overdue": "Overdue", "30": "Due within 30 days", "60": "Due in 31 to 60 days",
                  "90": "Due in 61 to 90 days"}  # fmt: skip
# the steps of a proposed variation's own lifecycle, before it comes into force
VARIATION_STEPS = ("draft", "awaiting_approval", "approved", "awaiting_signatures")
DATA_CATEGORIES = {"special_category": "Special category data", "criminal_offence": "Criminal offence data"}
# a missing review date sorts after every real one; written as a literal, not a parameter, so the
# expression is the one migration 0010 indexes and both databases use that index
NO_REVIEW = date(9999, 12, 31)
REVIEW_KEY = func.coalesce(Agreement.next_review_date, literal_column(f"'{NO_REVIEW.isoformat()}'", Date))

SORTS: dict[str, paging.Order] = {
    "reference": paging.Order((Agreement.reference,)),
    "-reference": paging.Order((Agreement.reference,), descending=True),
    "title": paging.Order((Agreement.title, Agreement.id)),
    "review": paging.Order((REVIEW_KEY, Agreement.id)),
    "-updated": paging.Order((Agreement.updated_at, Agreement.id), descending=True),
}
SORT_LABELS = {
    "reference": "Reference",
    "-reference": "Newest reference",
    "title": "Title (A to Z)",
    "review": "Next review date",
    "-updated": "Recently changed",
}


def _sort_values(sort: str, agreement: Agreement) -> list[Any]:
    if sort in ("reference", "-reference"):
        return [agreement.reference]
    if sort == "title":
        return [agreement.title, agreement.id]
    if sort == "review":
        return [agreement.next_review_date or NO_REVIEW, agreement.id]
    return [agreement.updated_at, agreement.id]


@dataclass(frozen=True)
class AgreementFilters:
    text: str = ""
    status: str = ""
    kind: str = ""
    organisation_id: int | None = None  # a party
    partnership_id: int | None = None
    sector: str = ""  # of a party
    data_category: str = ""  # special_category or criminal_offence: a data item of that category
    review: str = ""  # overdue, 30, 60 or 90 (live agreements only)
    has_gaps: bool = False  # drafts and awaiting approval whose readiness check finds gaps
    variation: str = ""  # "any" (has a proposed variation) or the variation's status
    starts_from: date | None = None  # effective from, both dates included
    starts_to: date | None = None
    changed_since: date | None = None  # last changed on or after
    sort: str = "reference"

    def describe(self) -> dict[str, Any]:
        """The filters that are set, as plain data (recorded with an export)."""
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(self).items()
                if v not in ("", None, False) and k != "sort"}  # fmt: skip


def review_window(key: str, today: date, column: Any = None) -> ColumnElement[bool]:
    """The review window's dates, on the agreement's next review date unless another ``column``."""
    day = Agreement.next_review_date if column is None else column
    if key == "overdue":
        return day < today
    low = {"30": 0, "60": 31, "90": 61}[key]
    return day.between(today + timedelta(days=low), today + timedelta(days=int(key)))


def conditions(user: User, filters: AgreementFilters, today: date | None = None) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    text = filters.text.strip()
    if text:  # the full-text index (services/search.py), not a LIKE that reads every row
        clause = search.agreement_text_clause(text)
        found.append(clause if clause is not None else false())
    if filters.status:
        found.append(Agreement.status == filters.status)
    if filters.kind:
        found.append(Agreement.kind == filters.kind)
    if filters.organisation_id:
        found.append(party_clause(filters.organisation_id))
    if filters.partnership_id:
        found.append(Agreement.partnership_id == filters.partnership_id)
    if filters.sector:
        found.append(sector_clause(filters.sector))
    if filters.data_category:
        found.append(exists().where(DataItem.agreement_id == Agreement.id, DataItem.category == filters.data_category))
    if filters.review in REVIEW_WINDOWS:
        found.append(Agreement.status.in_(LIVE))
        found.append(review_window(filters.review, today or today_in_london()))
    if filters.has_gaps:  # the number of gaps is kept up to date on each agreement (services/tallies.py)
        found.append(Agreement.status.in_(CHECKED))
        found.append(Agreement.readiness_gaps > 0)
    if filters.variation == "any":
        found.append(Agreement.variation_status.is_not(None))
    elif filters.variation in VARIATION_STEPS:
        found.append(Agreement.variation_status == filters.variation)
    if filters.starts_from:
        found.append(Agreement.effective_from >= filters.starts_from)
    if filters.starts_to:
        found.append(Agreement.effective_from <= filters.starts_to)
    if filters.changed_since:
        found.append(Agreement.updated_at >= start_of(filters.changed_since))
    return found


def query(user: User, filters: AgreementFilters) -> Select[tuple[Agreement]]:
    """The agreements the user may see that match, in the chosen order (ending in a unique column)."""
    order = SORTS.get(filters.sort, SORTS["reference"])
    return visible(user).where(*conditions(user, filters)).order_by(*order.clauses())


def page(user: User, filters: AgreementFilters, *, after: str | None = None, before: str | None = None,
         per_page: int = 20) -> paging.KeysetPage[Agreement]:  # fmt: skip
    sort = filters.sort if filters.sort in SORTS else "reference"
    matching = listed(visible(user)).where(*conditions(user, filters))
    return paging.page(matching, SORTS[sort], lambda row: _sort_values(sort, row), after=after, before=before,
                       per_page=per_page)  # fmt: skip
