"""Our documents: golden images, the scan-to-print barcode, hostile text, pagination, pick lists."""

from __future__ import annotations

from datetime import UTC, datetime

import pypdfium2 as pdfium
import pytest

from clickdrop_desktop.api.models import Order
from printing.document_layout import clean
from printing.documents import (
    DocumentLine,
    DocumentOrder,
    order_barcode_payload,
    packing_slip,
    parse_order_barcode,
    pick_list,
    pick_rows,
)
from printing.raster import A4, RasterOptions, rasterise_pdf
from tests.unit.printing.helpers import assert_golden, barcodes
from tests.unit.printing.samples import TRACKING, document_order

A4_203 = RasterOptions(media=A4, crop="none")


def _text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def test_golden_packing_slip_6x4() -> None:
    [bitmap] = rasterise_pdf(packing_slip(document_order(), size="4x6"))
    assert_golden(bitmap, "packing_slip_6x4_203dpi")


def test_golden_despatch_note_a4() -> None:
    [bitmap] = rasterise_pdf(packing_slip(document_order(), title="Despatch note"), A4_203)
    assert_golden(bitmap, "despatch_note_a4_203dpi")


def test_golden_pick_list_a4() -> None:
    orders = [document_order(1234567), document_order(7654321)]
    pdf = pick_list(orders, created=datetime(2026, 11, 28, 9, 30, tzinfo=UTC))
    [bitmap] = rasterise_pdf(pdf, A4_203)
    assert_golden(bitmap, "pick_list_a4_203dpi")


@pytest.mark.parametrize("size", ["4x6", "a4"])
def test_order_barcode_scans_at_thermal_resolution(size: str) -> None:
    options = RasterOptions() if size == "4x6" else A4_203
    [bitmap] = rasterise_pdf(packing_slip(document_order(98765432), size=size), options)  # type: ignore[arg-type]
    found = barcodes(bitmap)
    assert found.get("CD:98765432") == "Code128"
    assert parse_order_barcode(next(iter(found.keys() - {TRACKING}))) == 98765432


def test_barcode_payload_rules() -> None:
    assert order_barcode_payload(42) == "CD:42"
    assert parse_order_barcode("CD:42") == 42
    assert parse_order_barcode(" cd:00042\r") == 42
    assert parse_order_barcode(TRACKING) is None  # a tracking number is not ours
    assert parse_order_barcode("CD:") is None
    assert parse_order_barcode("CD:12a") is None
    with pytest.raises(ValueError, match="negative"):
        order_barcode_payload(-1)


def test_hostile_text_renders_as_text_and_never_breaks_the_pdf() -> None:
    pdf = packing_slip(document_order(hostile=True))
    text = _text(pdf)
    assert "^XZ^XA^FO0,0^FDPWNED^FS~JR" in text  # printed literally, as the customer typed it
    assert "<b>bold</b>" in text  # markup is text, not markup
    assert "\x1b" not in text
    assert "\u202e" not in text  # no bidi override reaches the page
    first = rasterise_pdf(packing_slip(document_order(hostile=True), size="4x6"))[0]
    assert barcodes(first).get("CD:1234567") == "Code128"


@pytest.mark.parametrize("size", ["4x6", "a4"])
def test_long_orders_continue_on_more_pages(size: str) -> None:
    lines = tuple(DocumentLine(i, f"SKU-{i}", f"Item {i} " * (i % 7 + 1)) for i in range(1, 90))
    pdf = packing_slip(DocumentOrder(order_identifier=7, lines=lines), size=size)  # type: ignore[arg-type]
    document = pdfium.PdfDocument(pdf)
    pages = len(document)
    document.close()
    assert pages >= 2
    text = _text(pdf)
    assert "SKU-89" in text
    assert "(continued)" in text
    assert f"page {pages}" in text


def test_from_order_without_details_explains_what_is_missing() -> None:
    order = Order.from_api(
        {
            "orderIdentifier": 555,
            "orderReference": "REF-555",
            "createdOn": "2026-11-20T10:00:00Z",
            "trackingNumber": TRACKING,
        }
    )
    text = _text(packing_slip(order))
    assert "REF-555" in text
    assert "ChannelShipper" in text
    assert "(no address)" in text


def test_pick_rows_sum_by_sku_in_natural_order() -> None:
    a = DocumentOrder(
        1, "A", lines=(DocumentLine(2, "SKU-10", "Ten"), DocumentLine(1, "SKU-2", "Two"))
    )
    b = DocumentOrder(2, "B", lines=(DocumentLine(3, "SKU-2", "Two"), DocumentLine(1, "", "Loose")))
    rows = pick_rows([a, b])
    assert [(r.sku, r.quantity, r.orders) for r in rows] == [
        ("SKU-2", 4, ("A", "B")),
        ("SKU-10", 2, ("A",)),
        ("", 1, ("B",)),
    ]


def test_clean_maps_to_the_font() -> None:
    # Bitstream Vera has Ł, ó and ë but not ź or ő: those fall back to their base letter.
    assert clean("Łódź Zoë ő", 50) == "Łódz Zoë o"
    assert clean("東京 café", 50) == "?? café"
    assert clean("a\x00b\u202ec", 50) == "abc"
    assert clean("  padded  ", 50) == "padded"
    assert clean(None, 5) == ""
