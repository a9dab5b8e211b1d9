"""Agreements: create, find what a user may see, and change the record section by section.

A change to a draft edits it. A change to an approved, awaiting-signature or active
agreement is material: it opens a proposed variation (services/variations.py), the next
version as a draft beside the version in force, which stays in force until the variation
is approved and signed by every party.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import raiseload

from registry.extensions import db
from registry.models import Agreement, Objective, Organisation, Party, Role, StatutoryGateway, User
from registry.readiness import add_months
from registry.services import audit, references
from registry.services.errors import AgreementNotEditable, DomainError, StaleEdit
from registry.services.persist import flush

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


# agreements in the register: not the proposed variations beside them
IN_REGISTER = Agreement.variation_of_id.is_(None)


def sees_every(user: User) -> bool:
    """Whether the user may see every agreement (so the maintained counts of all of them are theirs)."""
    return user.role != Role.PARTNER


def visible(user: User) -> Select[tuple[Agreement]]:
    """Agreements in the register the user may see: partners only those their organisation is party to."""
    query = select(Agreement).where(IN_REGISTER)
    if not sees_every(user):
        query = query.where(party_clause(user.organisation_id or 0))
    return query


def reachable(user: User) -> Select[tuple[Agreement]]:
    """Agreements and their proposed variations the user may open: a partner sees a variation of an
    agreement their organisation is party to, and one that would make it a party."""
    query = select(Agreement)
    if not sees_every(user):
        organisation_id = user.organisation_id or 0
        own = select(Party.agreement_id).where(Party.organisation_id == organisation_id)
        query = query.where(or_(Agreement.id.in_(own), Agreement.variation_of_id.in_(own)))
    return query


def listed(query: Select[tuple[Agreement]]) -> Select[tuple[Agreement]]:
    """For list pages: the agreements' own columns only. Loading every agreement's parties, data
    items and the rest for a table that shows none of them was most of a list page's time; any
    relationship a list template does touch now raises, so the tests catch it."""
    return query.options(raiseload("*"))


def get_visible(user: User, reference: str) -> Agreement | None:
    """The agreement or proposed variation with this reference, if the user may see it."""
    return db.session.scalar(reachable(user).where(Agreement.reference == reference.upper()))


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
        last_edited_by_id=actor.id,
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


def editable(agreement: Agreement) -> bool:
    """Whether the record can be changed at all (by someone allowed to): not while it awaits approval,
    not once it has ended, and not a variation that has closed."""
    if agreement.is_variation and not agreement.is_open_variation:
        return False
    return agreement.status not in CLOSED and agreement.status != "awaiting_approval"


def begin_change(actor: User, agreement: Agreement, read_version: int | None) -> Agreement:
    """Refuse a stale or not-allowed change, and return the record the change goes into: the
    agreement itself while it is a draft; for one approved, awaiting signatures or in force, its
    proposed variation, opened now."""
    from registry.services import variations

    variations.lock_both(agreement)
    if read_version is not None and agreement.lock_version != read_version:
        raise StaleEdit(
            changed=audit.changes_since("agreement", agreement.reference, agreement.lock_version - read_version)
        )
    if agreement.is_variation and not agreement.is_open_variation:
        raise AgreementNotEditable("This proposed variation has ended and can no longer be changed")
    if agreement.status == "awaiting_approval":
        raise AgreementNotEditable()
    if agreement.status in CLOSED:
        raise AgreementNotEditable(f"This agreement is {agreement.status_label.lower()} and can no longer be changed")
    if agreement.status not in FROZEN:
        return agreement
    if agreement.is_variation:
        _redraft(actor, agreement)
        return agreement
    proposed = variations.open_for(agreement)
    if proposed is not None:
        raise AgreementNotEditable(
            f"Version {proposed.version_number} is already proposed as a variation of this agreement: "
            "make your change to the proposed variation"
        )
    return variations.begin(actor, agreement)


def _redraft(actor: User, variation: Agreement) -> None:
    """An approved variation changed again becomes the next version, a draft (its signatures void)."""
    from registry.services import variations

    variations.void_unsigned(actor, variation, [variation.version_number])
    before = {"status": variation.status, "version_number": variation.version_number}
    variation.status = "draft"
    variation.version_number = variations.next_number(variations.in_register(variation))
    variation.return_comments = None
    variations.follow_status(variation)
    audit.record("agreement.new_version", "agreement", variation.reference, actor=actor, changes={
        "status": {"before": before["status"], "after": "draft"},
        "version_number": {"before": before["version_number"], "after": variation.version_number},
    })  # fmt: skip


def finish_change(actor: User | None, agreement: Agreement, action: str, changes: dict[str, Any]) -> None:
    agreement.lock_version += 1
    agreement.last_edited_by_id = actor.id if actor else agreement.last_edited_by_id
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
    target = begin_change(actor, agreement, read_version)
    for field, value in pending.items():
        setattr(target, field, (value.strip() or None) if isinstance(value, str) else value)
    changes = audit.diff(target, fields)
    if objective_ids is not None:
        target.objectives = list(db.session.scalars(select(Objective).where(Objective.id.in_(objective_ids))))
    if gateway_ids is not None:
        target.gateways = list(db.session.scalars(select(StatutoryGateway).where(StatutoryGateway.id.in_(gateway_ids))))
    changes.update(changed_lists)
    finish_change(actor, target, "agreement.updated", changes)
    return target


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
