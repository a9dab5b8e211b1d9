"""Test data made through the real services, so audit events and rules apply.

Each factory pushes its own app context, commits, and returns the object loaded and
detached, so tests can read its attributes after the context is gone.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from registry.extensions import db
from registry.models import AuditEvent, Organisation, Role, User
from registry.services import organisations, users

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)


def _detach(obj: Any) -> Any:
    db.session.refresh(obj)
    db.session.expunge(obj)
    return obj


def make_organisation(app: Flask, **fields: Any) -> Organisation:
    n = next(_counter)
    data = {"name": f"Test Organisation {n}", "sector": "public", "kind": "local_authority", **fields}
    with app.app_context():
        organisation = organisations.create(None, data)
        db.session.commit()
        return _detach(organisation)


def make_user(
    app: Flask, role: Role | str = Role.MANAGER, organisation: Organisation | None = None, **fields: Any
) -> User:
    n = next(_counter)
    with app.app_context():
        user = users.create(
            None,
            email=fields.pop("email", f"user{n}@example.org"),
            name=fields.pop("name", f"Test User {n}"),
            role=Role(role),
            password=fields.pop("password", PASSWORD),
            organisation_id=organisation.id if organisation else None,
        )
        db.session.commit()
        return _detach(user)


@dataclass
class Cast:
    own_org: Organisation
    other_org: Organisation
    admin: User
    manager: User
    ig: User
    partner: User
    other_partner: User

    def by_role(self) -> dict[str, User | None]:
        return {
            "anonymous": None,
            "admin": self.admin,
            "manager": self.manager,
            "ig": self.ig,
            "partner": self.partner,
            "other_partner": self.other_partner,
        }


def make_cast(app: Flask) -> Cast:
    own = make_organisation(app, name="Own Housing Association", sector="third", kind="housing_association")
    other = make_organisation(app, name="Other Police Force", kind="police")
    return Cast(
        own_org=own,
        other_org=other,
        admin=make_user(app, Role.ADMIN, email="admin@example.org"),
        manager=make_user(app, Role.MANAGER, email="manager@example.org"),
        ig=make_user(app, Role.IG_OFFICER, email="ig@example.org"),
        partner=make_user(app, Role.PARTNER, own, email="partner@example.org"),
        other_partner=make_user(app, Role.PARTNER, other, email="other.partner@example.org"),
    )


def dissolve_organisation(
    app: Flask, organisation: Organisation, *, on: date = date(2020, 3, 31), successor: Organisation | None = None
) -> Organisation:
    with app.app_context():
        loaded = db.session.get(Organisation, organisation.id)
        organisations.dissolve(None, loaded, dissolved_on=on, successor_id=successor.id if successor else None)  # type: ignore[arg-type]
        db.session.commit()
        return _detach(loaded)


def update_organisation(app: Flask, organisation: Organisation, **changes: Any) -> Organisation:
    """Save changes to some fields, as an edit that keeps every other field."""
    with app.app_context():
        loaded = db.session.get(Organisation, organisation.id)
        data = {field: getattr(loaded, field) for field in organisations.EDITABLE} | changes
        organisations.update(None, loaded, data, read_version=loaded.version)  # type: ignore[arg-type]
        db.session.commit()
        return _detach(loaded)


def deactivate_user(app: Flask, user: User, *, by: User) -> User:
    with app.app_context():
        loaded = db.session.get(User, user.id)
        users.set_active(db.session.get(User, by.id), loaded, False)
        db.session.commit()
        return _detach(loaded)


# --- reading what is in the database afterwards -------------------------------------------


def reload(app: Flask, model: type[Any], id_: int) -> Any:
    """A fresh, detached copy of one row (None when it is gone)."""
    with app.app_context():
        obj = db.session.get(model, id_)
        return _detach(obj) if obj is not None else None


def count(app: Flask, model: type[Any]) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def audit_events(app: Flask, action: str | None = None) -> list[AuditEvent]:
    """Recorded audit events, oldest first, optionally only one action."""
    with app.app_context():
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        events = list(db.session.scalars(query))
        db.session.expunge_all()
        return events


# --- pages as a user sees them ----------------------------------------------------------------

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_SCRIPTS = re.compile(r"<(script|style)\b.*?</\1>", re.S)
_TAGS = re.compile(r"<[^>]+>")


def _plain(fragment: str) -> str:
    text = " ".join(html.unescape(_TAGS.sub(" ", _SCRIPTS.sub(" ", fragment))).split())
    return re.sub(r" (?=[.,;:])", "", text)  # "<a>Name</a>." reads "Name."


def page_text(response: TestResponse) -> str:
    """The page's text with tags removed and whitespace collapsed."""
    return _plain(response.text)


