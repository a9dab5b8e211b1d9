"""Demo data for local runs: a council, a dozen partners across the sectors, one user per role."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from registry.extensions import db
from registry.models import Organisation, Role
from registry.services import organisations, users

DEMO_USERS = (
    ("admin@example.org", "Alex Admin", Role.ADMIN, None),
    ("manager@example.org", "Morgan Manager", Role.MANAGER, None),
    ("ig@example.org", "Indira Governance", Role.IG_OFFICER, None),
    ("partner@example.org", "Pat Partner", Role.PARTNER, "Northbridge Homes"),
)

DEMO_ORGANISATIONS: tuple[dict[str, str], ...] = (
    {"name": "Northbridge Borough Council", "sector": "public", "kind": "local_authority",
     "ico_registration_number": "Z5678901", "address": "Town Hall, Market Street, Northbridge", "postcode": "NB1 1AA",
     "main_contact_name": "Sam Okafor", "main_contact_email": "partnerships@northbridge.example.org",
     "dpo_name": "Ruth Patel", "dpo_email": "dpo@northbridge.example.org"},
    {"name": "Northbridge Homes", "sector": "third", "kind": "housing_association",
     "ico_registration_number": "ZA123456", "rsh_number": "LH4321", "companies_house_number": "RS007654",
     "address": "1 Canal Wharf, Northbridge", "postcode": "NB2 4QT",
     "main_contact_name": "Dee Williams", "main_contact_email": "dee.williams@northbridgehomes.example.org"},
    {"name": "Riverside Valley Housing Trust", "sector": "third", "kind": "housing_association",
     "ico_registration_number": "Z7654321", "rsh_number": "L0876", "postcode": "NB5 2HX"},
    {"name": "Northbridge and District NHS Foundation Trust", "sector": "public", "kind": "nhs_body",
     "ico_registration_number": "Z2345678", "nhs_ods_code": "RNB", "postcode": "NB3 9PL"},
    {"name": "Northshire Integrated Care Board", "sector": "public", "kind": "nhs_body",
     "ico_registration_number": "ZB345678", "nhs_ods_code": "QNS", "postcode": "NB1 6TT"},
    {"name": "Northshire Police", "sector": "public", "kind": "police",
     "ico_registration_number": "Z3456789", "postcode": "NB1 3PD"},
    {"name": "Northshire Fire and Rescue Service", "sector": "public", "kind": "fire_and_rescue",
     "ico_registration_number": "Z4567890", "postcode": "NB4 1FR"},
    {"name": "Jobcentre Plus Northbridge", "sector": "public", "kind": "jobcentre_plus", "postcode": "NB1 2JP"},
    {"name": "Northbridge College", "sector": "public", "kind": "fe_college",
     "ico_registration_number": "Z6789012", "ukprn": "10004567", "postcode": "NB6 7CE"},
    {"name": "St Aidan’s Church of England Primary School", "sector": "public", "kind": "school",
     "school_urn": "112233", "postcode": "NB7 8SA"},
    {"name": "Age Concern Northbridge", "sector": "third", "kind": "charity",
     "ico_registration_number": "Z8901234", "charity_number": "1087654", "postcode": "NB2 1AC"},
    {"name": "Northbridge Digital Inclusion Network", "sector": "third", "kind": "voluntary_group",
     "postcode": "NB2 5DN"},
    {"name": "Northbridge Council for Voluntary Service", "sector": "third", "kind": "charity",
     "charity_number": "1123456", "companies_house_number": "06543210", "postcode": "NB1 4CV"},
    {"name": "Connect Northbridge Ltd", "sector": "private", "kind": "telecoms_provider",
     "ico_registration_number": "Z9012345", "companies_house_number": "09876543", "postcode": "NB8 2CN"},
    {"name": "Northbridge Primary Care Trust", "sector": "public", "kind": "nhs_body", "nhs_ods_code": "5NB"},
)  # fmt: skip


def is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(Organisation))


def load(password: str) -> None:
    """Create the demo records; the caller commits."""
    by_name: dict[str, Organisation] = {}
    for data in DEMO_ORGANISATIONS:
        by_name[data["name"]] = organisations.create(None, data)
    organisations.dissolve(
        None,  # type: ignore[arg-type]
        by_name["Northbridge Primary Care Trust"],
        dissolved_on=date(2013, 3, 31),
        successor_id=by_name["Northshire Integrated Care Board"].id,
    )
    for email, name, role, organisation in DEMO_USERS:
        users.create(
            None,
            email=email,
            name=name,
            role=role,
            password=password,
            organisation_id=by_name[organisation].id if organisation else None,
        )
