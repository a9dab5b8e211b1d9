"""Demo data for local runs: a council, a dozen partners across the sectors, one user per role."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from registry.dates import today_in_london
from registry.extensions import db
from registry.models import Organisation, Role, User
from registry.services import organisations, users

DEMO_USERS = (
    ("admin@example.org", "Alex Admin", Role.ADMIN, None),
    ("manager@example.org", "Morgan Manager", Role.MANAGER, None),
    ("ig@example.org", "Indira Governance", Role.IG_OFFICER, None),
    ("partner@example.org", "Pat Partner", Role.PARTNER, "Northbridge Homes"),
)

# A fixed, published two-factor secret for the demo admin and IG officer (roles that must use
# two-factor): add it to an authenticator app, or run `flask --app wsgi registry demo-code EMAIL`.
# Demo data is refused in production, so this secret never guards a real account.
DEMO_TOTP_SECRET = "DEMOREGISTRYTOTPSECRETNORTHBRIDG"
DEMO_TWO_FACTOR = ("admin@example.org", "ig@example.org")

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


def counts() -> dict[str, int]:
    from registry.models import Agreement, Partnership, SignedDocument, User

    agreements = select(func.count()).select_from(Agreement)
    return {
        "organisations": db.session.scalar(select(func.count()).select_from(Organisation)),
        "partnerships": db.session.scalar(select(func.count()).select_from(Partnership)),
        "agreements": db.session.scalar(agreements.where(Agreement.variation_of_id.is_(None))),
        "proposed variations": db.session.scalar(agreements.where(Agreement.variation_of_id.is_not(None))),
        "signed PDFs": db.session.scalar(select(func.count()).select_from(SignedDocument)),
        "users": db.session.scalar(select(func.count()).select_from(User)),
    }


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
    created = {}
    for email, name, role, organisation in DEMO_USERS:
        created[email] = users.create(
            None,
            email=email,
            name=name,
            role=role,
            password=password,
            organisation_id=by_name[organisation].id if organisation else None,
        )
    _two_factor_for_demo(created)
    _load_partnerships(by_name, created["manager@example.org"], created["partner@example.org"])
    from registry.services import demo_agreements

    demo_agreements.load(
        by_name, created["manager@example.org"], created["ig@example.org"], created["partner@example.org"], password
    )


def _load_partnerships(by_name: dict[str, Organisation], manager: User, partner: User) -> None:
    """A digital inclusion partnership like the Beacon report's, with measured objectives."""
    from registry.services import objectives, partnerships

    communities = {c.name: c.id for c in objectives.communities()}
    today = today_in_london()
    start = date(today.year - 1, 4, 1)
    inclusion = partnerships.create(manager, {
        "name": "Northbridge Digital Inclusion Partnership", "status": "active", "start_date": start,
        "lead_organisation_id": by_name["Northbridge Borough Council"].id,
        "purpose": "Help residents who are not online, starting with social housing tenants, to use the internet "
                   "with confidence and reach public services online.",
        "strategies": ["Sustainable Community Strategy", "Digital Inclusion Strategy"],
        "risk_reward_sharing": "Partners fund their own staff time; the council holds the shared budget.",
    })  # fmt: skip
    for name, role in (("Northbridge Homes", "member"), ("Northbridge College", "member"),
                       ("Connect Northbridge Ltd", "funder"), ("Age Concern Northbridge", "member")):  # fmt: skip
        partnerships.add_member(manager, inclusion, organisation_id=by_name[name].id, role=role, joined_on=start)
    online = objectives.create(manager, inclusion, {
        "title": "More tenants online", "description": "Tenants who use the internet at least weekly.",
        "priority": "high", "owner_organisation_id": by_name["Northbridge Homes"].id,
        "baseline_date": start, "target_date": date(today.year + 1, 3, 31),
        "indicator": "Tenants using the internet weekly", "unit": "per cent",
        "baseline": Decimal("48"), "target": Decimal("75"),
    }, [communities["Social housing tenants"], communities["People without internet access"]])  # fmt: skip
    for months, value in ((3, "52"), (6, "57"), (9, "61")):
        objectives.add_progress(partner, online, recorded_on=_months_after(start, months), value=Decimal(value),
                                narrative="Drop-in sessions in community centres and loaned tablets.")  # fmt: skip
    objectives.create(manager, inclusion, {
        "title": "Older people learn to use online services", "priority": "medium",
        "owner_organisation_id": by_name["Age Concern Northbridge"].id, "description": None,
        "baseline_date": start, "target_date": date(today.year + 1, 9, 30),
        "indicator": "Older people completing a digital skills course", "unit": "people",
        "baseline": Decimal("0"), "target": Decimal("400"),
    }, [communities["Older people"]])  # fmt: skip


def _months_after(start: date, months: int) -> date:
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def _two_factor_for_demo(created: dict[str, User]) -> None:
    """Turn on two-factor with the demo secret for the demo users whose role must use it (none in
    the test settings, which require it of no role, so the browser tests sign in with passwords)."""
    from flask import current_app

    from registry.services import two_factor

    required = current_app.config.get("TWO_FACTOR_REQUIRED_ROLES", ())
    for email in DEMO_TWO_FACTOR:
        user = created[email]
        if user.role in required:
            # set up with the previous step's code, so the code an app shows now still signs in
            two_factor.enable(user, DEMO_TOTP_SECRET, two_factor.current_code(DEMO_TOTP_SECRET, steps=-1))
