"""axe-core (WCAG 2.2 AA) on every page, as each role that can see it, in its empty, error and result states.

SCREENS is the table of pages. A page is a path, or a small step function that gets the
page into a state (a form with errors, a flash message). Each row says which endpoint it
shows; the test checks that the page really is that endpoint, and a coverage test fails
when a GET endpoint of the app has no row, so a new page must be added here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Response, expect
from werkzeug.exceptions import HTTPException

from registry import create_app

if TYPE_CHECKING:
    from browser.conftest import LiveServer

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
NOT_PAGES = {"static", "pages.healthz"}  # healthz answers JSON

HOMES = "Northbridge Homes"  # the demo partner's own organisation
POLICE = "Northshire Police"  # another organisation
DISSOLVED = "Northbridge Primary Care Trust"

Step = Callable[[Page, "LiveServer"], None]


@dataclass(frozen=True)
class Screen:
    role: str
    endpoint: str | None  # what the final URL routes to (None: no route at all)
    visit: str | Step  # a path, or steps that end on the page to check
    description: str  # unique per role; "-errors" at the end: the page must show the error summary
    h1: str  # the page's heading, to be sure the steps ended where they should
    status: int = 200
    own_context: bool = False  # the steps change the session, so they may not share the role's page


def org_path(name: str, suffix: str = "") -> Callable[[LiveServer], str]:
    return lambda live: f"/organisations/{live.organisation_id(name)}{suffix}"


def go(path: str | Callable[[LiveServer], str]) -> Step:
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


def wrong_password(page: Page, live: LiveServer) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill("manager@example.org")
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()


def signed_out(page: Page, live: LiveServer) -> None:
    page.goto("/")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out")).to_be_visible()


def add_with_errors(page: Page, live: LiveServer) -> None:
    page.goto("/organisations/new")
    page.get_by_label("ICO registration number (optional)").fill("123")
    page.get_by_label("Postcode (optional)").fill("NOT A POSTCODE")
    page.get_by_role("button", name="Save organisation").click()


def edit_with_errors(page: Page, live: LiveServer) -> None:
    page.goto(org_path(HOMES, "/edit")(live))
    page.get_by_label("Name", exact=True).fill("")
    page.get_by_label("Main contact’s email address (optional)").fill("not an email")
    page.get_by_role("button", name="Save organisation").click()


def stale_edit(page: Page, live: LiveServer) -> None:
    """As if someone else saved first: the form carries an older version than the record's."""
    page.goto(org_path(HOMES, "/edit")(live))
    page.locator("input[name=version]").evaluate("input => { input.value = '0'; }")
    page.get_by_role("button", name="Save organisation").click()
    expect(page.locator("#stale-warning")).to_be_visible()


def name_taken(page: Page, live: LiveServer) -> None:
    page.goto("/organisations/new")
    page.get_by_label("Name", exact=True).fill(POLICE)
    page.get_by_label("Public sector").check()
    page.get_by_label("Kind of organisation").select_option("police")
    page.get_by_role("button", name="Save organisation").click()


def saved_unchanged(page: Page, live: LiveServer) -> None:
    """Saving the edit form without changes writes nothing but shows the success banner."""
    page.goto(org_path(HOMES, "/edit")(live))
    page.get_by_role("button", name="Save organisation").click()
    expect(page.get_by_text(f"{HOMES} has been updated")).to_be_visible()


def user_path(email: str) -> Callable[[LiveServer], str]:
    return lambda live: f"/admin/users/{live.user_id(email)}"


def page_two(page: Page, live: LiveServer) -> None:
    page.goto("/organisations/?page=2")
    expect(page.get_by_role("navigation", name="Pages of results")).to_be_visible()
    expect(page.get_by_text("Showing 21 to")).to_be_visible()


def protected_page(page: Page, live: LiveServer) -> None:
    page.goto("/organisations/")
    expect(page.get_by_text("Sign in to see this page")).to_be_visible()


STAFF = ("admin", "manager", "ig")
SIGNED_IN = (*STAFF, "partner")
EVERYONE = ("anonymous", *SIGNED_IN)
STATEMENT = "Accessibility statement"
EDITORS = ("admin", "manager")
ADD = "Add an organisation"
DISSOLVE = f"Mark {POLICE} as dissolved"
FORBIDDEN = "You do not have permission"

