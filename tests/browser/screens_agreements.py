"""Rows of the screens table for data-sharing agreements, their parts, lifecycle and reviews."""

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
    PathOf,
    Screen,
    Step,
    fill_date,
    go,
    then_submit,
)
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from browser.conftest import LiveServer

TENANCY = "Tenancy sustainment and anti-social behaviour"  # the demo's, active; Northbridge Homes is a party
STATS = "Digital inclusion statistics by ward"  # the demo's, active and overdue for review
DRAFT = "Hospital discharge and housing"  # the demo's draft with gaps; one party, an NHS trust
TRUST = "Northbridge and District NHS Foundation Trust"
TENANCY_ITEM = "Name, address and date of birth"
OTHER = "Fire safety visits for older people"  # made by conftest; Northbridge Homes is not a party
AWAITING = "Community centre footfall"  # made by conftest: approved; its proposed variation awaits approval

LIST = "Data-sharing agreements"
CREATE = "Create a data-sharing agreement"
SECTIONS = {
    "purpose": "Purpose and necessity",
    "legal": "Legal basis",
    "data": "Data shared",
    "flow": "How data flows",
    "governance": "Governance and DPIA",
    "dates": "Dates and review",
}
ADD_PARTY = "Add a party"
EDIT_PARTY = f"Change {TRUST}"
ADD_ITEM = "Add a data item"
EDIT_ITEM = f"Change ‘{TENANCY_ITEM}’"
ADD_GROUP = "Add a group of people the data is about"
RETURN = "Return to draft"
TERMINATE = "Terminate the agreement"
REVIEW = "Record a review"
COMPARE = "Compare versions"
DASHBOARD = "Reviews due"


def agreement_path(title: str, suffix: str = "") -> PathOf:
    return lambda live: f"/agreements/{live.agreement_reference(title)}{suffix}"


def variation_path(title: str, suffix: str = "") -> PathOf:
    return lambda live: f"/agreements/{live.variation_reference(title)}{suffix}"


def to(title: str, suffix: str = "") -> Step:
    return go(agreement_path(title, suffix))


def to_variation(title: str, suffix: str = "") -> Step:
    return go(variation_path(title, suffix))


WITHDRAW = "Withdraw the proposed variation"


def banner(page: Page, text: str) -> None:
    expect(page.locator(".govuk-notification-banner")).to_contain_text(text)


def filtered(page: Page, live: LiveServer) -> None:
    """Every filter of the list set through its form, as someone would."""
    page.goto("/agreements/")
    search = page.get_by_role("search", name="Find agreements")
    search.get_by_label("Search by reference, or words in the title or purpose").fill("tenancy")
    search.get_by_label("Status").select_option(label="Active")
    search.get_by_label("Kind").select_option(label="Two-way sharing of personal data")
    search.get_by_label("Party organisation").select_option(label=HOMES)
    search.get_by_label("Sort by").select_option(label="Next review date")
    search.get_by_role("button", name="Apply filters").click()
    expect(page.locator("table.govuk-table tbody tr")).to_have_count(1)


def draft_with_gaps(page: Page, live: LiveServer) -> None:
    to(DRAFT)(page, live)
    expect(page.locator("#gaps li").first).to_be_visible()


def submitted_with_gaps(page: Page, live: LiveServer) -> None:
    """The readiness check refuses the submission and says what to do."""
    to(DRAFT)(page, live)
    page.get_by_role("button", name="Submit for approval").click()
    banner(page, "before submitting")


def illegal_transition(page: Page, live: LiveServer) -> None:
    """A step the status does not allow (as from a page opened before the status changed) is refused."""
    to(DRAFT)(page, live)
    button = page.get_by_role("button", name="Submit for approval")
    action = agreement_path(DRAFT, "/request-signatures")(live)
    page.locator("form", has=button).evaluate("(form, action) => { form.action = action; }", action)
    button.click()
    banner(page, "You can only send for signature an agreement that is approved: this one is draft")


def edit_then_save(title: str, section: str, **fields: str) -> Step:
    return then_submit(to(title, f"/edit/{section}"), "Save and return to the agreement", **fields)


def stale_edit(page: Page, live: LiveServer) -> None:
    """As if someone else saved first: the form carries an older version than the record's."""
    to(DRAFT, "/edit/purpose")(page, live)
    page.locator("input[name=version]").evaluate("input => { input.value = '0'; }")
    page.get_by_label("Benefits to people and services (optional)").fill("Fewer delayed discharges.")
    page.get_by_role("button", name="Save and return to the agreement").click()
    expect(page.locator("#stale-warning")).to_be_visible()


def dissolved_party(page: Page, live: LiveServer) -> None:
    to(DRAFT, "/parties/new")(page, live)
    page.get_by_label("Organisation", exact=True).select_option(label=f"{DISSOLVED} (dissolved)")
    page.get_by_label("Controller", exact=True).check()
    page.get_by_role("button", name="Save party").click()
    expect(page.get_by_role("link", name=f"{DISSOLVED} has been dissolved and cannot be added")).to_be_visible()


