"""One document (PDF) to the bytes one printer takes: render at its true dpi/media, then encode.

`render()` is the one render function: the label preview shows exactly the bitmaps the encoder
gets (STYLE.md: render apart from transport). Raster printers (ESC/POS, ZPL, TSPL) get the PDF
rasterised at the URI's dpi onto its media; `pdf` printers (office printers through the OS
queue) get the PDF itself: a 6x4 label on A4 paper is placed on a sheet (1-up with cut marks,
or 4-up from a start position), never rasterised.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Literal

import pypdfium2 as pdfium

from printing.bitmap import Bitmap
from printing.encoders import EncodeError
from printing.encoders.escpos import DEFAULT_FRAGMENT_HEIGHT, encode_escpos
from printing.encoders.pdf import encode_pdf
from printing.encoders.tspl import encode_tspl
from printing.encoders.zpl import encode_zpl
from printing.raster import (
    MM_PER_INCH,
    PDFIUM_LOCK,
    POINTS_PER_INCH,
    RasterError,
    RasterOptions,
    rasterise_pdf,
)
from printing.sheets import LAYOUTS, SheetError, compose_sheets
from printing.uri import PrinterUri

#: Documents Click & Drop makes (`GET /orders/{ids}/label`); fetched once, then cached.
API_DOCUMENTS = ("postageLabel", "despatchNote", "CN22", "CN23")
#: Documents we draw ourselves from the cached order (printing/documents.py).
OWN_DOCUMENTS = ("packingSlip",)
DOCUMENT_TYPES = API_DOCUMENTS + OWN_DOCUMENTS
DEFAULT_TSPL_GAP_MM = 3.0
_LABEL_SLACK_MM = 6.0  # a page this close to the media's size is "label sized"


@dataclass(frozen=True, slots=True)
class SheetOptions:
    """How a label-sized page goes onto A4 for a `pdf` printer with `media=a4`.

    `layout` is one of printing.sheets.LAYOUTS (`a4-1up`, `a4-4up`, `l7169`); `start` the first
    free slot on a part-used sheet; `nudge_mm` corrects the printer's paper feed.
    """

    layout: str = "a4-1up"
    start: int = 1
    nudge_mm: tuple[float, float] = (0.0, 0.0)

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise SheetError(f"unknown sheet layout {self.layout!r}: use {', '.join(LAYOUTS)}")


@dataclass(frozen=True, slots=True)
class PdfInfo:
    page_count: int
    width_mm: float  # of the first page
    height_mm: float


def pdf_info(pdf: bytes) -> PdfInfo:
    """Page count and first page size; `RasterError` if it is not a readable PDF."""
    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(pdf)
        except pdfium.PdfiumError as exc:
            raise RasterError(f"not a readable PDF ({exc})") from None
        try:
            if len(document) == 0:
                raise RasterError("the PDF has no pages")
            width, height = document.get_page_size(0)
            return PdfInfo(len(document), _mm(width), _mm(height))
        finally:
            document.close()


def _mm(points: float) -> float:
    return round(points / POINTS_PER_INCH * MM_PER_INCH, 1)


def document_size(uri: PrinterUri) -> Literal["a4", "4x6"]:
    """The size we draw our own documents at for this printer."""
    return "a4" if uri.media.name == "a4" else "4x6"


def raster_options(uri: PrinterUri) -> RasterOptions:
    return RasterOptions(dpi=uri.dpi, media=uri.media)


def render(pdf: bytes, uri: PrinterUri, *, sheet: SheetOptions | None = None) -> list[Bitmap]:
    """What the printer at `uri` prints for `pdf`, as bitmaps (one per label or page).

    For raster printers these are exactly the bitmaps the encoder turns into bytes. For `pdf`
    printers it is the page the OS queue gets, rasterised at the URI's dpi (a picture of it).
    """
    if uri.language == "pdf":
        page = pdf_document(pdf, uri, copies=1, sheet=sheet)
        return rasterise_pdf(
            page, RasterOptions(dpi=uri.dpi, media=uri.media, crop="none", scale_up=True)
        )
    return rasterise_pdf(pdf, raster_options(uri))


def encode_bitmaps(
    bitmaps: list[Bitmap], uri: PrinterUri, *, copies: int = 1, title: str | None = None
) -> bytes:
    """Bitmaps to the URI's language, with its options (darkness, speed, gap, profile, cut)."""
    if not 1 <= copies <= 999:
        raise EncodeError(f"copies must be 1..999, not {copies}")
    if uri.language == "zpl":
        return encode_zpl(
            bitmaps,
            copies=copies,
            darkness=_int_option(uri, "darkness"),
            speed=_int_option(uri, "speed"),
            title=title,
        )
    if uri.language == "tspl":
        gap = uri.option("gap")
        return encode_tspl(
            bitmaps,
            media=uri.media,
            gap_mm=float(gap) if gap is not None else DEFAULT_TSPL_GAP_MM,
            density=_int_option(uri, "darkness"),
            speed=_int_option(uri, "speed"),
            copies=copies,
        )
    if uri.language == "escpos":
        return encode_escpos(
            bitmaps,
            profile=uri.option("profile"),
            fragment_height=_int_option(uri, "fragment") or DEFAULT_FRAGMENT_HEIGHT,
            cut=uri.option("cut", "yes") == "yes",
            copies=copies,
        )
    raise EncodeError(f"{uri.language} printers take PDF, not bitmaps")


def job_bytes(
    pdf: bytes,
    uri: PrinterUri,
    *,
    copies: int = 1,
    title: str | None = None,
    sheet: SheetOptions | None = None,
) -> bytes:
    """The whole job for the printer at `uri`: the bytes its transport sends."""
    if uri.language == "pdf":
        return pdf_document(pdf, uri, copies=copies, sheet=sheet)
    return encode_bitmaps(render(pdf, uri), uri, copies=copies, title=title)


def pdf_document(
    pdf: bytes, uri: PrinterUri, *, copies: int = 1, sheet: SheetOptions | None = None
) -> bytes:
    """The PDF an office printer gets: label-sized pages on A4 sheets, else fitted to the paper."""
    if not 1 <= copies <= 999:
        raise EncodeError(f"copies must be 1..999, not {copies}")
    info = pdf_info(pdf)
    media = uri.media
    label_sized = info.width_mm * info.height_mm < 0.5 * media.width_mm * media.height_mm
    if media.name == "a4" and label_sized:
        options = sheet or SheetOptions()
        return compose_sheets(
            [pdf] * copies,
            layout=LAYOUTS[options.layout],
            start=options.start,
            nudge_mm=options.nudge_mm,
        )
    fits = _same_size(info, media.width_mm, media.height_mm)
    fitted = pdf if fits else encode_pdf(pdf, media=media)
    return fitted if copies == 1 else _repeat(fitted, copies)


def _same_size(info: PdfInfo, width_mm: float, height_mm: float) -> bool:
    return (
        abs(info.width_mm - width_mm) <= _LABEL_SLACK_MM
        and abs(info.height_mm - height_mm) <= _LABEL_SLACK_MM
    )


def _repeat(pdf: bytes, copies: int) -> bytes:
    with PDFIUM_LOCK:
        source = pdfium.PdfDocument(pdf)
        merged = pdfium.PdfDocument.new()
        try:
            for _ in range(copies):
                merged.import_pages(source)
            out = io.BytesIO()
            merged.save(out)
            return out.getvalue()
        finally:
            merged.close()
            source.close()


def _int_option(uri: PrinterUri, key: str) -> int | None:
    value = uri.option(key)
    return int(value) if value is not None else None