def error_summary(response: TestResponse) -> list[str]:
    """The messages in the GOV.UK error summary at the top of the page ([] when there is none)."""
    match = re.search(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', response.text, re.S)
    if match is None:
        return []
    return [_plain(item) for item in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)]


def field_error(response: TestResponse, field_id: str) -> str | None:
    """The error message shown by one field (without the hidden 'Error:' prefix)."""
    match = re.search(
        rf'<p id="{re.escape(field_id)}-error" class="govuk-error-message">(.*?)</p>', response.text, re.S
    )
    return _plain(match.group(1)).removeprefix("Error:").strip() if match else None


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    response = client.get(path)
    match = _CSRF.search(response.text)
    assert match, f"no CSRF token on {path} (status {response.status_code})"
    return match.group(1)


def submit(
    client: FlaskClient,
    path: str,
    data: dict[str, Any] | None = None,
    *,
    token_from: str | None = None,
    follow_redirects: bool = False,
) -> TestResponse:
    """Post a form as a browser would: with the CSRF token from the page (or ``token_from``)."""
    token = csrf_token(client, token_from or path)
    return client.post(path, data={"csrf_token": token, **(data or {})}, follow_redirects=follow_redirects)


def make_partnership(app: Flask, actor: User, lead: Organisation, members: list[Organisation] = (), **fields: Any):  # type: ignore[assignment,no-untyped-def]
    """A partnership led by ``lead`` with the other organisations as members since its start."""
    from datetime import date

    from registry.models import Partnership
    from registry.services import partnerships

    n = next(_counter)
    data = {
        "name": f"Test Partnership {n}",
        "purpose": "Work together",
        "lead_organisation_id": lead.id,
        "status": "active",
        "start_date": date(2025, 4, 1),
        "end_date": None,
        "strategies": [],
        "risk_reward_sharing": None,
        **fields,
    }
    with app.app_context():
        actor = db.session.merge(actor)
        partnership = partnerships.create(actor, data)
        for organisation in members:
            partnerships.add_member(
                actor,
                partnership,
                organisation_id=organisation.id,
                role="member",
                joined_on=data["start_date"] or date(2025, 4, 1),
            )
        db.session.commit()
        return _detach(db.session.get(Partnership, partnership.id))


def make_objective(app: Flask, actor: User, partnership: Any, owner: Organisation, **fields: Any):  # type: ignore[no-untyped-def]
    from datetime import date
    from decimal import Decimal

    from registry.models import Community, Objective, Partnership
    from registry.services import objectives

    n = next(_counter)
    data = {
        "title": f"Objective {n}",
        "description": None,
        "priority": "high",
        "owner_organisation_id": owner.id,
        "baseline_date": date(2025, 4, 1),
        "target_date": date(2027, 3, 31),
        "indicator": "People online",
        "unit": "people",
        "baseline": Decimal("100"),
        "target": Decimal("300"),
        **fields,
    }
    with app.app_context():
        actor = db.session.merge(actor)
        community_ids = list(db.session.scalars(select(Community.id).limit(1)))
        objective = objectives.create(actor, db.session.get(Partnership, partnership.id), data, community_ids)
        db.session.commit()
        return _detach(db.session.get(Objective, objective.id))


