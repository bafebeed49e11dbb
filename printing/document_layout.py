"""Page layout for our documents: header with barcode, facts, address, paginated tables.

Black on white only, no grey: the same PDF prints on a laser and, rasterised at 203 dpi with
a threshold, on a thermal head. The fonts are Bitstream Vera, which ships inside reportlab,
so every machine renders the same glyphs (and golden images stay exact).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path

import reportlab
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4 as _A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from printing.sanitise import clean_text

A4_SIZE: tuple[float, float] = (float(_A4[0]), float(_A4[1]))
LABEL_SIZE: tuple[float, float] = (4 * 72.0, 6 * 72.0)

REGULAR, BOLD = "CDVera", "CDVera-Bold"
_FONT_DIR = Path(reportlab.__file__).parent / "fonts"
_DOT_203 = 72.0 / 203  # one thermal dot in points


def _register_fonts() -> set[int]:
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, str(_FONT_DIR / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(_FONT_DIR / "VeraBd.ttf")))
    font = pdfmetrics.getFont(REGULAR)
    return set(font.face.charToGlyph)


_GLYPHS = _register_fonts()


def clean(text: str | None, max_len: int) -> str:
    """Customer text made safe to draw: no controls, capped, and only glyphs the font has.

    A character the font lacks becomes its unaccented base letter if it has one (ő -> o),
    otherwise "?", so nothing prints as an empty box.
    """
    out: list[str] = []
    for ch in clean_text(text or "", max_len=max_len):
        if ord(ch) in _GLYPHS:
            out.append(ch)
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", ch) if ord(c) in _GLYPHS and c.isprintable()
        )
        out.append(base if base and not unicodedata.combining(base[0]) else "?")
    return "".join(out).strip()


class Layout:
    """A top-down cursor over one document, adding pages as content runs past the bottom."""

    def __init__(self, canvas: Canvas, page: tuple[float, float], *, compact: bool) -> None:
        self.canvas = canvas
        self.width, self.height = page
        self.compact = compact
        self.margin = 10.0 if compact else 15 * mm
        self.left = self.margin
        self.right = self.width - self.margin
        self.bottom = self.margin + (14.0 if compact else 24.0)  # room for the footer
        self.y = self.height - self.margin
        self.body = 7.5 if compact else 10.0
        self.small = 6.5 if compact else 8.0
        self._heading = ""
        self._footer = ""

    # -- building blocks ----------------------------------------------------------------------

    def header(self, heading: str, subtitle: str, barcode: str | None) -> None:
        c = self.canvas
        self._heading = heading
        size = 12.0 if self.compact else 18.0
        top = self.y
        c.setFont(BOLD, size)
        heading_width = (self.right - self.left) * (1.0 if self.compact else 0.55)
        c.drawString(self.left, top - size, _fit(heading, BOLD, size, heading_width))
        c.setFont(BOLD, self.body)
        c.drawString(self.left, top - size - self.body - 4, subtitle)
        text_bottom = top - size - self.body - 8
        if barcode and self.compact:
            self.y = text_bottom - 4
            self._barcode(barcode, self.left, self.right - self.left, 34.0)
        elif barcode:
            self._barcode(barcode, self.left + heading_width + 10, self.right, 42.0, top=top)
            self.y = min(text_bottom, top - 42.0 - self.small - 6)
        else:
            self.y = text_bottom
        self.rule(1.2)

    def _barcode(
        self, payload: str, left: float, right_or_width: float, height: float, top: float = 0
    ) -> None:
        """Code 128, bars a whole number of 203-dpi dots wide and on the dot grid (compact),
        so a thermal printer prints every bar the same width."""
        c = self.canvas
        bar = 3 * _DOT_203 if self.compact else 0.33 * mm
        code = Code128(payload, barWidth=bar, barHeight=height, humanReadable=False, quiet=0)
        if self.compact:
            x = left + (right_or_width - code.width) / 2
            x = round(x / _DOT_203) * _DOT_203
            y = self.y - height
        else:
            x = right_or_width - code.width
            y = top - height
        code.drawOn(c, x, y)
        c.setFont(REGULAR, self.small)
        c.drawCentredString(x + code.width / 2, y - self.small - 1, payload)
        if self.compact:
            self.y = y - self.small - 5

    def rule(self, weight: float = 0.6, gap: float = 5.0) -> None:
        self.canvas.setLineWidth(weight)
        self.canvas.line(self.left, self.y, self.right, self.y)
        self.y -= gap

    def facts_and_address(self, facts: Sequence[tuple[str, str]], address: Sequence[str]) -> None:
        c = self.canvas
        lead = self.body + 3
        if self.compact:
            self._address_box(address, self.left, self.right)
            self.y -= 4
            self._facts(facts, self.left, self.right)
            self.y -= 5
            self.rule()
            return
        top = self.y - 4
        middle = self.left + (self.right - self.left) * 0.48
        self.y = top
        self._facts(facts, self.left, middle - 10)
        facts_bottom = self.y
        self.y = top
        self._address_box(address, middle, self.right)
        self.y = min(facts_bottom, self.y) - lead / 2
        c.setLineWidth(0.6)
        self.rule()

    def _facts(self, facts: Sequence[tuple[str, str]], left: float, right: float) -> None:
        c = self.canvas
        lead = self.body + 3
        label_width = 42.0 if self.compact else 60.0
        for key, value in facts:
            self.y -= lead
            c.setFont(BOLD, self.body)
            c.drawString(left, self.y, key)
            c.setFont(REGULAR, self.body)
            value_width = right - left - label_width
            c.drawString(left + label_width, self.y, _fit(value, REGULAR, self.body, value_width))

    def _address_box(self, address: Sequence[str], left: float, right: float) -> None:
        c = self.canvas
        size = self.body + (1.5 if self.compact else 2.0)
        lead = size + 2.5
        lines: list[str] = []
        for line in address[:9]:
            lines += simpleSplit(line, REGULAR, size, right - left - 12)[:2]
        lines = lines[:10]
        height = 14 + self.small + len(lines) * lead
        top = self.y
        c.setLineWidth(1.0)
        c.rect(left, top - height, right - left, height)
        c.setFont(BOLD, self.small)
        c.drawString(left + 6, top - self.small - 4, "SHIP TO")
        y = top - self.small - 6
        for index, line in enumerate(lines):
            y -= lead
            c.setFont(BOLD if index == 0 else REGULAR, size)
            c.drawString(left + 6, y, line)
        self.y = top - height

    def note(self, text: str) -> None:
        c = self.canvas
        c.setFont(REGULAR, self.small)
        for line in simpleSplit(text, REGULAR, self.small, self.right - self.left):
            self._need(self.small + 3)
            self.y -= self.small + 3
            c.drawString(self.left, self.y, line)
        self.y -= 4

    def summary(self, text: str) -> None:
        self._need(self.body + 6)
        self.y -= self.body + 4
        self.canvas.setFont(BOLD, self.body)
        self.canvas.drawRightString(self.right, self.y, text)
        self.y -= 4

    def boxed(self, title: str, text: str) -> None:
        c = self.canvas
        lines = simpleSplit(text, REGULAR, self.body, self.right - self.left - 12)[:8]
        lead = self.body + 3
        height = 14 + self.small + len(lines) * lead
        self._need(height + 6)
        self.y -= 6
        c.setLineWidth(1.0)
        c.rect(self.left, self.y - height, self.right - self.left, height)
        c.setFont(BOLD, self.small)
        c.drawString(self.left + 6, self.y - self.small - 3, title.upper())
        y = self.y - self.small - 4
        c.setFont(REGULAR, self.body)
        for line in lines:
            y -= lead
            c.drawString(self.left + 6, y, line)
        self.y -= height

    def table(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        widths: Sequence[float],
        checkbox_column: int | None = None,
    ) -> None:
        """Rows with the last wide columns wrapped (up to 3 lines), continued across pages."""
        total = self.right - self.left
        columns = [self.left + total * sum(widths[:i]) for i in range(len(widths))]
        spans = [total * w - 6 for w in widths]
        lead = self.body + 2.5
        max_lines = 2 if self.compact else 3
        self._table_head(headings, columns)
        for row in rows:
            cells = [
                simpleSplit(cell, REGULAR, self.body, spans[i])[:max_lines] or [""]
                for i, cell in enumerate(row)
            ]
            height = max(len(cell) for cell in cells) * lead + 5
            self._need(height, continue_with=(headings, columns))
            top = self.y
            for index, cell in enumerate(cells):
                if index == checkbox_column:
                    box = self.body
                    self.canvas.setLineWidth(0.8)
                    self.canvas.rect(columns[index], top - box - 2, box, box)
                    continue
                bold = index == 1 and checkbox_column is not None  # pick-list quantities
                self.canvas.setFont(BOLD if bold else REGULAR, self.body)
                for n, text in enumerate(cell):
                    self.canvas.drawString(columns[index], top - (n + 1) * lead - 0.5, text)
            self.y = top - height
            self.canvas.setLineWidth(0.4)
            self.canvas.line(self.left, self.y + 1, self.right, self.y + 1)
        self.y -= 2

    def _table_head(self, headings: Sequence[str], columns: Sequence[float]) -> None:
        self.y -= self.body + 4
        self.canvas.setFont(BOLD, self.body)
        for heading, x in zip(headings, columns, strict=True):
            self.canvas.drawString(x, self.y, heading)
        self.y -= 4
        self.rule(0.9, gap=1.0)

    def finish(self, footer: str) -> None:
        self._footer = footer
        self._draw_footer()
        self.canvas.showPage()

    # -- pages --------------------------------------------------------------------------------

    def _need(
        self,
        height: float,
        continue_with: tuple[Sequence[str], Sequence[float]] | None = None,
    ) -> bool:
        """Start a new page when `height` does not fit; True if it did."""
        if self.y - height >= self.bottom:
            return False
        self._draw_footer()
        self.canvas.showPage()
        self.y = self.height - self.margin
        self.canvas.setFont(BOLD, self.body)
        self.y -= self.body
        heading = _fit(self._heading, BOLD, self.body, 200)
        self.canvas.drawString(self.left, self.y, f"{heading} (continued)")
        self.y -= 6
        self.rule(0.9)
        if continue_with is not None:
            self._table_head(*continue_with)
        return True

    def _draw_footer(self) -> None:
        c = self.canvas
        y = self.margin
        c.setLineWidth(0.6)
        c.line(self.left, y + self.small + 3, self.right, y + self.small + 3)
        c.setFont(REGULAR, self.small)
        footer_width = (self.right - self.left) * 0.7
        c.drawString(self.left, y, _fit(self._footer, REGULAR, self.small, footer_width))
        c.drawRightString(self.right, y, f"page {c.getPageNumber()}")


def _fit(text: str, font: str, size: float, width: float) -> str:
    """`text` cut with an ellipsis so it fits `width` points."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"
