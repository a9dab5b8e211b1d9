"""The agreement's sections in the order of the WASPI / ICO structure, and the story that
lays them out: cover, contents, sections, signature page, completion certificate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer

if TYPE_CHECKING:
    from registry.documents.agreement_pdf import Document

TOC_MARKER = Spacer(0, 0)  # replaced by the table of contents when the document is built


@dataclass
class Section:
    key: str
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)  # label, value
    table: tuple[list[str], list[list[str]], list[float]] | None = None  # header, rows, width fractions
    note: str | None = None


def _esc(value: Any) -> str:
    from registry.documents.agreement_pdf import escape

    return escape(value)


def _qr(url: str, size: float = 32 * mm) -> Drawing:
    widget = QrCodeWidget(url)
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing


def story(document: Document, styles: dict, heading: Callable, table: Callable, width: float) -> list:  # type: ignore[type-arg]
    flow: list = []  # type: ignore[type-arg]
    body, h1, h2 = styles["body"], styles["h1"], styles["h2"]

    # cover
    flow += [
        Spacer(0, 30 * mm),
        Paragraph("Data-sharing agreement", styles["h3"]),
        Paragraph(_esc(document.title), h1),
        Paragraph(
            f"Reference {_esc(document.reference)} · Version {document.version} · {_esc(document.status_label)}", body
        ),
        Paragraph(_esc(document.kind_label), body),
        Spacer(0, 8 * mm),
    ]
    flow.append(
        table([["Party", "Role"]] + [[p.organisation, p.role] for p in document.parties], [width * 0.7, width * 0.3])
    )
    if document.dates:
        flow.append(Spacer(0, 6 * mm))
        flow.append(table([[k, v] for k, v in document.dates.items()], [width * 0.4, width * 0.6], header=False))
    if document.draft:
        flow += [
            Spacer(0, 8 * mm),
            Paragraph("This is a draft. It has not been approved and must not be relied on.", body),
        ]
    flow += [PageBreak(), Paragraph("Contents", h2), TOC_MARKER, PageBreak()]

    for number, section in enumerate(document.sections, start=1):
        flow.append(heading(f"{number}. {section.title}", section.key, h2))
        if section.note:
            flow.append(Paragraph(_esc(section.note), body))
        for label, value in section.rows:
            flow.append(
                KeepTogether([Paragraph(_esc(label), styles["label"]), Paragraph(_esc(value), body), Spacer(0, 2 * mm)])
            )
        if section.table:
            header, rows, fractions = section.table
            flow.append(table([header, *rows], [width * f for f in fractions]))
        flow.append(Spacer(0, 4 * mm))

    flow += [
        PageBreak(),
        heading("Signatures", "signatures", h2),
        Paragraph(
            "Each party’s signatory signs for their organisation in the registry. The registry records who "
            "signed, when, and the fingerprint of the exact document they signed.",
            body,
        ),
        Spacer(0, 4 * mm),
    ]
    for party in document.parties:
        signed = party.signed_at is not None
        rows = [
            ["Organisation", party.organisation],
            ["Role", party.role],
            ["Signatory", party.signed_by or party.signatory_name or "Not named"],
            ["Job title", party.signed_job_title or party.signatory_job_title or ""],
            ["Signed", f"{party.signed_at:%d %B %Y at %H:%M:%S} UTC" if signed else "Not yet signed"],
        ]
        flow.append(KeepTogether([table(rows, [width * 0.3, width * 0.7], header=False), Spacer(0, 5 * mm)]))

    if document.certificate:
        certificate = document.certificate
        flow += [
            PageBreak(),
            heading("Completion certificate", "certificate", h2),
            Paragraph(
                "This certificate records how this version was approved and signed. The registry sealed "
                "the document with its digital seal when the last party signed.",
                body,
            ),
            Spacer(0, 3 * mm),
        ]
        flow.append(
            table(
                [["When (UTC)", "What happened"]]
                + [[f"{when:%d %B %Y %H:%M:%S}", what] for when, what in certificate.events],
                [width * 0.3, width * 0.7],
            )
        )
        flow += [
            Spacer(0, 4 * mm),
            Paragraph("Fingerprint (SHA-256) of the approved document the parties signed:", styles["label"]),
            Paragraph(_esc(certificate.fingerprint), styles["small"]),
            Spacer(0, 3 * mm),
            Paragraph(f"Verification code: <b>{_esc(certificate.verification_code)}</b>", body),
            Paragraph(f"Check this document at {_esc(certificate.verify_url)}", body),
            Spacer(0, 3 * mm),
            _qr(certificate.verify_url),
        ]
    return flow
