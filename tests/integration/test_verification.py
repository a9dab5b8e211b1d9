"""The public verification page: anyone can upload a PDF or look up its code and be told the truth."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from factories import field_error, make_agreement, make_organisation, page_text, sign_by_every_party, submit
from flask import Flask
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import select

from registry.documents.keys import make_self_signed
from registry.documents.seal import KeySource, certificate, seal
from registry.extensions import db
from registry.models import Agreement, SignedDocument
from registry.services.signing import key_source

GENUINE, ALTERED, NOT_OURS = "Genuine and unaltered", "Altered: do not rely on this file", "Not sealed by this registry"


@pytest.fixture
def signed(app: Flask, cast):  # type: ignore[no-untyped-def]
    trust = make_organisation(app, name="Northbridge Tenants Trust", sector="third", kind="charity")
    agreement = make_agreement(
        app, cast.admin, [cast.own_org, cast.other_org, trust], status="awaiting_signatures", title="Tenancy support"
    )
    sign_by_every_party(app, agreement)
    with app.app_context():
        stored = db.session.scalar(select(SignedDocument).where(SignedDocument.agreement_id == agreement.id))
        agreement.pdf, agreement.code = stored.pdf, stored.verification_code
    return agreement


def upload(client, data: bytes, filename: str = "agreement.pdf", status: int = 200):  # type: ignore[no-untyped-def]
    response = submit(client, "/verify", {"document": (BytesIO(data), filename)}, token_from="/verify")
    assert response.status_code == status, response.status_code
    return response


def verdict(response) -> str | None:  # type: ignore[no-untyped-def]
    match = re.search(r'<h2 class="govuk-panel__title">(.*?)</h2>', response.text, re.S)
    return match.group(1).strip() if match else None


def shown(response, element_id: str) -> str:  # type: ignore[no-untyped-def]
    match = re.search(rf'id="{element_id}">(.*?)</', response.text, re.S)
    assert match, f"no #{element_id} on the page"
    return " ".join(match.group(1).split())


def with_drawing_on_page_one(pdf: bytes) -> bytes:
    """An incremental update, as an editor would save it, that paints a box over page 1."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    stream = generic.StreamObject(stream_data=b"q 1 0 0 rg 100 600 300 80 re f Q")
    writer.add_stream_to_page(0, writer.add_object(stream))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_genuine_signed_pdf_is_reported_genuine_and_current(client, signed) -> None:
    response = upload(client, signed.pdf)
    assert verdict(response) == GENUINE
    assert shown(response, "verdict-message") == "This is a genuine, unaltered document sealed by this registry."
    assert shown(response, "standing") == "This is the current version, and the agreement is active."
    text = page_text(response)
    assert f"{signed.reference}: Tenancy support" in text


def test_a_copy_with_one_byte_changed_is_reported_altered(client, signed) -> None:
    at = signed.pdf.index(b"Tenancy support")  # in the document's title
    changed = signed.pdf[:at] + b"X" + signed.pdf[at + 1 :]
    assert len(changed) == len(signed.pdf)
    response = upload(client, changed)
    assert verdict(response) == ALTERED
    assert "This document has been changed since the registry sealed it." in shown(response, "verdict-message")
    assert 'id="standing"' not in response.text


def test_a_later_incremental_update_to_page_one_is_reported_altered(app: Flask, client, signed) -> None:
    changed = with_drawing_on_page_one(signed.pdf)
    assert changed.startswith(signed.pdf)  # the sealed revision is untouched; something was added after it
    with app.app_context():
        root = certificate(key_source())
    (embedded,) = PdfFileReader(BytesIO(changed)).embedded_signatures
    status = validate_pdf_signature(embedded, ValidationContext(trust_roots=[root]))
    assert status.intact and status.valid and status.trusted  # the seal itself still checks out ...
    assert status.coverage.name != "ENTIRE_FILE"  # ... but it no longer covers the whole file
    assert status.modification_level == ModificationLevel.OTHER and not status.bottom_line

    response = upload(client, changed)
    assert verdict(response) == ALTERED
    message = shown(response, "verdict-message")
    assert "Something was added to the file after it was sealed." in message
    assert f"It started as {signed.reference} version 1." in message


