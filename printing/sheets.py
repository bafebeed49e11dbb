"""6x4 labels on A4 for office printers: 1-up or 4-up, from a chosen start position.

Pages are placed as vector form XObjects (PDFium via pypdfium2), never rasterised, so text and
barcodes keep the office printer's full resolution. A label is turned to the slot's
orientation, scaled down only if it does not fit (a 6x4 label in an A4 quarter prints at
97 %), and centred. `nudge_mm` shifts everything to correct a printer's paper feed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from printing.raster import (
    A4,
    MM_PER_INCH,
    PDFIUM_LOCK,
    POINTS_PER_INCH,
    Media,
    MediaSize,
    RasterError,
    media_points,
)

_PT_PER_MM = POINTS_PER_INCH / MM_PER_INCH


class SheetError(ValueError):
    """A sheet request that cannot be met (one line, safe to show)."""


@dataclass(frozen=True, slots=True)
class Slot:
    """A label position on the sheet, in mm from the sheet's top-left corner."""

    x_mm: float
    y_mm: float
    width_mm: float
    height_mm: float


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """A sheet and its label slots, numbered 1.. left to right, top to bottom."""

    name: str
    sheet: Media
    slots: tuple[Slot, ...]


def _quarters(margin: float) -> tuple[Slot, ...]:
    w, h = A4.width_mm / 2, A4.height_mm / 2
    return tuple(
        Slot(col * w + margin, row * h + margin, w - 2 * margin, h - 2 * margin)
        for row in (0, 1)
        for col in (0, 1)
    )


# One 6x4 label, true size, centred on A4: cut it out along the marks.
A4_1UP = SheetLayout("a4-1up", A4, (Slot(54.2, 72.3, 101.6, 152.4),))
# Four per sheet in the quarters of plain A4 (Click & Drop's own "A4, 4 per page" shape),
# with a 2 mm margin inside each quarter so nothing lands in a printer's unprintable edge.
A4_4UP = SheetLayout("a4-4up", A4, _quarters(2.0))
# Avery L7169 and compatibles: 4 labels of 99.1 x 139 mm, 4.65 mm side and 9.5 mm top margin.
L7169 = SheetLayout(
    "l7169",
    A4,
    tuple(
        Slot(4.65 + col * 101.6, 9.5 + row * 139.0, 99.1, 139.0) for row in (0, 1) for col in (0, 1)
    ),
)
LAYOUTS = {layout.name: layout for layout in (A4_1UP, A4_4UP, L7169)}


def compose_sheets(
    label_pdfs: Sequence[bytes],
    *,
    layout: SheetLayout = A4_4UP,
    start: int = 1,
    nudge_mm: tuple[float, float] = (0.0, 0.0),
    cut_marks: bool | None = None,
) -> bytes:
    """Every page of every PDF in `label_pdfs` placed on as many sheets as needed.

    `start` (1-based) is the first free slot on the first sheet, for part-used label sheets.
    `cut_marks` (default: only for 1-up) draws corner marks to cut a label out along.
    """
    if not 1 <= start <= len(layout.slots):
        raise SheetError(f"start position must be 1..{len(layout.slots)}, not {start}")
    marks = len(layout.slots) == 1 if cut_marks is None else cut_marks
    sheet_w, sheet_h = layout.sheet.points
    with PDFIUM_LOCK:
        sources = [_open(pdf) for pdf in label_pdfs]
        dest = pdfium.PdfDocument.new()
        try:
            position = start - 1
            page: pdfium.PdfPage | None = None
            for source in sources:
                for index in range(len(source)):
                    if page is None:
                        page = dest.new_page(sheet_w, sheet_h)
                    elif position == len(layout.slots):
                        page.gen_content()
                        page = dest.new_page(sheet_w, sheet_h)
                        position = 0
                    slot = layout.slots[position]
                    _place(dest, page, source, index, slot, sheet_h, nudge_mm)
                    if marks:
                        _cut_marks(page, slot, sheet_h, nudge_mm)
                    position += 1
            if page is None:
                raise SheetError("nothing to place: no label pages")
            page.gen_content()
            return _save(dest)
        finally:
            dest.close()
            for source in sources:
                source.close()


