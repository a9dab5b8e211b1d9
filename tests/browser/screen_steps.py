"""What a row of the screens table is, and the small steps that get a page into a state.

A step takes the page and the live server (for record ids) and ends on the page to check.
Steps only read or submit forms that fail: the table runs on the shared live server, so a
step that saved something would change what later rows and journeys see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from playwright.sync_api import Page

if TYPE_CHECKING:
    from browser.conftest import LiveServer

Step = Callable[[Page, "LiveServer"], None]
PathOf = Callable[["LiveServer"], str]

HOMES = "Northbridge Homes"  # the demo partner's own organisation
POLICE = "Northshire Police"  # another organisation
DISSOLVED = "Northbridge Primary Care Trust"

STAFF = ("admin", "manager", "ig")
SIGNED_IN = (*STAFF, "partner")
EVERYONE = ("anonymous", *SIGNED_IN)
EDITORS = ("admin", "manager")
FORBIDDEN = "You do not have permission"
NOT_FOUND = "Page not found"


@dataclass(frozen=True)
class Screen:
    role: str
    endpoint: str | None  # what the final URL routes to (None: no route at all)
    visit: str | Step  # a path, or steps that end on the page to check
    description: str  # unique per role; "-errors" at the end: the page must show the error summary
    h1: str  # the page's heading, to be sure the steps ended where they should
    status: int = 200
    own_context: bool = False  # the steps change the session, so they may not share the role's page


def go(path: str | PathOf) -> Step:
    def step(page: Page, live: LiveServer) -> None:
        page.goto(path if isinstance(path, str) else path(live))

    return step


def then_submit(first: Step, button: str, **fields: str) -> Step:
    """Go to a form, fill fields by label, and press its submit button."""

    def step(page: Page, live: LiveServer) -> None:
        first(page, live)
        for label, value in fields.items():
            page.get_by_label(label, exact=True).fill(value)
        page.get_by_role("button", name=button).click()
        page.wait_for_load_state()

    return step


def fill_date(page: Page, field: str, day_month_year: str) -> None:
    """Type a date like "31 3 2020" into a GOV.UK date input's three boxes."""
    for part, value in zip(("day", "month", "year"), day_month_year.split(), strict=True):
        page.locator(f"#{field}-{part}").fill(value)


def org_path(name: str, suffix: str = "") -> PathOf:
    return lambda live: f"/organisations/{live.organisation_id(name)}{suffix}"


def user_path(email: str) -> PathOf:
    return lambda live: f"/admin/users/{live.user_id(email)}"


def partnership_path(name: str, suffix: str = "") -> PathOf:
    return lambda live: f"/partnerships/{live.partnership_id(name)}{suffix}"


def objective_path(partnership: str, title: str, suffix: str = "") -> PathOf:
    def path(live: LiveServer) -> str:
        return f"/partnerships/{live.partnership_id(partnership)}/objectives/{live.objective_id(title)}{suffix}"

    return path


def leaving_path(partnership: str, organisation: str) -> PathOf:
    def path(live: LiveServer) -> str:
        membership = live.membership_id(partnership, organisation)
        return f"/partnerships/{live.partnership_id(partnership)}/members/{membership}/end"

    return path
