"""Rows of the screens table for governance: the dashboard of charts and figures, a figure's link
followed to its list, the agreements list filtered by sector and readiness, and the compliance report."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from browser.screen_steps import FORBIDDEN, STAFF, Screen
from browser.screens_agreements import DRAFT, LIST
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from browser.conftest import LiveServer

DASHBOARD = "Governance"
REPORT = "Compliance report"


def charts_drawn(page: Page, live: LiveServer) -> None:
    page.goto("/governance/")
    expect(page.locator("svg[role=img]")).to_have_count(6)
    expect(page.get_by_role("img", name="Agreements by status")).to_be_visible()


def figure_followed(page: Page, live: LiveServer) -> None:
    """The drafts-with-gaps figure leads to the list of just those drafts."""
    page.goto("/governance/")
    link = page.locator("#gaps-table").get_by_role("link", name="agreements: Draft")
    figure = int(link.inner_text().split()[0])
    link.click()
    expect(page.locator("table.govuk-table tbody tr")).to_have_count(figure)
    expect(page.get_by_label("Readiness check")).to_have_value("yes")


def filtered_by_sector_and_gaps(page: Page, live: LiveServer) -> None:
    page.goto("/agreements/")
    search = page.get_by_role("search", name="Find agreements")
    search.get_by_label("Sector of a party").select_option(label="Public sector")
    search.get_by_label("Readiness check").select_option(label="Drafts and awaiting approval with gaps")
    search.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"(?=.*[?&]sector=public)(?=.*[?&]gaps=yes)"))
    expect(page.locator("table.govuk-table tbody")).to_contain_text(DRAFT)


def report_shown(page: Page, live: LiveServer) -> None:
    page.goto("/governance/compliance")
    expect(page.locator("#compliance")).to_contain_text("Review overdue")  # the demo's overdue agreement


G = "governance."

GOVERNANCE_SCREENS: list[Screen] = [
    *(Screen(r, G + "dashboard", charts_drawn, "governance", DASHBOARD) for r in STAFF),
    Screen("partner", G + "dashboard", "/governance/", "403-governance", FORBIDDEN, 403),
    Screen("ig", "agreements.index", figure_followed, "governance-figure-followed", LIST),
    Screen("manager", "agreements.index", filtered_by_sector_and_gaps, "agreements-filtered-sector-gaps", LIST),
    *(Screen(r, G + "compliance_report", report_shown, "compliance-report", REPORT) for r in STAFF),
    Screen("partner", G + "compliance_report", "/governance/compliance", "403-compliance-report", FORBIDDEN, 403),
]
