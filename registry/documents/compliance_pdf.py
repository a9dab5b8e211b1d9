"""The compliance report as a PDF (reportlab), from plain data: it knows nothing of Flask or the
database. Every string goes through ``escape`` before it reaches a Paragraph. Landscape A4, so
the findings have room; the table's heading row repeats on every page; "page x of y" footers.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from registry.documents.agreement_pdf import escape
from registry.documents.layout import fonts, numbered_canvas

PAGE = landscape(A4)


@dataclass(frozen=True)
class ReportRow:
    reference: str
    title: str
    status: str
    review: str
    findings: list[str]


@dataclass(frozen=True)
class Report:
    council: str
    service: str
    date: str  # the day the report describes, as people write it: 1 April 2026
    summary: list[tuple[str, int]]  # (kind of finding, how many agreements)
    rows: list[ReportRow]


def _texts(report: Report) -> list[str]:
    texts = [report.council, report.service, *(label for label, _ in report.summary)]
    for row in report.rows:
        texts += [row.reference, row.title, row.status, row.review, *row.findings]
    return texts


def _styles(regular: str, bold: str) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "Body", parent=getSampleStyleSheet()["BodyText"], fontName=regular, fontSize=10, leading=14, splitLongWords=True
    )
    return {
        "body": body,
        "cell": ParagraphStyle("Cell", parent=body, fontSize=9, leading=12),
        "label": ParagraphStyle("Label", parent=body, fontName=bold, fontSize=9, leading=12),
        "h1": ParagraphStyle("H1", parent=body, fontName=bold, fontSize=20, leading=26, spaceAfter=6),
        "h2": ParagraphStyle("H2", parent=body, fontName=bold, fontSize=14, leading=18, spaceBefore=10, spaceAfter=6),
    }


def _table(rows: list[list[Any]], widths: list[float], styles: dict[str, ParagraphStyle]) -> LongTable:
    cells = [
        [c if isinstance(c, Paragraph) else Paragraph(escape(c), styles["label" if i == 0 else "cell"]) for c in row]
        for i, row in enumerate(rows)
    ]
    table = LongTable(cells, colWidths=widths, repeatRows=1, splitByRow=True, splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#b1b4b6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
            ]
        )
    )
    return table


def _findings(lines: list[str], style: ParagraphStyle) -> Paragraph:
    if not lines:
        return Paragraph("None", style)
    return Paragraph("<br/>".join("• " + escape(line) for line in lines), style)


def render(report: Report) -> bytes:
    regular, bold = fonts(_texts(report))
    styles = _styles(regular, bold)
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Compliance report on {report.date}",
        author=report.council,
        subject="Data-sharing agreements",
        creator=report.service,
        lang="en-GB",
        invariant=1,
    )
    width = doc.width
    story: list[Any] = [
        Paragraph("Compliance report: data-sharing agreements", styles["h1"]),
        Paragraph(
            escape(
                f"{report.council}. Every current agreement (approved, awaiting signatures or active) "
                f"on {report.date}, with its review state and what needs attention."
            ),
            styles["body"],
        ),
        Paragraph("Summary", styles["h2"]),
        _table(
            [
                ["Finding", "Agreements"],
                *[[label, str(n)] for label, n in report.summary],
                ["Current agreements in the report", str(len(report.rows))],
            ],
            [width * 0.6, width * 0.15],
            styles,
        ),
        Spacer(1, 6 * mm),
        Paragraph("Agreements", styles["h2"]),
    ]
    if report.rows:
        rows = [["Reference", "Title", "Status", "Review", "Findings"]]
        rows += [[r.reference, r.title, r.status, r.review, _findings(r.findings, styles["cell"])] for r in report.rows]
        story.append(_table(rows, [w * width for w in (0.12, 0.24, 0.12, 0.14, 0.38)], styles))
    else:
        story.append(Paragraph("There are no current agreements.", styles["body"]))
    doc.build(
        story,
        canvasmaker=numbered_canvas(
            f"Compliance report on {report.date} · {report.council}", regular, PAGE[0], 15 * mm
        ),
    )
    return buffer.getvalue()
