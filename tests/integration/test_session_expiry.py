"""Signed-in sessions end after 30 minutes without use and 12 hours after signing in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from factories import PASSWORD, Cast, csrf_token, page_text, submit
from flask import Flask
from flask.testing import FlaskClient

from registry import dates

IDLE = "You were signed out because you had not used the service for 30 minutes. Sign in again."
ABSOLUTE = "You were signed out because you signed in more than 12 hours ago. Sign in again."


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(dates, "utcnow", lambda: clock.now)
    return clock


def signed_in_client(app: Flask, email: str = "manager@example.org") -> FlaskClient:
    client = app.test_client()
    response = submit(client, "/sign-in", {"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_a_session_ends_after_thirty_minutes_without_use(app: Flask, cast: Cast, clock: Clock) -> None:
    client = signed_in_client(app)
    clock.advance(minutes=29)
    assert client.get("/organisations/").status_code == 200
    clock.advance(minutes=29)
    assert client.get("/organisations/").status_code == 200, "using the service keeps the session going"
    clock.advance(minutes=30)
    response = client.get("/organisations/?sector=public")
    assert response.status_code == 302
    where = urlsplit(response.headers["Location"])
    assert (where.path, parse_qs(where.query)) == ("/sign-in", {"next": ["/organisations/?sector=public"]})
    page = page_text(client.get(response.headers["Location"]))
    assert IDLE in page
    assert "Sign in to see this page" not in page
    assert client.get("/organisations/").headers["Location"].startswith("/sign-in"), "signed out"


def test_a_session_ends_twelve_hours_after_signing_in_however_busy(app: Flask, cast: Cast, clock: Clock) -> None:
    client = signed_in_client(app)
    for _ in range(35):  # every 20 minutes for 11 hours 40 minutes
        clock.advance(minutes=20)
        assert client.get("/").status_code == 200
    clock.advance(minutes=20)
    response = client.get("/")
    assert response.headers["Location"].startswith("/sign-in")
    assert ABSOLUTE in page_text(client.get("/sign-in"))
    assert submit(client, "/sign-in", {"email": "manager@example.org", "password": PASSWORD}).status_code == 302
    assert client.get("/").status_code == 200, "signing in again starts a new session"


def test_an_expired_session_cannot_post(app: Flask, cast: Cast, clock: Clock) -> None:
    client = signed_in_client(app)
    token = csrf_token(client, "/")
    clock.advance(minutes=31)
    response = client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in"
    assert IDLE in page_text(client.get("/sign-in"))


def test_a_session_without_times_starts_its_clocks_on_first_use(app: Flask, cast: Cast, as_user, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    client = as_user(cast.ig)
    assert client.get("/").status_code == 200
    clock.advance(minutes=30)
    assert client.get("/").headers["Location"].startswith("/sign-in")


def test_the_limits_are_settings(app_factory: Callable[..., Flask], clock: Clock) -> None:
    from factories import make_cast

    app = app_factory(SESSION_IDLE_MINUTES=5, SESSION_MAX_HOURS=1)
    make_cast(app)
    client = signed_in_client(app)
    clock.advance(minutes=4)
    assert client.get("/").status_code == 200
    clock.advance(minutes=5)
    assert client.get("/").status_code == 302
    assert "had not used the service for 5 minutes" in page_text(client.get("/sign-in"))


def test_session_cookie_is_http_only_and_same_site_with_no_remember_me(app: Flask, cast: Cast, clock: Clock) -> None:
    client = app.test_client()
    response = submit(client, "/sign-in", {"email": "manager@example.org", "password": PASSWORD})
    cookies = response.headers.getlist("Set-Cookie")
    [session_cookie] = [cookie for cookie in cookies if cookie.startswith("session=")]
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie
    assert "Expires" not in session_cookie, "a browser-session cookie, gone when the browser closes"
    assert not [cookie for cookie in cookies if cookie.startswith("remember_token=")]
