"""Rows of the screens table for search: the header's box used without JavaScript, the results of
every kind, one kind's page, and the page before anything is typed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from browser.screen_steps import SIGNED_IN, STAFF, Screen
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from browser.conftest import LiveServer

S = "search.results"


def from_the_header(page: Page, live: LiveServer) -> None:
    """Type in the header's box and press Search: a plain GET form, so it works without JavaScript."""
    page.goto("/")
    header = page.get_by_role("search", name="Registry")
    header.get_by_label("Search organisations, partnerships and agreements").fill("northbridge homes")
    header.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    expect(page.locator("#organisations-results")).to_contain_text("Northbridge Homes")


def one_kind(page: Page, live: LiveServer) -> None:
    page.goto("/search?q=northbridge")
    page.get_by_role("link", name="See all").first.click()
    page.wait_for_load_state()
    expect(page.locator("#result-count")).to_contain_text("Showing 1 to")


SEARCH_SCREENS: list[Screen] = [
    *(Screen(r, S, from_the_header, "search-from-header", "Search results for") for r in SIGNED_IN),
    *(Screen(r, S, "/search?q=tenancy+anti+social", "search-results", "Search results for") for r in SIGNED_IN),
    *(Screen(r, S, one_kind, "search-one-kind", "matching") for r in STAFF),
    Screen("partner", S, "/search?q=northbridge&kind=agreements", "search-one-kind", "Agreements matching"),
    Screen("manager", S, "/search", "search-empty", "Search"),
    Screen("anonymous", "auth.sign_in", "/search?q=northbridge", "search-signed-out", "Sign in"),
]
