"""Plain text laid out cheaply: tables whose cells are wrapped once, before layout, and lines.

A Paragraph in a table cell is parsed as markup and wrapped again every time the table measures,
splits across a page or draws, which made tables most of the agreement's cost. Here each cell's
text is broken into lines once (words, and words longer than the column by characters) and the
table draws them with ``drawString``. Plain strings are never read as markup, so text a person
typed (``<img ...>``) shows as itself without escaping.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, LongTable, TableStyle

FONT_SIZE = 9
LEADING = 1.2 * FONT_SIZE  # the line height reportlab assumes when it splits a text cell across pages
PADDING = 6  # reportlab's default left and right cell padding
MAX_LINES = 48  # a row taller than this (well under a page) continues in a row below it
GRID = colors.HexColor("#b1b4b6")
HEADER_BACKGROUND = colors.HexColor("#f3f2f1")


class _Widths(dict[str, float]):
    """Advance widths of single characters in one font at 1 point, measured on first use."""

    def __init__(self, font: str) -> None:
        super().__init__()
        self.font = font

    def __missing__(self, char: str) -> float:
        width = self[char] = pdfmetrics.stringWidth(char, self.font, 1)
        return width


@lru_cache(maxsize=8)
def _widths(font: str) -> _Widths:
    return _Widths(font)


def fits(text: str, font: str, size: float, width: float) -> bool:
    """Whether ``text`` fits on one line ``width`` points wide."""
    widths = _widths(font)
    return sum(widths[ch] for ch in text) * size <= width


class Line(Flowable):
    """One line of plain text in a paragraph style: a label, or a short value such as "Not given",
    drawn as the Paragraph would draw it without parsing markup or breaking lines."""

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.text, self.style = text, style

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        return availWidth, self.style.leading

    def getSpaceBefore(self) -> float:
        return self.style.spaceBefore

    def getSpaceAfter(self) -> float:
        return self.style.spaceAfter

    def draw(self) -> None:
        style = self.style
        self.canv.setFillColor(style.textColor)
        self.canv.setFont(style.fontName, style.fontSize)
        self.canv.drawString(style.leftIndent, style.leading - style.fontSize, self.text)


class _Table(LongTable):
    """Draws the text of all its cells as one text object after the backgrounds and grid (reportlab
    makes a text object, with its font and colour, for every line of every cell)."""

    _texts: list[tuple[float, float, Any, str]] | None = None

    def draw(self) -> None:
        self._texts = []
        super().draw()
        texts, self._texts = self._texts, None
        if not texts:
            return
        text = self.canv.beginText()
        text.setFillColor(texts[0][2].color)  # every cell's text is the same colour
        font = None
        for x, y, style, value in texts:
            if font != (style.fontname, style.fontsize, style.leading):
                font = style.fontname, style.fontsize, style.leading
                text.setFont(*font)
            text.setTextOrigin(x, y)
            text.textLines(value, trim=0)
        self.canv.drawText(text)

    def _drawCell(self, cellval: Any, cellstyle: Any, pos: tuple[float, float], size: tuple[float, float]) -> None:
        plain = isinstance(cellval, str) and cellstyle.alignment == "LEFT" and cellstyle.valign == "TOP"
        if not plain or self._texts is None:
            return super()._drawCell(cellval, cellstyle, pos, size)
        if cellval:
            (x, y), height = pos, size[1]
            top = y + height - cellstyle.topPadding - cellstyle.fontsize
            self._texts.append((x + cellstyle.leftPadding, top, cellstyle, cellval))
        return None


def wrap(value: Any, font: str, size: float, width: float) -> str:
    """``value`` as lines that fit ``width`` points: kept line breaks, runs of spaces as one, and a
    word longer than the line broken between characters (the same rules as the Paragraphs)."""
    widths = _widths(font)
    limit = width / size
    space = widths[" "]
    out: list[str] = []
    for given in str(value if value is not None else "").split("\n"):
        line: list[str] = []
        used = 0.0
        for word in given.split():
            advance = sum(widths[ch] for ch in word)
            if line and used + space + advance <= limit:
                line.append(word)
                used += space + advance
                continue
            if line:
                out.append(" ".join(line))
                line, used = [], 0.0
            while advance > limit and len(word) > 1:  # too long for any line: break it
                cut, taken = 0, 0.0
                while cut < len(word) - 1 and taken + widths[word[cut]] <= limit:
                    taken += widths[word[cut]]
                    cut += 1
                cut = max(cut, 1)
                out.append(word[:cut])
                word = word[cut:]
                advance = sum(widths[ch] for ch in word)
            line, used = [word], advance
        out.append(" ".join(line))
    return "\n".join(out)


def _rows(cells: list[list[str]]) -> list[list[str]]:
    """Each row, with a row too tall for a page cut into rows of ``MAX_LINES`` lines at most, so the
    table only ever breaks between rows (reportlab's in-row split repeats the header mid-page)."""
    out = []
    for row in cells:
        lines = [cell.split("\n") for cell in row]
        tallest = max(len(cell) for cell in lines)
        if tallest <= MAX_LINES:
            out.append(row)
            continue
        for start in range(0, tallest, MAX_LINES):
            out.append(["\n".join(cell[start : start + MAX_LINES]) for cell in lines])
    return out


def table(rows: list[list[Any]], widths: list[float], regular: str, bold: str, header: bool = True) -> LongTable:
    """A grid table; the first row is a bold header repeated on every page it runs onto."""
    cells = _rows(
        [
            [
                wrap(cell, bold if header and n == 0 else regular, FONT_SIZE, width - 2 * PADDING)
                for cell, width in zip(row, widths, strict=True)
            ]
            for n, row in enumerate(rows)
        ]
    )
    result = _Table(cells, colWidths=widths, repeatRows=1 if header else 0, splitByRow=True)
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), regular, FONT_SIZE, LEADING),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        commands += [
            ("FONT", (0, 0), (-1, 0), bold, FONT_SIZE, LEADING),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_BACKGROUND),
        ]
    result.setStyle(TableStyle(commands))
    return result
