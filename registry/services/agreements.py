"""Agreements: create, find what a user may see, and change the record section by section.

A change to a draft edits it. A change to an approved, awaiting-signature or active
agreement is material: it starts a new draft version that must be approved and signed
again (the approved versions stay frozen in AgreementVersion).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import raiseload

from registry.extensions import db
from registry.models import Agreement, Objective, Organisation, Party, Role, StatutoryGateway, User
from registry.readiness import add_months
from registry.services import audit, references
from registry.services.errors import AgreementNotEditable, DomainError, StaleEdit
from registry.services.persist import flush, lock

SECTIONS: dict[str, tuple[str, ...]] = {
    "purpose": ("title", "kind", "partnership_id", "purpose", "benefits", "necessity", "less_data_rationale"),
    "legal": ("art6_basis", "art9_condition", "schedule1_condition", "policy_document_in_place", "criminal_condition",
              "law_enforcement_processing", "other_gateways", "common_law_duty", "national_data_opt_out",
              "confirmed_anonymised"),
    "data": ("identifiability", "approximate_volume"),
    "flow": ("direction", "frequency", "transfer_method", "access_controls", "onward_sharing",
             "international_transfers", "transfer_safeguards", "security_measures"),
    "governance": ("dpia_screening", "dpia_reference", "dpia_date", "dpia_outcome", "privacy_notice_links",
                   "breach_contact", "termination_arrangements"),
    "dates": ("effective_from", "end_date", "review_interval_months", "next_review_date"),
}  # fmt: skip
SECTION_TITLES = {
    "purpose": "Purpose and necessity",
    "parties": "Parties",
    "legal": "Legal basis",
    "data": "Data shared",
    "flow": "How data flows",
    "governance": "Governance and DPIA",
    "dates": "Dates and review",
}
# statuses in which a change makes a new version
FROZEN = frozenset({"approved", "awaiting_signatures", "active"})
CLOSED = frozenset({"terminated", "expired"})
# statuses whose readiness check still matters (the "has gaps" filter and the governance count)
CHECKED = ("draft", "awaiting_approval")


# an organisation's or partnership's page lists this many agreements, then links to the register
SHORT_LIST = 20


def party_clause(organisation_id: int) -> Any:
    """The agreement has the organisation as a party: an IN list read from the party index, which
    both databases plan well (a correlated EXISTS made SQLite walk every agreement)."""
    return Agreement.id.in_(select(Party.agreement_id).where(Party.organisation_id == organisation_id))


def sector_clause(sector: str) -> Any:
    """The agreement has a party in the sector."""
    return exists().where(
        Party.agreement_id == Agreement.id, Party.organisation_id == Organisation.id, Organisation.sector == sector
    )


def sees_every(user: User) -> bool:
    """Whether the user may see every agreement (so the maintained counts of all of them are theirs)."""
    return user.role != Role.PARTNER


def visible(user: User) -> Select[tuple[Agreement]]:
    """Agreements the user may see: partners only those their organisation is party to."""
    query = select(Agreement)
    if not sees_every(user):
        query = query.where(party_clause(user.organisation_id or 0))
    return query


def listed(query: Select[tuple[Agreement]]) -> Select[tuple[Agreement]]:
    """For list pages: the agreements' own columns only. Loading every agreement's parties, data
    items and the rest for a table that shows none of them was most of a list page's time; any
    relationship a list template does touch now raises, so the tests catch it."""
    return query.options(raiseload("*"))


def get_visible(user: User, reference: str) -> Agreement | None:
    return db.session.scalar(visible(user).where(Agreement.reference == reference.upper()))


def for_organisation(user: User, organisation_id: int) -> list[Agreement]:
    query = visible(user).where(party_clause(organisation_id)).order_by(Agreement.next_review_date, Agreement.id)
    return list(db.session.scalars(listed(query).limit(SHORT_LIST + 1)))


def for_partnership(user: User, partnership_id: int) -> list[Agreement]:
    query = visible(user).where(Agreement.partnership_id == partnership_id).order_by(Agreement.reference)
    return list(db.session.scalars(listed(query).limit(SHORT_LIST + 1)))


def create(actor: User, data: dict[str, Any]) -> Agreement:
    agreement = Agreement(
        reference=references.allocate(),
        title=data["title"].strip(),
        kind=data["kind"],
        partnership_id=data.get("partnership_id"),
        purpose=(data.get("purpose") or "").strip() or None,
        status="draft",
        version_number=1,
        owner_id=actor.id,
        review_interval_months=12,
        lock_version=1,
    )
    db.session.add(agreement)
    flush()
    audit.record(
        "agreement.created",
        "agreement",
        agreement.reference,
        actor=actor,
        changes=audit.snapshot(agreement, ("reference", "title", "kind", "partnership_id", "purpose")),
    )
    return agreement


def begin_change(actor: User, agreement: Agreement, read_version: int | None) -> None:
    """Refuse a stale or not-allowed change; turn a frozen agreement into a new draft version."""
    lock(agreement)
    if read_version is not None and agreement.lock_version != read_version:
        raise StaleEdit(
            changed=audit.changes_since("agreement", agreement.reference, agreement.lock_version - read_version)
        )
    if agreement.status == "awaiting_approval":
        raise AgreementNotEditable()
    if agreement.status in CLOSED:
        raise AgreementNotEditable(f"This agreement is {agreement.status_label.lower()} and can no longer be changed")
    if agreement.status in FROZEN:
        from registry.services import signing

        signing.void_signatures(actor, agreement)
        before = {"status": agreement.status, "version_number": agreement.version_number}
        agreement.status = "draft"
        agreement.version_number += 1
        agreement.return_comments = None
        audit.record("agreement.new_version", "agreement", agreement.reference, actor=actor, changes={
            "status": {"before": before["status"], "after": "draft"},
            "version_number": {"before": before["version_number"], "after": agreement.version_number},
        })  # fmt: skip


def finish_change(actor: User, agreement: Agreement, action: str, changes: dict[str, Any]) -> None:
    agreement.lock_version += 1
    flush()
    audit.record(action, "agreement", agreement.reference, actor=actor, changes=changes)


def update_section(
    actor: User,
    agreement: Agreement,
    section: str,
    data: dict[str, Any],
    *,
    read_version: int,
    objective_ids: list[int] | None = None,
    gateway_ids: list[int] | None = None,
) -> Agreement:
    fields = SECTIONS[section]
    pending = {f: data[f] for f in fields if f in data}
    if section == "dates" and pending.get("effective_from") and not pending.get("next_review_date"):
        # a blank review date follows from the interval
        pending["next_review_date"] = add_months(
            pending["effective_from"], int(pending.get("review_interval_months") or 12)
        )
    changed_lists = _list_changes(agreement, objective_ids, gateway_ids)
    current = {f: getattr(agreement, f) for f in pending}
    if current == pending and not changed_lists:
        return agreement  # nothing to save: no new version for a form saved unchanged
    begin_change(actor, agreement, read_version)
    for field, value in pending.items():
        setattr(agreement, field, (value.strip() or None) if isinstance(value, str) else value)
    changes = audit.diff(agreement, fields)
    if objective_ids is not None:
        agreement.objectives = list(db.session.scalars(select(Objective).where(Objective.id.in_(objective_ids))))
    if gateway_ids is not None:
        agreement.gateways = list(
            db.session.scalars(select(StatutoryGateway).where(StatutoryGateway.id.in_(gateway_ids)))
        )
    changes.update(changed_lists)
    finish_change(actor, agreement, "agreement.updated", changes)
    return agreement


def _list_changes(agreement: Agreement, objective_ids: list[int] | None, gateway_ids: list[int] | None) -> dict:
    changes: dict[str, Any] = {}
    for name, ids, current in (("objectives", objective_ids, agreement.objectives),
                               ("gateways", gateway_ids, agreement.gateways)):  # fmt: skip
        if ids is not None and sorted(ids) != sorted(item.id for item in current):
            changes[name] = {"before": sorted(item.id for item in current), "after": sorted(ids)}
    return changes


def objective_choices(agreement: Agreement) -> list[tuple[int, str]]:
    if not agreement.partnership_id:
        return []
    rows = db.session.execute(
        select(Objective.id, Objective.title).where(Objective.partnership_id == agreement.partnership_id)
        .order_by(Objective.title, Objective.id)
    )  # fmt: skip
    return [(row.id, row.title) for row in rows]


def gateway_choices(include_ids: list[int] | None = None) -> list[tuple[int, str]]:
    keep = set(include_ids or [])
    rows = db.session.execute(select(StatutoryGateway).order_by(StatutoryGateway.name))
    return [(g.id, g.name) for (g,) in rows if g.active or g.id in keep]


def check_party_organisation(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise DomainError("Select an organisation", field="organisation_id")
    return organisation
