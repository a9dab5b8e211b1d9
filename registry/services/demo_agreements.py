"""Demo data-sharing agreements: an active one the demo partner is party to, one overdue for
review, and a draft with gaps, so every part of the agreements feature has something to show."""

from __future__ import annotations

from datetime import timedelta

from registry.dates import today_in_london
from registry.models import Agreement, Organisation, User
from registry.readiness import add_months
from registry.services import agreement_parts, agreements, lifecycle, signing, users


def _party(actor: User, agreement, organisation: Organisation, role: str, signatory: str, title: str) -> None:  # type: ignore[no-untyped-def]
    agreement_parts.add_party(
        actor,
        agreement,
        {
            "organisation_id": organisation.id,
            "role": role,
            "signatory_name": signatory,
            "signatory_job_title": title,
            "rights_contact": f"Data protection officer, {organisation.name}",
            "retention_period": "6 years after the case closes",
            "disposal_method": "Secure deletion and certified destruction of paper records",
        },
        read_version=agreement.lock_version,
    )


def _sign_by_every_party(agreement, signatories: dict[int, User]) -> None:  # type: ignore[no-untyped-def]
    version = signing.current_version(agreement)
    for party in agreement.parties:
        signer = signatories[party.organisation_id]
        signing.sign(
            signer,
            agreement,
            job_title=signer.job_title,  # type: ignore[attr-defined]
            fingerprint=version.document_sha256,
        )


def _propose_variation(manager: User, stats: Agreement) -> None:
    """A proposed variation of the statistics agreement, submitted by the manager: version 1 stays in
    force while the IG officer (not the manager: four-eyes) approves it and the parties sign it."""
    variation = agreements.update_section(
        manager,
        stats,
        "purpose",
        {"purpose": "Plan digital skills classes and library computer hours where they are most needed."},
        read_version=stats.lock_version,
    )
    agreement_parts.add_item(
        manager,
        variation,
        {"name": "Library computer sessions, by ward", "category": "aggregate"},
        read_version=variation.lock_version,
    )
    lifecycle.submit(manager, variation, read_version=variation.lock_version)


def load(by_name: dict[str, Organisation], manager: User, ig: User, partner: User, password: str) -> None:
    today = today_in_london()
    signatories = _signatories(by_name, partner, password)
    council, homes = by_name["Northbridge Borough Council"], by_name["Northbridge Homes"]
    police = by_name["Northshire Police"]

    tenancy = agreements.create(manager, {"title": "Tenancy sustainment and anti-social behaviour", "kind": "two_way"})
    for organisation, signatory, title in (
        (council, "Sam Okafor", "Director of Communities"),
        (homes, "Dee Williams", "Director of Housing"),
        (police, "Chief Inspector Ray Hall", "Neighbourhood Policing Lead"),
    ):
        _party(manager, tenancy, organisation, "controller", signatory, title)
    for section, data in {
        "purpose": {
            "purpose": "Identify tenants at risk of losing their home early and coordinate support and, "
            "where needed, enforcement in anti-social behaviour cases.",
            "benefits": "Fewer evictions; safer neighbourhoods; one plan per household instead of three.",
            "necessity": "Only households referred to the multi-agency panel are shared.",
            "less_data_rationale": "Support and enforcement both need to know who the household is.",
        },
        "legal": {
            "art6_basis": "public_task",
            "art9_condition": "g",
            "schedule1_condition": "p2_18",
            "policy_document_in_place": True,
            "criminal_condition": "official_authority",
            "national_data_opt_out": "not_health",
            "common_law_duty": "Overriding public interest",
        },
        "data": {"identifiability": "identifiable", "approximate_volume": "About 40 households a month"},
        "flow": {
            "direction": "many_way",
            "frequency": "monthly",
            "transfer_method": "Secure shared workspace",
            "access_controls": "Named panel members only",
            "security_measures": "Encrypted; access logged",
            "international_transfers": False,
        },
        "governance": {
            "dpia_screening": {"vulnerable_people": True, "matching": True},
            "dpia_reference": "DPIA-0042",
            "dpia_date": today - timedelta(days=400),
            "dpia_outcome": "proceed_with_measures",
            "breach_contact": "Council information governance team, within 24 hours",
        },
        "dates": {"effective_from": today - timedelta(days=300), "review_interval_months": 12},
    }.items():
        agreements.update_section(manager, tenancy, section, data, read_version=tenancy.lock_version)
    for name, category, provider in (
        ("Name, address and date of birth", "personal", homes),
        ("Vulnerabilities and support needs", "special_category", council),
        ("Anti-social behaviour incidents and convictions", "criminal_offence", police),
    ):
        agreement_parts.add_item(
            manager,
            tenancy,
            {"name": name, "category": category, "provider_organisation_id": provider.id},
            read_version=tenancy.lock_version,
        )
    agreement_parts.add_group(
        manager,
        tenancy,
        {"name": "Tenants referred to the panel", "includes_vulnerable_adults": True},
        read_version=tenancy.lock_version,
    )
    for step in ("submit", "approve", "request_signatures"):
        actor = ig if step == "approve" else manager
        getattr(lifecycle, step)(actor, tenancy, read_version=tenancy.lock_version)
    _sign_by_every_party(tenancy, signatories)

    stats = agreements.create(manager, {"title": "Digital inclusion statistics by ward", "kind": "non_personal"})
    for organisation in (council, by_name["Northbridge College"]):
        _party(manager, stats, organisation, "provider", "Data lead", "Head of Insight")
    agreement_parts.add_item(
        manager, stats, {"name": "Residents online, by ward", "category": "aggregate"}, read_version=stats.lock_version
    )
    for section, data in {
        "purpose": {"purpose": "Plan digital skills classes where they are most needed."},
        "legal": {"confirmed_anonymised": True},
        "dates": {"effective_from": add_months(today, -13), "review_interval_months": 12},
    }.items():
        agreements.update_section(manager, stats, section, data, read_version=stats.lock_version)
    for step in ("submit", "approve", "request_signatures"):
        getattr(lifecycle, step)(ig if step == "approve" else manager, stats, read_version=stats.lock_version)
    _sign_by_every_party(stats, signatories)
    _propose_variation(manager, stats)

    draft = agreements.create(
        manager,
        {
            "title": "Hospital discharge and housing",
            "kind": "two_way",
            "purpose": "Find a safe home before discharge for patients who would be homeless.",
        },
    )
    _party(manager, draft, by_name["Northbridge and District NHS Foundation Trust"], "controller", "", "")


SIGNATORIES = (
    ("signatory.council@example.org", "Sam Okafor", "Director of Communities", "Northbridge Borough Council"),
    ("signatory.police@example.org", "Ray Hall", "Chief Inspector, Neighbourhood Policing", "Northshire Police"),
    ("signatory.college@example.org", "Priya Shah", "Vice Principal", "Northbridge College"),
)


def _signatories(by_name: dict[str, Organisation], partner: User, password: str) -> dict[int, User]:
    """Partner users who may sign for their organisations; the demo partner signs for Northbridge Homes."""
    partner.is_signatory = True
    partner.job_title = "Director of Housing"  # type: ignore[attr-defined]
    found = {partner.organisation_id: partner}
    for email, name, title, organisation in SIGNATORIES:
        user = users.create(
            None, email=email, name=name, role="partner", password=password, organisation_id=by_name[organisation].id
        )
        user.is_signatory = True
        user.job_title = title  # type: ignore[attr-defined]
        found[user.organisation_id] = user
    return found
