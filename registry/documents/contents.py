"""The contents page, laid out once.

reportlab's TableOfContents needs ``multiBuild``: a whole second layout of the document to learn
the page numbers. The agreement's entries are fixed (its numbered sections, the signature page,
the certificate when there is one), so the contents take a known height: a placeholder reserves
it and notes where it landed, the document records the page each heading lands on, and the
entries are drawn when the pages are written out (as "Page x of y" is), each a link to its section.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

LEADING = 14.0
FONT_SIZE = 10.0


@dataclass
class Contents:
    """Entries (title, bookmark key) in order; the page each starts on; where the list is drawn."""

    entries: list[tuple[str, str]]
    font: str
    pages: dict[str, int] = field(default_factory=dict)
    at: tuple[int, float, float, float] | None = None  # page, x, top, width

    def placeholder(self) -> Flowable:
        return _Placeholder(self)

    def draw(self, canvas: Canvas, page: int) -> None:
        """Called for every page as it is written; draws on the page the placeholder landed on."""
        if self.at is None or self.at[0] != page:
            return
        _, x, top, width = self.at
        canvas.setFont(self.font, FONT_SIZE)
        canvas.setFillColorRGB(0, 0, 0)
        for n, (title, key) in enumerate(self.entries):
            baseline = top - (n + 1) * LEADING + (LEADING - FONT_SIZE) / 2 + 2
            number = str(self.pages.get(key, ""))
            canvas.drawString(x, baseline, title)
            canvas.drawRightString(x + width, baseline, number)
            canvas.linkRect("", key, (x, top - (n + 1) * LEADING, x + width, top - n * LEADING), relative=0)


class _Placeholder(Flowable):
    """Takes the contents' height and records its position; draws nothing itself."""

    def __init__(self, contents: Contents) -> None:
        super().__init__()
        self.contents = contents

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        return availWidth, LEADING * len(self.contents.entries)

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        self.contents.at = (canvas.getPageNumber(), x, y + LEADING * len(self.contents.entries), self.width)