def add_partnership_to_cast(app: Flask, cast: Cast) -> None:
    """The partner's organisation is a member owning one objective; the other partner's is not a member."""
    from registry.models import Membership

    third = make_organisation(app, name="Third Sector Charity", sector="third", kind="charity")
    cast.partnership = make_partnership(app, cast.manager, cast.own_org, [third])  # type: ignore[attr-defined]
    owned = make_objective(app, cast.manager, cast.partnership, cast.own_org)  # type: ignore[attr-defined]
    other = make_objective(app, cast.manager, cast.partnership, third)  # type: ignore[attr-defined]
    base = f"/partnerships/{cast.partnership.id}/objectives/"  # type: ignore[attr-defined]
    cast.objective_url = f"{base}{owned.id}"  # type: ignore[attr-defined]
    cast.other_objective_url = f"{base}{other.id}"  # type: ignore[attr-defined]
    with app.app_context():
        cast.membership = _detach(  # type: ignore[attr-defined]
            db.session.scalar(select(Membership).where(Membership.organisation_id == third.id))
        )


READY_SECTIONS: dict[str, dict[str, Any]] = {
    "purpose": {
        "purpose": "Prevent evictions by early support",
        "benefits": "Fewer evictions",
        "necessity": "Only named tenants at risk are shared",
        "less_data_rationale": "Support needs names",
    },
    "legal": {"art6_basis": "public_task", "national_data_opt_out": "not_health"},
    "data": {"identifiability": "identifiable", "approximate_volume": "200 records a month"},
    "flow": {
        "direction": "two_way",
        "frequency": "monthly",
        "transfer_method": "Secure file transfer",
        "security_measures": "Encrypted at rest and in transit",
        "international_transfers": False,
    },
    "governance": {"dpia_screening": {"matching": False, "vulnerable_people": False}},
}


def make_agreement(
    app: Flask,
    actor: User,
    parties: list[Organisation],
    *,
    ready: bool = True,
    status: str = "draft",
    kind: str = "two_way",
    **fields: Any,
) -> Any:
    """An agreement made through the services. ``ready`` fills every section so the readiness
    check passes; ``status`` then moves it along the lifecycle as far as asked."""

    from registry.models import Agreement
    from registry.services import agreement_parts, agreements, lifecycle

    n = next(_counter)
    with app.app_context():
        actor = db.session.merge(actor)
        agreement = agreements.create(actor, {"title": fields.pop("title", f"Agreement {n}"), "kind": kind})
        for organisation in parties:
            agreement_parts.add_party(
                actor,
                agreement,
                {
                    "organisation_id": organisation.id,
                    "role": "controller",
                    "signatory_name": "Sam Signer",
                    "signatory_job_title": "Director",
                    "rights_contact": "dpo@example.org",
                    "retention_period": "6 years",
                },
                read_version=agreement.lock_version,
            )
        if ready:
            for section, data in READY_SECTIONS.items():
                agreements.update_section(actor, agreement, section, data, read_version=agreement.lock_version)
            agreement_parts.add_item(
                actor,
                agreement,
                {"name": "Tenant name", "category": "personal", "provider_organisation_id": parties[0].id},
                read_version=agreement.lock_version,
            )
            agreement_parts.add_group(
                actor, agreement, {"name": "Tenants at risk of eviction"}, read_version=agreement.lock_version
            )
            from registry.dates import today_in_london

            today = today_in_london()
            agreements.update_section(
                actor,
                agreement,
                "dates",
                {
                    "effective_from": fields.pop("effective_from", today),
                    "review_interval_months": 12,
                    "next_review_date": fields.pop("next_review_date", None),
                    "end_date": None,
                },
                read_version=agreement.lock_version,
            )
            if fields:
                agreements.update_section(actor, agreement, "purpose", fields, read_version=agreement.lock_version)
        steps = ["submit", "approve", "request_signatures", "activate"]
        targets = {"awaiting_approval": 1, "approved": 2, "awaiting_signatures": 3, "active": 4}
        for step in steps[: targets.get(status, 0)]:
            if step == "activate":  # a shortcut for test data: real agreements become active by signing
                lifecycle.activate(actor, agreement)
            else:
                getattr(lifecycle, step)(actor, agreement, read_version=agreement.lock_version)
        db.session.commit()
        return _detach(db.session.get(Agreement, agreement.id))


