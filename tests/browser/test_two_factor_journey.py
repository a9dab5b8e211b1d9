"""Two-factor sign-in in Chromium with JavaScript off: set it up from the account page by typing
the key (as someone who cannot scan would), sign out, sign in with a code, then with a recovery code."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from browser.screens_two_factor import CODE_H1, current_code, new_user, password_step
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_set_up_then_sign_in_with_a_code_and_a_recovery_code_without_javascript(
    page_as: Callable[..., Page], live_server: LiveServer
) -> None:
    email, _ = new_user(live_server, with_two_factor=False)
    page = page_as("anonymous", java_script_enabled=False)
    password_step(page, live_server, email)
    expect(page.get_by_text("You are signed in as")).to_be_visible()

    page.goto("/account/two-factor")
    expect(page.locator("#two-factor-status")).to_have_text("Two-factor sign-in is off for your account.")
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page.get_by_role("img", name="QR code for setting up your authenticator app")).to_be_visible()
    key = page.locator("#setup-key").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", key), key
    page.get_by_label("Code from your app", exact=True).fill(current_code(key.replace(" ", "")))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("button", name="I have saved my recovery codes").click()
    expect(page.get_by_text("10 of 10 not used")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out")).to_be_visible()

    password_step(page, live_server, email)
    expect(page.get_by_role("heading", level=1)).to_have_text(CODE_H1)
    page.get_by_label(CODE_H1).fill("000000" if current_code(key.replace(" ", "")) != "000000" else "111111")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a correct code")
    expect(page.locator("#code-error")).to_contain_text("Enter a correct code")
    page.get_by_text("I cannot use my authenticator app").click()  # <details> opens without JavaScript
    page.get_by_label(CODE_H1).fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("You are signed in as")).to_be_visible()
    page.goto("/account/two-factor")
    expect(page.get_by_text("9 of 10 not used")).to_be_visible()
