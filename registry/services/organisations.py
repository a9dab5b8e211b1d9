"""Operations on the organisations register."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select

from registry.extensions import db
from registry.models import Organisation, OrganisationStatus, Role, User
from registry.services import audit
from registry.services.errors import AlreadyDissolved, InvalidSuccessor, NameTaken, StaleEdit
from registry.services.persist import contains, flush, lock, name_key

EDITABLE = (
    "name", "sector", "kind",
    "ico_registration_number", "companies_house_number", "charity_number", "nhs_ods_code",
    "ukprn", "school_urn", "rsh_number",
    "address", "postcode", "website",
    "main_contact_name", "main_contact_email", "main_contact_phone", "dpo_name", "dpo_email",
)  # fmt: skip

SORTS = {
    "name": (Organisation.name_key.asc(),),
    "-name": (Organisation.name_key.desc(),),
    "sector": (Organisation.sector.asc(), Organisation.name_key.asc()),
    "kind": (Organisation.kind.asc(), Organisation.name_key.asc()),
    "-updated": (Organisation.updated_at.desc(),),
}


def visible(user: User) -> Select[tuple[Organisation]]:
    """Organisations the user may see: partners only their own."""
    query = select(Organisation)
    if user.role == Role.PARTNER:
        query = query.where(Organisation.id == user.organisation_id)
    return query


def get_visible(user: User, organisation_id: int) -> Organisation | None:
    return db.session.scalar(visible(user).where(Organisation.id == organisation_id))


def find_by_name(name: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.name_key == name_key(name)))


def search(
    user: User,
    *,
    text: str = "",
    sector: str = "",
    kind: str = "",
    status: str = "",
    sort: str = "name",
    page: int = 1,
    per_page: int = 20,
) -> Pagination:
    query = visible(user)
    if text.strip():
        query = query.where(Organisation.name_key.like(contains(name_key(text)), escape="\\"))
    if sector:
        query = query.where(Organisation.sector == sector)
    if kind:
        query = query.where(Organisation.kind == kind)
    if status:
        query = query.where(Organisation.status == status)
    query = query.order_by(*SORTS.get(sort, SORTS["name"]), Organisation.id.asc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def choices(exclude_id: int | None = None, *, active_only: bool = True, limit: int | None = None
            ) -> list[tuple[int, str]]:  # fmt: skip
    query = select(Organisation.id, Organisation.name).order_by(Organisation.name_key, Organisation.id).limit(limit)
    if active_only:
        query = query.where(Organisation.status == OrganisationStatus.ACTIVE)
    if exclude_id is not None:
        query = query.where(Organisation.id != exclude_id)
    return [(row.id, row.name) for row in db.session.execute(query)]


def labelled_choices() -> list[tuple[int, str]]:
    """Every organisation, dissolved ones marked, so choosing one can suggest its successor."""
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.status).order_by(Organisation.name_key, Organisation.id)
    )
    return [(row.id, row.name + (" (dissolved)" if row.status == OrganisationStatus.DISSOLVED else "")) for row in rows]


def _check_name_free(name: str, own_id: int | None = None) -> None:
    query = select(func.count()).select_from(Organisation).where(Organisation.name_key == name_key(name))
    if own_id is not None:
        query = query.where(Organisation.id != own_id)
    if db.session.scalar(query):
        raise NameTaken()


def _flush() -> None:
    flush({"name_key": NameTaken})


def _apply(organisation: Organisation, data: dict[str, Any]) -> None:
    for field in EDITABLE:
        if field in data:
            value = data[field]
            setattr(organisation, field, value.strip() or None if isinstance(value, str) else value)
    organisation.name = " ".join(organisation.name.split())
    organisation.name_key = name_key(organisation.name)


def create(actor: User | None, data: dict[str, Any]) -> Organisation:
    _check_name_free(data["name"])
    organisation = Organisation(status=OrganisationStatus.ACTIVE.value, version=1)
    _apply(organisation, data)
    db.session.add(organisation)
    _flush()
    audit.record(
        "organisation.created", "organisation", organisation.id,
        actor=actor, changes=audit.snapshot(organisation, Organisation.AUDITED),
    )  # fmt: skip
    return organisation


def update(actor: User, organisation: Organisation, data: dict[str, Any], *, read_version: int) -> Organisation:
    lock(organisation)
    if organisation.version != read_version:
        raise StaleEdit(
            changed=audit.changes_since("organisation", organisation.id, organisation.version - read_version)
        )
    _check_name_free(data["name"], own_id=organisation.id)
    _apply(organisation, data)
    changes = audit.diff(organisation, Organisation.AUDITED)
    if not changes:
        return organisation
    organisation.version += 1
    _flush()
    audit.record("organisation.updated", "organisation", organisation.id, actor=actor, changes=changes)
    return organisation


def dissolve(actor: User, organisation: Organisation, *, dissolved_on: date, successor_id: int | None) -> Organisation:
    if organisation.is_dissolved:
        raise AlreadyDissolved()
    if successor_id is not None:
        if successor_id == organisation.id:
            raise InvalidSuccessor("An organisation cannot be its own successor")
        successor = db.session.get(Organisation, successor_id)
        if successor is None or successor.is_dissolved:
            raise InvalidSuccessor("Select a successor that is still active")
    organisation.status = OrganisationStatus.DISSOLVED.value
    organisation.dissolved_on = dissolved_on
    organisation.successor_id = successor_id
    organisation.version += 1
    changes = audit.diff(organisation, Organisation.AUDITED)
    _flush()
    audit.record("organisation.dissolved", "organisation", organisation.id, actor=actor, changes=changes)
    return organisation
