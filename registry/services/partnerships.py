"""Operations on partnerships and their membership."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import aliased

from registry.dates import today_in_london
from registry.extensions import db
from registry.models import Membership, Objective, Organisation, Partnership, Role, User
from registry.models.partnership import MemberRole, objective_community
from registry.services import audit
from registry.services.errors import (
    AlreadyMember,
    DissolvedOrganisation,
    DomainError,
    InvalidDates,
    NameTaken,
    StaleEdit,
)
from registry.services.persist import contains, flush, lock, name_key

EDITABLE = ("name", "purpose", "lead_organisation_id", "status", "start_date", "end_date", "strategies",
            "risk_reward_sharing")  # fmt: skip

SORTS = {
    "name": (Partnership.name_key.asc(),),
    "-start": (Partnership.start_date.desc(),),
    "status": (Partnership.status.asc(), Partnership.name_key.asc()),
    "-updated": (Partnership.updated_at.desc(),),
}


def current_member_clause(organisation_id: int, on: date | None = None) -> Any:
    """SQL: the organisation is a current member of the partnership in the outer query."""
    on = on or today_in_london()
    spell = aliased(Membership)  # the outer query may join Membership itself
    return (
        exists()
        .where(
            spell.partnership_id == Partnership.id,
            spell.organisation_id == organisation_id,
            or_(spell.left_on.is_(None), spell.left_on > on),
        )
        .correlate(Partnership)
    )


def visible(user: User) -> Select[tuple[Partnership]]:
    """Partnerships the user may see: partners only those their organisation is a member of."""
    query = select(Partnership)
    if user.role == Role.PARTNER:
        query = query.where(current_member_clause(user.organisation_id or 0))
    return query


def get_visible(user: User, partnership_id: int) -> Partnership | None:
    return db.session.scalar(visible(user).where(Partnership.id == partnership_id))


def search(
    user: User,
    *,
    text: str = "",
    status: str = "",
    member_id: int | None = None,
    priority: str = "",
    community_id: int | None = None,
    sort: str = "name",
    page: int = 1,
    per_page: int = 20,
) -> Pagination:
    query = visible(user)
    if text.strip():
        query = query.where(Partnership.name_key.like(contains(name_key(text)), escape="\\"))
    if status:
        query = query.where(Partnership.status == status)
    if member_id:
        query = query.where(current_member_clause(member_id))
    if priority or community_id:
        objective_filter = select(Objective.id).where(Objective.partnership_id == Partnership.id)
        if priority:
            objective_filter = objective_filter.where(Objective.priority == priority)
        if community_id:
            objective_filter = objective_filter.where(
                Objective.id.in_(
                    select(objective_community.c.objective_id).where(objective_community.c.community_id == community_id)
                )
            )
        query = query.where(objective_filter.exists())
    query = query.order_by(*SORTS.get(sort, SORTS["name"]), Partnership.id.asc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def choices(user: User, *, limit: int | None = None) -> list[tuple[int, str]]:
    """Partnerships the user can see, for a select list."""
    query = visible(user).with_only_columns(Partnership.id, Partnership.name).order_by(Partnership.name_key)
    query = query.limit(limit)
    return [(row.id, row.name) for row in db.session.execute(query)]


def for_organisation(user: User, organisation_id: int) -> list[tuple[Partnership, Membership]]:
    """The organisation's memberships, current first, in partnerships the user can see."""
    query = (
        visible(user)
        .add_columns(Membership)
        .join(Membership, Membership.partnership_id == Partnership.id)
        .where(Membership.organisation_id == organisation_id)
        .order_by(Membership.left_on.is_not(None), Partnership.name_key, Membership.id)
    )
    rows = db.session.execute(query)
    return [(row[0], row[1]) for row in rows]


def memberships(partnership: Partnership) -> list[Membership]:
    """Every spell of membership, current ones first, then by joining date."""
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.partnership_id == partnership.id)
            .order_by(Membership.left_on.is_not(None), Membership.joined_on, Membership.id)
        )
    )


def current_member_choices(partnership: Partnership) -> list[tuple[int, str]]:
    today = today_in_london()
    rows = db.session.execute(
        select(Organisation.id, Organisation.name)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(
            Membership.partnership_id == partnership.id,
            or_(Membership.left_on.is_(None), Membership.left_on > today),
        )
        .distinct()
        .order_by(Organisation.name, Organisation.id)
    )
    return [(row.id, row.name) for row in rows]


def is_current_member(partnership_id: int, organisation_id: int | None) -> bool:
    if organisation_id is None:
        return False
    today = today_in_london()
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(
                Membership.partnership_id == partnership_id,
                Membership.organisation_id == organisation_id,
                or_(Membership.left_on.is_(None), Membership.left_on > today),
            )
        )
    )