def add_agreements_to_cast(app: Flask, cast: Cast) -> None:
    """An approved agreement and a ready draft, both with the partner's organisation as a party.

    The draft also has one extra party, data item and subject group per role, so each role's
    removal request has its own target and the answers do not depend on who went first.
    """
    from registry.models import Agreement
    from registry.services import agreement_parts

    third = make_organisation(app, name="Agreement Third Party", sector="third", kind="charity")
    approved = make_agreement(app, cast.admin, [cast.own_org, third], status="approved")
    draft = make_agreement(app, cast.manager, [cast.own_org, third])
    cast.agreement_url = f"/agreements/{approved.reference}"  # type: ignore[attr-defined]
    signed = make_agreement(app, cast.admin, [cast.own_org, third], status="awaiting_signatures")
    sign_by_every_party(app, signed)
    cast.signed_url = f"/agreements/{signed.reference}"  # type: ignore[attr-defined]
    cast.draft_url = f"/agreements/{draft.reference}"  # type: ignore[attr-defined]
    roles = list(cast.by_role())
    extra_orgs = [
        make_organisation(app, name=f"Removable Party {role}", kind="charity", sector="third") for role in roles
    ]
    with app.app_context():
        agreement = db.session.get(Agreement, draft.id)
        actor = db.session.merge(cast.manager)
        cast.draft_party_id = next(p.id for p in agreement.parties if p.organisation_id == cast.own_org.id)  # type: ignore[attr-defined]
        cast.draft_item_id = agreement.data_items[0].id  # type: ignore[attr-defined]
        cast.removable = {"party": {}, "item": {}, "group": {}}  # type: ignore[attr-defined]
        for role, organisation in zip(roles, extra_orgs, strict=True):
            party = agreement_parts.add_party(
                actor,
                agreement,
                {"organisation_id": organisation.id, "role": "recipient"},
                read_version=agreement.lock_version,
            )
            item = agreement_parts.add_item(
                actor,
                agreement,
                {"name": f"Item for {role}", "category": "personal"},
                read_version=agreement.lock_version,
            )
            group = agreement_parts.add_group(
                actor, agreement, {"name": f"Group for {role}"}, read_version=agreement.lock_version
            )
            db.session.flush()
            cast.removable["party"][role] = party.id  # type: ignore[attr-defined]
            cast.removable["item"][role] = item.id  # type: ignore[attr-defined]
            cast.removable["group"][role] = group.id  # type: ignore[attr-defined]
        db.session.commit()


def sign_by_every_party(app: Flask, agreement: Any) -> dict[int, User]:
    """Each party's signatory (a new partner user marked as one) signs; the last signature seals."""
    from registry.models import Agreement
    from registry.services import signing, users

    signers: dict[int, User] = {}
    with app.app_context():
        live = db.session.get(Agreement, agreement.id)
        version = signing.current_version(live)
        for party in live.parties:
            n = next(_counter)
            signer = users.create(
                None,
                email=f"signatory{n}@example.org",
                name=f"Signatory {n}",
                role=Role.PARTNER,
                password=PASSWORD,
                organisation_id=party.organisation_id,
            )
            users.set_signatory(None, signer, True)
            signing.sign(
                signer, live, signer_name=signer.name, job_title="Director", fingerprint=version.document_sha256
            )
            signers[party.organisation_id] = signer
        db.session.commit()
        return {org: _detach(db.session.merge(user)) for org, user in signers.items()}
