"""Shared objectives of a partnership and their dated progress updates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from registry.dates import today_in_london
from registry.extensions import db
from registry.models import Community, Objective, Partnership, ProgressUpdate, Role, User
from registry.services import audit
from registry.services.errors import DomainError, InvalidDates, OwnerNotMember, StaleEdit
from registry.services.partnerships import current_member_clause, is_current_member
from registry.services.persist import flush, lock

EDITABLE = ("title", "description", "priority", "owner_organisation_id", "baseline_date", "target_date",
            "indicator", "unit", "baseline", "target")  # fmt: skip


def get_visible(user: User, partnership: Partnership, objective_id: int) -> Objective | None:
    """The objective, when it belongs to a partnership the user can see."""
    objective = db.session.get(Objective, objective_id)
    if objective is None or objective.partnership_id != partnership.id:
        return None
    return objective


def for_partnership(partnership: Partnership) -> list[Objective]:
    return list(
        db.session.scalars(
            select(Objective)
            .where(Objective.partnership_id == partnership.id)
            .order_by(Objective.target_date, Objective.id)
        )
    )


def owned_by(user: User, organisation_id: int) -> list[Objective]:
    """Objectives an organisation owns, limited to partnerships the user can see."""
    query = select(Objective).join(Partnership).where(Objective.owner_organisation_id == organisation_id)
    if user.role == Role.PARTNER:
        query = query.where(current_member_clause(user.organisation_id or 0))
    return list(db.session.scalars(query.order_by(Objective.target_date, Objective.id)))


def updates(objective: Objective) -> list[ProgressUpdate]:
    return list(
        db.session.scalars(
            select(ProgressUpdate)
            .where(ProgressUpdate.objective_id == objective.id)
            .order_by(ProgressUpdate.recorded_on, ProgressUpdate.id)
        )
    )


def points_for(objective_ids: list[int]) -> dict[int, list[tuple[date, Decimal]]]:
    """Every (date, value) of the given objectives, in one query."""
    points: dict[int, list[tuple[date, Decimal]]] = {}
    if not objective_ids:
        return points
    rows = db.session.execute(
        select(ProgressUpdate.objective_id, ProgressUpdate.recorded_on, ProgressUpdate.value)
        .where(ProgressUpdate.objective_id.in_(objective_ids))
        .order_by(ProgressUpdate.recorded_on, ProgressUpdate.id)
    )
    for row in rows:
        points.setdefault(row.objective_id, []).append((row.recorded_on, row.value))
    return points


def community_choices(include_ids: list[int] | None = None) -> list[tuple[int, str]]:
    """Active communities, plus retired ones an objective already names."""
    keep = set(include_ids or [])
    rows = db.session.execute(select(Community.id, Community.name, Community.active).order_by(Community.name))
    return [(row.id, row.name) for row in rows if row.active or row.id in keep]


def _check(partnership: Partnership, data: dict[str, Any]) -> None:
    if data["target_date"] <= data["baseline_date"]:
        raise InvalidDates("Enter a target date after the baseline date", field="target_date")
    if partnership.start_date and data["target_date"] < partnership.start_date:
        raise InvalidDates("Enter a target date after the partnership’s start date", field="target_date")
    if not is_current_member(partnership.id, data["owner_organisation_id"]):
        raise OwnerNotMember()
    if Decimal(data["target"]) == Decimal(data["baseline"]):
        raise DomainError("Enter a target that is different from the baseline", field="target")


def _apply(objective: Objective, data: dict[str, Any], community_ids: list[int]) -> None:
    for field in EDITABLE:
        value = data[field]
        setattr(objective, field, (value.strip() or None) if isinstance(value, str) else value)
    objective.communities = list(db.session.scalars(select(Community).where(Community.id.in_(community_ids))))


def create(actor: User, partnership: Partnership, data: dict[str, Any], community_ids: list[int]) -> Objective:
    _check(partnership, data)
    objective = Objective(partnership_id=partnership.id, version=1)
    _apply(objective, data, community_ids)
    db.session.add(objective)
    flush()
    changes = audit.snapshot(objective, Objective.AUDITED)
    changes["communities"] = {"before": None, "after": [c.name for c in objective.communities]}
    audit.record("objective.created", "objective", objective.id, actor=actor, changes=changes)
    return objective


def update(actor: User, objective: Objective, data: dict[str, Any], community_ids: list[int], *,
           read_version: int) -> Objective:  # fmt: skip
    lock(objective)
    if objective.version != read_version:
        raise StaleEdit()
    _check(objective.partnership, data)
    before = [c.name for c in objective.communities]
    _apply(objective, data, community_ids)
    changes = audit.diff(objective, Objective.AUDITED)
    after = [c.name for c in objective.communities]
    if before != after:
        changes["communities"] = {"before": before, "after": after}
    if not changes:
        return objective
    objective.version += 1
    flush()
    audit.record("objective.updated", "objective", objective.id, actor=actor, changes=changes)
    return objective


def add_progress(
    actor: User, objective: Objective, *, recorded_on: date, value: Decimal, narrative: str
) -> ProgressUpdate:
    if recorded_on < objective.baseline_date:
        raise InvalidDates("Enter a date on or after the baseline date", field="recorded_on")
    if recorded_on > today_in_london():
        raise InvalidDates("Date of the measurement must be today or in the past", field="recorded_on")
    progress = ProgressUpdate(objective_id=objective.id, recorded_on=recorded_on, value=value,
                            narrative=narrative.strip(), recorded_by_id=actor.id)  # fmt: skip
    db.session.add(progress)
    flush()
    audit.record("objective.progress_recorded", "objective", objective.id, actor=actor,
                 changes=audit.snapshot(progress, ProgressUpdate.AUDITED))  # fmt: skip
    return progress


def communities() -> list[Community]:
    return list(db.session.scalars(select(Community).order_by(Community.active.desc(), Community.name)))


def add_community(actor: User, name: str) -> Community:
    name = " ".join(name.split())
    if db.session.scalar(select(Community).where(func.lower(Community.name) == name.lower())):
        raise DomainError("This community is already on the list", field="name")
    community = Community(name=name, active=True)
    db.session.add(community)
    flush()
    audit.record("community.added", "community", community.id, actor=actor,
                 changes={"name": {"before": None, "after": name}})  # fmt: skip
    return community


def set_community_active(actor: User, community_id: int, active: bool) -> Community | None:
    """Retire a community from new choices (objectives that name it keep it) or bring it back."""
    community = db.session.get(Community, community_id)
    if community is None or community.active == active:
        return community
    community.active = active
    flush()
    audit.record("community.reinstated" if active else "community.retired", "community", community.id, actor=actor,
                 changes={"active": {"before": not active, "after": active}})  # fmt: skip
    return community
