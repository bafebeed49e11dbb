"""A4 sheets: 1-up and 4-up placement, start position, nudge, overflow onto more sheets."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from printing.raster import A4, RasterError, RasterOptions, rasterise_pdf
from printing.sheets import A4_1UP, A4_4UP, L7169, SheetError, compose_sheets
from tests.unit.printing.helpers import assert_golden, barcodes
from tests.unit.printing.samples import label_pdf

TRACKINGS = ["AA000000011GB", "AA000000025GB", "AA000000039GB", "AA000000042GB", "AA000000056GB"]
A4_PAGE = RasterOptions(media=A4, crop="none", dpi=100)


def _pages(pdf: bytes) -> int:
    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def _occupied(pdf: bytes, page: int = 0) -> list[bool]:
    """Which quarters of an A4 page hold ink, in slot order 1..4."""
    sheet = rasterise_pdf(pdf, A4_PAGE)[page].to_image()
    w, h = sheet.width // 2, sheet.height // 2
    inverted = sheet.point(lambda v: 255 - v)
    return [
        inverted.crop((x, y, x + w, y + h)).getbbox() is not None for y in (0, h) for x in (0, w)
    ]


def test_golden_four_up_sheet() -> None:
    pdf = compose_sheets([label_pdf(t) for t in TRACKINGS[:3]], layout=A4_4UP, start=2)
    [sheet] = rasterise_pdf(pdf, A4_PAGE)
    assert_golden(sheet, "sheet_a4_4up_start2_100dpi")


@pytest.mark.parametrize("start", [1, 2, 3, 4])
def test_start_position_skips_used_slots(start: int) -> None:
    pdf = compose_sheets([label_pdf()], layout=A4_4UP, start=start)
    assert _occupied(pdf) == [slot == start for slot in (1, 2, 3, 4)]


def test_labels_flow_onto_a_second_sheet() -> None:
    pdf = compose_sheets([label_pdf(t) for t in TRACKINGS], layout=A4_4UP, start=3)
    assert _pages(pdf) == 2
    assert _occupied(pdf, 0) == [False, False, True, True]
    assert _occupied(pdf, 1) == [True, True, True, False]
    labels = rasterise_pdf(pdf)  # back to 6x4 at 203 dpi: every label scans
    found = [next(iter(barcodes(b).keys() & set(TRACKINGS))) for b in labels]
    assert found == TRACKINGS


def test_multi_page_label_pdf_places_every_page() -> None:
    writer = pdfium.PdfDocument.new()
    for tracking in TRACKINGS[:2]:
        source = pdfium.PdfDocument(label_pdf(tracking))
        writer.import_pages(source)
        source.close()
    import io

    buffer = io.BytesIO()
    writer.save(buffer)
    writer.close()
    pdf = compose_sheets([buffer.getvalue()], layout=L7169)
    assert _occupied(pdf) == [True, True, False, False]


def test_one_up_is_true_size_and_centred() -> None:
    pdf = compose_sheets([label_pdf()], layout=A4_1UP, nudge_mm=(0, 0))
    [label] = rasterise_pdf(pdf)
    assert (label.width, label.height) == (812, 1218)
    assert barcodes(label)


def test_nudge_moves_the_label() -> None:
    plain = rasterise_pdf(compose_sheets([label_pdf()], layout=A4_4UP), A4_PAGE)[0]
    nudged = rasterise_pdf(
        compose_sheets([label_pdf()], layout=A4_4UP, nudge_mm=(5.08, 2.54)), A4_PAGE
    )[0]
    box = plain.to_image().point(lambda v: 255 - v).getbbox()
    moved = nudged.to_image().point(lambda v: 255 - v).getbbox()
    assert box is not None
    assert moved is not None
    assert (moved[0] - box[0], moved[1] - box[1]) == (20, 10)  # 5.08 mm, 2.54 mm at 100 dpi


def test_errors() -> None:
    with pytest.raises(SheetError, match=r"start position must be 1\.\.4"):
        compose_sheets([label_pdf()], layout=A4_4UP, start=5)
    with pytest.raises(SheetError, match="nothing to place"):
        compose_sheets([], layout=A4_4UP)
    with pytest.raises(RasterError, match="not a readable PDF"):
        compose_sheets([b"nope"], layout=A4_4UP)
