"""Journeys people take through the registry, in Chromium against the live server."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Locator, Page, expect

if TYPE_CHECKING:
    from browser.conftest import LiveServer

pytestmark = pytest.mark.browser

ICO_ERROR = "Enter the ICO registration number in the correct format, like Z1234567 or ZA123456"
POSTCODE_ERROR = "Enter a real UK postcode, like SW1A 1AA"


def error_next_to(page: Page, field_id: str) -> Locator:
    """The GOV.UK error message of a field: in the field's form group, and read out with the field."""
    field = page.locator(f"#{field_id}")
    expect(field).to_have_attribute("aria-describedby", re.compile(rf"\b{field_id}-error\b"))
    return page.locator(".govuk-form-group--error", has=field).locator(f"#{field_id}-error")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_manager_adds_an_organisation_after_fixing_errors_then_finds_it(
    javascript: bool,
    page_as: Callable[..., Page],
    sign_in: Callable[[Page, str], None],
    live_server: LiveServer,
) -> None:
    name = f"Northbridge Tenants’ Federation {'JS' if javascript else 'No JS'}"
    page = page_as("anonymous", java_script_enabled=javascript)
    sign_in(page, "manager")

    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Organisations").click()
    page.get_by_role("button", name="Add an organisation").click()  # a link styled and announced as a button
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an organisation")

    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("group", name="Sector").get_by_label("Third sector").check()
    page.get_by_label("Kind of organisation").select_option(label="Voluntary or community group")
    page.get_by_label("ICO registration number (optional)").fill("123")
    page.get_by_label("Postcode (optional)").fill("NOT A POSTCODE")
    page.get_by_role("button", name="Save organisation").click()

    expect(page).to_have_title(re.compile(r"^Error: Add an organisation"))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text([ICO_ERROR, POSTCODE_ERROR])
    expect(summary.get_by_role("link", name=ICO_ERROR)).to_have_attribute("href", "#ico_registration_number")
    if javascript:
        expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    expect(error_next_to(page, "ico_registration_number")).to_have_text(f"Error: {ICO_ERROR}")
    expect(error_next_to(page, "postcode")).to_have_text(f"Error: {POSTCODE_ERROR}")
    expect(page.get_by_label("Name", exact=True)).to_have_value(name)  # what was typed is kept
    expect(page.get_by_label("Postcode (optional)")).to_have_value("NOT A POSTCODE")
    assert not live_server.organisation_exists(name), "an organisation with errors was saved"

    page.get_by_label("ICO registration number (optional)").fill("za 654321")
    page.get_by_label("Postcode (optional)").fill("nb2 5dn")
    page.get_by_role("button", name="Save organisation").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_role("alert", name="Success")).to_contain_text(f"{name} has been added to the register")
    expect(page.locator(".govuk-summary-list__row", has_text="ICO registration number")).to_contain_text("ZA654321")
    expect(page.locator(".govuk-summary-list__row", has_text="Postcode")).to_contain_text("NB2 5DN")
    assert live_server.organisation_exists(name)

    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Organisations").click()
    search = page.get_by_role("search", name="Find organisations")
    search.get_by_label("Search by name").fill(name.lower())
    search.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"/organisations/\?q="))
    expect(page.get_by_label("Search by name")).to_have_value(name.lower())
    rows = page.locator("table.govuk-table tbody tr")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


FOCUSED = "() => { const e = document.activeElement; return e.id || e.getAttribute('name') || e.textContent.trim(); }"


def tab_order(page: Page, until: str, limit: int = 12) -> list[str]:
    """What Tab focuses, one press at a time from the top of the page, until `until` has focus."""
    order: list[str] = []
    while until not in order and len(order) < limit:
        page.keyboard.press("Tab")
        order.append(page.evaluate(FOCUSED))
    return order


def test_keyboard_reaches_the_skip_link_then_the_form_in_order_and_submits_with_enter(
    page_as: Callable[..., Page], live_server: LiveServer
) -> None:
    page = page_as("anonymous")
    page.goto("/sign-in")

    order = tab_order(page, until="submit")

    assert order[0] == "Skip to main content", order
    assert "email" in order and "password" in order and "submit" in order, order
    assert order.index("email") < order.index("password") < order.index("submit"), order

    page.reload()
    for _ in range(order.index("email") + 1):
        page.keyboard.press("Tab")
    expect(page.get_by_label("Email address")).to_be_focused()
    page.keyboard.type("manager@example.org")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.keyboard.type(live_server.password)
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_text("You are signed in as Morgan Manager")).to_be_visible()


def test_skip_link_moves_focus_to_the_main_content(page_as: Callable[..., Page]) -> None:
    page = page_as("anonymous")
    page.goto("/sign-in")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_partner_gets_page_not_found_for_another_organisation(
    page_as: Callable[..., Page], live_server: LiveServer
) -> None:
    page = page_as("partner")
    own = page.goto(f"/organisations/{live_server.organisation_id('Northbridge Homes')}")
    assert own is not None and own.status == 200

    other = page.goto(f"/organisations/{live_server.organisation_id('Northshire Police')}")

    assert other is not None and other.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page).to_have_title("Page not found – Partnership and data-sharing registry")
    expect(page.get_by_text("Northshire Police")).to_have_count(0)

    page.goto("/organisations/")  # the register lists only their own organisation
    expect(page.locator("table.govuk-table tbody tr")).to_have_count(1)
    expect(page.locator("table.govuk-table tbody")).to_contain_text("Northbridge Homes")


def test_sign_out_is_a_post_button_in_the_header_and_returns_to_sign_in(
    page_as: Callable[..., Page], sign_in: Callable[[Page, str], None], live_server: LiveServer
) -> None:
    page = page_as("anonymous")
    sign_in(page, "ig")

    header = page.locator("header.app-header")
    form = header.locator("form", has=page.get_by_role("button", name="Sign out"))
    expect(form).to_have_attribute("method", "post")
    expect(form).to_have_attribute("action", "/sign-out")
    expect(form.locator("input[name=csrf_token]")).to_have_count(1)
    assert page.request.get("/sign-out").status == 405  # a link or prefetch cannot sign anyone out

    form.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(f"{live_server.url}/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("alert", name="Success")).to_contain_text("You have signed out")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    page.goto("/organisations/")  # the session has gone
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))
