"""An agreement between three organisations goes from approved to active as each party's signatory
signs it, in Chromium with JavaScript off; each partner then downloads the signed and sealed PDF,
and the public verify page tells that file from a copy with one byte changed.

The agreement is made through the services (approved and sent for signature), so the test
starts where the signatories do: at the agreement page, with their signature needed.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser.screens_documents import one_byte_changed
from playwright.sync_api import Locator, Page, expect

if TYPE_CHECKING:
    from browser.conftest import LiveServer

pytestmark = pytest.mark.browser

TITLE = "Street lighting and reported crime by estate"
# in the order they sign: role (see conftest.ROLE_EMAILS), the organisation they sign for, their job title
SIGNATORIES = (
    ("council-signatory", "Northbridge Borough Council", "Director of Communities"),
    ("partner", "Northbridge Homes", "Director of Housing"),
    ("police-signatory", "Northshire Police", "Chief Inspector"),
)
SIGNED_PDF = "Download the signed and sealed PDF of version 1"


def success(page: Page, text: str) -> None:
    expect(page.get_by_role("alert", name="Success")).to_contain_text(text)


def status(page: Page) -> Locator:
    return page.locator(".govuk-tag").first


def sign(page: Page, organisation: str, job_title: str) -> None:
    """From the agreement page: follow the banner to the signing page, confirm and sign."""
    page.get_by_role("link", name="Read and sign the agreement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Sign version 1 for {organisation}")
    expect(page.locator("#signing-as")).to_contain_text("You are signing as")  # their account's own name
    page.get_by_label("Your job title").fill(job_title)
    page.get_by_label(f"I am authorised to sign this agreement for {organisation}").check()
    page.get_by_role("button", name="Sign the agreement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


def expect_signed_by(page: Page, signed: list[tuple[str, str]], unsigned: list[str]) -> None:
    """The signatures table: who signed for each party, and who has yet to sign."""
    table = page.get_by_role("table", name="Who has signed and who has yet to sign")
    expect(table.locator("tbody tr")).to_have_count(len(signed) + len(unsigned))
    for organisation, job_title in signed:
        row = table.locator("tbody tr", has_text=organisation)
        expect(row.locator("td").nth(1)).to_contain_text(f", {job_title}")
        expect(row.locator("td").nth(2)).not_to_be_empty()
    for organisation in unsigned:
        row = table.locator("tbody tr", has_text=organisation)
        expect(row.locator("td").nth(1)).to_have_text("Yet to sign")


def download_signed_pdf(page: Page, to: Path) -> bytes:
    with page.expect_download() as started:
        page.get_by_role("link", name=SIGNED_PDF).click()
    started.value.save_as(to)
    return to.read_bytes()


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def verdict_of(page: Page, path: Path) -> str:
    """Upload the file on the verify page and return the verdict's heading."""
    page.goto("/verify")
    page.get_by_label("Upload the PDF").set_input_files(path)
    page.get_by_role("button", name="Check the document").click()
    return page.locator("#verdict").inner_text().strip()


def test_three_signatories_sign_in_turn_then_each_partner_downloads_the_pdf_the_verify_page_trusts(
    page_as: Callable[..., Page], live_server: LiveServer, tmp_path: Path
) -> None:
    reference = live_server.agreement_sent_for_signature(TITLE, tuple(org for _, org, _ in SIGNATORIES))
    pages: dict[str, Page] = {}

    for done, (role, organisation, job_title) in enumerate(SIGNATORIES, start=1):
        page = pages[role] = page_as(role, java_script_enabled=False)
        page.goto(f"/agreements/{reference}")
        expect(page.locator("body")).not_to_have_class(re.compile(r"\bjs-enabled\b"))  # scripts really are off
        expect(status(page)).to_have_text("Awaiting signatures")
        sign(page, organisation, job_title)
        last = done == len(SIGNATORIES)
        success(page, "Every party has now signed" if last else "The other parties will be asked to sign")
        expect(page.get_by_role("link", name="Read and sign the agreement")).to_have_count(0)
        expect_signed_by(page, [(o, j) for _, o, j in SIGNATORIES[:done]], [o for _, o, _ in SIGNATORIES[done:]])

    downloads = []
    for role, _, _ in SIGNATORIES:
        page = pages[role]
        page.goto(f"/agreements/{reference}")
        expect(status(page)).to_have_text("Active")
        path = tmp_path / f"{role}.pdf"
        data = download_signed_pdf(page, path)
        assert data.startswith(b"%PDF"), f"{role} downloaded something other than a PDF"
        assert reference in pdf_text(path)
        downloads.append(data)
    assert downloads[1:] == downloads[:-1], "the partners downloaded different files"

    altered = tmp_path / "altered.pdf"
    altered.write_bytes(one_byte_changed(downloads[0], reference))
    anonymous = page_as("anonymous", java_script_enabled=False)
    assert verdict_of(anonymous, tmp_path / "partner.pdf") == "Genuine and unaltered"
    expect(anonymous.locator("#verdict-message")).to_have_text(
        "This is a genuine, unaltered document sealed by this registry."
    )
    expect(anonymous.get_by_text(f"{reference}: {TITLE}")).to_be_visible()
    expect(anonymous.locator("#standing")).to_have_text("This is the current version, and the agreement is active.")
    assert verdict_of(anonymous, altered) == "Altered: do not rely on this file"
    expect(anonymous.locator("#verdict-message")).to_contain_text("This document has been changed since")
