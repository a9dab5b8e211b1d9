"""The governance dashboard's figures: agreements by status, kind and sector of the parties, reviews
due, and agreements whose readiness check finds gaps.

Each count is one GROUP BY query, so the page costs the same number of queries however many
agreements there are. Every figure comes with the query string of the list behind it, and counts
exactly what that list shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import distinct, func, select

from registry.extensions import db
from registry.models import Agreement, Organisation, Party, Sector, User
from registry.models import agreement_choices as choices
from registry.services import agreements, reviews, tallies


@dataclass(frozen=True)
class Figure:
    label: str
    value: int
    args: dict[str, str]  # the query string of the list behind the figure


@dataclass(frozen=True)
class Dashboard:
    by_status: list[Figure]
    by_kind: list[Figure]
    by_sector: list[Figure]
    reviews: list[Figure]
    with_gaps: list[Figure]
    variations: list[Figure]
    total: int


def _grouped(user: User, column) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """How many of the agreements the user may see have each value of the column. Those who see
    every agreement read the maintained counts (services/tallies.py): one indexed read however
    many agreements there are; a partner's own few are counted."""
    if agreements.sees_every(user):
        return tallies.counts(column.key)
    query = agreements.visible(user).with_only_columns(column, func.count(Agreement.id)).group_by(column)
    return {value: number for value, number in db.session.execute(query)}


def by_status(user: User) -> list[Figure]:
    found = _grouped(user, Agreement.status)
    return [Figure(label, found.get(key, 0), {"status": key}) for key, label in choices.STATUSES.items()]


def by_kind(user: User) -> list[Figure]:
    found = _grouped(user, Agreement.kind)
    return [Figure(label, found.get(key, 0), {"kind": key}) for key, label in choices.KINDS.items()]


def by_sector(user: User) -> list[Figure]:
    """An agreement counts once in each sector it has a party in (so the figures may add up to more
    than the number of agreements)."""
    if agreements.sees_every(user):
        found = tallies.counts("sector")
        return [Figure(sector.label, found.get(sector.value, 0), {"sector": sector.value}) for sector in Sector]
    query = (
        select(Organisation.sector, func.count(distinct(Party.agreement_id)))
        .join(Party, Party.organisation_id == Organisation.id)
        .where(Party.agreement_id.in_(agreements.visible(user).with_only_columns(Agreement.id)))
        .group_by(Organisation.sector)
    )
    found = {sector: number for sector, number in db.session.execute(query)}
    return [Figure(sector.label, found.get(sector.value, 0), {"sector": sector.value}) for sector in Sector]


def reviews_due(user: User, today: date | None = None) -> list[Figure]:
    counts = reviews.counts(user, today=today)
    return [Figure(label, counts[key], {"window": key}) for key, label in reviews.WINDOWS.items()]


def with_gaps(user: User) -> list[Figure]:
    """Drafts and agreements awaiting approval whose readiness check finds gaps, by status."""
    if agreements.sees_every(user):
        found = tallies.counts("gaps")
    else:
        query = (
            agreements.visible(user)
            .with_only_columns(Agreement.status, func.count(Agreement.id))
            .where(Agreement.status.in_(agreements.CHECKED), Agreement.readiness_gaps > 0)
            .group_by(Agreement.status)
        )
        found = {status: number for status, number in db.session.execute(query)}
    return [
        Figure(choices.STATUSES[status], found.get(status, 0), {"status": status, "gaps": "yes"})
        for status in agreements.CHECKED
    ]


def variations(user: User) -> list[Figure]:
    """Agreements in force (or approved) with a proposed variation, by the variation's step: the
    IG officer's approvals among them. Counted on the indexed ``variation_status``: there are few."""
    from registry.services.agreement_filters import VARIATION_STEPS

    query = (
        agreements.visible(user)
        .with_only_columns(Agreement.variation_status, func.count(Agreement.id))
        .where(Agreement.variation_status.is_not(None))
        .group_by(Agreement.variation_status)
    )
    found = {status: number for status, number in db.session.execute(query)}
    return [
        Figure(f"Variation {choices.STATUSES[step].lower()}", found.get(step, 0), {"variation": step})
        for step in VARIATION_STEPS
    ]


def dashboard(user: User, today: date | None = None) -> Dashboard:
    statuses = by_status(user)
    return Dashboard(
        by_status=statuses,
        by_kind=by_kind(user),
        by_sector=by_sector(user),
        reviews=reviews_due(user, today),
        with_gaps=with_gaps(user),
        variations=variations(user),
        total=sum(figure.value for figure in statuses),
    )