def _check(data: dict[str, Any], own_id: int | None = None) -> None:
    query = select(func.count()).select_from(Partnership).where(Partnership.name_key == name_key(data["name"]))
    if own_id is not None:
        query = query.where(Partnership.id != own_id)
    if db.session.scalar(query):
        raise NameTaken("A partnership with this name already exists")
    start, end = data.get("start_date"), data.get("end_date")
    if start and end and end < start:
        raise InvalidDates("Enter an end date after the start date", field="end_date")
    lead = db.session.get(Organisation, data["lead_organisation_id"])
    if lead is None:
        raise DomainError("Select the lead organisation", field="lead_organisation_id")
    if lead.is_dissolved and (own_id is None or lead.id != data.get("_current_lead")):
        raise DissolvedOrganisation(lead.name, lead.successor.name if lead.successor else None).with_field(
            "lead_organisation_id"
        )


def _apply(partnership: Partnership, data: dict[str, Any]) -> None:
    for field in EDITABLE:
        if field in data:
            value = data[field]
            setattr(partnership, field, (value.strip() or None) if isinstance(value, str) else value)
    partnership.name = " ".join(partnership.name.split())
    partnership.name_key = name_key(partnership.name)


def create(actor: User, data: dict[str, Any]) -> Partnership:
    _check(data)
    partnership = Partnership(version=1)
    _apply(partnership, data)
    db.session.add(partnership)
    flush({"name_key": lambda: NameTaken("A partnership with this name already exists")})
    audit.record("partnership.created", "partnership", partnership.id, actor=actor,
                 changes=audit.snapshot(partnership, Partnership.AUDITED))  # fmt: skip
    joined = partnership.start_date or today_in_london()
    add_member(actor, partnership, organisation_id=partnership.lead_organisation_id, role=MemberRole.LEAD,
               joined_on=joined)  # fmt: skip
    return partnership


def update(actor: User, partnership: Partnership, data: dict[str, Any], *, read_version: int) -> Partnership:
    lock(partnership)
    if partnership.version != read_version:
        raise StaleEdit()
    _check({**data, "_current_lead": partnership.lead_organisation_id}, own_id=partnership.id)
    _apply(partnership, data)
    changes = audit.diff(partnership, Partnership.AUDITED)
    if not changes:
        return partnership
    partnership.version += 1
    flush({"name_key": lambda: NameTaken("A partnership with this name already exists")})
    audit.record("partnership.updated", "partnership", partnership.id, actor=actor, changes=changes)
    if "lead_organisation_id" in changes and not is_current_member(partnership.id, partnership.lead_organisation_id):
        add_member(actor, partnership, organisation_id=partnership.lead_organisation_id, role=MemberRole.LEAD,
                   joined_on=today_in_london())  # fmt: skip
    return partnership


def add_member(
    actor: User, partnership: Partnership, *, organisation_id: int, role: str, joined_on: date
) -> Membership:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise DomainError("Select an organisation", field="organisation_id")
    if organisation.is_dissolved:
        raise DissolvedOrganisation(organisation.name, organisation.successor.name if organisation.successor else None)
    if is_current_member(partnership.id, organisation_id):
        raise AlreadyMember()
    membership = Membership(partnership_id=partnership.id, organisation_id=organisation_id, role=MemberRole(role).value,
                            joined_on=joined_on)  # fmt: skip
    db.session.add(membership)
    flush()
    audit.record("partnership.member_added", "partnership", partnership.id, actor=actor,
                 changes=audit.snapshot(membership, Membership.AUDITED))  # fmt: skip
    return membership


def end_membership(actor: User, partnership: Partnership, membership: Membership, *, left_on: date) -> Membership:
    if membership.partnership_id != partnership.id or not membership.is_current():
        raise DomainError("This organisation is not a current member")
    if left_on < membership.joined_on:
        raise InvalidDates("Enter a leaving date on or after the date it joined", field="left_on")
    if membership.organisation_id == partnership.lead_organisation_id:
        raise DomainError("Choose another lead organisation before the lead leaves", field="left_on")
    membership.left_on = left_on
    changes = audit.diff(membership, Membership.AUDITED)
    flush()
    changes["organisation_id"] = {"before": membership.organisation_id, "after": membership.organisation_id}
    audit.record("partnership.member_left", "partnership", partnership.id, actor=actor, changes=changes)
    return membership


def get_membership(partnership: Partnership, membership_id: int) -> Membership | None:
    membership = db.session.get(Membership, membership_id)
    return membership if membership and membership.partnership_id == partnership.id else None
