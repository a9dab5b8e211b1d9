"""CSV downloads, written a line at a time so a long export streams.

Spreadsheets run a cell that starts with =, +, -, @, a tab or a carriage return as a formula
(CSV injection), so such a cell gets a leading apostrophe: it then shows as the text it is.
The file starts with a byte order mark, so Excel reads it as UTF-8 (names with accents, curly
quotes) rather than guessing a Windows code page.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def lines(headings: Iterable[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The CSV text, one line (record) at a time, every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: Iterable[object]) -> str:
        writer.writerow([safe_cell(cell) for cell in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield BOM + line(headings)
    for row in rows:
        yield line(row)
