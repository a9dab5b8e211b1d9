"""Two-factor sign-in (TOTP): required for admins and IG officers, available to everyone.

These tests build the app with TWO_FACTOR_REQUIRED_ROLES on, as production and development have
it (the test settings turn it off so the rest of the suite signs in with a password).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from factories import (
    PASSWORD,
    audit_events,
    enable_two_factor,
    field_error,
    make_cast,
    page_text,
    submit,
)
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from registry import dates
from registry.audit_text import action_label
from registry.extensions import db
from registry.models import RecoveryCode, User
from registry.services import demo, throttle

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
WRONG = "Enter a correct code from your authenticator app, or a recovery code you have not used"
REQUIRED = ("admin", "ig_officer")


class Clock:
    """A clock the tests move (the code's time step, the 5 minutes allowed for the code)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 9, 0, 10, tzinfo=UTC)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(dates, "utcnow", lambda: clock.now)
    return clock


@pytest.fixture
def app(app_factory: Callable[..., Flask]) -> Flask:
    return app_factory(TWO_FACTOR_REQUIRED_ROLES=REQUIRED)


def code(secret: str = SECRET, *, steps: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(dates.utcnow()) + steps)


def password_step(client: FlaskClient, email: str, path: str = "/sign-in"):  # type: ignore[no-untyped-def]
    return submit(client, path, {"email": email, "password": PASSWORD})


def sign_in_with_code(app: Flask, email: str, the_code: str) -> tuple[FlaskClient, object]:
    client = app.test_client()
    response = password_step(client, email)
    assert response.headers["Location"] == "/sign-in/code"
    return client, submit(client, "/sign-in/code", {"code": the_code})


def test_an_admin_without_two_factor_must_set_it_up_before_anything_else(app: Flask, clock: Clock) -> None:
    cast = make_cast(app)
    client = app.test_client()
    assert password_step(client, "admin@example.org").status_code == 302
    for path in ("/", "/organisations/", "/admin/users/", "/account/sessions"):
        assert client.get(path).headers["Location"] == "/account/two-factor/set-up", path

    page = client.get("/account/two-factor/set-up")
    assert page.status_code == 200
    assert '<svg role="img" aria-labelledby="qr-title"' in page.text, "the QR code, inline, with a text alternative"
    assert "QR code for setting up your authenticator app" in page.text
    assert "Your role must use two-factor sign-in" in page_text(page)
    key = re.search(r'<code [^>]*id="setup-key">([A-Z2-7 ]+)</code>', page.text)
    assert key, "the key written out for people who cannot scan"
    groups = key.group(1).split()
    assert all(len(group) == 4 for group in groups) and len(groups) == 8
    secret = "".join(groups)
    assert client.get("/account/two-factor/set-up").text.count(key.group(1)) == 1, "the same key until set up"

    wrong = submit(client, "/account/two-factor/set-up", {"code": "000000" if code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert field_error(wrong, "code") == "Enter the 6-digit code your authenticator app shows now"
    assert client.get("/organisations/").status_code == 302, "still not set up"

    done = submit(client, "/account/two-factor/set-up", {"code": code(secret)})
    assert done.headers["Location"] == "/account/two-factor/recovery-codes"
    shown = client.get("/account/two-factor/recovery-codes")
    codes = re.findall(r"<code[^>]*>([a-z2-9]{5}-[a-z2-9]{5})</code>", shown.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/account/two-factor/recovery-codes").status_code == 302, "shown once only"
    assert client.get("/organisations/").status_code == 200

    with app.app_context():
        stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
        assert len(stored) == 10 and not set(stored) & {c.replace("-", "") for c in codes}, "only hashes are kept"
        admin = db.session.get(User, cast.admin.id)
        assert admin.two_factor_on and admin.totp_secret == secret
    [event] = audit_events(app, "user.two_factor_enabled")
    assert (event.actor_id, event.entity_id) == (cast.admin.id, str(cast.admin.id))
    assert secret not in str(event.changes), "the secret is not written to the audit trail"


def test_with_two_factor_on_the_code_is_required_and_a_wrong_one_is_shown_by_the_field(
    app: Flask, clock: Clock
) -> None:
    cast = make_cast(app)
    enable_two_factor(app, cast.ig, SECRET)
    client = app.test_client()
    asked = client.get("/audit/")
    response = password_step(client, "ig@example.org", asked.headers["Location"])
    assert response.headers["Location"] == "/sign-in/code"
    assert client.get("/").status_code == 302, "the password alone does not sign in"
    assert audit_events(app, "user.signed_in") == []
    prompt = client.get("/sign-in/code")
    assert prompt.status_code == 200 and "Enter the code from your authenticator app" in page_text(prompt)

    wrong = submit(client, "/sign-in/code", {"code": "12345" + ("6" if code() != "123456" else "7")})
    assert wrong.status_code == 200
    assert field_error(wrong, "code") == WRONG
    [failed] = audit_events(app, "user.sign_in_failed")
    assert failed.entity_id == str(cast.ig.id) and failed.changes["wrong_code"]["after"] is True

    right = submit(client, "/sign-in/code", {"code": code()})
    assert right.headers["Location"] == "/audit/", "back to the page asked for"
    assert client.get("/audit/").status_code == 200
    [signed_in] = audit_events(app, "user.signed_in")
    assert signed_in.entity_id == str(cast.ig.id) and signed_in.changes["two_factor"]["after"] is True


def test_a_code_cannot_be_used_twice_nor_an_earlier_one(app: Flask, clock: Clock) -> None:
    cast = make_cast(app)
    enable_two_factor(app, cast.admin, SECRET)
    first = code()
    _, response = sign_in_with_code(app, "admin@example.org", first)
    assert response.headers["Location"] == "/"

    _, replayed = sign_in_with_code(app, "admin@example.org", first)
    assert replayed.status_code == 200 and field_error(replayed, "code") == WRONG, "a replayed code is refused"

    clock.advance(seconds=30)
    _, earlier = sign_in_with_code(app, "admin@example.org", code(steps=-1))
    assert field_error(earlier, "code") == WRONG, "the step already used (one back now) is refused"
    client, later = sign_in_with_code(app, "admin@example.org", code(steps=1))
    assert later.headers["Location"] == "/", "one step of clock drift is allowed"
    assert client.get("/admin/users/").status_code == 200
    _, now = sign_in_with_code(app, "admin@example.org", code())
    assert field_error(now, "code") == WRONG, "a code at or before the last accepted step is refused"
    _, far = sign_in_with_code(app, "admin@example.org", code(steps=3))
    assert field_error(far, "code") == WRONG, "more than one step of drift is refused"


def test_a_recovery_code_works_once_only(app: Flask, clock: Clock) -> None:
    cast = make_cast(app)
    codes = enable_two_factor(app, cast.manager, SECRET)
    client, response = sign_in_with_code(app, "manager@example.org", codes[3].upper().replace("-", " "))
    assert response.headers["Location"] == "/"
    assert client.get("/account/two-factor").text.count("9 of 10 not used") == 1
    [used] = audit_events(app, "user.recovery_code_used")
    assert used.entity_id == str(cast.manager.id) and used.changes["codes_left"] == {"before": 10, "after": 9}

    _, again = sign_in_with_code(app, "manager@example.org", codes[3])
    assert field_error(again, "code") == WRONG
    assert len(audit_events(app, "user.recovery_code_used")) == 1


def test_the_code_must_come_within_five_minutes_of_the_password(app: Flask, clock: Clock) -> None:
    cast = make_cast(app)
    enable_two_factor(app, cast.ig, SECRET)
    client = app.test_client()
    password_step(client, "ig@example.org")
    clock.advance(minutes=5)
    late = submit(client, "/sign-in/code", {"code": code()}, token_from="/sign-in")
    assert late.headers["Location"] == "/sign-in"
    assert "You took more than 5 minutes to enter your code" in page_text(client.get("/sign-in"))
    assert client.get("/").status_code == 302
    assert client.get("/sign-in/code").headers["Location"] == "/sign-in", "the half sign-in is gone"


def test_guessing_codes_is_limited_like_guessing_passwords(app: Flask, clock: Clock) -> None:
    cast = make_cast(app)
    enable_two_factor(app, cast.ig, SECRET)
    client = app.test_client()
    password_step(client, "ig@example.org")
    wrong = "000000" if code() != "000000" else "111111"
    for _ in range(5):
        assert field_error(submit(client, "/sign-in/code", {"code": wrong}), "code") == WRONG
    locked = submit(client, "/sign-in/code", {"code": code()})
    assert field_error(locked, "code") == WRONG, "locked: even the right code is refused, with the same message"
    assert audit_events(app, "user.sign_in_failed")[-1].changes["throttled"]["after"] is True
    again = password_step(app.test_client(), "ig@example.org")
    assert again.status_code == 200, "knowing the password does not clear the count of wrong codes"


def test_a_manager_may_turn_two_factor_on_and_off(app: Flask, clock: Clock) -> None:
    cast = make_cast(app)
    client = app.test_client(user=cast.manager)
    assert client.get("/organisations/").status_code == 200, "not required of managers"
    assert "Two-factor sign-in is off for your account." in page_text(client.get("/account/two-factor"))
    page = client.get("/account/two-factor/set-up")
    secret = re.search(r'id="setup-key">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")  # type: ignore[union-attr]
    submit(client, "/account/two-factor/set-up", {"code": code(secret)})
    assert "Turn off two-factor sign-in" in page_text(client.get("/account/two-factor"))

    wrong = submit(client, "/account/two-factor/turn-off", {"code": "12"})
    assert wrong.status_code == 200 and field_error(wrong, "code")
    clock.advance(seconds=30)
    off = submit(client, "/account/two-factor/turn-off", {"code": code(secret)})
    assert off.headers["Location"] == "/account/two-factor"
    [event] = audit_events(app, "user.two_factor_disabled")
    assert event.entity_id == str(cast.manager.id)
    with app.app_context():
        assert db.session.scalars(select(RecoveryCode)).all() == [], "its recovery codes are gone"
    assert password_step(app.test_client(), "manager@example.org").headers["Location"] == "/", "no code asked"


def test_required_roles_cannot_turn_it_off(app: Flask, clock: Clock) -> None:
    cast = make_cast(app)
    enable_two_factor(app, cast.admin, SECRET)
    client = app.test_client(user=cast.admin)
    page = page_text(client.get("/account/two-factor"))
    assert "Turn off two-factor sign-in" not in page and "cannot turn it off" in page
    assert client.get("/account/two-factor/turn-off").headers["Location"] == "/account/two-factor"
    submit(client, "/account/two-factor/turn-off", {"code": code()}, token_from="/account/two-factor")
    assert audit_events(app, "user.two_factor_disabled") == []


def test_new_recovery_codes_replace_the_old_ones(app: Flask, clock: Clock) -> None:
    cast = make_cast(app)
    old = enable_two_factor(app, cast.ig, SECRET)
    client = app.test_client(user=cast.ig)
    response = submit(client, "/account/two-factor/recovery-codes/new", {"code": code()})
    assert response.headers["Location"] == "/account/two-factor/recovery-codes"
    new = re.findall(r"<code[^>]*>([a-z2-9]{5}-[a-z2-9]{5})</code>", client.get(response.headers["Location"]).text)
    assert len(new) == 10 and not set(new) & set(old)
    [event] = audit_events(app, "user.recovery_codes_replaced")
    assert event.entity_id == str(cast.ig.id)
    clock.advance(seconds=30)
    _, with_old = sign_in_with_code(app, "ig@example.org", old[0])
    assert field_error(with_old, "code") == WRONG
    _, with_new = sign_in_with_code(app, "ig@example.org", new[0])
    assert with_new.headers["Location"] == "/"


def test_an_admin_resets_a_lost_phone(app: Flask, clock: Clock) -> None:
    cast = make_cast(app)
    enable_two_factor(app, cast.admin, SECRET)
    enable_two_factor(app, cast.ig, SECRET)
    ig_client, _ = sign_in_with_code(app, "ig@example.org", code())
    assert ig_client.get("/audit/").status_code == 200
    admin = app.test_client(user=cast.admin)
    page = admin.get(f"/admin/users/{cast.ig.id}")
    assert "Reset two-factor sign-in" in page_text(page)

    response = submit(admin, f"/admin/users/{cast.ig.id}/two-factor/reset", token_from=f"/admin/users/{cast.ig.id}")
    assert response.headers["Location"] == f"/admin/users/{cast.ig.id}"
    [event] = audit_events(app, "user.two_factor_reset")
    assert (event.actor_id, event.entity_id) == (cast.admin.id, str(cast.ig.id))
    assert ig_client.get("/audit/").headers["Location"].startswith("/sign-in"), "their sessions have ended"
    again = app.test_client()
    assert password_step(again, "ig@example.org").headers["Location"] == "/", "no code now"
    assert again.get("/audit/").headers["Location"] == "/account/two-factor/set-up", "but they must set it up"

    own = submit(admin, f"/admin/users/{cast.admin.id}/two-factor/reset", token_from="/admin/users/")
    assert own.status_code == 302
    assert "You cannot reset your own two-factor sign-in" in page_text(admin.get(own.headers["Location"]))
    assert len(audit_events(app, "user.two_factor_reset")) == 1


def test_demo_admin_and_ig_officer_have_the_demo_secret_and_a_code_command(app: Flask) -> None:
    from factories import make_user

    from registry.models import Role

    admin = make_user(app, Role.ADMIN, email="admin@example.org")
    enable_two_factor(app, admin, demo.DEMO_TOTP_SECRET)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["registry", "demo-code", "admin@example.org"])
    assert result.exit_code == 0, result.output
    assert pyotp.TOTP(demo.DEMO_TOTP_SECRET).verify(result.output.strip(), valid_window=1)
    assert runner.invoke(args=["registry", "demo-code", "nobody@example.org"]).exit_code != 0
    sign_ins = runner.invoke(args=["registry", "demo-sign-ins"])
    assert demo.DEMO_TOTP_SECRET in sign_ins.output and "demo-code" in sign_ins.output


def test_the_demo_code_command_is_refused_in_production(app_factory: Callable[..., Flask]) -> None:
    production_like = app_factory(ALLOW_DEMO_DATA=False)
    result = production_like.test_cli_runner().invoke(args=["registry", "demo-code", "admin@example.org"])
    assert result.exit_code != 0 and "not allowed with production settings" in result.output


# --- codes that confirm a change count in the sign-in throttle ------------------------------------

CONFIRM_WRONG = "Enter the 6-digit code your authenticator app shows now, or one of your recovery codes"


def wrong_code() -> str:
    return "000000" if code() != "000000" else "111111"


def last_counter(app: Flask, user: User) -> int | None:
    with app.app_context():
        return db.session.get(User, user.id).totp_last_counter  # type: ignore[union-attr]


def test_wrong_codes_to_turn_two_factor_off_are_counted_and_audited(app: Flask, clock: Clock) -> None:
    cast = make_cast(app)
    enable_two_factor(app, cast.manager, SECRET)
    client = app.test_client(user=cast.manager)
    for _ in range(5):
        assert (
            field_error(submit(client, "/account/two-factor/turn-off", {"code": wrong_code()}), "code") == CONFIRM_WRONG
        )
    counter = last_counter(app, cast.manager)
    locked = submit(client, "/account/two-factor/turn-off", {"code": code()})
    assert field_error(locked, "code") == CONFIRM_WRONG, "locked: even the right code is refused"
    assert last_counter(app, cast.manager) == counter, "and it was not checked (a checked code is used up)"
    assert audit_events(app, "user.two_factor_disabled") == []
    assert password_step(app.test_client(), "manager@example.org").status_code == 200, "the same lock as signing in"

    events = audit_events(app, "user.two_factor_code_failed")
    assert [bool(event.changes.get("throttled")) for event in events] == [False] * 5 + [True]
    assert {(event.actor_id, event.entity_id) for event in events} == {(cast.manager.id, str(cast.manager.id))}
    assert {event.changes["attempted"]["after"] for event in events} == {"Turn off two-factor sign-in"}
    assert action_label("user.two_factor_code_failed") == "Wrong two-factor code entered to confirm a change"


def test_wrong_codes_for_new_recovery_codes_share_the_count_of_the_sign_in_code(app: Flask, clock: Clock) -> None:
    cast = make_cast(app)
    old = enable_two_factor(app, cast.ig, SECRET)
    signed_in = app.test_client(user=cast.ig)
    half = app.test_client()
    password_step(half, "ig@example.org")
    for _ in range(3):
        assert field_error(submit(half, "/sign-in/code", {"code": wrong_code()}), "code") == WRONG
    for _ in range(2):
        wrong = submit(signed_in, "/account/two-factor/recovery-codes/new", {"code": wrong_code()})
        assert field_error(wrong, "code") == CONFIRM_WRONG
    refused = submit(signed_in, "/account/two-factor/recovery-codes/new", {"code": old[0]})
    assert field_error(refused, "code") == CONFIRM_WRONG, "five wrong codes in all: locked"
    assert field_error(submit(half, "/sign-in/code", {"code": code()}), "code") == WRONG
    with app.app_context():
        assert db.session.scalars(select(RecoveryCode.used_at)).all() == [None] * 10, "the recovery code not used up"
    assert audit_events(app, "user.recovery_codes_replaced") == []
    events = audit_events(app, "user.two_factor_code_failed")
    assert [bool(event.changes.get("throttled")) for event in events] == [False, False, True]
    assert {event.changes["attempted"]["after"] for event in events} == {"Make new recovery codes"}


def test_a_right_confirmation_code_is_not_a_sign_in_and_clears_no_count(app: Flask, clock: Clock) -> None:
    cast = make_cast(app)
    enable_two_factor(app, cast.manager, SECRET)
    client = app.test_client(user=cast.manager)
    for _ in range(4):
        submit(client, "/account/two-factor/turn-off", {"code": wrong_code()})
    response = submit(client, "/account/two-factor/recovery-codes/new", {"code": code()})
    assert response.headers["Location"] == "/account/two-factor/recovery-codes"
    with app.app_context():
        assert throttle.failures(throttle.account_key("manager@example.org")) == 4, "its own attempt given back"
