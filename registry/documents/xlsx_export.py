"""XLSX downloads, written as they are sent: an export of 100,000 rows starts at once and never sits whole
in memory.

openpyxl's write-only workbook still writes the whole file at ``save()``, so the first byte would wait
for the last row. Here the zip is written by ``zipfile`` onto a pipe that cannot seek (so each entry
gets a data descriptor after its data instead of sizes patched into its header), and every few rows
whatever the compressor has produced is handed on. The fixed parts of a workbook (content types,
relationships, workbook, styles) are constants; the one sheet is XML written a row at a time.

Cells are inline strings (``t="inlineStr"``), numbers, or real dates (a day number with a date
style, so a spreadsheet sorts and filters them as dates). Text is XML-escaped, stripped of the
control characters XML cannot hold, cut to Excel's 32,767 characters a cell, and given the same
leading apostrophe as the CSV when it starts with a formula character: a string cell is never
run, but a person who edits the cell in Excel makes it a formula again, and the two downloads
show the same text. The sheet is not zip64, so it must stay under 2 GiB uncompressed (millions
of rows); that keeps the file readable by every spreadsheet program.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from xml.sax.saxutils import escape

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from registry.documents.csv_export import safe_cell

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_CELL = 32_767  # Excel refuses (repairs) a file with a longer cell
EPOCH = date(1899, 12, 30)  # day 0 of the 1900 date system, past its leap-year bug
FLUSH_EVERY = 200  # rows between hand-ons: small enough to start at once, big enough to compress well
HEADING, DATE = 1, 2  # style numbers in STYLES
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = (
    _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    _XML + f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELS = (
    _XML + f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
)
# 0: plain; 1: bold (the heading row); 2: a date shown the GOV.UK way, 1 April 2026
STYLES = (
    _XML + f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="d mmmm yyyy"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def workbook_xml(sheet_name: str) -> str:
    name = escape(text_of(sheet_name)[:31], {'"': "&quot;"})
    return (
        _XML + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/></bookViews>'
        f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def text_of(value: object) -> str:
    """A cell's text as the CSV would show it, with what XML cannot hold taken out first (so a
    control character cannot hide a formula character from ``safe_cell``)."""
    text = "" if value is None else str(value)
    return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", text))[:MAX_CELL]


def cell(ref: str, value: object, style: int = 0) -> str:
    styled = f' s="{style}"' if style else ""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):  # before int: a bool is an int
        value = "Yes" if value else "No"
    if isinstance(value, date) and not isinstance(value, datetime):
        return f'<c r="{ref}" s="{DATE}"><v>{(value - EPOCH).days}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{styled}><v>{value}</v></c>'
    text = escape(text_of(value), {"\r": "&#13;"})  # a bare CR would be read back as a line feed
    return f'<c r="{ref}" t="inlineStr"{styled}><is><t xml:space="preserve">{text}</t></is></c>'


def _row(number: int, letters: Sequence[str], values: Iterable[object], style: int = 0) -> str:
    cells = "".join(cell(f"{letter}{number}", value, style) for letter, value in zip(letters, values, strict=False))
    return f'<row r="{number}">{cells}</row>'


def _sheet_start(widths: Sequence[float]) -> str:
    cols = "".join(
        f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>' for n, width in enumerate(widths, start=1)
    )
    return (
        _XML + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>' + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>"
    )


class _Pipe:
    """A file that only collects what is written, for the generator to hand on (it cannot seek,
    so zipfile writes data descriptors)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        if data:
            self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def stream(
    headings: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    sheet_name: str = "Sheet1",
    widths: Sequence[float] = (),
) -> Iterator[bytes]:
    """The workbook's bytes, a piece at a time: one sheet, a bold frozen heading row, then the rows."""
    pipe = _Pipe()
    letters = [get_column_letter(n) for n in range(1, len(headings) + 1)]
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[arg-type]
        for name, text in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", workbook_xml(sheet_name)),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/styles.xml", STYLES),
        ):
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write((_sheet_start(widths) + _row(1, letters, headings, HEADING)).encode())
            yield pipe.take()  # the fixed parts and the headings go out before the first row is read
            for number, values in enumerate(rows, start=2):
                sheet.write(_row(number, letters, values).encode())
                if number % FLUSH_EVERY == 0 and pipe.chunks:
                    yield pipe.take()
            sheet.write(b"</sheetData></worksheet>")
    yield pipe.take()