def party_taken(page: Page, live: LiveServer) -> None:
    to(DRAFT, "/parties/new")(page, live)
    page.get_by_label("Organisation", exact=True).select_option(label=TRUST)
    page.get_by_label("Processor", exact=True).check()
    page.get_by_role("button", name="Save party").click()
    expect(page.get_by_role("link", name="This organisation is already a party to the agreement")).to_be_visible()


def party_path(live: LiveServer) -> str:
    return agreement_path(DRAFT, f"/parties/{live.party_id(DRAFT, TRUST)}/edit")(live)


def item_path(live: LiveServer) -> str:
    return agreement_path(TENANCY, f"/items/{live.item_id(TENANCY, TENANCY_ITEM)}/edit")(live)


def review_in_the_future(page: Page, live: LiveServer) -> None:
    to(STATS, "/reviews/new")(page, live)
    fill_date(page, "reviewed_on", "1 1 2099")
    page.get_by_label("Continue unchanged").check()
    page.get_by_role("button", name="Record review").click()
    expect(page.get_by_role("link", name="Date of the review must be today or in the past")).to_be_visible()


def dashboard_filtered(page: Page, live: LiveServer) -> None:
    page.goto("/reviews/")
    page.get_by_role("link", name="Due in 61 to 90 days").click()
    page.get_by_label("Party organisation").select_option(label=HOMES)
    page.get_by_role("button", name="Apply filter").click()
    expect(page.locator("#due-list tbody tr")).to_have_count(1)


A = "agreements."
BAD_DATE = "/agreements/?starts_from=31/2/2026&review=overdue&sort=-updated"
LONG_NAME = "x" * 201

