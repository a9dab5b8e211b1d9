"""Rows of the screens table for partnerships, their members, objectives and progress, and communities."""

from __future__ import annotations

from typing import TYPE_CHECKING

from browser.screen_steps import (
    DISSOLVED,
    EDITORS,
    FORBIDDEN,
    HOMES,
    NOT_FOUND,
    SIGNED_IN,
    STAFF,
    Screen,
    fill_date,
    go,
    leaving_path,
    objective_path,
    partnership_path,
    then_submit,
)
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from browser.conftest import LiveServer

INCLUSION = "Northbridge Digital Inclusion Partnership"  # the demo's; Northbridge Homes is a member
ONLINE = "More tenants online"  # owned by Northbridge Homes, with three progress updates
OLDER = "Older people learn to use online services"  # owned by Age Concern Northbridge, no updates yet
SAFETY = "Northshire Community Safety Partnership"  # made by conftest; Northbridge Homes is not a member
FIRE_OBJECTIVE = "Fewer repeat fire call-outs"  # its objective, made by conftest
LEAVER = "Age Concern Northbridge"

CREATE = "Create a partnership"
EDIT = f"Change {INCLUSION}"
ADD_MEMBER = "Add a member"
LEAVING = f"Record that {LEAVER} left"
ADD_OBJECTIVE = "Add a shared objective"
EDIT_OBJECTIVE = "Change objective"
PROGRESS = "Record progress"

TO_INCLUSION = go(partnership_path(INCLUSION))
TO_EDIT = go(partnership_path(INCLUSION, "/edit"))
TO_ADD_MEMBER = go(partnership_path(INCLUSION, "/members/new"))
TO_LEAVING = go(leaving_path(INCLUSION, LEAVER))
TO_ADD_OBJECTIVE = go(partnership_path(INCLUSION, "/objectives/new"))
TO_ONLINE = go(objective_path(INCLUSION, ONLINE))
TO_EDIT_ONLINE = go(objective_path(INCLUSION, ONLINE, "/edit"))
TO_ONLINE_PROGRESS = go(objective_path(INCLUSION, ONLINE, "/progress"))
TO_OLDER = go(objective_path(INCLUSION, OLDER))
TO_OLDER_PROGRESS = go(objective_path(INCLUSION, OLDER, "/progress"))


def filtered(page: Page, live: LiveServer) -> None:
    """Every filter of the list set through its form, as someone would."""
    page.goto("/partnerships/")
    search = page.get_by_role("search", name="Find partnerships")
    search.get_by_label("Search by name").fill("digital")
    search.get_by_label("Status").select_option(label="Active")
    search.get_by_label("Has objectives of priority").select_option(label="High")
    search.get_by_label("Member organisation").select_option(label=HOMES)
    search.get_by_label("Community").select_option(label="Social housing tenants")
    search.get_by_label("Sort by").select_option(label="Newest start date")
    search.get_by_role("button", name="Apply filters").click()
    expect(page.locator("table.govuk-table tbody tr")).to_have_count(1)


def create_ending_before_start(page: Page, live: LiveServer) -> None:
    page.goto("/partnerships/new")
    page.get_by_label("Name", exact=True).fill("Northbridge Warm Homes Partnership")
    page.get_by_label("Purpose", exact=True).fill("Fewer cold homes.")
    page.get_by_label("Lead organisation").select_option(label="Northbridge Borough Council")
    page.get_by_label("Active", exact=True).check()
    fill_date(page, "start_date", "1 4 2026")
    fill_date(page, "end_date", "31 3 2025")
    page.get_by_role("button", name="Save partnership").click()
    expect(page.get_by_role("link", name="Enter an end date after the start date")).to_be_visible()


def edit_ending_before_start(page: Page, live: LiveServer) -> None:
    TO_EDIT(page, live)
    fill_date(page, "end_date", "31 3 2020")
    page.get_by_role("button", name="Save partnership").click()
    expect(page.get_by_role("link", name="Enter an end date after the start date")).to_be_visible()


def stale_edit(page: Page, live: LiveServer) -> None:
    """As if someone else saved first: the form carries an older version than the record's."""
    TO_EDIT(page, live)
    page.locator("input[name=version]").evaluate("input => { input.value = '0'; }")
    page.get_by_role("button", name="Save partnership").click()
    expect(page.locator("#stale-warning")).to_be_visible()


def dissolved_member(page: Page, live: LiveServer) -> None:
    TO_ADD_MEMBER(page, live)
    page.get_by_label("Organisation", exact=True).select_option(label=f"{DISSOLVED} (dissolved)")
    page.get_by_label("Observer").check()
    fill_date(page, "joined_on", "1 4 2026")
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_role("link", name=f"{DISSOLVED} has been dissolved")).to_be_visible()


def left_before_joining(page: Page, live: LiveServer) -> None:
    TO_LEAVING(page, live)
    fill_date(page, "left_on", "1 1 2000")
    page.get_by_role("button", name="Record leaving").click()
    expect(page.get_by_role("link", name="Enter a leaving date on or after the date it joined")).to_be_visible()


def objective_with_errors(page: Page, live: LiveServer) -> None:
    """A baseline that is not a number and no owning organisation chosen."""
    TO_ADD_OBJECTIVE(page, live)
    page.get_by_label("Title", exact=True).fill("Free wifi in community centres")
    page.get_by_label("Baseline", exact=True).fill("abc")
    page.get_by_role("button", name="Save objective").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Baseline must be a number, like 120 or 45.5")).to_be_visible()
    expect(summary.get_by_role("link", name="Select the owning organisation")).to_be_visible()


