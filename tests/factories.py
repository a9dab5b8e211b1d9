"""Test data made through the real services, so audit events and rules apply.

Each factory pushes its own app context, commits, and returns the object loaded and
detached, so tests can read its attributes after the context is gone.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask
from sqlalchemy import func, select

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


def enable_two_factor(app: Flask, user: User, secret: str) -> list[str]:
    """Turn two-factor sign-in on for a user through the real service (as the set-up page does);
    returns the recovery codes. The code used is one step back, so the current code still signs in."""
    import pyotp

    from registry import dates
    from registry.services import two_factor

    with app.app_context():
        loaded = db.session.get(User, user.id)
        totp = pyotp.TOTP(secret)
        codes = two_factor.enable(loaded, secret, totp.generate_otp(totp.timecode(dates.utcnow()) - 1))
        db.session.commit()
        return codes


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


# kept importable from here: the page helpers and agreement factories live in their own modules
from factories_agreements import (  # noqa: E402
    READY_SECTIONS,
    add_agreements_to_cast,
    make_agreement,
    sign_by_every_party,
)
from pages import csrf_token, error_summary, field_error, page_text, pager_link, submit  # noqa: E402

__all__ = [
    "READY_SECTIONS",
    "add_agreements_to_cast",
    "csrf_token",
    "error_summary",
    "field_error",
    "make_agreement",
    "page_text",
    "pager_link",
    "sign_by_every_party",
    "submit",
]
