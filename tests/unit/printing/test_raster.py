"""PDF -> 1-bit bitmaps: true resolution, threshold, rotation, fit, A4 crop, golden images."""

from __future__ import annotations

import pytest
from PIL import Image

from printing.bitmap import Bitmap, BitmapError
from printing.raster import (
    A4,
    LABEL_4X6,
    Media,
    RasterError,
    RasterOptions,
    fit_image,
    media_dots,
    rasterise_pdf,
    threshold_image,
)
from printing.sheets import A4_1UP, A4_4UP, compose_sheets
from tests.unit.printing.helpers import assert_golden, barcodes
from tests.unit.printing.samples import TRACKING, label_on_a4_pdf, label_pdf


@pytest.mark.parametrize(("dpi", "size"), [(203, (812, 1218)), (300, (1200, 1800))])
def test_6x4_label_at_true_resolution_with_a_readable_barcode(
    dpi: int, size: tuple[int, int]
) -> None:
    [bitmap] = rasterise_pdf(label_pdf(), RasterOptions(dpi=dpi))
    assert (bitmap.width, bitmap.height) == size
    assert bitmap.dpi == dpi
    assert bitmap.row_bytes == (size[0] + 7) // 8  # 812 dots -> 102 bytes, padded
    found = barcodes(bitmap)
    assert found.get(TRACKING) == "Code128"
    assert any(text.startswith("JGB 62") for text in found)  # the Data Matrix too


def test_golden_label_203dpi() -> None:
    [bitmap] = rasterise_pdf(label_pdf())
    assert_golden(bitmap, "label_6x4_203dpi")


def test_threshold_never_dithers() -> None:
    # A flat 50 % grey would become a checkerboard under error diffusion; thresholding keeps
    # every pixel of one value on the same side of the cut.
    grey = Image.new("L", (64, 64), 100)
    assert threshold_image(grey, 128).getcolors() == [(64 * 64, 0)]
    light = Image.new("L", (64, 64), 200)
    assert threshold_image(light, 128).getcolors() == [(64 * 64, 255)]


def test_landscape_label_is_turned_onto_portrait_media() -> None:
    [bitmap] = rasterise_pdf(label_pdf(landscape=True))
    assert (bitmap.width, bitmap.height) == (812, 1218)
    assert TRACKING in barcodes(bitmap)


def test_explicit_rotation_180_keeps_the_size() -> None:
    [upright] = rasterise_pdf(label_pdf())
    [turned] = rasterise_pdf(label_pdf(), RasterOptions(rotate=180))
    assert (turned.width, turned.height) == (812, 1218)
    image = upright.to_image().transpose(Image.Transpose.ROTATE_180)
    assert Bitmap.from_image(image).same_dots(turned)


def test_label_on_a4_is_cropped_to_the_label() -> None:
    [bitmap] = rasterise_pdf(label_on_a4_pdf(x_mm=20, y_mm=30))
    assert (bitmap.width, bitmap.height) == (812, 1218)
    assert TRACKING in barcodes(bitmap)
    [direct] = rasterise_pdf(label_pdf(address=("NR21 0AB",)))
    # Same label, found on A4: the same drawing within a dot or two of placement.
    assert abs(bitmap.ink_dots() - direct.ink_dots()) / direct.ink_dots() < 0.03


def test_label_cut_out_of_a_1_up_sheet_with_cut_marks() -> None:
    sheet = compose_sheets([label_pdf()], layout=A4_1UP)
    [bitmap] = rasterise_pdf(sheet)
    assert (bitmap.width, bitmap.height) == (812, 1218)
    assert TRACKING in barcodes(bitmap)


def test_four_up_a4_sheet_yields_each_label() -> None:
    trackings = ["AA000000011GB", "AA000000025GB", "AA000000039GB", "AA000000042GB"]
    sheet = compose_sheets([label_pdf(t) for t in trackings], layout=A4_4UP)
    bitmaps = rasterise_pdf(sheet)
    assert [barcodes(b).get(t) for b, t in zip(bitmaps, trackings, strict=True)] == ["Code128"] * 4


def test_a4_page_printed_on_a4_media_is_not_cropped() -> None:
    options = RasterOptions(media=A4, dpi=203)
    [bitmap] = rasterise_pdf(label_on_a4_pdf(), options)
    assert (bitmap.width, bitmap.height) == media_dots(A4, 203)


