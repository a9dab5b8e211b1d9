"""Admins manage user accounts: create, change role, deactivate and reactivate (never delete)."""

from __future__ import annotations

import pytest
from factories import (
    Cast,
    audit_events,
    count,
    csrf_token,
    error_summary,
    field_error,
    page_text,
    reload,
    submit,
)
from flask import Flask
from sqlalchemy import select

from registry.extensions import db
from registry.models import User

NEW = "/admin/users/new"
OWN_ACCOUNT = "You cannot change your own role or deactivate your own account"


def new_user(**fields: str) -> dict[str, str]:
    data = {"email": "New.Person@Example.ORG", "name": "New Person", "role": "manager", "organisation_id": ""}
    return {**data, "password": "a-long-enough-password", **fields}


def find(app: Flask, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def edit_form(user: User, **fields: str) -> dict[str, str]:
    return {"name": user.name, "role": user.role, "organisation_id": str(user.organisation_id or ""), **fields}


@pytest.mark.parametrize(
    ("role", "label"),
    [
        ("admin", "Administrator"),
        ("manager", "Partnership manager"),
        ("ig_officer", "Information governance officer"),
        ("partner", "Partner organisation user"),
    ],
)
def test_admin_creates_a_user_of_each_role(app: Flask, cast: Cast, as_user, role: str, label: str) -> None:  # type: ignore[no-untyped-def]
    client = as_user(cast.admin)
    response = submit(client, NEW, new_user(role=role, organisation_id=str(cast.own_org.id)))
    assert response.status_code == 302
    listing = page_text(client.get(response.headers["Location"]))
    assert "The account for new.person@example.org has been created" in listing
    assert f"new.person@example.org New Person {label}" in listing

    user = find(app, "new.person@example.org")
    assert user is not None and user.role == role and user.active
    # only partner users belong to a partner organisation; staff work for the council
    assert user.organisation_id == (cast.own_org.id if role == "partner" else None)
    [event] = audit_events(app, "user.created")[-1:]
    assert event.actor_email == cast.admin.email
    assert event.entity_id == str(user.id)
    assert event.changes["role"] == {"before": None, "after": role}
    assert "password_hash" not in event.changes


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"role": "partner", "organisation_id": ""},
            "organisation_id",
            "Select the organisation this partner user belongs to",
        ),
        ({"email": "MANAGER@example.org"}, "email", "A user with this email address already exists"),
        ({"password": "too-short"}, "password", "Enter a password that is at least 12 characters long"),
        ({"password": "Password2026!"}, "password", "Enter a password that is harder to guess. This one is too common"),
        (
            {"password": "welcome to northbridge"},
            "password",
            "Enter a password that does not include the name of the council or this service",
        ),
        (
            {"password": "new.person-2026"},
            "password",
            "Enter a password that does not include the user’s name or email address",
        ),
        ({"password": "x" * 257}, "password", "Enter a password that is 256 characters or fewer"),
        ({"email": "not-an-email"}, "email", "Enter an email address in the correct format, like name@example.org"),
        ({"role": ""}, "role", "Select a role"),
    ],
    ids=[
        "partner without organisation",
        "duplicate email",
        "short password",
        "common password",
        "local password",
        "personal password",
        "too long password",
        "bad email",
        "no role",
    ],
)
def test_a_user_that_cannot_be_created_is_explained(
    app: Flask,
    cast: Cast,
    as_user,
    fields: dict[str, str],
    field: str,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    before = count(app, User)
    response = submit(as_user(cast.admin), NEW, new_user(**fields))
    assert response.status_code == 200
    assert error_summary(response) == [message]
    assert field_error(response, field) == message
    assert count(app, User) == before
    assert audit_events(app, "user.created")[-1].actor_id is None, "no new event by the admin"


def test_role_change_is_audited_as_a_role_change(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user(cast.admin)
    response = submit(client, f"/admin/users/{cast.partner.id}", edit_form(cast.partner, role="ig_officer"))
    assert response.status_code == 302
    assert f"The account for {cast.partner.email} has been updated" in page_text(client.get("/admin/users/"))
    saved = reload(app, User, cast.partner.id)
    assert (saved.role, saved.organisation_id) == ("ig_officer", None)
    [event] = audit_events(app, "user.role_changed")
    assert event.actor_email == cast.admin.email
    assert event.changes == {
        "role": {"before": "partner", "after": "ig_officer"},
        "organisation_id": {"before": cast.own_org.id, "after": None},
    }

    submit(client, f"/admin/users/{cast.ig.id}", edit_form(cast.ig, name="Indira Governance"))
    [renamed] = audit_events(app, "user.updated")
    assert renamed.changes == {"name": {"before": cast.ig.name, "after": "Indira Governance"}}


def test_deactivate_and_reactivate_keep_the_account(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    manager_session = as_user(cast.manager)
    assert manager_session.get("/organisations/").status_code == 200
    admin = as_user(cast.admin)
    token = csrf_token(admin, "/")

    response = admin.post(f"/admin/users/{cast.manager.id}/deactivate", data={"csrf_token": token})
    assert response.status_code == 302
    listing = page_text(admin.get("/admin/users/"))
    assert f"The account for {cast.manager.email} has been deactivated" in listing
    assert f"{cast.manager.email} {cast.manager.name} Partnership manager Deactivated" in listing
    assert reload(app, User, cast.manager.id).active is False

    # the deactivated user's existing session stops working at once
    refused = manager_session.get("/organisations/")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/sign-in")
    assert manager_session.get("/").headers["Location"] == "/sign-in"

    admin.post(f"/admin/users/{cast.manager.id}/reactivate", data={"csrf_token": token})
    assert reload(app, User, cast.manager.id).active is True
    assert [e.action for e in audit_events(app) if e.action in ("user.deactivated", "user.reactivated")] == [
        "user.deactivated",
        "user.reactivated",
    ]
    [deactivated] = audit_events(app, "user.deactivated")
    assert deactivated.changes == {"active": {"before": True, "after": False}}


def test_admin_cannot_deactivate_themselves_or_change_their_own_role(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user(cast.admin)
    own_page = client.get(f"/admin/users/{cast.admin.id}")
    assert "Deactivate account" not in page_text(own_page)

    response = client.post(f"/admin/users/{cast.admin.id}/deactivate", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert OWN_ACCOUNT in page_text(client.get(response.headers["Location"]))

    refused = submit(client, f"/admin/users/{cast.admin.id}", edit_form(cast.admin, role="manager"))
    assert refused.status_code == 200
    assert error_summary(refused) == [OWN_ACCOUNT]
    saved = reload(app, User, cast.admin.id)
    assert (saved.role, saved.active) == ("admin", True)
    assert [e for e in audit_events(app) if e.action.startswith("user.") and e.action != "user.created"] == []


@pytest.mark.parametrize("role", ["manager", "ig", "partner"])
def test_only_admins_manage_users(app: Flask, cast: Cast, as_user, role: str) -> None:  # type: ignore[no-untyped-def]
    client = as_user(cast.by_role()[role])
    for path in ("/admin/users/", NEW, f"/admin/users/{cast.manager.id}"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "You do not have permission to see this page" in page_text(response)
    before = count(app, User)
    token = csrf_token(client, "/")
    assert client.post(NEW, data={"csrf_token": token, **new_user()}).status_code == 403
    assert client.post(f"/admin/users/{cast.admin.id}/deactivate", data={"csrf_token": token}).status_code == 403
    assert count(app, User) == before
    assert reload(app, User, cast.admin.id).active is True
    assert 'href="/admin/users/"' not in client.get("/").text, "no link to a page they cannot use"


def test_a_long_passphrase_makes_an_account_that_can_sign_in(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    passphrase = "otter canal bicycle lantern marmalade thunder kettle ostrich " * 2
    assert len(passphrase) > 64
    response = submit(as_user(cast.admin), NEW, new_user(password=passphrase))
    assert response.status_code == 302
    signed_in = submit(app.test_client(), "/sign-in", {"email": "new.person@example.org", "password": passphrase})
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"] == "/"