def objective_edit_with_errors(page: Page, live: LiveServer) -> None:
    TO_EDIT_ONLINE(page, live)
    page.get_by_label("Target", exact=True).fill("48")  # the same as the baseline
    page.get_by_role("button", name="Save objective").click()
    expect(page.get_by_role("link", name="Enter a target that is different from the baseline")).to_be_visible()


def progress_in_the_future(page: Page, live: LiveServer) -> None:
    TO_ONLINE_PROGRESS(page, live)
    fill_date(page, "recorded_on", "1 1 2099")
    page.get_by_label("Value", exact=True).fill("70")
    page.get_by_label("What happened", exact=True).fill("A guess.")
    page.get_by_role("button", name="Save progress update").click()
    expect(page.get_by_role("link", name="Date of the measurement must be today or in the past")).to_be_visible()


def duplicate_community(page: Page, live: LiveServer) -> None:
    page.goto("/admin/communities/")
    page.get_by_label("Community", exact=True).fill("older PEOPLE")
    page.get_by_role("button", name="Add community").click()
    expect(page.get_by_role("link", name="This community is already on the list")).to_be_visible()


P = "partnerships."

PARTNERSHIP_SCREENS: list[Screen] = [
    *(Screen(r, P + "index", "/partnerships/", "partnerships", "Partnerships") for r in SIGNED_IN),
    Screen("manager", P + "index", filtered, "partnerships-filtered", "Partnerships"),
    Screen("partner", P + "index", "/partnerships/?q=no+such+thing", "partnerships-no-results", "Partnerships"),
    *(Screen(r, P + "view", TO_INCLUSION, "partnership", INCLUSION) for r in SIGNED_IN),
    Screen("partner", P + "view", go(partnership_path(SAFETY)), "404-other-partnership", NOT_FOUND, 404),
    *(Screen(r, P + "create", "/partnerships/new", "create-partnership", CREATE) for r in EDITORS),
    Screen(
        "manager",
        P + "create",
        then_submit(go("/partnerships/new"), "Save partnership"),
        "create-partnership-empty-errors",
        CREATE,
    ),
    Screen("manager", P + "create", create_ending_before_start, "create-partnership-dates-errors", CREATE),
    *(Screen(r, P + "edit", TO_EDIT, "edit-partnership", EDIT) for r in EDITORS),
    Screen("manager", P + "edit", edit_ending_before_start, "edit-partnership-errors", EDIT),
    Screen("manager", P + "edit", stale_edit, "edit-partnership-stale-errors", EDIT),
    *(Screen(r, P + "edit", TO_EDIT, "403-edit-partnership", FORBIDDEN, 403) for r in ("ig", "partner")),
    *(Screen(r, P + "add_member", TO_ADD_MEMBER, "add-member", ADD_MEMBER) for r in EDITORS),
    Screen(
        "manager", P + "add_member", then_submit(TO_ADD_MEMBER, "Add member"), "add-member-empty-errors", ADD_MEMBER
    ),
    Screen("manager", P + "add_member", dissolved_member, "add-dissolved-member-errors", ADD_MEMBER),
    *(Screen(r, P + "end_member", TO_LEAVING, "record-leaving", LEAVING) for r in EDITORS),
    Screen("manager", P + "end_member", left_before_joining, "record-leaving-errors", LEAVING),
    *(Screen(r, P + "objective_view", TO_ONLINE, "objective", ONLINE) for r in SIGNED_IN),
    *(Screen(r, P + "objective_view", TO_OLDER, "objective-no-progress", OLDER) for r in ("manager", "partner")),
    Screen(
        "partner",
        P + "objective_view",
        go(objective_path(SAFETY, FIRE_OBJECTIVE)),
        "404-other-partnership-objective",
        NOT_FOUND,
        404,
    ),
    *(Screen(r, P + "objective_create", TO_ADD_OBJECTIVE, "add-objective", ADD_OBJECTIVE) for r in EDITORS),
    Screen("manager", P + "objective_create", objective_with_errors, "add-objective-errors", ADD_OBJECTIVE),
    *(Screen(r, P + "objective_edit", TO_EDIT_ONLINE, "edit-objective", EDIT_OBJECTIVE) for r in EDITORS),
    Screen("manager", P + "objective_edit", objective_edit_with_errors, "edit-objective-errors", EDIT_OBJECTIVE),
    Screen("partner", P + "objective_edit", TO_EDIT_ONLINE, "403-edit-objective", FORBIDDEN, 403),
    *(Screen(r, P + "progress_create", TO_ONLINE_PROGRESS, "record-progress", PROGRESS) for r in ("partner", *EDITORS)),
    Screen(
        "partner",
        P + "progress_create",
        then_submit(TO_ONLINE_PROGRESS, "Save progress update"),
        "record-progress-empty-errors",
        PROGRESS,
    ),
    Screen("partner", P + "progress_create", progress_in_the_future, "record-progress-future-errors", PROGRESS),
    *(
        Screen(r, P + "progress_create", TO_OLDER_PROGRESS, "403-record-progress-other-owner", FORBIDDEN, 403)
        for r in ("partner", "ig")
    ),
    Screen("admin", "admin.communities", "/admin/communities/", "communities", "Communities"),
    Screen("admin", "admin.communities", duplicate_community, "add-community-duplicate-errors", "Communities"),
    *(Screen(r, "admin.communities", "/admin/communities/", "403-communities", FORBIDDEN, 403) for r in STAFF[1:]),
]
