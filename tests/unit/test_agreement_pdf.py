"""The agreement PDF from a plain snapshot, with no database or app: stable bytes and long documents."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from registry.documents import agreement_pdf, content

PARAGRAPH = (
    "Partners share only what each case needs, through the secure transfer service, and review the "
    "sharing with the people it affects at least once a year. "
)


def record(items: int = 1, long: bool = False) -> dict[str, Any]:
    """A frozen snapshot as a version stores it: plain JSON values, dates as ISO strings."""
    text = PARAGRAPH * (12 if long else 1)
    return {
        "reference": "DSA-2026-0042",
        "version": 3,
        "status": "approved",
        "title": "Early help for families",
        "kind": "two_way",
        "purpose": text,
        "benefits": text,
        "necessity": text,
        "less_data_rationale": text,
        "art6_basis": "public_task",
        "national_data_opt_out": "not_health",
        "identifiability": "identifiable",
        "approximate_volume": "300 records a month",
        "direction": "two_way",
        "frequency": "monthly",
        "transfer_method": "Secure file transfer",
        "security_measures": text,
        "termination_arrangements": text,
        "international_transfers": False,
        "effective_from": "2026-04-01",
        "review_interval_months": 12,
        "next_review_date": "2027-04-01",
        "dpia_screening": {"matching": False, "vulnerable_people": True},
        "parties": [
            {
                "organisation_name": "Northbridge Borough Council",
                "role": "controller",
                "signatory_name": "Sam Signer",
                "signatory_job_title": "Director",
                "rights_contact": "dpo@northbridge.example",
                "retention_period": "6 years",
                "disposal_method": "Secure deletion",
            },
            {
                "organisation_name": "Northshire Police",
                "role": "controller",
                "signatory_name": None,
                "signatory_job_title": None,
                "rights_contact": None,
                "retention_period": None,
            },
        ],
        "data_items": [
            {
                "name": f"Data item {n:02d}",
                "category": ("personal", "special_category", "criminal_offence")[n % 3],
                "provider_name": "Northbridge Borough Council",
                "description": PARAGRAPH * (2 if long else 1),
            }
            for n in range(1, items + 1)
        ],
        "subject_groups": [{"name": "Families with children under 5"}],
        "gateways": ["Children Act 2004 s10"],
        "objectives": [],
    }


def render(snapshot: dict[str, Any], **kwargs: Any) -> bytes:
    document = content.build(
        snapshot, status_label="Approved", draft=False, council="Northbridge Borough Council", **kwargs
    )
    return agreement_pdf.render(document)


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)$", out, re.M).group(1))  # type: ignore[union-attr]


def test_the_same_record_renders_to_the_same_bytes() -> None:
    first, second = render(record()), render(record())
    assert first.startswith(b"%PDF-") and first == second
    assert render(record(items=2)) != first  # and a change shows


def test_text_that_needs_a_unicode_font_renders_the_same_bytes_in_a_fresh_process() -> None:
    """Signers are shown the approved PDF's fingerprint; a re-render on another worker must match it."""
    snapshot = record()
    snapshot["purpose"] = "Zoë’s café: مرحبا بالعالم שלום"
    script = (
        "import json, sys; from registry.documents import agreement_pdf, content; "
        "d = content.build(json.load(sys.stdin), status_label='Approved', draft=False, "
        "council='Northbridge Borough Council'); sys.stdout.buffer.write(agreement_pdf.render(d))"
    )
    fresh = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(snapshot).encode(), capture_output=True, check=True
    ).stdout
    assert fresh == render(snapshot)


def test_signatures_and_certificate_render_the_same_bytes_too() -> None:
    when = datetime(2026, 4, 2, 9, 30, tzinfo=UTC)

    class Signed:
        signer_name, job_title, signed_at = "Sam Signer", "Director", when

    certificate = agreement_pdf.Certificate(
        events=[(when, "Signed by Sam Signer, Director, for Northbridge Borough Council")],
        fingerprint="ab" * 32,
        verification_code="ABCD-EFGH-2345",
        verify_url="https://registry.example/verify?code=ABCD-EFGH-2345",
    )
    kwargs = {"signatures": {"Northbridge Borough Council": Signed()}, "certificate": certificate}
    assert render(record(), **kwargs) == render(record(), **kwargs)


def test_a_long_document_breaks_its_data_item_table_across_pages(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    path.write_bytes(render(record(items=60, long=True)))
    total = pages(path)
    assert total > 5, total

    text = pdftotext(path)
    names = [f"Data item {n:02d}" for n in range(1, 61)]
    for name in names:
        assert name in text, name
    # the items run over several pages, and each page of the table repeats its header row
    by_page = {p: pdftotext(path, "-f", str(p), "-l", str(p)) for p in range(1, total + 1)}
    item_pages = [p for p, text in by_page.items() if re.search(r"Data item \d\d", text)]
    assert len(item_pages) >= 3, item_pages
    assert item_pages == list(range(item_pages[0], item_pages[-1] + 1))  # one table, page after page
    for page in item_pages:
        assert "Category" in by_page[page] and "Provided by" in by_page[page], page
        assert f"Page {page} of {total}" in by_page[page]
    assert text.index("Data item 01") < text.index("Data item 60")


def test_a_table_cell_taller_than_a_page_continues_on_the_next_page(tmp_path: Path) -> None:
    """A description within the form's 1,000 characters but on 200 lines used to stop the PDF (LayoutError)."""
    snapshot = record(items=2)
    snapshot["data_items"][0]["description"] = "".join(f"L{n:03d}\n" for n in range(200))
    path = tmp_path / "tall.pdf"
    path.write_bytes(render(snapshot))
    text = pdftotext(path)
    assert "L000" in text and "L199" in text and "Data item 02" in text


def test_a_draft_with_no_parties_or_data_items_renders_with_its_contents(tmp_path: Path) -> None:
    """A new draft has empty lists: every section still renders and the contents give each page."""
    bare = {**record(), "parties": [], "data_items": [], "subject_groups": [], "gateways": []}
    path = tmp_path / "bare.pdf"
    path.write_bytes(render(bare))
    contents = pdftotext(path, "-layout", "-f", "2", "-l", "2")
    entries = re.findall(r"^ *((?:\d+\. )?[A-Z][^\n]*?) {2,}(\d+)$", contents, re.M)
    assert len(entries) >= 9 and entries[1][0] == "2. Partners and their roles"
    for title, page in entries:  # each heading is on the page the contents give
        assert title in pdftotext(path, "-f", page, "-l", page), title