def fit_pdf_to_media(pdf: bytes, media: MediaSize) -> bytes:
    """Each page of `pdf` on a page of `media`'s size: turned to match, scaled down, centred."""
    slot = Slot(0.0, 0.0, media.width_mm, media.height_mm)
    page_w, page_h = media_points(media)
    with PDFIUM_LOCK:
        source = _open(pdf)
        dest = pdfium.PdfDocument.new()
        try:
            for index in range(len(source)):
                page = dest.new_page(page_w, page_h)
                _place(dest, page, source, index, slot, page_h, (0.0, 0.0))
                page.gen_content()
            return _save(dest)
        finally:
            dest.close()
            source.close()


def _open(pdf: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as exc:
        raise RasterError(f"not a readable PDF ({exc})") from None


def _save(document: pdfium.PdfDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _place(
    dest: pdfium.PdfDocument,
    page: pdfium.PdfPage,
    source: pdfium.PdfDocument,
    index: int,
    slot: Slot,
    sheet_h: float,
    nudge_mm: tuple[float, float],
) -> None:
    src_page = source[index]
    try:
        label_w, label_h = src_page.get_size()
    finally:
        src_page.close()
    slot_w, slot_h = slot.width_mm * _PT_PER_MM, slot.height_mm * _PT_PER_MM
    turn = (label_w > label_h) != (slot_w > slot_h) and abs(label_w - label_h) > 1.0
    placed_w, placed_h = (label_h, label_w) if turn else (label_w, label_h)
    scale = min(1.0, slot_w / placed_w, slot_h / placed_h)
    # Slot origin in PDF space (bottom-left origin), centred, plus the feed correction.
    x = (slot.x_mm + nudge_mm[0]) * _PT_PER_MM + (slot_w - placed_w * scale) / 2
    y = sheet_h - (slot.y_mm + nudge_mm[1]) * _PT_PER_MM - slot_h + (slot_h - placed_h * scale) / 2
    matrix = pdfium.PdfMatrix()
    if turn:
        # Clockwise quarter turn maps the page to x in [0, h], y in [-w, 0]; lift it back up.
        matrix = matrix.rotate(90).translate(0, label_w)
    matrix = matrix.scale(scale, scale).translate(x, y)
    form = source.page_as_xobject(index, dest).as_pageobject()
    form.transform(matrix)
    page.insert_obj(form)


def _cut_marks(
    page: pdfium.PdfPage, slot: Slot, sheet_h: float, nudge_mm: tuple[float, float]
) -> None:
    """Short hairline corner marks just outside the slot, to cut a 1-up label out straight."""
    length, gap = 4 * _PT_PER_MM, 1 * _PT_PER_MM
    left = (slot.x_mm + nudge_mm[0]) * _PT_PER_MM
    top = sheet_h - (slot.y_mm + nudge_mm[1]) * _PT_PER_MM
    right = left + slot.width_mm * _PT_PER_MM
    bottom = top - slot.height_mm * _PT_PER_MM
    for cx, cy, dx, dy in (
        (left, top, -1, 1),
        (right, top, 1, 1),
        (left, bottom, -1, -1),
        (right, bottom, 1, -1),
    ):
        for x0, y0, x1, y1 in (
            (cx + dx * gap, cy, cx + dx * (gap + length), cy),
            (cx, cy + dy * gap, cx, cy + dy * (gap + length)),
        ):
            _line(page, x0, y0, x1, y1)


def _line(page: pdfium.PdfPage, x0: float, y0: float, x1: float, y1: float) -> None:
    # pypdfium2 has no helper for paths; these are PDFium's own C calls.
    obj = raw.FPDFPageObj_CreateNewPath(x0, y0)
    raw.FPDFPath_LineTo(obj, x1, y1)
    raw.FPDFPageObj_SetStrokeColor(obj, 0, 0, 0, 255)
    raw.FPDFPageObj_SetStrokeWidth(obj, 0.3)
    raw.FPDFPath_SetDrawMode(obj, raw.FPDF_FILLMODE_NONE, True)
    raw.FPDFPage_InsertObject(page.raw, obj)