def test_unsealed_and_foreign_sealed_pdfs_are_not_ours(client, signed, as_user, cast, tmp_path: Path) -> None:
    draft = as_user(cast.admin).get(f"/agreements/{signed.reference}/versions/1/document.pdf").data
    response = upload(client, draft)
    assert verdict(response) == NOT_OURS
    assert "The PDF has no seal from this registry." in shown(response, "verdict-message")

    foreign = make_self_signed(tmp_path, "Someone else", "Elsewhere", b"passphrase")
    resealed = seal(draft, KeySource(pkcs12=str(foreign), passphrase="passphrase"), reason="test", location="test")
    response = upload(client, resealed)
    assert verdict(response) == NOT_OURS
    assert "The seal was not made with this registry’s certificate." in shown(response, "verdict-message")


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"Dear council, please find attached.", "letter.txt", "The file is not a PDF."),
        (b"", "empty.pdf", "The selected file is empty"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 8, "damaged.pdf", "The selected file is not a PDF we can read"),
    ],
    ids=["not-a-pdf", "empty", "damaged"],
)
def test_a_file_that_cannot_be_checked_gets_a_message_by_the_field(client, data, filename, message) -> None:
    response = upload(client, data, filename)
    assert verdict(response) is None
    error = field_error(response, "document")
    assert error is not None and error.startswith(message), error
    assert "There is a problem" in page_text(response)


def test_no_file_asks_for_one(client) -> None:
    response = submit(client, "/verify", {}, token_from="/verify")
    assert response.status_code == 200
    assert field_error(response, "document") == "Select a PDF file to check"


@pytest.mark.parametrize(("over", "status"), [("verification limit", 200), ("request limit", 413)])
def test_a_file_over_the_size_limit_gets_a_message_by_the_field(app: Flask, client, over: str, status: int) -> None:
    limit = app.config["MAX_VERIFY_UPLOAD"]
    size = limit + 1 if over == "verification limit" else app.config["MAX_CONTENT_LENGTH"] + 1
    response = upload(client, b"%PDF-1.7\n" + b"0" * size, "huge.pdf", status)
    assert field_error(response, "document") == f"The file must be smaller than {limit // (1024 * 1024)} MB"
    assert verdict(response) is None


def test_the_verification_code_finds_the_document_in_any_letter_case(client, signed) -> None:
    for typed in (signed.code, signed.code.lower(), f"  {signed.code.replace('-', '').lower()} "):
        response = client.get("/verify", query_string={"code": typed})
        assert response.status_code == 200
        assert verdict(response) == "Code found", typed
        assert f"{signed.reference}: Tenancy support" in page_text(response)
    response = client.get("/verify", query_string={"code": "ABCD-EFGH-2345"})
    assert response.status_code == 200 and verdict(response) is None
    assert field_error(response, "code") == "No document sealed by this registry has that verification code."
    assert client.get("/verify", query_string={"code": "x" * 500}).status_code == 200


def test_an_approved_variation_leaves_the_signed_pdf_current(app, client, signed, cast, as_user):  # type: ignore[no-untyped-def]
    """A variation approved but not yet signed by every party supersedes nothing (test_variations.py
    follows it until it is in force)."""
    manager, ig = as_user(cast.manager), as_user(cast.ig)

    def post(who, reference: str, path: str, data: dict | None = None):  # type: ignore[no-untyped-def]
        with app.app_context():
            version = db.session.scalar(select(Agreement.lock_version).where(Agreement.reference == reference))
        return submit(who, f"/agreements/{reference}/{path}", {"version": version, **(data or {})}, token_from="/")

    flow = {"direction": "two_way", "frequency": "weekly", "transfer_method": "Secure file transfer",
            "security_measures": "Encrypted at rest and in transit", "international_transfers": "no"}  # fmt: skip
    assert post(manager, signed.reference, "edit/flow", flow).status_code == 302
    variation = f"{signed.reference}-VAR1"
    assert post(manager, variation, "submit").status_code == 302
    assert post(ig, variation, "approve").status_code == 302
    with app.app_context():
        assert db.session.get(Agreement, signed.id).status == "active"

    response = upload(client, signed.pdf)
    assert verdict(response) == GENUINE
    assert shown(response, "standing") == "This is the current version, and the agreement is active."
    response = client.get("/verify", query_string={"code": signed.code})
    assert shown(response, "standing") == "This is the current version, and the agreement is active."
