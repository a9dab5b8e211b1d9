"""The lists inside an agreement: parties, data items and data subject groups.

Each change goes through agreements.begin_change/finish_change, so a change to an
approved agreement goes into its proposed variation (the part changed is the variation's
copy of it) and every change is audited with its values.
"""

from __future__ import annotations

from typing import Any

from registry.extensions import db
from registry.models import Agreement, DataItem, Party, SubjectGroup, User
from registry.services.agreements import begin_change, check_party_organisation, finish_change
from registry.services.errors import DissolvedOrganisation, DomainError, PartyTaken
from registry.services.variations import counterpart

PARTY_FIELDS = ("role", "signatory_name", "signatory_job_title", "rights_contact", "retention_period",
                "disposal_method")  # fmt: skip
ITEM_FIELDS = ("name", "description", "category", "provider_organisation_id")
GROUP_FIELDS = ("name", "includes_children", "includes_vulnerable_adults")


def _clean(value: Any) -> Any:
    return (value.strip() or None) if isinstance(value, str) else value


def _values(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def find(agreement: Agreement, kind: type, part_id: int) -> Any:
    part = db.session.get(kind, part_id)
    return part if part is not None and part.agreement_id == agreement.id else None


def add_party(actor: User, agreement: Agreement, data: dict[str, Any], *, read_version: int) -> Party:
    organisation = check_party_organisation(data["organisation_id"])
    if organisation.is_dissolved:
        raise DissolvedOrganisation(organisation.name, organisation.successor.name if organisation.successor else None)
    if any(p.organisation_id == organisation.id for p in agreement.parties):
        raise PartyTaken()
    target = begin_change(actor, agreement, read_version)
    party = Party(organisation_id=organisation.id, **{f: _clean(data.get(f)) for f in PARTY_FIELDS})
    target.parties.append(party)
    after = {"organisation": organisation.name, **_values(party, PARTY_FIELDS)}
    finish_change(actor, target, "agreement.party_added", {"party": {"before": None, "after": after}})
    return party


def update_party(actor: User, agreement: Agreement, party: Party, data: dict[str, Any], *, read_version: int) -> Party:
    new = {f: _clean(data.get(f)) for f in PARTY_FIELDS}
    old = _values(party, PARTY_FIELDS)
    if new == old:
        return party
    target = begin_change(actor, agreement, read_version)
    party = counterpart(target, party)
    for field, value in new.items():
        setattr(party, field, value)
    changes = {f"party {party.organisation.name}: {f}": {"before": old[f], "after": new[f]}
               for f in PARTY_FIELDS if old[f] != new[f]}  # fmt: skip
    finish_change(actor, target, "agreement.party_updated", changes)
    return party


def remove_party(actor: User, agreement: Agreement, party: Party, *, read_version: int) -> None:
    if any(item.provider_organisation_id == party.organisation_id for item in agreement.data_items):
        raise DomainError(f"{party.organisation.name} provides data items: change or remove them first")
    target = begin_change(actor, agreement, read_version)
    party = counterpart(target, party)
    old = {"organisation": party.organisation.name, **_values(party, PARTY_FIELDS)}
    target.parties.remove(party)
    finish_change(actor, target, "agreement.party_removed", {"party": {"before": old, "after": None}})


def _check_provider(agreement: Agreement, data: dict[str, Any]) -> None:
    provider = data.get("provider_organisation_id")
    if provider and provider not in {p.organisation_id for p in agreement.parties}:
        raise DomainError("Select a provider that is a party to the agreement", field="provider_organisation_id")


def add_item(actor: User, agreement: Agreement, data: dict[str, Any], *, read_version: int) -> DataItem:
    _check_provider(agreement, data)
    target = begin_change(actor, agreement, read_version)
    item = DataItem(**{f: _clean(data.get(f)) for f in ITEM_FIELDS})
    target.data_items.append(item)
    finish_change(
        actor, target, "agreement.item_added", {"data item": {"before": None, "after": _values(item, ITEM_FIELDS)}}
    )
    return item


def update_item(
    actor: User, agreement: Agreement, item: DataItem, data: dict[str, Any], *, read_version: int
) -> DataItem:
    _check_provider(agreement, data)
    new, old = {f: _clean(data.get(f)) for f in ITEM_FIELDS}, _values(item, ITEM_FIELDS)
    if new == old:
        return item
    target = begin_change(actor, agreement, read_version)
    item = counterpart(target, item)
    for field, value in new.items():
        setattr(item, field, value)
    finish_change(actor, target, "agreement.item_updated", {"data item": {"before": old, "after": new}})
    return item


def remove_item(actor: User, agreement: Agreement, item: DataItem, *, read_version: int) -> None:
    target = begin_change(actor, agreement, read_version)
    item = counterpart(target, item)
    old = _values(item, ITEM_FIELDS)
    target.data_items.remove(item)
    finish_change(actor, target, "agreement.item_removed", {"data item": {"before": old, "after": None}})


def add_group(actor: User, agreement: Agreement, data: dict[str, Any], *, read_version: int) -> SubjectGroup:
    target = begin_change(actor, agreement, read_version)
    group = SubjectGroup(**{f: _clean(data.get(f)) for f in GROUP_FIELDS})
    target.subject_groups.append(group)
    finish_change(actor, target, "agreement.subjects_added",
                  {"data subjects": {"before": None, "after": _values(group, GROUP_FIELDS)}})  # fmt: skip
    return group


def remove_group(actor: User, agreement: Agreement, group: SubjectGroup, *, read_version: int) -> None:
    target = begin_change(actor, agreement, read_version)
    group = counterpart(target, group)
    old = _values(group, GROUP_FIELDS)
    target.subject_groups.remove(group)
    finish_change(actor, target, "agreement.subjects_removed", {"data subjects": {"before": old, "after": None}})
