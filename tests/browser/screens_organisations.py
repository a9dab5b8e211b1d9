"""Rows of the screens table for signing in, the organisations register and user administration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from browser.screen_steps import (
    DISSOLVED,
    EDITORS,
    EVERYONE,
    FORBIDDEN,
    HOMES,
    NOT_FOUND,
    POLICE,
    SIGNED_IN,
    Screen,
    go,
    org_path,
    then_submit,
    user_path,
)
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from browser.conftest import LiveServer


def wrong_password(page: Page, live: LiveServer) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill("manager@example.org")
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()


def signed_out(page: Page, live: LiveServer) -> None:
    # a session of its own: signing out ends the session on the server, and the stored one is shared
    page.context.clear_cookies()
    page.goto("/sign-in")
    page.get_by_label("Email address").fill("manager@example.org")
    page.get_by_label("Password", exact=True).fill(live.password)
    page.get_by_role("button", name="Sign in").click()
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


def page_two(page: Page, live: LiveServer) -> None:
    page.goto("/organisations/?page=2")
    expect(page.get_by_role("navigation", name="Pages of results")).to_be_visible()
    expect(page.get_by_text("Showing 21 to")).to_be_visible()


def protected_page(page: Page, live: LiveServer) -> None:
    page.goto("/organisations/")
    expect(page.get_by_text("Sign in to see this page")).to_be_visible()


STATEMENT = "Accessibility statement"
ADD = "Add an organisation"
DISSOLVE = f"Mark {POLICE} as dissolved"

ORGANISATION_SCREENS: list[Screen] = [
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
    Screen("partner", "organisations.view", go(org_path(POLICE)), "404-other-organisation", NOT_FOUND, 404),
    Screen("admin", None, "/no-such-page", "404-no-such-page", NOT_FOUND, 404),
    Screen("manager", None, "/sign-out", "405-sign-out", "There is a problem with your request", 405),
    Screen("partner", "organisations.create", "/organisations/new", "403-add", FORBIDDEN, 403),
    Screen("ig", "organisations.edit", go(org_path(HOMES, "/edit")), "403-edit", FORBIDDEN, 403),
    Screen("manager", "admin.users_index", "/admin/users/", "403-users", FORBIDDEN, 403),
]
