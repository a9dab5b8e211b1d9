"""The agreement document: a reportlab (Platypus) PDF laid out like an information sharing
agreement, from plain data. It knows nothing of Flask or the database.

Every string a person typed goes through ``escape`` before it reaches a Paragraph, so markup
in a field shows as text. The layout is stable: the same record renders to the same bytes
(reportlab's invariant mode); times appear only where they belong (signatures, certificate).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, KeepTogether, PageBreak, PageTemplate, Paragraph, Spacer

from registry.documents import cells
from registry.documents import sections as text
from registry.documents.contents import Contents
from registry.documents.layout import fonts, numbered_canvas


def _texts(document: Document) -> list[Any]:
    """Every string the document shows, to choose a font that can draw them all."""
    texts: list[Any] = [document.title, document.reference, *document.dates.values()]
    for section in document.sections:
        texts += [value for row in section.rows for value in row]
        if section.table:
            texts += [cell for row in section.table[1] for cell in row]
    texts += [value for party in document.parties for value in vars(party).values() if value]
    return texts


def escape(value: Any) -> str:
    """User text made safe for a Paragraph: markup escaped, line breaks kept, long words breakable."""
    return xml_escape(str(value if value is not None else "")).replace("\n", "<br/>")


@dataclass(frozen=True)
class SignatureBlock:
    organisation: str
    role: str
    signatory_name: str | None
    signatory_job_title: str | None
    signed_by: str | None = None
    signed_job_title: str | None = None
    signed_at: datetime | None = None


@dataclass(frozen=True)
class Certificate:
    events: list[tuple[datetime, str]]
    fingerprint: str  # SHA-256 of the approved document that the parties signed
    verification_code: str
    verify_url: str


@dataclass
class Document:
    """Everything the PDF shows, as plain values."""

    reference: str
    version: int
    title: str
    status_label: str
    draft: bool
    council: str
    kind_label: str
    sections: list[text.Section]
    parties: list[SignatureBlock]
    dates: dict[str, str] = field(default_factory=dict)
    certificate: Certificate | None = None


class _Doc(BaseDocTemplate):
    """Adds PDF bookmarks for every section heading and notes the page each starts on."""

    contents: Contents

    def afterFlowable(self, flowable: Any) -> None:
        key = getattr(flowable, "_bookmark", None)
        if key:
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable._title, key, level=flowable._level, closed=False)
            self.contents.pages[key] = self.page


@lru_cache(maxsize=4)
def _styles(regular: str, bold: str) -> dict[str, ParagraphStyle]:
    """The styles for a font pair, made once (treat them as read-only)."""
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "Body", parent=base["BodyText"], fontName=regular, fontSize=10, leading=14, wordWrap="LTR", splitLongWords=True
    )
    return {
        "body": body,
        "small": ParagraphStyle("Small", parent=body, fontSize=8, leading=11),
        "h1": ParagraphStyle("H1", parent=body, fontName=bold, fontSize=22, leading=28, spaceAfter=12),
        "h2": ParagraphStyle("H2", parent=body, fontName=bold, fontSize=14, leading=18, spaceBefore=12, spaceAfter=6),
        "h3": ParagraphStyle("H3", parent=body, fontName=bold, fontSize=11, leading=14, spaceBefore=6, spaceAfter=3),
        "label": ParagraphStyle("Label", parent=body, fontName=bold, fontSize=9, leading=12),
        "centre": ParagraphStyle("Centre", parent=body, alignment=TA_CENTER),
    }


def _heading(title: str, key: str, style: ParagraphStyle, level: int = 0) -> Paragraph:
    paragraph = text.Para(escape(title), style)
    paragraph._bookmark, paragraph._level, paragraph._title = key, level, title  # type: ignore[attr-defined]
    return paragraph


def _page_decorations(document: Document, regular: str, bold: str):  # type: ignore[no-untyped-def]
    def decorate(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        if document.draft:
            canvas.setFont(bold, 90)
            canvas.setFillColor(colors.Color(0.85, 0.1, 0.1, alpha=0.15))
            canvas.translate(A4[0] / 2, A4[1] / 2)
            canvas.rotate(45)
            canvas.drawCentredString(0, -30, "DRAFT")
        canvas.restoreState()

    return decorate


def render(document: Document) -> bytes:
    """One layout pass: the contents page is filled in as the pages are written out (see contents.py)."""
    regular, bold = fonts(_texts(document))
    styles = _styles(regular, bold)
    buffer = BytesIO()
    doc = _Doc(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"{document.reference}: {document.title}",
        author=document.council,
        subject=f"Data-sharing agreement {document.reference}, version {document.version}",
        creator="Partnership and data-sharing registry",
        lang="en-GB",
        invariant=1,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_page_decorations(document, regular, bold))])
    story = text.story(
        document,
        styles,
        _heading,
        lambda rows, widths, header=True: cells.table(rows, widths, regular, bold, header),
        doc.width,
    )
    doc.contents = Contents([(f._title, f._bookmark) for f in story if getattr(f, "_bookmark", None)], regular)
    story[story.index(text.TOC_MARKER)] = doc.contents.placeholder()
    footer = f"{document.reference} · Version {document.version} · {document.status_label}"
    doc.build(story, canvasmaker=numbered_canvas(footer, regular, A4[0], 20 * mm, on_page=doc.contents.draw))
    return buffer.getvalue()


__all__ = ["Certificate", "Document", "KeepTogether", "PageBreak", "SignatureBlock", "Spacer", "escape", "render"]
