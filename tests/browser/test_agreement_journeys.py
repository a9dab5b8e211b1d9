"""A data-sharing agreement from a blank draft to an approved version and a second draft, in
Chromium with JavaScript off: every step is a link, a form post and a redirect.

The readiness check's gaps are followed as links, each to the field that closes it, until the
page says "No gaps"; an IG officer approves; a later change starts version 2, and the compare
page shows the field before and after.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import LocatorAssertions, Page, expect

from registry.dates import today_in_london
from registry.models.agreement_choices import DPIA_SCREENING

pytestmark = pytest.mark.browser

TITLE = "Hoarding and fire risk referrals"
PURPOSE = "Refer residents whose homes are at risk of fire for a safe and well visit."
NEW_PURPOSE = "Refer residents whose homes are at risk of fire for a safe and well visit within 10 days."
PARTIES = (("Northbridge Borough Council", "Sam Okafor"), ("Northbridge Homes", "Dee Williams"))
# what the readiness check asks for once the parties, a data item and a group are in: message -> field
GAPS = {
    "Describe the benefits to people and services": "benefits",
    "Explain why the sharing is necessary and proportionate": "necessity",
    "Explain why less data, or anonymised data, would not do": "less_data_rationale",
    "Choose the Article 6 lawful basis": "art6_basis",
    "Say whether the national data opt-out applies": "national_data_opt_out",
    "Describe the security measures": "security_measures",
    "Answer the DPIA screening questions": "dpia_" + next(iter(DPIA_SCREENING)),
    "Enter the date the agreement takes effect": "effective_from",
    "Set a next review date no later than 12 months after the agreement takes effect": "next_review_date",
}


def heading(page: Page) -> LocatorAssertions:
    return expect(page.get_by_role("heading", level=1))


def success(page: Page, text: str) -> None:
    expect(page.get_by_role("alert", name="Success")).to_contain_text(text)


def fill_purpose(page: Page) -> None:
    page.get_by_label("Benefits to people and services (optional)").fill("Fewer fires; people get help sooner.")
    page.get_by_label("Why the sharing is necessary and proportionate (optional)").fill("Only referred homes.")
    page.get_by_label("Why less data, or anonymised data, would not do (optional)").fill("A visit needs an address.")


def fill_legal(page: Page) -> None:
    page.get_by_label("Article 6 lawful basis (optional)").select_option(label="Article 6(1)(e) public task")
    page.get_by_label("National data opt-out (optional)").select_option(label="Not relevant: no health or care data")


def fill_flow(page: Page) -> None:
    page.get_by_label("Security measures (optional)").fill("Encrypted email between named officers.")


def fill_governance(page: Page) -> None:
    for question in DPIA_SCREENING.values():
        page.get_by_role("group", name=question).get_by_label("No", exact=True).check()


def fill_dates(page: Page) -> None:
    today = today_in_london()
    group = page.get_by_role("group", name="Takes effect on (optional)")
    for box, value in (("Day", today.day), ("Month", today.month), ("Year", today.year)):
        group.get_by_label(box).fill(str(value))


SECTIONS: dict[str, Callable[[Page], None]] = {
    "Purpose and necessity": fill_purpose,
    "Legal basis": fill_legal,
    "How data flows": fill_flow,
    "Governance and DPIA": fill_governance,
    "Dates and review": fill_dates,
}


def add_parts(manager: Page) -> None:
    for organisation, signatory in PARTIES:
        manager.get_by_role("link", name="Add a party").click()
        manager.get_by_label("Organisation", exact=True).select_option(label=organisation)
        manager.get_by_role("group", name="Role in the agreement").get_by_label("Controller", exact=True).check()
        manager.get_by_label("Signatory’s name (optional)").fill(signatory)
        manager.get_by_label("Contact for data subject requests and complaints (optional)").fill("dpo@example.org")
        manager.get_by_label("Retention period (optional)").fill("2 years after the visit")
        manager.get_by_role("button", name="Save party").click()
        success(manager, f"{organisation} has been added as a party")
    manager.get_by_role("link", name="Add a data item").click()
    manager.get_by_label("Name", exact=True).fill("Name and address")
    manager.get_by_role("group", name="Category").get_by_label("Personal data", exact=True).check()
    manager.get_by_label("Which party provides it (optional)").select_option(label=PARTIES[1][0])
    manager.get_by_role("button", name="Save data item").click()
    success(manager, "‘Name and address’ has been added to the data items")
    manager.get_by_role("link", name="Add a group of people").click()
    manager.get_by_label("Group of people").fill("Tenants at risk of fire")
    manager.get_by_label("It includes vulnerable adults").check()
    manager.get_by_role("button", name="Add group").click()
    success(manager, "‘Tenants at risk of fire’ has been added to the data subjects")


def close_gaps(manager: Page) -> None:
    """Follow the first gap's link to its field, fill that section, save; until none are left."""
    links = manager.locator("#gaps a")
    expect(links).to_have_text(list(GAPS))
    for _ in SECTIONS:
        link = links.first
        field = GAPS[link.inner_text()]
        link.click()
        assert manager.url.endswith(f"#{field}")
        expect(manager.locator(f"#{field}")).to_have_count(1)  # the link lands on the field itself
        SECTIONS[manager.get_by_role("heading", level=1).inner_text()](manager)
        manager.get_by_role("button", name="Save and return to the agreement").click()
        heading(manager).to_have_text(TITLE)
    expect(links).to_have_count(0)
    expect(manager.locator("#gaps")).to_have_text(
        "No gaps: the record meets every rule and can be submitted for approval."
    )


