"""The agreement's PDF as the real PDF tools read it: the sealed copy, the draft, and its web page."""

from __future__ import annotations

import html
import itertools
import re
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from factories import make_agreement, make_organisation, sign_by_every_party
from flask import Flask
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import select

from registry.documents.seal import certificate
from registry.extensions import db
from registry.models import SignedDocument
from registry.services.signing import key_source

LONG_WORD = "Pneumonoultramicroscopic" * 16 + "Z" * 16  # 400 characters, no spaces
RTL = "مرحبا بالعالم שלום"
HOSTILE = f"<img src=x onerror=alert(1)> <script>alert(1)</script> {LONG_WORD} {RTL}"


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=check, timeout=60)


def saved(tmp_path: Path, data: bytes, name: str = "document.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def text_of(path: str, *pages: int) -> str:
    first_last = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    return run("pdftotext", *first_last, path, "-").stdout


def info(path: str) -> dict[str, str]:
    lines = run("pdfinfo", path).stdout.splitlines()
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines)}


def watermark(path: str, page: int) -> str:
    """Text in letters taller than any heading, read left to right, when it climbs up the page (a mark
    drawn diagonally across it); "" when there is none."""
    out = run("pdftotext", "-bbox", "-f", str(page), "-l", str(page), path, "-").stdout
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>', out)
    big = sorted((float(x), float(y0), html.unescape(w)) for x, y0, y1, w in found if float(y1) - float(y0) > 40)
    assert all(a[1] > b[1] for a, b in itertools.pairwise(big)), f"large text not on a diagonal: {big}"
    return "".join(word for _, _, word in big)


@pytest.fixture
def signed(app: Flask, cast):  # type: ignore[no-untyped-def]
    """An agreement between three organisations, signed by every party: its record and sealed PDF."""
    council = make_organisation(app, name="Northbridge Borough Council")
    trust = make_organisation(app, name="Northbridge Tenants’ Trust & Advice", sector="third", kind="charity")
    agreement = make_agreement(
        app, cast.admin, [council, cast.own_org, trust], status="awaiting_signatures", title="Tenancy support"
    )
    sign_by_every_party(app, agreement)
    with app.app_context():
        stored = db.session.scalar(select(SignedDocument).where(SignedDocument.agreement_id == agreement.id))
        agreement.pdf, agreement.code = stored.pdf, stored.verification_code
    agreement.party_names = [council.name, cast.own_org.name, trust.name]
    return agreement


def test_pdfsig_and_qpdf_accept_the_sealed_pdf(signed, tmp_path: Path) -> None:
    path = saved(tmp_path, signed.pdf)
    report = run("pdfsig", path).stdout
    assert "Signature Field Name: RegistrySeal" in report
    assert "Signature is Valid" in report
    assert "Total document signed" in report
    checked = run("qpdf", "--check", path, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "No syntax or stream encoding errors found" in checked.stdout
    assert "error" not in checked.stderr.lower()


def test_pyhanko_finds_the_seal_intact_trusted_and_covering_the_whole_file(app: Flask, signed) -> None:
    with app.app_context():
        root = certificate(key_source())
    (embedded,) = PdfFileReader(BytesIO(signed.pdf)).embedded_signatures
    status = validate_pdf_signature(embedded, ValidationContext(trust_roots=[root]))
    assert (status.intact, status.valid, status.trusted) == (True, True, True)
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.signing_cert.subject == root.subject


def test_the_sealed_pdf_names_every_party_and_ends_with_the_completion_certificate(signed, tmp_path: Path) -> None:
    path = saved(tmp_path, signed.pdf)
    text = " ".join(text_of(path).split())
    for name in signed.party_names:
        assert name in text
    assert signed.reference in text and "Tenancy support" in text
    pages = int(info(path)["Pages"])
    last = " ".join(text_of(path, pages).split())
    assert "Completion certificate" in last
    assert f"Verification code: {signed.code}" in last
    assert f"http://registry.test/verify?code={signed.code}" in last
    assert "Sealed by" in last  # the seal's visible stamp
    assert watermark(path, 1) == ""  # no DRAFT mark on a signed document


def test_a_draft_pdf_is_marked_draft_with_metadata_and_numbered_footers(app: Flask, cast, as_user, tmp_path) -> None:
    agreement = make_agreement(app, cast.manager, [cast.own_org, cast.other_org], title="Rough sleeping outreach")
    response = as_user(cast.manager).get(f"/agreements/{agreement.reference}/document.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = saved(tmp_path, response.data)

    meta = info(path)
    assert meta["Title"] == f"{agreement.reference}: Rough sleeping outreach"
    assert meta["Author"] == "Northbridge Borough Council"
    assert meta["Subject"] == f"Data-sharing agreement {agreement.reference}, version 1"
    pages = int(meta["Pages"])
    assert pages >= 3

    for page in range(1, pages + 1):
        text = " ".join(text_of(path, page).split())
        assert f"{agreement.reference} · Version 1 · Draft" in text
        assert f"Page {page} of {pages}" in text
        assert watermark(path, page) == "DRAFT"
    cover = " ".join(text_of(path, 1).split())
    assert "This is a draft. It has not been approved and must not be relied on." in cover


def section_headings(text: str) -> list[str]:
    return re.findall(r"^\s*(\d+\. [A-Z][^\n]*?)\s*$", text, re.M)


def test_the_web_page_has_the_same_sections_as_the_pdf(app: Flask, cast, as_user, tmp_path: Path) -> None:
    agreement = make_agreement(app, cast.manager, [cast.own_org, cast.other_org])
    client = as_user(cast.manager)
    page = client.get(f"/agreements/{agreement.reference}/document")
    assert page.status_code == 200
    on_page = [
        " ".join(html.unescape(h).split())
        for h in re.findall(r'<h2 class="govuk-heading-m" id="[a-z]+">(.*?)</h2>', page.text, re.S)
    ]
    assert on_page[0] == "1. Introduction and purpose" and len(on_page) == 9
    path = saved(tmp_path, client.get(f"/agreements/{agreement.reference}/document.pdf").data)
    body = text_of(path, 3, int(info(path)["Pages"]))  # after the cover and the contents
    assert section_headings(body) == on_page


def test_hostile_text_in_a_field_shows_as_text_in_the_pdf_and_the_web_page(app: Flask, cast, as_user, tmp_path) -> None:
    agreement = make_agreement(app, cast.manager, [cast.own_org, cast.other_org], purpose=HOSTILE)
    client = as_user(cast.manager)
    response = client.get(f"/agreements/{agreement.reference}/document.pdf")
    assert response.status_code == 200
    path = saved(tmp_path, response.data)
    text = text_of(path)
    assert "<img src=x onerror=alert(1)>" in text
    assert "<script>alert(1)</script>" in text
    assert LONG_WORD in "".join(text.split())  # broken across lines, but every character is there
    # the right-to-left letters are drawn, not dropped (their order is not checked: reportlab lays them
    # out left to right unless rlbidi/uharfbuzz are installed, so pdftotext may read them reversed)
    assert set("שלוםمرحبا") <= set(text)
    assert run("qpdf", "--check", path, check=False).returncode == 0

    page = client.get(f"/agreements/{agreement.reference}/document")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert "<img src=x" not in page.text
    assert "<script>alert(1)" not in page.text
    assert LONG_WORD in page.text and RTL in page.text
