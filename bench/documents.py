"""Benchmark: generating a 10-page agreement PDF and sealing it (part of ``make bench``).

Measures, in one run on this machine, each figure against its baseline:
- the registry's agreement PDF (10 pages) against reportlab building a plain document of the
  same text, one Paragraph per value and table cell in one ``SimpleDocTemplate.build``
  (target: under 1.5 times);
- the registry's sealing (key parsed once, signature size reserved) against pyHanko's
  default ``sign_pdf`` on the same file, loading the key as a one-off script would
  (target: at most 0.25 times).
Prints a table and writes bench/results/documents.json.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate

from config import local_signing_key
from registry.documents import agreement_pdf, content
from registry.documents.seal import KeySource, seal

RUNS = 15
RESULTS = Path(__file__).parent / "results"


def sample_record() -> dict:
    """A realistic agreement with enough text and data items to fill ten pages (checked in ``main``)."""
    paragraph = (
        "Partners share the minimum information needed to support residents at risk of losing their home, "
        "and review each case at a monthly panel. "
    ) * 7
    parties = [
        {
            "organisation_name": f"Partner organisation {n}",
            "organisation_id": n,
            "role": "controller",
            "signatory_name": f"Signatory {n}",
            "signatory_job_title": "Director",
            "rights_contact": "dpo@example.org",
            "retention_period": "6 years",
            "disposal_method": "Secure deletion",
        }
        for n in range(1, 6)
    ]
    items = [
        {
            "name": f"Data item {n}",
            "description": paragraph[:300],
            "category": "personal",
            "provider_organisation_id": 1,
            "provider_name": "Partner organisation 1",
        }
        for n in range(1, 14)
    ]
    record = {
        name: paragraph
        for name in (
            "purpose",
            "benefits",
            "necessity",
            "less_data_rationale",
            "security_measures",
            "termination_arrangements",
            "access_controls",
        )
    }
    record.update(
        reference="DSA-2026-9999",
        version=1,
        title="Benchmark agreement",
        kind="two_way",
        parties=parties,
        data_items=items,
        subject_groups=[{"name": "Tenants"}],
        objectives=[],
        gateways=[],
        effective_from="2026-04-01",
        next_review_date="2027-04-01",
        review_interval_months=12,
    )
    return record


def paired_medians(
    work: Callable[[], object], baseline: Callable[[], object], runs: int = RUNS, label: str = ""
) -> tuple[float, float]:
    """Median ms of ``work`` and of its ``baseline``, run alternately so that both see the same
    load on a shared machine (one block after the other let a burst of load favour either)."""
    times: tuple[list[float], list[float]] = ([], [])
    for n in range(runs):
        for side, job in enumerate((work, baseline)):
            start = time.perf_counter()
            job()
            times[side].append((time.perf_counter() - start) * 1000)
        print(f"\r  {label}: run {n + 1} of {runs}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return statistics.median(times[0]), statistics.median(times[1])


def plain_pdf(texts: list[str]) -> bytes:
    """The baseline: reportlab's simplest document of the same text."""
    buffer = BytesIO()
    style = getSampleStyleSheet()["BodyText"]
    SimpleDocTemplate(buffer, pagesize=A4).build([Paragraph(t, style) for t in texts])
    return buffer.getvalue()


def main() -> None:
    record = sample_record()
    document = content.build(record, status_label="Approved", draft=False, council="Northbridge Borough Council")
    pdf = agreement_pdf.render(document)
    from pyhanko.pdf_utils.reader import PdfFileReader

    pages = int(PdfFileReader(BytesIO(pdf)).root["/Pages"]["/Count"])
    texts = [value for section in document.sections for _, value in section.rows]
    texts += [cell for section in document.sections if section.table for row in section.table[1] for cell in row]
    print(f"Agreement PDF: {len(pdf) // 1024} KB, {pages} pages")
    if pages != 10:
        print(f"  warning: the sample should fill 10 pages, not {pages}: adjust sample_record", file=sys.stderr)

    with tempfile.TemporaryDirectory() as directory:
        path, passphrase = local_signing_key(Path(directory))
        source = KeySource(pkcs12=path, passphrase=passphrase)
        seal(pdf, source, reason="warm-up", location="bench")  # parse the key once, as a running server has

        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import signers

        def pyhanko_default() -> bytes:
            signer = signers.SimpleSigner.load_pkcs12(path, passphrase=passphrase.encode())
            writer = IncrementalPdfFileWriter(BytesIO(pdf))
            return signers.sign_pdf(
                writer, signers.PdfSignatureMetadata(field_name="Signature"), signer=signer
            ).getvalue()

        figures = dict(
            zip(
                ("agreement_pdf_ms", "plain_pdf_ms"),
                paired_medians(lambda: agreement_pdf.render(document), lambda: plain_pdf(texts), label="PDF"),
                strict=True,
            )
        )
        figures.update(
            zip(
                ("seal_ms", "pyhanko_default_ms"),
                paired_medians(
                    lambda: seal(pdf, source, reason="bench", location="bench"), pyhanko_default, label="sealing"
                ),
                strict=True,
            )
        )
    rows = [
        ("10-page agreement PDF", figures["agreement_pdf_ms"], figures["plain_pdf_ms"], 1.5, "under"),
        ("Sealing the PDF", figures["seal_ms"], figures["pyhanko_default_ms"], 0.25, "at most"),
    ]
    print(f"\n{'figure':<24}{'median ms':>12}{'baseline ms':>14}{'ratio':>8}  target")
    report = []
    for name, value, baseline, target, word in rows:
        ratio = value / baseline
        met = ratio < target if word == "under" else ratio <= target
        print(f"{name:<24}{value:>12.1f}{baseline:>14.1f}{ratio:>8.2f}  {word} {target} ({'met' if met else 'MISSED'})")
        report.append(
            {
                "figure": name,
                "median_ms": round(value, 1),
                "baseline_ms": round(baseline, 1),
                "ratio": round(ratio, 3),
                "target": f"{word} {target}",
                "met": met,
            }
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "documents.json").write_text(json.dumps({"runs": RUNS, "figures": report}, indent=2))
    print(f"\nWritten to {RESULTS / 'documents.json'}")


if __name__ == "__main__":
    main()
