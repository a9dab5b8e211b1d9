"""Rows of the screens table for the audit log (IG officers and admins) and each record's history."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from browser.screen_steps import (
    FORBIDDEN,
    HOMES,
    NOT_FOUND,
    POLICE,
    SIGNED_IN,
    PathOf,
    Screen,
    Step,
    fill_date,
    go,
    org_path,
    partnership_path,
)
from browser.screens_agreements import OTHER, TENANCY, agreement_path
from browser.screens_partnerships import INCLUSION, SAFETY
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from browser.conftest import LiveServer

LOG = "Audit log"
HISTORY = "History"


def filtered(page: Page, live: LiveServer) -> None:
    """Filter by kind of record and a date range through the form."""
    page.goto("/audit/")
    page.get_by_label("Kind of record").select_option("agreement")
    fill_date(page, "from", "1 1 2000")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#events")).to_be_visible()


def impossible_dates(page: Page, live: LiveServer) -> None:
    page.goto("/audit/")
    fill_date(page, "from", "31 2 2025")
    fill_date(page, "to", "1 1 2020")
    page.get_by_role("button", name="Apply filters").click()


def page_two(page: Page, live: LiveServer) -> None:
    page.goto("/audit/")
    page.get_by_role("navigation", name="Pages of events").get_by_role("link", name="Next page").click()
    expect(page).to_have_url(re.compile(r"/audit/\?after="))
    expect(page.get_by_role("link", name="Back to the first page")).to_be_visible()


def history_of(record: PathOf) -> Step:
    """Open the record's page and follow its link to the history."""

    def step(page: Page, live: LiveServer) -> None:
        page.goto(record(live))
        page.get_by_role("link", name="History of changes").click()
        expect(page.locator("#timeline")).to_be_visible()

    return step


A, H = "audit.", "history."
ORGANISATION, PARTNERSHIP, AGREEMENT = org_path(HOMES), partnership_path(INCLUSION), agreement_path(TENANCY)

AUDIT_SCREENS: list[Screen] = [
    *(Screen(r, A + "index", "/audit/", "audit-log", LOG) for r in ("admin", "ig")),
    Screen("ig", A + "index", filtered, "audit-log-filtered", LOG),
    Screen("ig", A + "index", page_two, "audit-log-page-two", LOG),
    Screen("ig", A + "index", "/audit/?actor=nobody@nowhere", "audit-log-no-results", LOG),
    Screen("ig", A + "index", impossible_dates, "audit-log-impossible-dates-errors", LOG),
    *(Screen(r, A + "index", "/audit/", "403-audit-log", FORBIDDEN, 403) for r in ("manager", "partner")),
    *(
        Screen(r, H + "organisation", history_of(ORGANISATION), "audit-history-organisation", HISTORY)
        for r in SIGNED_IN
    ),
    *(Screen(r, H + "partnership", history_of(PARTNERSHIP), "audit-history-partnership", HISTORY) for r in SIGNED_IN),
    *(Screen(r, H + "agreement", history_of(AGREEMENT), "audit-history-agreement", HISTORY) for r in SIGNED_IN),
    Screen("partner", H + "organisation", go(org_path(POLICE, "/history")), "404-audit-history-org", NOT_FOUND, 404),
    Screen(
        "partner",
        H + "partnership",
        go(partnership_path(SAFETY, "/history")),
        "404-audit-history-pship",
        NOT_FOUND,
        404,
    ),
    Screen(
        "partner", H + "agreement", go(agreement_path(OTHER, "/history")), "404-audit-history-agreement", NOT_FOUND, 404
    ),
]
