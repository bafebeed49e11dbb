"""Label PDFs: page formats, one page per document, and barcodes that really scan."""

from __future__ import annotations

import copy

import pypdfium2 as pdfium
import pytest
import zxingcpp

from clickdrop_desktop.sandbox import hostile
from clickdrop_desktop.sandbox.accounts import LabelFormat, default_accounts
from clickdrop_desktop.sandbox.data import SeededData, hostile_kind
from clickdrop_desktop.sandbox.documents import render_manifest
from clickdrop_desktop.sandbox.labels import render_documents, returns_tracking
from clickdrop_desktop.sandbox.records import OrderRecord

MM = 72 / 25.4


def _printed(account_index: int, count: int = 200) -> tuple[list[OrderRecord], SeededData]:
    account = default_accounts()[account_index]
    data = SeededData(1, account, count)
    return [data.order(p) for p in range(count) if data.order(p).tracking], data


def _decode(pdf: bytes, page: int, dpi: int) -> list[zxingcpp.Barcode]:
    image = pdfium.PdfDocument(pdf)[page].render(scale=dpi / 72).to_pil()
    return list(zxingcpp.read_barcodes(image))


@pytest.mark.parametrize(
    ("account_index", "size_mm"),
    [(1, (101.6, 152.4)), (2, (210.0, 297.0))],
    ids=["6x4", "A4"],
)
def test_page_size_follows_the_account_label_format(
    account_index: int, size_mm: tuple[float, float]
) -> None:
    orders, data = _printed(account_index)
    pdf = render_documents("postageLabel", orders[:3], data.account)
    document = pdfium.PdfDocument(pdf)
    assert pdf.startswith(b"%PDF")
    assert len(document) == 3
    width, height = document[0].get_size()
    assert (round(width / MM, 1), round(height / MM, 1)) == size_mm


@pytest.mark.parametrize("account_index", [1, 2], ids=["6x4", "A4"])
def test_code128_and_datamatrix_decode_to_the_tracking_number(account_index: int) -> None:
    orders, data = _printed(account_index)
    domestic = [o for o in orders if not o.international and hostile_kind(o.position) is None]
    lengths = {len((o.recipient.postcode or "").replace(" ", "")): o for o in domestic}
    assert len(lengths) >= 3  # payloads of different lengths (C40 padding differs)
    pdf = render_documents("postageLabel", list(lengths.values()), data.account)
    for page, order in enumerate(lengths.values()):
        found = {(b.format, b.text) for b in _decode(pdf, page, 203)}
        assert (zxingcpp.BarcodeFormat.Code128, order.tracking) in found
        matrix = [t.rstrip() for fmt, t in found if fmt == zxingcpp.BarcodeFormat.DataMatrix]
        postcode = (order.recipient.postcode or "").replace(" ", "")
        assert matrix == [f"JGB {order.tracking} {postcode}"]


def test_returns_label_and_cn22_pages_are_added() -> None:
    orders, data = _printed(1, 400)
    abroad = next(o for o in orders if o.international and hostile_kind(o.position) is None)
    home = next(o for o in orders if not o.international)
    pdf = render_documents(
        "postageLabel", [home, abroad], data.account, include_returns=True, include_cn=True
    )
    # home: label + returns; abroad: label + returns + CN22
    assert len(pdfium.PdfDocument(pdf)) == 5
    texts = {b.text for b in _decode(pdf, 1, 203)}
    assert returns_tracking(home) in texts
    cn22 = pdfium.PdfDocument(pdf)[4].get_textpage().get_text_range()
    assert "CN 22" in cn22


@pytest.mark.parametrize("document", ["despatchNote", "CN22", "CN23"])
def test_other_documents_render_one_page_or_more_per_order(document: str) -> None:
    orders, data = _printed(1)
    pdf = render_documents(document, orders[:2], data.account)
    pages = pdfium.PdfDocument(pdf)
    assert len(pages) >= 2
    text = pages[0].get_textpage().get_text_range()
    expected = {"despatchNote": "Despatch note", "CN22": "CN 22", "CN23": "CN 23"}[document]
    assert expected in text


@pytest.mark.parametrize("label_format", [LabelFormat.THERMAL_6X4, LabelFormat.A4])
def test_every_hostile_order_renders_every_document(label_format: LabelFormat) -> None:
    account = copy.copy(default_accounts()[1])
    account.label_format = label_format
    data = SeededData(1, account, 200)
    records = [data.order(p) for p in range(200) if hostile_kind(p)]
    assert {hostile_kind(r.position) for r in records} == set(hostile.HOSTILE_KINDS)
    for record in records:
        record.tracking = record.tracking or "TT000000000GB"
    for document in ("postageLabel", "despatchNote", "CN22", "CN23"):
        pdf = render_documents(document, records, account, include_returns=True)
        assert len(pdfium.PdfDocument(pdf)) >= len(records)


def test_hostile_text_is_drawn_visibly_not_executed() -> None:
    orders, data = _printed(1, 400)
    escpos = next(o for o in orders if hostile_kind(o.position) == "escpos")
    text = pdfium.PdfDocument(render_documents("postageLabel", [escpos], data.account))[0]
    shown = text.get_textpage().get_text_range()
    assert "\x1b" not in shown
    assert "Bob<ESC>@" in shown  # ESC drawn as a visible tag
    assert "<GS>V<NUL>Cut" in shown


def test_manifest_pdf_lists_every_order_over_pages() -> None:
    rows = [(1000 + i, f"REF-{i}", f"TT{i:09d}GB", "Royal Mail Tracked 24") for i in range(120)]
    pdf = render_manifest(5001, default_accounts()[1], rows)
    pages = pdfium.PdfDocument(pdf)
    assert len(pages) == 3
    text = "".join(pages[i].get_textpage().get_text_range() for i in range(3))
    assert all(f"TT{i:09d}GB" in text for i in range(120))
    barcodes = {b.text for b in _decode(pdf, 0, 150)}
    assert "M5001" in barcodes
