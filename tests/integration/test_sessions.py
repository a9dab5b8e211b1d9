"""Sessions kept on the server: signing out, or a password, role or status change, ends them for good."""

from __future__ import annotations

from factories import PASSWORD, Cast, audit_events, field_error, page_text, submit
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from registry.extensions import db
from registry.models import UserSession
from registry.services import sessions
from registry.web.auth.session_store import TOKEN

NEW_PASSWORD = "a brand new long passphrase"


def signed_in(app: Flask, email: str = "manager@example.org", agent: str = "Test browser") -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    response = submit(client, "/sign-in", {"email": email, "password": PASSWORD})
    assert response.headers["Location"] == "/"
    return client


def cookie(client: FlaskClient) -> str:
    found = client.get_cookie("session")
    assert found is not None
    return found.value


def with_cookie(app: Flask, value: str) -> FlaskClient:
    client = app.test_client()
    client.set_cookie("session", value)
    return client


def session_row(app: Flask, client: FlaskClient) -> UserSession:
    with client.session_transaction() as session:
        token = session[TOKEN]
    with app.app_context():
        row = db.session.scalar(select(UserSession).where(UserSession.token_hash == sessions.token_hash(token)))
        db.session.expunge_all()
        return row


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app: Flask, cast: Cast) -> None:
    client = signed_in(app)
    captured = cookie(client)
    assert with_cookie(app, captured).get("/organisations/").status_code == 200, "the copy works while signed in"
    submit(client, "/sign-out", token_from="/")

    replay = with_cookie(app, captured)
    response = replay.get("/organisations/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    assert replay.post("/sign-out").status_code in (302, 400), "nor can it post"
    row = session_row(app, with_cookie(app, captured))
    assert row.ended_at is not None and row.ended_reason == "signed_out"
    assert len(row.token_hash) == 64, "a SHA-256, not the token"


def test_each_sign_in_is_its_own_session_and_the_token_is_stored_only_as_a_hash(app: Flask, cast: Cast) -> None:
    first, second = signed_in(app, agent="Firefox on a laptop"), signed_in(app, agent="Safari on a phone")
    one, two = session_row(app, first), session_row(app, second)
    assert one.id != two.id and one.user_agent == "Firefox on a laptop"
    with first.session_transaction() as session:
        token = session[TOKEN]
    with app.app_context():
        assert not db.session.scalar(select(UserSession).where(UserSession.token_hash == token))


def test_deactivating_a_user_ends_their_sessions(app: Flask, cast: Cast) -> None:
    client = signed_in(app)
    admin = app.test_client(user=cast.admin)
    path = f"/admin/users/{cast.manager.id}"
    assert submit(admin, path + "/deactivate", token_from=path).status_code == 302
    assert client.get("/organisations/").headers["Location"].startswith("/sign-in")
    assert session_row(app, client).ended_reason == "deactivated"


def test_a_role_change_ends_their_sessions(app: Flask, cast: Cast) -> None:
    client = signed_in(app)
    admin = app.test_client(user=cast.admin)
    path = f"/admin/users/{cast.manager.id}"
    response = submit(admin, path, {"name": "Morgan Manager", "role": "ig_officer", "organisation_id": ""})
    assert response.status_code == 302
    assert client.get("/organisations/").headers["Location"].startswith("/sign-in")
    assert session_row(app, client).ended_reason == "role_changed"
    assert signed_in(app).get("/audit/").status_code == 200, "signing in again gives the new role"


def test_a_name_change_leaves_sessions_alone(app: Flask, cast: Cast) -> None:
    client = signed_in(app)
    admin = app.test_client(user=cast.admin)
    path = f"/admin/users/{cast.manager.id}"
    submit(admin, path, {"name": "Morgan Renamed", "role": "manager", "organisation_id": ""})
    assert client.get("/organisations/").status_code == 200


def test_a_password_change_ends_the_other_sessions_not_this_one(app: Flask, cast: Cast) -> None:
    this, other = signed_in(app), signed_in(app)
    wrong = submit(this, "/account/password", {"current_password": "not it", "new_password": "a brand new passphrase"})
    assert field_error(wrong, "current_password") == "Enter your current password correctly"
    weak = submit(this, "/account/password", {"current_password": PASSWORD, "new_password": "short"})
    assert field_error(weak, "new_password")
    assert other.get("/organisations/").status_code == 200, "nothing changed yet"

    response = submit(this, "/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.headers["Location"] == "/account/sessions"
    assert "You have been signed out of 1 other session" in page_text(this.get("/account/sessions"))
    assert this.get("/organisations/").status_code == 200
    assert other.get("/organisations/").headers["Location"].startswith("/sign-in")
    assert session_row(app, other).ended_reason == "password_changed"
    [event] = audit_events(app, "user.password_changed")
    assert event.changes["other_sessions_ended"]["after"] == 1
    fresh = app.test_client()
    assert submit(fresh, "/sign-in", {"email": "manager@example.org", "password": NEW_PASSWORD}).status_code == 302


def test_guessing_the_current_password_counts_like_sign_in_failures(app: Flask, cast: Cast) -> None:
    client = signed_in(app)
    for _ in range(5):
        submit(client, "/account/password", {"current_password": "not it", "new_password": NEW_PASSWORD})
    locked = submit(client, "/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert field_error(locked, "current_password") == "Enter your current password correctly"
    assert audit_events(app, "user.password_changed") == []


def test_the_sessions_page_lists_them_and_signs_out_the_others(app: Flask, cast: Cast) -> None:
    this = signed_in(app, agent="Firefox on a laptop")
    other = signed_in(app, agent="Safari on a phone")
    page = page_text(this.get("/account/sessions"))
    assert "Firefox on a laptop" in page and "Safari on a phone" in page and page.count("This session") == 2
    response = submit(this, "/account/sessions/end-others", token_from="/account/sessions")
    assert response.headers["Location"] == "/account/sessions"
    after = page_text(this.get("/account/sessions"))
    assert "You have signed out of 1 other session" in after and "Safari on a phone" not in after
    assert other.get("/").headers["Location"].startswith("/sign-in")
    [event] = audit_events(app, "user.other_sessions_ended")
    assert event.changes["sessions_ended"]["after"] == 1


def test_signing_out_elsewhere_does_not_sign_out_this_browser(app: Flask, cast: Cast) -> None:
    this, other = signed_in(app), signed_in(app)
    submit(other, "/sign-out", token_from="/")
    assert this.get("/organisations/").status_code == 200