def test_manager_drafts_an_agreement_the_ig_officer_approves_and_a_change_proposes_version_2(
    page_as: Callable[..., Page],
) -> None:
    manager = page_as("manager", java_script_enabled=False)
    manager.goto("/")
    expect(manager.locator("body")).not_to_have_class(re.compile(r"\bjs-enabled\b"))  # scripts really are off
    manager.get_by_role("navigation", name="Main menu").get_by_role("link", name="Agreements").click()
    manager.get_by_role("button", name="Create a data-sharing agreement").click()
    manager.get_by_label("Title", exact=True).fill(TITLE)
    manager.get_by_role("group", name="Kind of agreement").get_by_label("Two-way sharing of personal data").check()
    manager.get_by_label("Purpose (optional)").fill(PURPOSE)
    manager.get_by_role("button", name="Create draft agreement").click()
    heading(manager).to_have_text(TITLE)
    success(manager, "has been created. Fill in each section.")
    reference = re.search(r"DSA-\d{4}-\d{4}", manager.url)
    assert reference is not None
    expect(manager.get_by_role("link", name="Add at least two parties")).to_have_attribute(
        "href", re.compile("#add-party$")
    )

    add_parts(manager)
    close_gaps(manager)
    manager.get_by_role("button", name="Submit for approval").click()
    success(manager, f"{reference[0]} has been submitted for approval")

    ig = page_as("ig", java_script_enabled=False)
    ig.goto(manager.url)
    expect(ig.locator("#gaps")).to_contain_text("No gaps")
    ig.get_by_role("button", name="Approve version 1").click()
    success(ig, f"Version 1 of {reference[0]} has been approved and frozen")

    manager.reload()
    expect(manager.locator(".govuk-tag").first).to_have_text("Approved")
    manager.get_by_role("link", name="Change purpose", exact=True).click()
    expect(manager.get_by_text("Saving a change opens a proposed variation")).to_be_visible()
    manager.get_by_label("Purpose of the sharing (optional)").fill(NEW_PURPOSE)
    manager.get_by_role("button", name="Save and return to the agreement").click()
    success(manager, "Purpose and necessity saved. This change is in the proposed variation, version 2")
    expect(manager.get_by_text(f"{reference[0]} · proposed variation · version 2")).to_be_visible()
    expect(manager.locator(".govuk-tag").first).to_have_text("Draft")
    expect(manager.locator("#variation-standing")).to_have_text(
        "Version 1 is approved. Version 2 is a proposed variation (draft)."
    )

    manager.get_by_role("link", name="Compare versions").click()
    heading(manager).to_have_text("Compare versions")
    expect(manager.get_by_label("From")).to_have_value("1")
    expect(manager.get_by_label("To")).to_have_value("current")
    rows = manager.get_by_role("table", name="1 field changed").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("th, td")).to_have_text(["Purpose", PURPOSE, NEW_PURPOSE])
