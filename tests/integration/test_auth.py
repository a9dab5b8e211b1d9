"""Signing in and out through the real form, where sign-in may send you, and the health check."""

from __future__ import annotations

import socket
from urllib.parse import quote

import pytest
from conftest import make_app
from factories import (
    PASSWORD,
    Cast,
    audit_events,
    csrf_token,
    deactivate_user,
    error_summary,
    field_error,
    make_user,
    page_text,
    reload,
    submit,
)
from flask import Flask
from flask.testing import FlaskClient

from registry.extensions import db
from registry.models import User

GENERIC = "Enter a correct email address and password"


def sign_in(client: FlaskClient, email: str, password: str, path: str = "/sign-in"):  # type: ignore[no-untyped-def]
    return submit(client, path, {"email": email, "password": password})


def test_sign_in_takes_you_back_to_the_page_you_asked_for(app: Flask, cast: Cast, client: FlaskClient) -> None:
    asked = client.get("/organisations/?sector=public")
    assert asked.status_code == 302
    sign_in_path = asked.headers["Location"]
    assert sign_in_path == "/sign-in?next=%2Forganisations%2F%3Fsector%3Dpublic"
    assert "Sign in to see this page" in page_text(client.get(sign_in_path))

    response = sign_in(client, "  Manager@Example.org ", PASSWORD, sign_in_path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/organisations/?sector=public"
    assert "Other Police Force" in page_text(client.get("/organisations/?sector=public"))
    assert client.get("/sign-in").headers["Location"] == "/", "a signed-in user is not asked to sign in again"

    [event] = audit_events(app, "user.signed_in")
    assert (event.actor_email, event.entity_id) == ("manager@example.org", str(cast.manager.id))
    assert reload(app, User, cast.manager.id).last_sign_in_at is not None


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("manager@example.org", "wrong-password-entirely"),
        ("nobody@example.org", PASSWORD),
        ("deactivated@example.org", PASSWORD),
    ],
    ids=["wrong password", "unknown email", "deactivated account"],
)
def test_failed_sign_in_gets_one_generic_message_and_is_recorded(
    app: Flask, cast: Cast, client: FlaskClient, email: str, password: str
) -> None:
    deactivate_user(app, make_user(app, email="deactivated@example.org"), by=cast.admin)
    response = sign_in(client, email, password)
    assert response.status_code == 200
    assert error_summary(response) == [GENERIC]
    assert field_error(response, "email") == GENERIC
    assert "<title>Error: Sign in" in response.text
    assert client.get("/").headers["Location"] == "/sign-in", "still signed out"

    [event] = audit_events(app, "user.sign_in_failed")
    assert event.actor_id is None
    assert event.changes == {"email": {"before": None, "after": email}}
    assert audit_events(app, "user.signed_in") == []


def test_failure_messages_do_not_tell_which_emails_exist(app: Flask, cast: Cast, client: FlaskClient) -> None:
    wrong_password = page_text(sign_in(client, "manager@example.org", "wrong-password-entirely"))
    unknown_email = page_text(sign_in(client, "nobody@example.org", "wrong-password-entirely"))
    assert wrong_password == unknown_email


def test_empty_sign_in_form_says_what_to_enter(app: Flask, client: FlaskClient) -> None:
    response = sign_in(client, "", "")
    assert error_summary(response) == ["Enter your email address", "Enter your password"]
    assert audit_events(app) == []


@pytest.mark.parametrize(
    ("next_", "landing"),
    [
        ("/organisations/?sort=-name", "/organisations/?sort=-name"),
        ("https://evil.example/", "/"),
        ("//evil.example/path", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("/\t/evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("evil.example", "/"),
    ],
)
def test_sign_in_only_follows_same_site_paths(
    app: Flask, cast: Cast, client: FlaskClient, next_: str, landing: str
) -> None:
    response = sign_in(client, "ig@example.org", PASSWORD, f"/sign-in?next={quote(next_, safe='')}")
    assert response.status_code == 302
    assert response.headers["Location"] == landing


def test_sign_out_is_only_by_post_and_ends_the_session(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user(cast.manager)
    refused = client.get("/sign-out")
    assert refused.status_code == 405
    assert "There is a problem with your request" in page_text(refused)
    assert client.post("/sign-out").status_code == 400, "no CSRF token, no sign-out"
    assert client.get("/organisations/").status_code == 200, "still signed in"

    response = client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in"
    assert "You have signed out" in page_text(client.get("/sign-in"))
    for path in ("/organisations/", f"/organisations/{cast.own_org.id}", "/admin/users/", "/"):
        assert client.get(path).headers["Location"].startswith("/sign-in"), path
    [event] = audit_events(app, "user.signed_out")
    assert event.actor_email == "manager@example.org"


def test_health_check_reports_ok(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_health_check_answers_503_when_the_database_is_unreachable() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = make_app(f"postgresql+psycopg://postgres@127.0.0.1:{port}/registry?connect_timeout=2")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json is not None
    assert response.json["database"] == "unreachable"
    assert response.json["status"] != "ok"
    with app.app_context():
        db.engine.dispose()
