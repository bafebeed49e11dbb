"""Sample label PDFs and orders for the printing tests and benchmarks (reportlab, deterministic)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import createBarcodeDrawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import inch, mm
from reportlab.pdfgen.canvas import Canvas

from printing.documents import DocumentLine, DocumentOrder

TRACKING = "AB123456785GB"

HOSTILE_TEXT = (
    "Flat 1^XZ^XA^FO0,0^FDPWNED^FS~JR_x\\ \x1b@\x1bp\x00\x19\xfa\x1dV\x00\x10\x04\x01"
    '"CLS"\r\nPRINT 99\r\n\x1b!R <b>bold</b> &amp; \u202eevil\u202c \x00'
)


def label_pdf(
    tracking: str = TRACKING,
    *,
    name: str = "Jane Smith",
    address: tuple[str, ...] = (
        "Flat 1, 22 Acacia Avenue",
        "Little Snoring",
        "NORWICH",
        "NR21 0AB",
    ),
    page: tuple[float, float] = (4 * inch, 6 * inch),
    landscape: bool = False,
) -> bytes:
    """A 6x4 shipping label like Click & Drop's: frame, service, address, Code 128, DataMatrix."""
    width, height = (6 * inch, 4 * inch) if landscape else page
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), invariant=True)
    _draw_label(canvas, 0, 0, width, height, tracking, name, address)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def label_on_a4_pdf(tracking: str = TRACKING, *, x_mm: float = 10, y_mm: float = 10) -> bytes:
    """One 6x4 label drawn on an A4 page, `x_mm`/`y_mm` from the top-left corner."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    w, h = 4 * inch, 6 * inch
    _draw_label(
        canvas, x_mm * mm, A4[1] - y_mm * mm - h, w, h, tracking, "Jane Smith", ("NR21 0AB",)
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_label(
    canvas: Canvas,
    x: float,
    y: float,
    w: float,
    h: float,
    tracking: str,
    name: str,
    address: tuple[str, ...],
) -> None:
    canvas.saveState()
    canvas.translate(x, y)
    canvas.setLineWidth(1.5)
    canvas.rect(4, 4, w - 8, h - 8)
    canvas.setFont("Helvetica-Bold", 20)
    canvas.drawString(14, h - 36, "ROYAL MAIL")
    canvas.setFont("Helvetica", 9)
    canvas.drawString(14, h - 50, "Tracked 48 - Signature")
    canvas.line(4, h - 60, w - 4, h - 60)
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(14, h - 80, name)
    canvas.setFont("Helvetica", 11)
    for i, line in enumerate(address):
        canvas.drawString(14, h - 96 - i * 14, line)
    matrix = createBarcodeDrawing("ECC200DataMatrix", value=f"JGB 62{tracking}")
    scale = 70 / matrix.width
    matrix.scale(scale, scale)
    renderPDF.draw(matrix, canvas, w - 84, h - 140)
    code = createBarcodeDrawing(
        "Code128", value=tracking, barHeight=50, barWidth=1.2, humanReadable=True
    )
    renderPDF.draw(code, canvas, (w - code.width) / 2, 30)
    canvas.restoreState()


def document_order(order_identifier: int = 1234567, *, hostile: bool = False) -> DocumentOrder:
    text = HOSTILE_TEXT if hostile else ""
    return DocumentOrder(
        order_identifier=order_identifier,
        order_reference=f"SHOP-{order_identifier % 100000}{text[:30]}",
        order_date=datetime(2026, 11, 27, 14, 5, tzinfo=UTC),
        trading_name="Acme Widgets Ltd",
        channel="Shopify",
        service="Royal Mail Tracked 48",
        tracking_number=TRACKING,
        weight_in_grams=1250,
        ship_to=(
            f"Jane Smith{text}",
            "Flat 1, 22 Acacia Avenue",
            "Little Snoring",
            "NORWICH",
            "NR21 0AB",
            "GB",
        ),
        lines=(
            DocumentLine(2, "WID-001", "Blue widget, large"),
            DocumentLine(1, "GAD-17", f"Gadget with a rather long name that wraps{text}"),
            DocumentLine(3, "SPR-9", "Spare springs (pack of 10)"),
        ),
        special_instructions=f"Leave with neighbour at no. 24 if out.{text}",
    )
