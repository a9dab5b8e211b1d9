"""What every registry PDF shares: the font choice and the "page x of y" footer."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def _latin1(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def fonts(texts: Iterable[Any]) -> tuple[str, str]:
    """Helvetica (fast, built in) unless some text is outside Latin-1: then DejaVu Sans, which covers
    right-to-left and most scripts (registered once per process)."""
    if all(_latin1(str(text)) for text in texts):
        return "Helvetica", "Helvetica-Bold"
    try:
        pdfmetrics.getFont("RegistrySans")
        return "RegistrySans", "RegistrySans-Bold"
    except KeyError:
        pass
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not (regular.exists() and bold.exists()):
        return "Helvetica", "Helvetica-Bold"
    pdfmetrics.registerFont(TTFont("RegistrySans", str(regular)))
    pdfmetrics.registerFont(TTFont("RegistrySans-Bold", str(bold)))
    return "RegistrySans", "RegistrySans-Bold"


def numbered_canvas(
    footer: str, font: str, page_width: float, margin: float, on_page: Callable[[Canvas, int], None] | None = None
) -> type[Canvas]:
    """A canvas that writes ``footer`` and "Page x of y" on every page (y is known only at the end);
    ``on_page(canvas, number)`` may draw more on each page then, when the whole layout is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for state in self._pages:
                self.__dict__.update(state)
                if on_page:
                    on_page(self, self._pageNumber)
                self.setFont(font, 8)
                self.setFillColor(colors.HexColor("#505a5f"))
                baseline = margin / 2
                self.drawString(margin, baseline, footer)
                self.drawRightString(page_width - margin, baseline, f"Page {self._pageNumber} of {len(self._pages)}")
                super().showPage()
            super().save()

    return NumberedCanvas


__all__ = ["FONT_DIR", "fonts", "mm", "numbered_canvas"]
