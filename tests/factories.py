"""Test data made through the real services, so audit events and rules apply.

Each factory pushes its own app context, commits, and returns the object loaded and
detached, so tests can read its attributes after the context is gone.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from flask import Flask

from registry.extensions import db
from registry.models import Organisation, Role, User
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


def make_user(app: Flask, role: Role | str = Role.MANAGER, organisation: Organisation | None = None, **fields: Any) -> User:
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
