"""Rows of the screens table for two-factor sign-in and the sessions page, and the steps that
sign in a user who has two-factor on.

Two-factor users are made fresh for each step (through the real services, on the live server's
database), so a code is never needed twice and no demo user's sign-in changes for other tests.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pyotp
from browser.screen_steps import SIGNED_IN, Screen, go, then_submit
from playwright.sync_api import Page, expect

from registry import dates
from registry.extensions import db
from registry.models import Role
from registry.services import two_factor, users

if TYPE_CHECKING:
    from browser.conftest import LiveServer

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
A = "account."
CODE_H1 = "Enter the code from your authenticator app"


def new_user(live: LiveServer, *, with_two_factor: bool) -> tuple[str, list[str]]:
    """A new manager (two-factor on with SECRET, or off); returns their email and recovery codes."""
    email = f"two.factor.{uuid.uuid4().hex[:8]}@example.org"
    with live.app.app_context():
        user = users.create(None, email=email, name="Tess Factor", role=Role.MANAGER, password=live.password)
        codes: list[str] = []
        if with_two_factor:
            totp = pyotp.TOTP(SECRET)
            codes = two_factor.enable(user, SECRET, totp.generate_otp(totp.timecode(dates.utcnow()) - 1))
        db.session.commit()
    return email, codes


def current_code(secret: str = SECRET) -> str:
    return pyotp.TOTP(secret).now()


def password_step(page: Page, live: LiveServer, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(live.password)
    page.get_by_role("button", name="Sign in").click()


def code_prompt(page: Page, live: LiveServer) -> None:
    email, _ = new_user(live, with_two_factor=True)
    password_step(page, live, email)
    expect(page.get_by_role("heading", level=1)).to_have_text(CODE_H1)


def code_prompt_errors(page: Page, live: LiveServer) -> None:
    code_prompt(page, live)
    page.get_by_label(CODE_H1).fill("12")
    page.get_by_role("button", name="Continue").click()


def signed_in_with_two_factor(page: Page, live: LiveServer) -> None:
    code_prompt(page, live)
    page.get_by_label(CODE_H1).fill(current_code())
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("You are signed in as")).to_be_visible()


def status_on(page: Page, live: LiveServer) -> None:
    signed_in_with_two_factor(page, live)
    page.goto("/account/two-factor")


def just_set_up(page: Page, live: LiveServer) -> None:
    email, _ = new_user(live, with_two_factor=False)
    password_step(page, live, email)
    page.goto("/account/two-factor/set-up")
    secret = page.locator("#setup-key").inner_text().replace(" ", "")
    page.get_by_label("Code from your app", exact=True).fill(current_code(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)


def confirm_page(path: str, button: str, *, errors: bool = False):  # type: ignore[no-untyped-def]
    def step(page: Page, live: LiveServer) -> None:
        signed_in_with_two_factor(page, live)
        page.goto(path)
        if errors:
            page.get_by_label("Code from your authenticator app", exact=True).fill("12")
            page.get_by_role("button", name=button).click()

    return step


def admin_sees_two_factor_user(page: Page, live: LiveServer) -> None:
    email, _ = new_user(live, with_two_factor=True)
    page.goto(f"/admin/users/{live.user_id(email)}")
    expect(page.get_by_role("button", name="Reset two-factor sign-in")).to_be_visible()


STATUS = "/account/two-factor"
SETUP = "/account/two-factor/set-up"
OFF = "/account/two-factor/turn-off"
NEW_CODES = "/account/two-factor/recovery-codes/new"
OFF_H1, NEW_H1 = "Turn off two-factor sign-in", "Make new recovery codes"

TWO_FACTOR_SCREENS: list[Screen] = [
    Screen("anonymous", "auth.sign_in_code", code_prompt, "two-factor-code", CODE_H1, own_context=True),
    Screen("anonymous", "auth.sign_in_code", code_prompt_errors, "two-factor-code-errors", CODE_H1, own_context=True),
    *(Screen(r, A + "two_factor_status", STATUS, "two-factor-off", "Two-factor sign-in") for r in SIGNED_IN),
    Screen("anonymous", A + "two_factor_status", status_on, "two-factor-on", "Two-factor sign-in", own_context=True),
    *(Screen(r, A + "two_factor_setup", SETUP, "two-factor-set-up", "Set up two-factor sign-in") for r in SIGNED_IN),
    Screen("manager", A + "two_factor_setup", then_submit(go(SETUP), "Turn on two-factor sign-in",
           **{"Code from your app": "12"}), "two-factor-set-up-errors", "Set up two-factor sign-in"),
    Screen("anonymous", A + "recovery_codes", just_set_up, "recovery-codes-shown-once", "Your recovery codes",
           own_context=True),
    Screen("anonymous", A + "two_factor_turn_off", confirm_page(OFF, OFF_H1), "two-factor-turn-off", OFF_H1,
           own_context=True),
    Screen("anonymous", A + "two_factor_turn_off", confirm_page(OFF, OFF_H1, errors=True),
           "two-factor-turn-off-errors", OFF_H1, own_context=True),
    Screen("anonymous", A + "recovery_codes_new", confirm_page(NEW_CODES, NEW_H1), "recovery-codes-new", NEW_H1,
           own_context=True),
    Screen("anonymous", A + "recovery_codes_new", confirm_page(NEW_CODES, NEW_H1, errors=True),
           "recovery-codes-new-errors", NEW_H1, own_context=True),
    *(Screen(r, A + "sessions_list", "/account/sessions", "sessions", "Where you are signed in") for r in SIGNED_IN),
    *(Screen(r, A + "password", "/account/password", "change-password", "Change your password") for r in SIGNED_IN),
    Screen("partner", A + "password", then_submit(go("/account/password"), "Change password"),
           "change-password-errors", "Change your password"),
    Screen("admin", "admin.user_edit", admin_sees_two_factor_user, "user-with-two-factor", "Change two.factor."),
]  # fmt: skip
