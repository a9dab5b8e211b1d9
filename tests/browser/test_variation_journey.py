"""A signed agreement in force is varied, in Chromium with JavaScript off: version 1 stays in force on
its page, in the register, in the calendar feed and at /verify while version 2 is proposed, approved
by the IG officer and signed by every party; only then is version 1 superseded. A withdrawn variation
leaves the version in force untouched. The pages reflow at 320 CSS pixels."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from browser.conftest import LiveServer

pytestmark = pytest.mark.browser

TITLE = "Tenancy support for care leavers"
SIGNATORIES = (
    ("council-signatory", "Northbridge Borough Council", "Director of Communities"),
    ("partner", "Northbridge Homes", "Director of Housing"),
    ("police-signatory", "Northshire Police", "Chief Inspector"),
)
CURRENT = "This is the current version, and the agreement is active."


def success(page: Page, text: str) -> None:
    expect(page.get_by_role("alert", name="Success")).to_contain_text(text)


def sign(page: Page, url: str, organisation: str, job_title: str, version: int) -> None:
    page.goto(url)
    page.get_by_role("link", name="Read and sign the agreement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Sign version {version} for {organisation}")
    page.get_by_label("Your job title").fill(job_title)
    page.get_by_label(f"I am authorised to sign this agreement for {organisation}").check()
    page.get_by_role("button", name="Sign the agreement").click()
    success(page, "You have signed the agreement")


def download(page: Page, link: str, to: Path) -> Path:
    with page.expect_download() as started:
        page.get_by_role("link", name=link).click()
    started.value.save_as(to)
    return to


def standing(page: Page, path: Path) -> str:
    """What the public verify page says of the file's standing."""
    page.goto("/verify")
    page.get_by_label("Upload the PDF").set_input_files(path)
    page.get_by_role("button", name="Check the document").click()
    expect(page.locator("#verdict")).to_have_text("Genuine and unaltered")
    return page.locator("#standing").inner_text().strip()


def reflows(page: Page) -> None:
    """At 320 CSS pixels wide the page itself never scrolls sideways (WCAG 2.2 1.4.10)."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, f"{page.url} scrolls sideways"
    finally:
        if size:
            page.set_viewport_size(size)


def test_version_1_stays_in_force_until_its_variation_is_signed_by_every_party(
    page_as: Callable[..., Page], live_server: LiveServer, tmp_path: Path
) -> None:
    reference = live_server.agreement_sent_for_signature(TITLE, tuple(org for _, org, _ in SIGNATORIES))
    url, variation_url = f"/agreements/{reference}", f"/agreements/{reference}-VAR1"
    signers = {role: page_as(role, java_script_enabled=False) for role, _, _ in SIGNATORIES}
    for role, organisation, job_title in SIGNATORIES:
        sign(signers[role], url, organisation, job_title, 1)
    partner = signers["partner"]
    partner.goto(url)
    first = download(partner, "Download the signed and sealed PDF of version 1", tmp_path / "v1.pdf")
    anonymous = page_as("anonymous", java_script_enabled=False)
    assert standing(anonymous, first) == CURRENT

    # the manager adds a group of people to the agreement in force: that opens a proposed variation
    manager = page_as("manager", java_script_enabled=False)
    manager.goto(url)
    expect(manager.locator("body")).not_to_have_class(re.compile(r"\bjs-enabled\b"))
    expect(manager.locator(".govuk-warning-text", has_text="opens a proposed variation")).to_have_count(0)
    manager.get_by_role("link", name="Add a group of people").click()
    expect(manager.locator(".govuk-warning-text")).to_contain_text("Version 1 stays in force until the variation")
    manager.get_by_label("Group of people").fill("Care leavers' personal advisers")
    manager.get_by_role("button", name="Add group").click()
    success(manager, "This change is in the proposed variation, version 2")
    expect(manager).to_have_url(re.compile(re.escape(variation_url)))
    reflows(manager)

    manager.goto(url)
    expect(manager.locator(".govuk-tag").first).to_have_text("Active")
    expect(manager.locator("#variation-standing")).to_have_text(
        "Version 1 is in force. Version 2 is a proposed variation (draft)."
    )
    expect(manager.get_by_role("table", name=re.compile("compared with version 2"))).to_contain_text(
        "Care leavers' personal advisers"
    )
    reflows(manager)
    manager.goto(f"/agreements/?q={reference}")
    row = manager.locator("table.govuk-table tbody tr", has_text=reference)
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text("Proposed variation: draft")
    expect(manager.locator("table.govuk-table tbody tr", has_text=f"{reference}-VAR1")).to_have_count(0)

    # the calendar feed still holds version 1's review date
    manager.goto("/account/calendar")
    manager.get_by_role("button", name=re.compile("calendar feed|new feed address")).click()
    feed = urlparse(manager.locator("#feed-url").input_value()).path
    ics = manager.request.get(live_server.url + feed).text()
    assert TITLE in ics, "the agreement in force is in the calendar feed"
    assert standing(anonymous, first) == CURRENT

    # submitted by the manager, approved by the IG officer, sent for signature: still version 1 in force
    manager.goto(variation_url)
    manager.get_by_role("button", name="Submit for approval").click()
    success(manager, "has been submitted for approval")
    ig = page_as("ig", java_script_enabled=False)
    ig.goto(variation_url)
    ig.get_by_role("button", name="Approve version 2").click()
    success(ig, "Version 2 of")
    ig.get_by_role("button", name="Send for signature").click()
    success(ig, "has been sent to the parties for signature")
    assert standing(anonymous, first) == CURRENT

    for role, organisation, job_title in SIGNATORIES:
        sign(signers[role], variation_url, organisation, job_title, 2)
    success(signers[SIGNATORIES[-1][0]], "Every party has now signed")

    partner.goto(url)
    expect(partner.locator(".govuk-caption-l")).to_contain_text("version 2")
    expect(partner.locator("#variation")).to_have_count(0)
    second = download(partner, "Download the signed and sealed PDF of version 2", tmp_path / "v2.pdf")
    assert standing(anonymous, second) == CURRENT
    assert re.fullmatch(
        r"This is version 1; it was superseded by version 2 on \d{1,2} \w+ \d{4}, when that version was signed "
        r"by every party\.",
        standing(anonymous, first),
    )

    # a withdrawn variation leaves version 2 as it is
    manager.goto(url)
    manager.get_by_role("link", name="Add a group of people").click()
    manager.get_by_label("Group of people").fill("Foster carers")
    manager.get_by_role("button", name="Add group").click()
    manager.get_by_role("link", name="Withdraw the proposed variation").click()
    reflows(manager)
    manager.get_by_label("Why is it being withdrawn? (optional)").fill("Covered by another agreement")
    manager.get_by_role("button", name="Withdraw the proposed variation").click()
    success(manager, f"{reference} version 2 is unchanged")
    expect(manager.locator("#variation")).to_have_count(0)
    expect(manager.locator("body")).not_to_contain_text("Foster carers")
    assert standing(anonymous, second) == CURRENT
