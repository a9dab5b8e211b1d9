"""Sign-in throttling per account and per address, counted in the database so it holds across workers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from factories import PASSWORD, Cast, audit_events, error_summary, make_user, submit
from flask import Flask
from flask.testing import FlaskClient

from registry import dates
from registry.extensions import db
from registry.services import throttle

GENERIC = "Enter a correct email address and password"
WRONG = "wrong-password-entirely"


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


def client_from(app: Flask, address: str = "127.0.0.1") -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def sign_in(client: FlaskClient, email: str, password: str):  # type: ignore[no-untyped-def]
    return submit(client, "/sign-in", {"email": email, "password": password})


def signed_in(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302 and response.headers["Location"] == "/"


def refused(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 200 and error_summary(response) == [GENERIC]


def fail(client: FlaskClient, email: str, times: int) -> None:
    for _ in range(times):
        assert refused(sign_in(client, email, WRONG))


def test_five_failures_lock_the_account_with_the_wrong_password_message(app: Flask, cast: Cast, clock: Clock) -> None:
    client = client_from(app)
    fail(client, "manager@example.org", 5)
    assert refused(sign_in(client, "manager@example.org", PASSWORD)), "the right password is refused while locked"
    assert refused(sign_in(client_from(app, "192.0.2.9"), "Manager@Example.org ", PASSWORD)), "from anywhere"
    assert signed_in(sign_in(client_from(app), "ig@example.org", PASSWORD)), "other accounts still sign in"

    events = audit_events(app, "user.sign_in_failed")
    assert len(events) == 7
    assert [bool(event.changes.get("throttled")) for event in events] == [False] * 5 + [True] * 2
    assert {event.entity_id for event in events} == {str(cast.manager.id)}


def test_the_lock_lasts_fifteen_minutes_and_then_the_account_signs_in(app: Flask, cast: Cast, clock: Clock) -> None:
    client = client_from(app)
    fail(client, "manager@example.org", 5)
    clock.advance(minutes=14, seconds=59)
    assert refused(sign_in(client, "manager@example.org", PASSWORD))
    clock.advance(seconds=2)
    assert signed_in(sign_in(client, "manager@example.org", PASSWORD))


def test_failures_spread_beyond_the_window_do_not_lock(app: Flask, cast: Cast, clock: Clock) -> None:
    client = client_from(app)
    fail(client, "manager@example.org", 4)
    clock.advance(minutes=16)
    fail(client, "manager@example.org", 4)
    assert signed_in(sign_in(client, "manager@example.org", PASSWORD))


def test_a_successful_sign_in_clears_the_account_counter(app: Flask, cast: Cast, clock: Clock) -> None:
    fail(client_from(app), "manager@example.org", 4)
    assert signed_in(sign_in(client_from(app), "manager@example.org", PASSWORD))
    with app.app_context():
        assert throttle.failures(throttle.account_key("manager@example.org")) == 0
        assert throttle.failures(throttle.address_key("127.0.0.1")) == 4, "the address's count is kept"
    fail(client_from(app), "manager@example.org", 4)
    assert signed_in(sign_in(client_from(app), "manager@example.org", PASSWORD))


def test_unknown_email_addresses_are_locked_the_same_way(app: Flask, cast: Cast, clock: Clock) -> None:
    client = client_from(app)
    fail(client, "nobody@example.org", 5)
    with app.app_context():
        assert throttle.failures(throttle.account_key("nobody@example.org")) == 5
    assert refused(sign_in(client, "nobody@example.org", PASSWORD))
    assert signed_in(sign_in(client, "manager@example.org", PASSWORD))


def test_an_address_is_locked_after_twenty_failures_and_others_still_sign_in(
    app: Flask, cast: Cast, clock: Clock
) -> None:
    attacker = client_from(app, "203.0.113.7")
    for n in range(20):  # four tries at each of five accounts: no account reaches its limit
        assert refused(sign_in(attacker, f"person{n % 5}@example.org", WRONG))
    assert refused(sign_in(attacker, "manager@example.org", PASSWORD)), "the address is locked, whatever the account"
    assert signed_in(sign_in(client_from(app, "198.51.100.4"), "manager@example.org", PASSWORD))
    clock.advance(minutes=16)
    assert signed_in(sign_in(client_from(app, "203.0.113.7"), "ig@example.org", PASSWORD))


def test_the_lock_holds_across_workers(app: Flask, app_factory: Callable[..., Flask], cast: Cast, clock: Clock) -> None:
    other_worker = app_factory()
    fail(client_from(app), "manager@example.org", 3)
    fail(client_from(other_worker), "manager@example.org", 2)
    assert refused(sign_in(client_from(app), "manager@example.org", PASSWORD))
    assert refused(sign_in(client_from(other_worker), "manager@example.org", PASSWORD))


def test_sign_ins_slow_down_before_the_lock(
    app_factory: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    app = app_factory(SIGN_IN_DELAY_SECONDS=1.0)
    make_user(app, email="slow@example.org")
    waits: list[float] = []
    monkeypatch.setattr(throttle, "sleep", waits.append)
    client = client_from(app)
    fail(client, "slow@example.org", 5)
    assert waits == [1.0, 2.0, 4.0], "no wait for the first two failures, then doubling"
    assert refused(sign_in(client, "slow@example.org", PASSWORD))
    assert waits == [1.0, 2.0, 4.0], "a locked sign-in is refused at once"
    clock.advance(minutes=16)
    assert signed_in(sign_in(client, "slow@example.org", PASSWORD))
    assert waits == [1.0, 2.0, 4.0], "a fresh window starts without waiting"


def test_delays_are_capped() -> None:
    assert throttle.delay_for(1, slow_after=2, base=1.0) == 0
    assert throttle.delay_for(2, slow_after=2, base=1.0) == 1.0
    assert throttle.delay_for(40, slow_after=2, base=1.0) == throttle.MAX_DELAY_SECONDS
    assert throttle.delay_for(40, slow_after=2, base=0) == 0


def test_old_counters_are_forgotten(app: Flask, cast: Cast, clock: Clock) -> None:
    fail(client_from(app), "manager@example.org", 2)
    clock.advance(minutes=31)
    fail(client_from(app, "192.0.2.1"), "ig@example.org", 1)
    with app.app_context():
        from registry.models import SignInThrottle

        keys = set(db.session.scalars(db.select(SignInThrottle.key)))
    assert keys == {throttle.account_key("ig@example.org"), throttle.address_key("192.0.2.1")}


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(
    app_factory: Callable[..., Flask], clock: Clock
) -> None:
    app = app_factory(TRUSTED_PROXIES=1)
    make_user(app, email="someone@example.org")

    def through_proxy(client_address: str) -> FlaskClient:
        client = client_from(app, "10.0.0.1")  # every request arrives from the proxy
        client.environ_base["HTTP_X_FORWARDED_FOR"] = client_address
        return client

    attacker = through_proxy("203.0.113.7")
    for n in range(20):
        assert refused(sign_in(attacker, f"person{n % 5}@example.org", WRONG))
    assert refused(sign_in(attacker, "someone@example.org", PASSWORD))
    assert signed_in(sign_in(through_proxy("198.51.100.4"), "someone@example.org", PASSWORD))


@pytest.mark.parametrize("value", ["lots", "-1", "9"])
def test_the_number_of_trusted_proxies_is_checked(value: str) -> None:
    from config import ConfigError
    from registry import create_app

    with pytest.raises(ConfigError, match="REGISTRY_TRUSTED_PROXIES"):
        create_app("test", {"TRUSTED_PROXIES": value, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
