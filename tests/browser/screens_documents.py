"""Rows of the screens table for an agreement as a document: its web page, signing, and the public
verify page (an upload or a code look-up, each with its result)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from browser.screen_steps import EVERYONE, FORBIDDEN, NOT_FOUND, SIGNED_IN, STAFF, Screen, Step, go
from browser.screens_agreements import AWAITING, DRAFT, OTHER, TENANCY, agreement_path, to
from playwright.sync_api import FilePayload, Page, expect
from sqlalchemy import select

from registry.models import Agreement, SignedDocument

if TYPE_CHECKING:
    from browser.conftest import LiveServer

SIGNING = "Estate survey results"  # made by conftest: sent for signature; Northbridge Homes has yet to sign
SIGN = "Sign version 1 for Northbridge Homes"
VERIFY = "Check a signed agreement"
UNKNOWN_CODE = "ABCD-EFGH-2345"


def sealed(live: LiveServer, column: Callable[[], object] = lambda: SignedDocument.pdf) -> object:
    """A column of the demo's signed and sealed tenancy agreement."""
    query = select(column()).join(Agreement, Agreement.id == SignedDocument.agreement_id)
    return live.value(query.where(Agreement.title == TENANCY))


def sealed_pdf(live: LiveServer) -> bytes:
    data = sealed(live)
    assert isinstance(data, bytes), f"{TENANCY!r} has no signed PDF"
    return data


def one_byte_changed(pdf: bytes, text: str) -> bytes:
    """A copy of the PDF with the first letter of the text (say, in its title) changed."""
    at = pdf.index(text.encode())
    return pdf[:at] + (b"Y" if pdf[at : at + 1] == b"X" else b"X") + pdf[at + 1 :]


def draft_document(page: Page, live: LiveServer) -> None:
    to(DRAFT, "/document")(page, live)
    expect(page.get_by_text("This is a draft: it has not been approved.")).to_be_visible()


def sign_unauthorised(page: Page, live: LiveServer) -> None:
    """The signatory fills in their details but does not confirm that they may sign."""
    to(SIGNING, "/sign")(page, live)
    page.get_by_label("Your job title").fill("Director of Housing")
    page.get_by_role("button", name="Sign the agreement").click()
    error = "Confirm that you are authorised to sign for your organisation"
    expect(page.get_by_role("link", name=error)).to_be_visible()


def nothing_to_sign(page: Page, live: LiveServer) -> None:
    """Every party has signed the demo agreement: the sign page sends the partner back to it."""
    to(TENANCY, "/sign")(page, live)
    expect(page.get_by_text("There is nothing for you to sign on this agreement")).to_be_visible()


def uploaded(name: str, mime: str, content: Callable[[LiveServer], bytes], verdict: str | None = None) -> Step:
    """Upload a file on the verify page; with a verdict, the result must say it."""

    def step(page: Page, live: LiveServer) -> None:
        page.goto("/verify")
        if name:
            file: FilePayload = {"name": name, "mimeType": mime, "buffer": content(live)}
            page.get_by_label("Upload the PDF").set_input_files(file)
        page.get_by_role("button", name="Check the document").click()
        page.wait_for_load_state()
        if verdict:
            expect(page.locator("#verdict")).to_have_text(verdict)

    return step


def code_found(page: Page, live: LiveServer) -> None:
    page.goto("/verify")
    page.get_by_label("Verification code").fill(str(sealed(live, lambda: SignedDocument.verification_code)))
    page.get_by_role("button", name="Look up the code").click()
    expect(page.locator("#verdict")).to_have_text("Code found")


GENUINE = "Genuine and unaltered"
ALTERED = "Altered: do not rely on this file"
A, V = "agreements.", "verify.verify"

DOCUMENT_SCREENS: list[Screen] = [
    *(Screen(r, A + "document_html", to(TENANCY, "/document"), "agreement-document", TENANCY) for r in SIGNED_IN),
    *(Screen(r, A + "document_html", draft_document, "agreement-document-draft", DRAFT) for r in ("manager", "ig")),
    Screen("ig", A + "document_html", to(AWAITING, "/document"), "agreement-document-awaiting", AWAITING),
    Screen("partner", A + "document_html", to(OTHER, "/document"), "404-other-document", NOT_FOUND, 404),
    Screen("partner", A + "sign", to(SIGNING, "/sign"), "sign", SIGN),
    Screen("partner", A + "sign", sign_unauthorised, "sign-not-authorised-errors", SIGN),
    Screen("partner", A + "view", nothing_to_sign, "sign-nothing-to-sign", TENANCY),
    Screen("partner", A + "sign", to(OTHER, "/sign"), "404-sign-other-agreement", NOT_FOUND, 404),
    *(Screen(r, A + "sign", go(agreement_path(SIGNING, "/sign")), "403-sign", FORBIDDEN, 403) for r in STAFF),
    *(Screen(r, V, "/verify", "verify", VERIFY) for r in EVERYONE),
    Screen("anonymous", V, uploaded("", "", lambda live: b""), "verify-no-file-errors", VERIFY),
    Screen(
        "anonymous",
        V,
        uploaded("agreement.txt", "text/plain", lambda live: b"Not a PDF at all"),
        "verify-not-a-pdf-errors",
        VERIFY,
    ),
    Screen("anonymous", V, uploaded("signed.pdf", "application/pdf", sealed_pdf, GENUINE), "verify-genuine", VERIFY),
    Screen(
        "anonymous",
        V,
        uploaded("signed.pdf", "application/pdf", lambda live: one_byte_changed(sealed_pdf(live), "Tenancy"), ALTERED),
        "verify-altered",
        VERIFY,
    ),
    Screen("partner", V, uploaded("signed.pdf", "application/pdf", sealed_pdf, GENUINE), "verify-genuine", VERIFY),
    Screen("anonymous", V, code_found, "verify-code-found", VERIFY),
    Screen("anonymous", V, f"/verify?code={UNKNOWN_CODE}", "verify-unknown-code-errors", VERIFY),
]
