"""Label PDF -> 1-bit bitmaps at the printer's true resolution: threshold, rotate, fit, crop.

Renderer: PDFium through pypdfium2, chosen by measurement (`tests/bench/bench_print.py`, a
sandbox 6x4 label at 203 dpi, medians in one run): about 6 ms to a thresholded 1-bit bitmap,
against 11-14 ms for `pdftoppm -mono -r 203` on the same file (most of that is starting a
process per page; ratio 0.47-0.54). Qt's QtPdf is not in PySide6-Essentials (it ships in
PySide6-Addons) and would put Qt into the print path; poppler has no binding we ship.

Why thresholding and not dithering: a thermal head prints dots or nothing, and error diffusion
scatters dots along barcode edges, which makes bars ragged and scans fail. Text and paths are
rendered anti-aliased and then cut at 50 % grey (a dot where the shape covers at least half of
it, so bar widths are right to the nearest dot); images are scaled nearest-neighbour
(`no_smoothimage`) so barcodes embedded as images stay crisp.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Literal, Protocol

import pypdfium2 as pdfium
from PIL import Image

from printing.bitmap import INK_RAWMODE, Bitmap
from printing.label_finder import Region, find_labels

MM_PER_INCH = 25.4
POINTS_PER_INCH = 72.0

# PDFium is not thread-safe (pypdfium2 docs: "not safe to call concurrently"); a render in a
# print worker and a preview in another thread take turns.
PDFIUM_LOCK = threading.Lock()


class RasterError(Exception):
    """A document that cannot be turned into a label bitmap (one line, safe to show)."""


class MediaSize(Protocol):
    """Anything with a size in mm: our `Media`, or the `Media` of a parsed printer URI."""

    @property
    def width_mm(self) -> float: ...

    @property
    def height_mm(self) -> float: ...


def media_dots(media: MediaSize, dpi: int) -> tuple[int, int]:
    """Width and height in printer dots; 4 in at 203 dpi is 812 dots."""
    return (
        round(media.width_mm / MM_PER_INCH * dpi),
        round(media.height_mm / MM_PER_INCH * dpi),
    )


def media_points(media: MediaSize) -> tuple[float, float]:
    """Width and height in PDF points (1/72 in)."""
    return (
        media.width_mm / MM_PER_INCH * POINTS_PER_INCH,
        media.height_mm / MM_PER_INCH * POINTS_PER_INCH,
    )


@dataclass(frozen=True, slots=True)
class Media:
    """The label stock loaded in the printer: width across the head, height along the feed."""

    width_mm: float
    height_mm: float
    name: str = ""

    @classmethod
    def parse(cls, text: str) -> Media:
        """`4x6` / `6x4` (inches, fed portrait), `a4`, `a6`, or `WxHmm` such as `100x150mm`."""
        key = text.strip().lower().replace(" ", "")
        if key in _NAMED_MEDIA:
            return _NAMED_MEDIA[key]
        match = _MEDIA_RE.fullmatch(key)
        if not match:
            raise ValueError(f"unknown media {text!r}: use 4x6, a4, a6 or WxHmm (e.g. 100x150mm)")
        width, height, unit = float(match[1]), float(match[2]), match[3] or "mm"
        factor = MM_PER_INCH if unit == "in" else 1.0
        if not (5 <= width * factor <= 500 and 5 <= height * factor <= 2000):
            raise ValueError(f"media {text!r} is outside 5..500 mm wide, 5..2000 mm long")
        return cls(round(width * factor, 2), round(height * factor, 2), key)

    def dots(self, dpi: int) -> tuple[int, int]:
        return media_dots(self, dpi)

    @property
    def points(self) -> tuple[float, float]:
        return media_points(self)


LABEL_4X6 = Media(101.6, 152.4, "4x6")
A4 = Media(210.0, 297.0, "a4")
A6 = Media(105.0, 148.0, "a6")
_NAMED_MEDIA = {"4x6": LABEL_4X6, "6x4": LABEL_4X6, "4x6in": LABEL_4X6, "a4": A4, "a6": A6}
_MEDIA_RE = re.compile(r"(\d+(?:\.\d+)?)x(\d+(?:\.\d+)?)(mm|in)?")

Rotation = Literal["auto", 0, 90, 180, 270]


@dataclass(frozen=True, slots=True)
class RasterOptions:
    """How to turn a page into dots.

    `threshold`: grey levels below it (0..255) become a dot. `rotate`: degrees clockwise, or
    "auto" to turn a landscape label onto portrait media (and back). `crop`: "auto" finds the
    label(s) on a page much larger than the media (a 6x4 label on A4, or four of them 2x2);
    "none" fits the whole page. A page is never scaled up unless `scale_up`, and it is scaled
    down only when it does not fit, so a label of the media's size prints dot for dot.
    """

    dpi: int = 203
    media: MediaSize = field(default=LABEL_4X6)
    threshold: int = 128
    rotate: Rotation = "auto"
    crop: Literal["auto", "none"] = "auto"
    scale_up: bool = False

    def __post_init__(self) -> None:
        if not 72 <= self.dpi <= 1200:
            raise ValueError(f"dpi {self.dpi} is outside 72..1200")
        if not 1 <= self.threshold <= 255:
            raise ValueError(f"threshold {self.threshold} is outside 1..255")


_FIT_TOLERANCE = 0.02  # a page up to 2 % larger than the media prints 1:1, edges trimmed


def rasterise_pdf(pdf: bytes, options: RasterOptions | None = None) -> list[Bitmap]:
    """Every label in `pdf` as a bitmap of exactly the media's size in dots (one per label).

    A page that holds several labels (A4 with four 6x4 labels) yields several bitmaps.
    """
    opts = options or RasterOptions()
    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(pdf)
        except pdfium.PdfiumError as exc:
            raise RasterError(f"not a readable PDF ({exc})") from None
        try:
            if len(document) == 0:
                raise RasterError("the PDF has no pages")
            bitmaps: list[Bitmap] = []
            for index in range(len(document)):
                page = document[index]
                try:
                    bitmaps += _rasterise_page(page, opts)
                finally:
                    page.close()
            return bitmaps
        finally:
            document.close()


def threshold_image(image: Image.Image, threshold: int = 128) -> Image.Image:
    """Grey (or colour) image -> mode "1" by a fixed cut, never by error diffusion."""
    grey = image if image.mode == "L" else image.convert("L")
    return grey.point(_threshold_table(threshold), "1")


def fit_image(image: Image.Image, options: RasterOptions | None = None) -> Bitmap:
    """A ready image (e.g. a preview or a PNG label) onto the media: rotate, threshold, centre.

    Used for pictures that are already at the printer's resolution; it never resamples.
    """
    opts = options or RasterOptions()
    mono = threshold_image(image, opts.threshold)
    media_w, media_h = media_dots(opts.media, opts.dpi)
    mono = _rotate(mono, _rotation_for(mono.width, mono.height, media_w, media_h, opts.rotate))
    return Bitmap.from_image(_place(mono, media_w, media_h), dpi=opts.dpi)


def _rasterise_page(page: pdfium.PdfPage, opts: RasterOptions) -> list[Bitmap]:
    page_w, page_h = page.get_size()
    if page_w <= 0 or page_h <= 0:
        raise RasterError("the PDF has an empty page")
    media_w_pt, media_h_pt = media_points(opts.media)
    regions = [Region(0.0, 0.0, page_w, page_h)]
    if opts.crop == "auto" and page_w * page_h > 1.5 * media_w_pt * media_h_pt:
        regions = find_labels(page, page_w, page_h, media_w_pt, media_h_pt) or regions
    return [_render_region(page, (page_w, page_h), region, opts) for region in regions]


def _render_region(
    page: pdfium.PdfPage, page_size: tuple[float, float], region: Region, opts: RasterOptions
) -> Bitmap:
    media_w, media_h = media_dots(opts.media, opts.dpi)
    degrees = _rotation_for(region.width, region.height, media_w, media_h, opts.rotate)
    turned_w, turned_h = (
        (region.height, region.width) if degrees in (90, 270) else (region.width, region.height)
    )
    base = opts.dpi / POINTS_PER_INCH
    fit = min(media_w / (turned_w * base), media_h / (turned_h * base))
    scale = base
    if fit < 1 - _FIT_TOLERANCE or (opts.scale_up and fit > 1):
        scale = base * fit
    page_w, page_h = page_size
    crop = (region.left, page_h - region.bottom, page_w - region.right, region.top)
    grey = page.render(
        scale=scale,
        crop=crop,
        grayscale=True,
        no_smoothimage=True,
        may_draw_forms=False,
    ).to_pil()
    mono = _rotate(threshold_image(grey, opts.threshold), degrees)
    return _placed_bitmap(mono, media_w, media_h, opts.dpi)


def _rotation_for(
    width: float, height: float, media_w: int, media_h: int, rotate: Rotation
) -> Literal[0, 90, 180, 270]:
    if rotate != "auto":
        return rotate
    # Only turn a clearly landscape label onto clearly portrait media (or the reverse);
    # near-square labels stay as drawn.
    landscape = width > height * 1.05
    portrait = height > width * 1.05
    media_landscape = media_w > media_h * 1.05
    media_portrait = media_h > media_w * 1.05
    return 90 if (landscape and media_portrait) or (portrait and media_landscape) else 0


_TRANSPOSE = {
    90: Image.Transpose.ROTATE_270,  # Pillow's angles are counter-clockwise
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


def _rotate(image: Image.Image, degrees: int) -> Image.Image:
    # Transposes are exact for 1-bit images: no resampling, no lost dots.
    return image if degrees == 0 else image.transpose(_TRANSPOSE[degrees])


def _placed_bitmap(mono: Image.Image, width: int, height: int, dpi: int) -> Bitmap:
    """`Bitmap.from_image(_place(mono, width, height))`, cheaper when only rows overhang."""
    if mono.width == width and mono.height > height:
        # PDFium rounds a 6 in page at 300 dpi up to 1801 rows: trim the packed rows exactly
        # where `_place` would, without a canvas and a paste of the whole label (1 ms).
        top = -((height - mono.height) // 2)
        step = (width + 7) // 8
        data = mono.tobytes("raw", INK_RAWMODE)[top * step : (top + height) * step]
        return Bitmap(width, height, data, dpi)
    return Bitmap.from_image(_place(mono, width, height), dpi=dpi)


def _place(mono: Image.Image, width: int, height: int) -> Image.Image:
    """Centre `mono` on a white canvas of the media size, trimming what overhangs."""
    if mono.size == (width, height):
        return mono
    canvas = Image.new("1", (width, height), 1)
    canvas.paste(mono, ((width - mono.width) // 2, (height - mono.height) // 2))
    return canvas


_TABLES: dict[int, list[int]] = {}


def _threshold_table(threshold: int) -> list[int]:
    table = _TABLES.get(threshold)
    if table is None:
        table = [0] * threshold + [255] * (256 - threshold)
        _TABLES[threshold] = table
    return table
