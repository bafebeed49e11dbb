"""Royal Mail-like label PDFs drawn with reportlab: 6x4 thermal pages, or A4 with a 6x4 quarter.

`render_documents` is what `GET /orders/{ids}/label` returns: one PDF, one page per order and
document, with a real Code 128 barcode of the tracking number and a Data Matrix in the postage
box. PDFs are built with reportlab's invariant mode, so the same orders give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.ecc200datamatrix import ECC200DataMatrix
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from clickdrop_desktop.sandbox import documents
from clickdrop_desktop.sandbox.accounts import Account, LabelFormat
from clickdrop_desktop.sandbox.pdfkit import draw_line, fonts, printable, spaced_tracking
from clickdrop_desktop.sandbox.records import OrderRecord, tracking_number

LABEL_W, LABEL_H = 101.6 * mm, 152.4 * mm  # 4 x 6 inches, portrait
DOCUMENT_TYPES = ("postageLabel", "despatchNote", "CN22", "CN23")

_INDICATORS = {
    "OLP1": "1st",
    "OLP2": "2nd",
    "CRL1": "24",
    "CRL2": "48",
    "TOLP24": "T24",
    "TPN24": "T24",
    "TOLP48": "T48",
    "TPS48": "T48",
    "SD1OLP": "SD",
    "SD1": "SD",
    "ITROLP": "INT",
    "MP7": "INT",
}


def page_size(account: Account) -> tuple[float, float]:
    return A4 if account.label_format is LabelFormat.A4 else (LABEL_W, LABEL_H)


def render_documents(
    document_type: str,
    orders: list[OrderRecord],
    account: Account,
    *,
    include_returns: bool = False,
    include_cn: bool = False,
) -> bytes:
    """One PDF with the requested document for every order (several pages per order possible)."""
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=page_size(account), invariant=True, pageCompression=1)
    c.setTitle(f"Click & Drop {document_type}")
    c.setAuthor("Click & Drop sandbox")
    for order in orders:
        if document_type == "postageLabel":
            _label_page(c, account, partial(draw_postage_label, order=order, account=account))
            if include_returns:
                _label_page(c, account, partial(draw_returns_label, order=order, account=account))
            if include_cn and order.international:
                _label_page(c, account, partial(documents.draw_cn22, order=order, account=account))
        elif document_type == "CN22":
            _label_page(c, account, partial(documents.draw_cn22, order=order, account=account))
        elif document_type == "CN23":
            documents.draw_cn23(c, order, account, *page_size(account))
            c.showPage()
        elif document_type == "despatchNote":
            documents.draw_despatch_note(c, order, account, *page_size(account))
            c.showPage()
        else:
            raise ValueError(f"unknown document type {document_type!r}")
    c.save()
    return buffer.getvalue()


def _label_page(c: Canvas, account: Account, draw: Callable[[Canvas], None]) -> None:
    """One 6x4 label: the whole page, or the top-left quarter of an A4 sheet."""
    if account.label_format is LabelFormat.A4:
        page_w, page_h = A4
        qw, qh = page_w / 2, page_h / 2
        scale = min(qw / LABEL_W, qh / LABEL_H)
        c.saveState()
        c.setDash(3, 3)
        c.setLineWidth(0.4)
        c.line(qw, page_h, qw, qh)
        c.line(0, qh, qw, qh)
        c.setFont(fonts().regular, 6)
        c.drawString(qw + 3 * mm, qh + 2 * mm, "✂ cut along the dashed lines")
        c.restoreState()
        c.saveState()
        c.translate((qw - LABEL_W * scale) / 2, qh + (qh - LABEL_H * scale) / 2)
        c.scale(scale, scale)
        draw(c)
        c.restoreState()
    else:
        draw(c)
    c.showPage()


def _header(c: Canvas, title: str, service: str, indicator: str, matrix: str) -> float:
    """The postage box across the top; returns the y below it."""
    f = fonts()
    top = LABEL_H - 3 * mm
    box_h = 30 * mm
    c.setLineWidth(1.2)
    c.rect(3 * mm, top - box_h, LABEL_W - 6 * mm, box_h)
    c.setFont(f.bold, 15)
    c.drawString(6 * mm, top - 8 * mm, title)
    c.setFont(f.regular, 8)
    c.drawString(6 * mm, top - 12.5 * mm, "Postage Paid GB")
    draw_line(c, 6 * mm, top - 18.5 * mm, service, size=10, width=41 * mm, bold=True)
    printed = datetime.now(UTC).strftime("Printed %d/%m/%Y %H:%M")
    draw_line(c, 6 * mm, top - 23 * mm, printed, size=6.5, width=42 * mm)
    draw_line(c, 6 * mm, top - 27 * mm, "SANDBOX - not valid postage", size=6.5, width=42 * mm)
    # service indicator: white on black, as on Royal Mail labels
    c.rect(50 * mm, top - box_h + 4 * mm, 22 * mm, box_h - 8 * mm, fill=1)
    c.setFillColorRGB(1, 1, 1)
    c.setFont(f.bold, 20 if len(indicator) <= 2 else 15)
    c.drawCentredString(61 * mm, top - box_h / 2 - 3 * mm, indicator)
    c.setFillColorRGB(0, 0, 0)
    # reportlab encodes Data Matrix in C40 only: upper-case ASCII letters, digits, space.
    matrix = "".join(ch for ch in matrix.upper() if ch.isascii() and (ch.isalnum() or ch == " "))
    # C40 packs three characters in two bytes; reportlab pads a short last group with a value
    # scanners read as NUL, so the payload is padded with spaces to a multiple of three.
    matrix = matrix.ljust(-(-len(matrix) // 3) * 3)
    dm = ECC200DataMatrix(matrix or "JGB")
    dm.validate()
    dm.encode()
    dm.barWidth = 23 * mm / max(dm.col_modules, 1)
    dm.computeSize()
    dm.x = dm.y = 0  # reportlab's draw() reads x/y that only widgets set
    dm.drawOn(c, 74.5 * mm, top - box_h + 3.5 * mm)
    return float(top - box_h)


def _address_block(
    c: Canvas,
    lines: list[str],
    postcode: str | None,
    top: float,
    bottom: float,
    *,
    country_last: bool = False,
) -> None:
    f = fonts()
    c.setFont(f.regular, 6.5)
    c.drawString(6 * mm, top - 5 * mm, "DELIVER TO:")
    country = lines[-1] if lines and country_last else None
    body = [line for line in lines[: len(lines) - (1 if country else 0)] if line != postcode]
    sizes = [12.0] + [10.0] * (len(body) - 1)
    available = top - bottom - 9 * mm - (9 * mm if postcode else 0) - (7 * mm if country else 0)
    scale = min(1.0, available / max(sum(s * 1.25 for s in sizes), 1))
    y = top - 9 * mm
    width = LABEL_W - 12 * mm
    for i, line in enumerate(body):
        size = max(6.0, sizes[i] * scale)
        y -= size * 1.2
        draw_line(c, 6 * mm, y, line, size=size, width=width, bold=i == 0)
    if postcode:
        y -= 20
        draw_line(c, 6 * mm, y, postcode.upper(), size=20, width=width, bold=True)
    if country:
        y -= 16
        draw_line(c, 6 * mm, y, country, size=14, width=width, bold=True)


def _barcode(c: Canvas, number: str, y: float) -> None:
    """A Code 128 barcode of `number`, centred, bars >= 0.25 mm (2 dots at 203 dpi)."""
    probe = Code128(number, barWidth=1, humanReadable=False, quiet=True)
    bar = min(0.5 * mm, (LABEL_W - 10 * mm) / probe.width)
    code = Code128(number, barWidth=bar, barHeight=17 * mm, humanReadable=False, quiet=True)
    code.drawOn(c, (LABEL_W - code.width) / 2, y)
    c.setFont(fonts().bold, 11)
    c.drawCentredString(LABEL_W / 2, y - 4.5 * mm, spaced_tracking(number))


def draw_postage_label(c: Canvas, order: OrderRecord, account: Account) -> None:
    """A Royal Mail-like 6x4 postage label in label space (origin bottom-left)."""
    service = account.service(order.service_code)
    name = service.name if service else "Royal Mail"
    tracking = order.tracking or ""
    postcode = order.recipient.postcode
    matrix = f"JGB {tracking} {(postcode or '').replace(' ', '')}"
    below = _header(c, "Royal Mail", name, _INDICATORS.get(order.service_code or "", "RM"), matrix)
    c.setLineWidth(0.8)
    c.rect(3 * mm, 3 * mm, LABEL_W - 6 * mm, below - 3 * mm)
    recipient = order.recipient
    _address_block(
        c,
        recipient.label_lines(),
        postcode,
        below,
        66 * mm,
        country_last=recipient.country_line() is not None,
    )
    c.line(3 * mm, 64 * mm, LABEL_W - 3 * mm, 64 * mm)
    if tracking:
        _barcode(c, tracking, 42 * mm)
    c.line(3 * mm, 34 * mm, LABEL_W - 3 * mm, 34 * mm)
    weight = f"{order.weight_g / 1000:.3f} kg"
    packages = f"Pkg 1 of {max(len(order.packages), 1)}"
    draw_line(
        c,
        6 * mm,
        29 * mm,
        f"Order {order.order_id}   Ref {printable(order.reference)}",
        size=8,
        width=LABEL_W - 12 * mm,
    )
    draw_line(
        c,
        6 * mm,
        25 * mm,
        f"{weight}   {packages}   Service {order.service_code or '-'}",
        size=8,
        width=LABEL_W - 12 * mm,
    )
    c.line(3 * mm, 22 * mm, LABEL_W - 3 * mm, 22 * mm)
    c.setFont(fonts().regular, 6)
    c.drawString(6 * mm, 18.5 * mm, "If undelivered, please return to:")
    draw_line(
        c, 6 * mm, 14.5 * mm, ", ".join(account.return_address), size=7.5, width=LABEL_W - 12 * mm
    )
    draw_line(c, 6 * mm, 6 * mm, order.trading_name, size=7, width=LABEL_W - 12 * mm, bold=True)


def returns_tracking(order: OrderRecord) -> str:
    return tracking_number(0, 0, order.order_id, 99, "VB")


def draw_returns_label(c: Canvas, order: OrderRecord, account: Account) -> None:
    """The returns label that `includeReturnsLabel=true` adds (addresses swapped)."""
    number = returns_tracking(order)
    back = list(account.return_address)
    postcode = back[-1] if back else None
    below = _header(c, "RETURNS", "Tracked Returns 48", "RTN", f"JGB {number} {order.order_id}")
    c.setLineWidth(0.8)
    c.rect(3 * mm, 3 * mm, LABEL_W - 6 * mm, below - 3 * mm)
    _address_block(c, back, postcode, below, 66 * mm)
    c.line(3 * mm, 64 * mm, LABEL_W - 3 * mm, 64 * mm)
    _barcode(c, number, 42 * mm)
    c.line(3 * mm, 34 * mm, LABEL_W - 3 * mm, 34 * mm)
    draw_line(c, 6 * mm, 29 * mm, f"Return of order {order.order_id}", size=8, width=80 * mm)
    c.setFont(fonts().regular, 6)
    c.drawString(6 * mm, 18.5 * mm, "From:")
    sender = ", ".join(order.recipient.label_lines())
    draw_line(c, 6 * mm, 14.5 * mm, sender, size=7.5, width=LABEL_W - 12 * mm)
