"""Rows of the screens table for a user's own calendar feed page: none yet, just made (its address
shown once), made earlier, and just stopped.

These steps do save: they make and stop the signed-in user's own calendar feed, which no other
page or journey shows. Each step first puts the feed in the state it needs, so rows pass in
any order.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from browser.screen_steps import SIGNED_IN, Screen
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from browser.conftest import LiveServer

A = "account."
PAGE = "/account/calendar"
H1 = "Your calendar feed"
STOP = "Stop the calendar feed"


def _has_feed(page: Page) -> bool:
    return page.get_by_role("button", name=STOP).count() > 0


def _press(page: Page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def no_feed(page: Page, live: LiveServer) -> None:
    page.goto(PAGE)
    if _has_feed(page):
        _press(page, STOP)
        page.goto(PAGE)
    expect(page.locator("#feed-status")).to_have_text("You do not have a calendar feed.")


def just_made(page: Page, live: LiveServer) -> None:
    page.goto(PAGE)
    _press(page, "Make a new feed address" if _has_feed(page) else "Create a calendar feed")
    address = re.compile(re.escape(live.app.config["BASE_URL"] + "/calendar/") + r"[\w-]{40,}\.ics")
    expect(page.get_by_label("Your feed address")).to_have_value(address)


def made_earlier(page: Page, live: LiveServer) -> None:
    page.goto(PAGE)
    if not _has_feed(page):
        _press(page, "Create a calendar feed")
        page.goto(PAGE)
    expect(page.locator("#feed-status")).to_contain_text("You have a calendar feed, made on")


def just_stopped(page: Page, live: LiveServer) -> None:
    made_earlier(page, live)
    _press(page, STOP)
    expect(page.get_by_text("Your calendar feed has been stopped.")).to_be_visible()


ACCOUNT_SCREENS: list[Screen] = [
    *(Screen(r, A + "calendar", no_feed, "calendar-feed-none", H1) for r in SIGNED_IN),
    *(Screen(r, A + "calendar", just_made, "calendar-feed-just-made", H1) for r in ("manager", "partner")),
    *(Screen(r, A + "calendar", made_earlier, "calendar-feed-made-earlier", H1) for r in ("manager", "partner")),
    *(Screen(r, A + "calendar", just_stopped, "calendar-feed-stopped", H1) for r in ("manager", "partner")),
]