def test_crop_none_fits_the_whole_a4_page_scaled_down() -> None:
    [bitmap] = rasterise_pdf(label_on_a4_pdf(), RasterOptions(crop="none"))
    assert (bitmap.width, bitmap.height) == (812, 1218)
    assert bitmap.ink_dots() > 0


def test_small_label_is_centred_not_stretched() -> None:
    pdf = label_pdf(page=(2 * 72, 3 * 72))
    [bitmap] = rasterise_pdf(pdf)
    assert (bitmap.width, bitmap.height) == (812, 1218)
    box = bitmap.to_image().point(lambda v: 255 - v).getbbox()
    assert box is not None
    width, height = box[2] - box[0], box[3] - box[1]
    assert width <= 2 * 203  # 1:1, not enlarged
    assert height <= 3 * 203
    # The 2x3 in page sits in the middle of the 4x6 media: x 203..609, y 304..913.
    assert box[0] >= 203
    assert box[1] >= 304
    assert box[2] <= 609
    assert box[3] <= 914


def test_media_parse() -> None:
    assert Media.parse("4x6") == LABEL_4X6
    assert Media.parse(" 6x4 ") == LABEL_4X6
    assert Media.parse("A4") == A4
    custom = Media.parse("100x150mm")
    assert (custom.width_mm, custom.height_mm) == (100.0, 150.0)
    assert media_dots(custom, 203) == (799, 1199)
    assert Media.parse("2x1in").width_mm == 50.8
    with pytest.raises(ValueError, match="unknown media"):
        Media.parse("letter")
    with pytest.raises(ValueError, match="outside"):
        Media.parse("1x9999mm")


def test_media_dots_4_inch_is_812_at_203() -> None:
    assert media_dots(LABEL_4X6, 203) == (812, 1218)
    assert media_dots(LABEL_4X6, 300) == (1200, 1800)


@pytest.mark.parametrize("data", [b"", b"not a pdf", b"%PDF-1.4\n%broken"])
def test_unreadable_pdf_is_one_clear_error(data: bytes) -> None:
    with pytest.raises(RasterError, match="not a readable PDF"):
        rasterise_pdf(data)


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="dpi"):
        RasterOptions(dpi=10)
    with pytest.raises(ValueError, match="threshold"):
        RasterOptions(threshold=0)


def test_fit_image_thresholds_rotates_and_centres() -> None:
    picture = Image.new("L", (300, 100), 255)
    picture.paste(0, (10, 10, 290, 90))
    bitmap = fit_image(picture)
    assert (bitmap.width, bitmap.height) == (812, 1218)
    assert bitmap.ink_dots() == 280 * 80  # rotated, same dots


def test_bitmap_round_trip_and_validation() -> None:
    image = Image.new("1", (10, 3), 1)
    image.putpixel((0, 0), 0)
    image.putpixel((9, 2), 0)
    bitmap = Bitmap.from_image(image)
    assert bitmap.data == bytes([0x80, 0x00, 0, 0, 0x00, 0x40])
    assert bitmap.padded().width == 16
    assert bitmap.same_dots(bitmap.padded())
    assert bitmap.to_image().tobytes() == image.tobytes()
    assert bitmap.ink_dots() == 2
    with pytest.raises(BitmapError):
        Bitmap(10, 3, b"\x00")
    with pytest.raises(BitmapError):
        Bitmap(0, 3, b"")


@pytest.mark.parametrize(("width", "extra_rows"), [(812, 1), (812, 2), (1200, 1), (21, 3)])
def test_overhanging_rows_are_trimmed_exactly_as_placing_does(width: int, extra_rows: int) -> None:
    # A render a row or two taller than the media (a 6 in page at 300 dpi is 1801 rows) is
    # trimmed from the packed rows; it must be the same dots as centring it on a canvas.
    from random import Random

    from printing import raster

    height = 40
    noise = Random(width * 31 + extra_rows).randbytes(width * (height + extra_rows))
    mono = Image.frombytes("L", (width, height + extra_rows), noise).point(
        [0] * 128 + [255] * 128, "1"
    )
    fast = raster._placed_bitmap(mono, width, height, 300)
    placed = Bitmap.from_image(raster._place(mono, width, height), dpi=300)
    assert fast == placed
    assert (fast.width, fast.height, fast.dpi) == (width, height, 300)


def test_300dpi_label_is_exactly_the_media_in_dots() -> None:
    [bitmap] = rasterise_pdf(label_pdf(), RasterOptions(dpi=300))
    assert (bitmap.width, bitmap.height) == (1200, 1800)
    assert barcodes(bitmap).get(TRACKING) == "Code128"