AGREEMENT_SCREENS: list[Screen] = [
    *(Screen(r, A + "index", "/agreements/", "agreements", LIST) for r in SIGNED_IN),
    Screen("manager", A + "index", filtered, "agreements-filtered", LIST),
    Screen("partner", A + "index", "/agreements/?q=no+such+thing", "agreements-no-results", LIST),
    Screen("ig", A + "index", BAD_DATE, "agreements-bad-date", LIST),
    *(Screen(r, A + "view", to(TENANCY), "agreement", TENANCY) for r in SIGNED_IN),
    Screen("manager", A + "view", draft_with_gaps, "agreement-draft-gaps", DRAFT),
    Screen("manager", A + "view", submitted_with_gaps, "agreement-submit-refused", DRAFT),
    Screen("manager", A + "view", illegal_transition, "agreement-illegal-transition-refused", DRAFT),
    Screen("ig", A + "view", to_variation(AWAITING), "agreement-variation-awaiting-approval", AWAITING),
    *(Screen(r, A + "view", to(AWAITING), "agreement-with-proposed-variation", AWAITING) for r in STAFF),
    Screen("partner", A + "view", to_variation(AWAITING), "404-other-variation", NOT_FOUND, 404),
    Screen("manager", A + "view", to(STATS), "agreement-review-overdue", STATS),
    Screen("partner", A + "view", to(OTHER), "404-other-agreement", NOT_FOUND, 404),
    *(Screen(r, A + "create", "/agreements/new", "create-agreement", CREATE) for r in EDITORS),
    Screen(
        "manager",
        A + "create",
        then_submit(go("/agreements/new"), "Create draft agreement"),
        "create-agreement-empty-errors",
        CREATE,
    ),
    *(Screen(r, A + "create", "/agreements/new", "403-create-agreement", FORBIDDEN, 403) for r in ("ig", "partner")),
    *(
        Screen("manager", A + "edit_section", to(DRAFT, f"/edit/{s}"), f"edit-{s}", title)
        for s, title in SECTIONS.items()
    ),
    Screen("admin", A + "edit_section", to(DRAFT, "/edit/legal"), "edit-legal", SECTIONS["legal"]),
    Screen("manager", A + "edit_section", to(TENANCY, "/edit/flow"), "edit-active-flow", SECTIONS["flow"]),
    Screen(
        "manager",
        A + "edit_section",
        edit_then_save(DRAFT, "dates", **{"Review every (months)": "99"}),
        "edit-dates-interval-errors",
        SECTIONS["dates"],
    ),
    Screen("manager", A + "edit_section", stale_edit, "edit-purpose-stale-errors", SECTIONS["purpose"]),
    Screen(
        "manager",
        A + "edit_section",
        then_submit(
            to_variation(AWAITING, "/edit/purpose"), "Save and return to the agreement", Title="Community centre visits"
        ),
        "edit-awaiting-approval-errors",
        SECTIONS["purpose"],
    ),
    *(
        Screen(r, A + "edit_section", to(TENANCY, "/edit/purpose"), "403-edit-agreement", FORBIDDEN, 403)
        for r in ("ig", "partner")
    ),
    Screen("partner", A + "edit_section", to(OTHER, "/edit/purpose"), "404-edit-other-agreement", NOT_FOUND, 404),
    Screen("manager", A + "edit_section", to(DRAFT, "/edit/nonsense"), "404-edit-no-such-section", NOT_FOUND, 404),
    *(Screen(r, A + "party_add", to(DRAFT, "/parties/new"), "add-party", ADD_PARTY) for r in EDITORS),
    Screen(
        "manager",
        A + "party_add",
        then_submit(to(DRAFT, "/parties/new"), "Save party"),
        "add-party-empty-errors",
        ADD_PARTY,
    ),
    Screen("manager", A + "party_add", dissolved_party, "add-dissolved-party-errors", ADD_PARTY),
    Screen("manager", A + "party_add", party_taken, "add-party-taken-errors", ADD_PARTY),
    Screen("partner", A + "party_add", to(TENANCY, "/parties/new"), "403-add-party", FORBIDDEN, 403),
    *(Screen(r, A + "party_edit", go(party_path), "edit-party", EDIT_PARTY) for r in EDITORS),
    Screen(
        "manager",
        A + "party_edit",
        then_submit(go(party_path), "Save party", **{"Signatory’s name (optional)": LONG_NAME}),
        "edit-party-errors",
        EDIT_PARTY,
    ),
    *(Screen(r, A + "item_add", to(DRAFT, "/items/new"), "add-item", ADD_ITEM) for r in EDITORS),
    Screen(
        "manager",
        A + "item_add",
        then_submit(to(DRAFT, "/items/new"), "Save data item"),
        "add-item-empty-errors",
        ADD_ITEM,
    ),
    *(Screen(r, A + "item_edit", go(item_path), "edit-item", EDIT_ITEM) for r in EDITORS),
    Screen(
        "manager", A + "item_edit", then_submit(go(item_path), "Save data item", Name=""), "edit-item-errors", EDIT_ITEM
    ),
    *(Screen(r, A + "group_add", to(DRAFT, "/subjects/new"), "add-group", ADD_GROUP) for r in EDITORS),
    Screen(
        "manager",
        A + "group_add",
        then_submit(to(DRAFT, "/subjects/new"), "Add group"),
        "add-group-empty-errors",
        ADD_GROUP,
    ),
    *(
        Screen(r, A + "return_to_draft", to_variation(AWAITING, "/return"), "return-to-draft", RETURN)
        for r in ("ig", "admin")
    ),
    Screen(
        "ig",
        A + "return_to_draft",
        then_submit(to_variation(AWAITING, "/return"), "Return to draft"),
        "return-to-draft-empty-errors",
        RETURN,
    ),
    Screen("manager", A + "return_to_draft", to_variation(AWAITING, "/return"), "403-return-to-draft", FORBIDDEN, 403),
    *(Screen(r, A + "withdraw", to_variation(AWAITING, "/withdraw"), "withdraw-variation", WITHDRAW) for r in STAFF),
    Screen(
        "manager",
        A + "withdraw",
        then_submit(
            to_variation(AWAITING, "/withdraw"), WITHDRAW, **{"Why is it being withdrawn? (optional)": "x" * 5001}
        ),
        "withdraw-variation-errors",
        WITHDRAW,
    ),
    Screen("partner", A + "withdraw", to_variation(AWAITING, "/withdraw"), "404-withdraw-variation", NOT_FOUND, 404),
    *(Screen(r, A + "terminate", to(TENANCY, "/terminate"), "terminate", TERMINATE) for r in ("ig", "admin")),
    Screen(
        "ig",
        A + "terminate",
        then_submit(to(TENANCY, "/terminate"), "Terminate agreement"),
        "terminate-empty-errors",
        TERMINATE,
    ),
    *(
        Screen(r, A + "terminate", to(TENANCY, "/terminate"), "403-terminate", FORBIDDEN, 403)
        for r in ("manager", "partner")
    ),
    *(Screen(r, A + "review", to(STATS, "/reviews/new"), "record-review", REVIEW) for r in STAFF),
    Screen(
        "ig",
        A + "review",
        then_submit(to(STATS, "/reviews/new"), "Record review"),
        "record-review-empty-errors",
        REVIEW,
    ),
    Screen("manager", A + "review", review_in_the_future, "record-review-future-errors", REVIEW),
    Screen("partner", A + "review", to(TENANCY, "/reviews/new"), "403-record-review", FORBIDDEN, 403),
    *(Screen(r, A + "version", to(TENANCY, "/versions/1"), "version", f"Version 1: {TENANCY}") for r in SIGNED_IN),
    Screen("manager", A + "version", to(TENANCY, "/versions/99"), "404-no-such-version", NOT_FOUND, 404),
    *(Screen(r, A + "compare", to(TENANCY, "/compare"), "compare-one-version", COMPARE) for r in ("ig", "partner")),
    Screen("ig", A + "compare", to_variation(AWAITING, "/compare"), "compare-differences", COMPARE),
    *(Screen(r, "reviews.dashboard", "/reviews/", "reviews-overdue", DASHBOARD) for r in STAFF),
    Screen("manager", "reviews.dashboard", "/reviews/?window=90", "reviews-due-in-90-days", DASHBOARD),
    Screen("ig", "reviews.dashboard", dashboard_filtered, "reviews-filtered", DASHBOARD),
    Screen("partner", "reviews.dashboard", "/reviews/", "403-reviews", FORBIDDEN, 403),
]