SCREENS: list[Screen] = [
    Screen("anonymous", "auth.sign_in", "/sign-in", "sign-in", "Sign in"),
    Screen("anonymous", "auth.sign_in", then_submit(go("/sign-in"), "Sign in"), "sign-in-empty-errors", "Sign in"),
    Screen("anonymous", "auth.sign_in", wrong_password, "sign-in-wrong-password-errors", "Sign in"),
    Screen("anonymous", "auth.sign_in", protected_page, "sign-in-after-protected-page", "Sign in"),
    Screen("manager", "auth.sign_in", signed_out, "sign-in-after-sign-out", "Sign in", own_context=True),
    *(Screen(r, "pages.accessibility", "/accessibility", "accessibility", STATEMENT) for r in EVERYONE),
    *(Screen(r, "pages.home", "/", "home", "Partnership and data-sharing registry") for r in SIGNED_IN),
    *(Screen(r, "organisations.index", "/organisations/", "organisations", "Organisations") for r in SIGNED_IN),
    Screen(
        "manager",
        "organisations.index",
        "/organisations/?q=north&sector=public&sort=-name",
        "filtered",
        "Organisations",
    ),
    Screen("manager", "organisations.index", "/organisations/?q=no+such+organisation", "no-results", "Organisations"),
    Screen("manager", "organisations.index", page_two, "page-2", "Organisations"),
    *(Screen(r, "organisations.view", go(org_path(HOMES)), "organisation", HOMES) for r in SIGNED_IN),
    Screen("ig", "organisations.view", go(org_path(DISSOLVED)), "dissolved-organisation", DISSOLVED),
    Screen("manager", "organisations.view", saved_unchanged, "organisation-saved", HOMES),
    *(Screen(r, "organisations.create", "/organisations/new", "add", ADD) for r in EDITORS),
    Screen("manager", "organisations.create", add_with_errors, "add-errors", ADD),
    *(Screen(r, "organisations.edit", go(org_path(HOMES, "/edit")), "edit", f"Change {HOMES}") for r in EDITORS),
    Screen("manager", "organisations.edit", edit_with_errors, "edit-errors", f"Change {HOMES}"),
    Screen("manager", "organisations.edit", stale_edit, "edit-stale-errors", f"Change {HOMES}"),
    Screen("manager", "organisations.create", name_taken, "add-name-taken-errors", ADD),
    *(Screen(r, "organisations.dissolve", go(org_path(POLICE, "/dissolve")), "dissolve", DISSOLVE) for r in EDITORS),
    Screen(
        "manager",
        "organisations.dissolve",
        then_submit(go(org_path(POLICE, "/dissolve")), "Mark as dissolved", Day="31", Month="2", Year="2020"),
        "dissolve-errors",
        DISSOLVE,
    ),
    Screen("admin", "admin.users_index", "/admin/users/", "users", "Users"),
    Screen("admin", "admin.user_create", "/admin/users/new", "create-user", "Create a user"),
    Screen(
        "admin",
        "admin.user_create",
        then_submit(go("/admin/users/new"), "Create user", Password="short"),
        "create-user-errors",
        "Create a user",
    ),
    Screen("admin", "admin.user_edit", go(user_path("manager@example.org")), "edit-user", "Change manager@example.org"),
    Screen("admin", "admin.user_edit", go(user_path("admin@example.org")), "edit-own-user", "Change admin@example.org"),
    Screen("partner", "organisations.view", go(org_path(POLICE)), "404-other-organisation", "Page not found", 404),
    Screen("admin", None, "/no-such-page", "404-no-such-page", "Page not found", 404),
    Screen("manager", None, "/sign-out", "405-sign-out", "There is a problem with your request", 405),
    Screen("partner", "organisations.create", "/organisations/new", "403-add", FORBIDDEN, 403),
    Screen("ig", "organisations.edit", go(org_path(HOMES, "/edit")), "403-edit", FORBIDDEN, 403),
    Screen("manager", "admin.users_index", "/admin/users/", "403-users", FORBIDDEN, 403),
]


def endpoint_of(url: str, live: LiveServer) -> str | None:
    path = url.removeprefix(live.url).split("?")[0]
    try:
        endpoint, _ = live.app.url_map.bind("127.0.0.1").match(path, method="GET")
    except HTTPException:
        return None
    return endpoint


def describe(violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s):"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}\n  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            lines.extend(f"      {check['message']}" for kind in ("any", "all", "none") for check in node[kind])
    return "\n".join(lines)


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("screen", SCREENS, ids=[f"{s.role}-{s.description}" for s in SCREENS])
def test_page_has_no_axe_violations(
    screen: Screen,
    page_as: Callable[..., Page],
    role_page: Callable[[str], Page],
    live_server: LiveServer,
    axe: Axe,
) -> None:
    page = page_as(screen.role) if screen.own_context else role_page(screen.role)
    statuses: list[int] = []

    def record(response: Response) -> None:
        if response.request.is_navigation_request() and response.frame == page.main_frame:
            statuses.append(response.status)

    page.on("response", record)
    try:
        if isinstance(screen.visit, str):
            page.goto(screen.visit)
        else:
            screen.visit(page, live_server)
        if screen.description.endswith("-errors"):
            expect(page.locator(".govuk-error-summary")).to_be_visible()
    finally:
        page.remove_listener("response", record)
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_contain_text(screen.h1)
    assert statuses[-1] == screen.status
    assert endpoint_of(page.url, live_server) == screen.endpoint
    results = axe.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, describe(results.response["violations"])


def test_every_page_is_in_the_table() -> None:
    app = create_app("test")
    pages = {r.endpoint for r in app.url_map.iter_rules() if "GET" in (r.methods or ()) and r.endpoint not in NOT_PAGES}
    missing = pages - {s.endpoint for s in SCREENS}
    assert not missing, f"add rows for these pages to SCREENS in tests/browser/test_accessibility.py: {sorted(missing)}"


def test_axe_reports_a_known_violation(page_as: Callable[..., Page], axe: Axe) -> None:
    """A check that cannot fail is no check: an unlabelled box must be reported."""
    page = page_as("anonymous")
    page.goto("/accessibility")
    page.evaluate("document.querySelector('main').append(document.createElement('input'))")
    results = axe.run(page, options=AXE_OPTIONS)
    assert [v["id"] for v in results.response["violations"]] == ["label"], describe(results.response["violations"])
