"""The agreement's sections in the order of the WASPI / ICO structure, and the story that
lays them out: cover, contents, sections, signature page, completion certificate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph, Spacer
from reportlab.platypus.flowables import _FUZZ

from registry.documents.cells import Line, fits

if TYPE_CHECKING:
    from registry.documents.agreement_pdf import Document

TOC_MARKER = Spacer(0, 0)  # replaced by the contents placeholder when the document is built


class Para(Paragraph):
    """A Paragraph that remembers its line breaks for the width it was last wrapped to: a label and
    its value are measured together (KeepTogether) and then again as the frame places them."""

    _wrapped_at: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if availWidth == self._wrapped_at and "blPara" in self.__dict__:  # a failed split drops blPara
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self._wrapped_at = availWidth
        return size


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


class Keep(KeepTogether):
    """KeepTogether for plain content (lines, paragraphs, spacers). reportlab's measures its content
    on a deep copy of the frame, in case the content adds frame actions; this content never does,
    and the copy cost more than the measuring."""

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        total, after, first, widest = 0.0, 0.0, True, 0.0
        for flowable in self._content:
            width, height = flowable.wrapOn(self.canv, aW, 0xFFFFFFF)
            if height <= _FUZZ:
                continue
            widest = max(widest, min(width, aW))
            total += height if first else height + max(flowable.getSpaceBefore() - after, 0)
            first = False
            after = flowable.getSpaceAfter()
            total += after
        self._H = total - after
        self._H0 = self._content[0].wrapOn(self.canv, aW, 0xFFFFFFF)[1] if self._content else 0
        self._wrapInfo = aW, aH
        return widest, 0xFFFFFF  # as KeepTogether: always asked to split, which keeps or breaks


def _text(value: Any, style: ParagraphStyle, width: float) -> Flowable:
    """A Paragraph, or a plain line when the text is short: most labels and values ("Not given")
    need no line breaking, and a Paragraph costs a markup parse and a line-breaking pass."""
    words = str(value if value is not None else "").split()
    line = " ".join(words)
    if words and len(line) < 120 and "\n" not in str(value) and fits(line, style.fontName, style.fontSize, width):
        return Line(line, style)
    return Para(_esc(value), style)


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
        Para("Data-sharing agreement", styles["h3"]),
        Para(_esc(document.title), h1),
        Para(
            f"Reference {_esc(document.reference)} · Version {document.version} · {_esc(document.status_label)}", body
        ),
        Para(_esc(document.kind_label), body),
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
            Para("This is a draft. It has not been approved and must not be relied on.", body),
        ]
    flow += [PageBreak(), Para("Contents", h2), TOC_MARKER, PageBreak()]

    for number, section in enumerate(document.sections, start=1):
        flow.append(heading(f"{number}. {section.title}", section.key, h2))
        if section.note:
            flow.append(Para(_esc(section.note), body))
        for label, value in section.rows:
            room = width - 12  # the frame's padding, 6 points a side
            pair = [_text(label, styles["label"], room), _text(value, body, room), Spacer(0, 2 * mm)]
            flow.append(Keep(pair))
        if section.table:
            header, rows, fractions = section.table
            flow.append(table([header, *rows], [width * f for f in fractions]))
        flow.append(Spacer(0, 4 * mm))

    flow += [
        PageBreak(),
        heading("Signatures", "signatures", h2),
        Para(
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
        flow.append(Keep([table(rows, [width * 0.3, width * 0.7], header=False), Spacer(0, 5 * mm)]))

    if document.certificate:
        certificate = document.certificate
        flow += [
            PageBreak(),
            heading("Completion certificate", "certificate", h2),
            Para(
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
            Para("Fingerprint (SHA-256) of the approved document the parties signed:", styles["label"]),
            Para(_esc(certificate.fingerprint), styles["small"]),
            Spacer(0, 3 * mm),
            Para(f"Verification code: <b>{_esc(certificate.verification_code)}</b>", body),
            Para(f"Check this document at {_esc(certificate.verify_url)}", body),
            Spacer(0, 3 * mm),
            _qr(certificate.verify_url),
        ]
    return flow
