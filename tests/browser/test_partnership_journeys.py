"""A partnership from creation to measured progress, in Chromium with JavaScript off.

Every step is a link, a form post and a redirect, so the pages must work without scripts:
the chart is server-drawn SVG with its figures in a table beside it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from browser.screens_partnerships import INCLUSION, OLDER
from playwright.sync_api import LocatorAssertions, Page, expect

from registry.dates import today_in_london

pytestmark = pytest.mark.browser

NAME = "Northbridge Warm Spaces Partnership"
OBJECTIVE = "Warm homes online"
INDICATOR = "Households in warm spaces using free wifi"
NARRATIVES = ("Wifi in two libraries.", "Wifi in four community centres.", "Volunteers help at every site.")


def months_after(start: date, months: int) -> date:
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, start.day)


def enter_date(page: Page, legend: str, when: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(when.day))
    group.get_by_label("Month").fill(str(when.month))
    group.get_by_label("Year").fill(str(when.year))


def main_menu(page: Page, item: str) -> None:
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name=item).click()


def heading(page: Page) -> LocatorAssertions:
    return expect(page.get_by_role("heading", level=1))


def success(page: Page, text: str) -> None:
    expect(page.get_by_role("alert", name="Success")).to_contain_text(text)


def record_progress(page: Page, when: date, value: str, narrative: str) -> None:
    page.get_by_role("button", name="Record progress").click()  # a link styled and announced as a button
    heading(page).to_have_text("Record progress")
    enter_date(page, "Date of the measurement", when)
    page.get_by_label("Value", exact=True).fill(value)
    page.get_by_label("What happened", exact=True).fill(narrative)
    page.get_by_role("button", name="Save progress update").click()
    heading(page).to_have_text(OBJECTIVE)
    success(page, "The progress update has been saved")


def test_manager_sets_up_a_measured_partnership_and_the_owning_partner_records_progress(
    page_as: Callable[..., Page],
) -> None:
    today = today_in_london()
    start = date(today.year - 1, today.month, 1)
    manager = page_as("manager", java_script_enabled=False)
    manager.goto("/")
    expect(manager.locator("body")).not_to_have_class(re.compile(r"\bjs-enabled\b"))  # scripts really are off

    main_menu(manager, "Partnerships")
    manager.get_by_role("button", name="Create a partnership").click()
    heading(manager).to_have_text("Create a partnership")
    manager.get_by_label("Name", exact=True).fill(NAME)
    manager.get_by_label("Purpose", exact=True).fill("Warm, connected places for residents to spend the winter.")
    manager.get_by_label("Lead organisation").select_option(label="Northbridge Borough Council")
    manager.get_by_role("group", name="Status").get_by_label("Active").check()
    enter_date(manager, "Start date (optional)", start)
    manager.get_by_role("button", name="Save partnership").click()
    heading(manager).to_have_text(NAME)
    success(manager, f"{NAME} has been created with its lead organisation as a member")

    for organisation, role in (("Northbridge Homes", "Member"), ("Northbridge College", "Funder")):
        manager.get_by_role("link", name="Add a member").click()
        manager.get_by_label("Organisation", exact=True).select_option(label=organisation)
        manager.get_by_role("group", name="Role in the partnership").get_by_label(role).check()
        enter_date(manager, "Date joined", start)
        manager.get_by_role("button", name="Add member").click()
        success(manager, f"{organisation} has been added to the partnership")
    members = manager.get_by_role("table", name="Members of the partnership, past and present")
    expect(members.locator("tbody tr td:first-child")).to_have_text(
        ["Northbridge Borough Council", "Northbridge Homes", "Northbridge College"]
    )

    manager.get_by_role("link", name="Add a shared objective").click()
    manager.get_by_label("Title", exact=True).fill(OBJECTIVE)
    manager.get_by_role("group", name="Priority").get_by_label("High").check()
    manager.get_by_label("Owning organisation").select_option(label="Northbridge Homes")
    manager.get_by_role("group", name="Communities it is for").get_by_label("Social housing tenants").check()
    manager.get_by_label("Indicator", exact=True).fill(INDICATOR)
    manager.get_by_label("Unit", exact=True).fill("households")
    manager.get_by_label("Baseline", exact=True).fill("100")
    expect(manager.get_by_role("group", name="Baseline date").get_by_label("Year")).to_have_value(str(start.year))
    manager.get_by_label("Target", exact=True).fill("400")
    enter_date(manager, "Target date", months_after(start, 36))
    manager.get_by_role("button", name="Save objective").click()
    heading(manager).to_have_text(OBJECTIVE)
    success(manager, f"The objective ‘{OBJECTIVE}’ has been added")
    expect(manager.locator("#standing")).to_contain_text("No progress recorded yet")

    for months, value, narrative in zip((3, 6, 9), ("150", "200", "250"), NARRATIVES, strict=True):
        record_progress(manager, months_after(start, months), value, narrative)

    chart = manager.get_by_role("img", name=re.compile(f"^{INDICATOR}: progress from baseline to target"))
    expect(chart).to_be_visible()
    expect(chart.locator("title")).to_have_text(f"{INDICATOR}: progress from baseline to target")
    expect(chart.locator("circle")).to_have_count(4)  # the baseline and three updates
    figures = manager.get_by_role("table", name="Progress figures (households)")
    values = figures.locator("tbody tr td.govuk-table__cell--numeric")
    expect(values).to_have_text([re.compile(rf"^{n}(\.00)?$") for n in (100, 150, 200, 250, 400)])  # shown as 100.00
    expect(figures.locator("tbody tr td:nth-child(3)")).to_have_text(["Baseline", *NARRATIVES, "Target"])
    standing = manager.locator("#standing")
    expect(standing.locator(".govuk-tag")).to_have_text("On track")
    expect(standing).to_contain_text(
        re.compile(r"50% of the way from the baseline to the target, against 2\d% expected by the date")
    )

    partner = page_as("partner", java_script_enabled=False)
    partner.goto("/")
    main_menu(partner, "Partnerships")
    partner.get_by_role("link", name=NAME).click()
    partner.get_by_role("link", name=OBJECTIVE).click()
    expect(partner.get_by_role("button", name="Change objective")).to_have_count(0)
    record_progress(partner, today, "290", "Wifi at the leisure centre too.")
    rows = partner.get_by_role("table", name="Progress figures (households)").locator("tbody tr")
    expect(rows).to_have_count(6)
    expect(rows.nth(4)).to_contain_text("Pat Partner")

    main_menu(partner, "Partnerships")
    partner.get_by_role("link", name=INCLUSION).click()
    partner.get_by_role("link", name=OLDER).click()  # owned by Age Concern Northbridge
    heading(partner).to_have_text(OLDER)
    expect(partner.get_by_role("button", name="Record progress")).to_have_count(0)
    refused = partner.goto(f"{partner.url}/progress")
    assert refused is not None and refused.status == 403
    heading(partner).to_have_text("You do not have permission to see this page")
    expect(partner).to_have_title("You do not have permission to see this page – Partnership and data-sharing registry")
