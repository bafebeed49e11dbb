"""The other documents the sandbox draws: despatch note, CN22, CN23 and the manifest."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from clickdrop_desktop.sandbox.accounts import Account
from clickdrop_desktop.sandbox.pdfkit import draw_line, fonts, printable
from clickdrop_desktop.sandbox.records import OrderRecord

LABEL_W, LABEL_H = 101.6 * mm, 152.4 * mm
_CATEGORIES = (
    ("gift", "Gift"),
    ("commercialSample", "Commercial sample"),
    ("documents", "Documents"),
    ("returnedGoods", "Returned goods"),
    ("saleOfGoods", "Sale of goods"),
    ("other", "Other"),
)


def _pounds(pence: int) -> str:
    return f"£{pence / 100:,.2f}"


def _box(c: Canvas, label: str, x: float, y: float, ticked: bool) -> None:
    c.rect(x, y, 3 * mm, 3 * mm)
    if ticked:
        c.setFont(fonts().bold, 8)
        c.drawString(x + 0.6 * mm, y + 0.6 * mm, "X")
    c.setFont(fonts().regular, 6.5)
    c.drawString(x + 4.5 * mm, y + 0.6 * mm, label)


def _category(order: OrderRecord) -> str:
    value = order.extra.get("customsDeclarationCategory")
    return value if isinstance(value, str) else "saleOfGoods"


def draw_cn22(c: Canvas, order: OrderRecord, account: Account) -> None:
    """CN22 customs declaration in 6x4 label space."""
    f = fonts()
    w = LABEL_W - 6 * mm
    c.setLineWidth(1)
    c.rect(3 * mm, 3 * mm, w, LABEL_H - 6 * mm)
    c.setFont(f.bold, 13)
    c.drawString(6 * mm, LABEL_H - 11 * mm, "CUSTOMS DECLARATION")
    c.setFont(f.bold, 16)
    c.drawRightString(LABEL_W - 6 * mm, LABEL_H - 11 * mm, "CN 22")
    c.setFont(f.regular, 7)
    c.drawString(6 * mm, LABEL_H - 15.5 * mm, "Designated operator: Royal Mail")
    c.drawRightString(LABEL_W - 6 * mm, LABEL_H - 15.5 * mm, "May be opened officially")
    y = LABEL_H - 23 * mm
    for i, (key, text) in enumerate(_CATEGORIES):
        _box(c, text, (6 + (i % 2) * 46) * mm, y - (i // 2) * 5 * mm, key == _category(order))
    y -= 14 * mm
    c.line(3 * mm, y, LABEL_W - 3 * mm, y)
    c.setFont(f.bold, 6.5)
    c.drawString(6 * mm, y - 4 * mm, "Quantity and description of contents")
    c.drawRightString(78 * mm, y - 4 * mm, "Weight (kg)")
    c.drawRightString(LABEL_W - 6 * mm, y - 4 * mm, "Value")
    y -= 9 * mm
    shown = order.lines[:6]
    for line in shown:
        draw_line(c, 6 * mm, y, f"{line.quantity} x {printable(line.name)}", size=7, width=52 * mm)
        c.setFont(f.regular, 7)
        c.drawRightString(78 * mm, y, f"{line.quantity * line.unit_weight_g / 1000:.3f}")
        c.drawRightString(LABEL_W - 6 * mm, y, _pounds(line.quantity * line.unit_pence))
        y -= 4 * mm
        draw_line(c, 9 * mm, y, f"HS {line.customs_code or '-'}   origin GB", size=6, width=60 * mm)
        y -= 4.5 * mm
    if len(order.lines) > len(shown):
        draw_line(
            c,
            6 * mm,
            y,
            f"... and {len(order.lines) - len(shown)} more lines",
            size=7,
            width=60 * mm,
        )
        y -= 5 * mm
    c.line(3 * mm, y, LABEL_W - 3 * mm, y)
    c.setFont(f.bold, 8)
    c.drawString(6 * mm, y - 5 * mm, "Total")
    c.drawRightString(78 * mm, y - 5 * mm, f"{order.weight_g / 1000:.3f}")
    c.drawRightString(LABEL_W - 6 * mm, y - 5 * mm, _pounds(order.subtotal_pence))
    c.setFont(f.regular, 6)
    text = c.beginText(6 * mm, 30 * mm)
    text.setFont(f.regular, 6)
    for sentence in (
        "I, the undersigned, whose name and address are given on the item, certify that",
        "the particulars given in this declaration are correct and that this item does",
        "not contain any dangerous article prohibited by legislation or postal regulations.",
    ):
        text.textLine(sentence)
    c.drawText(text)
    draw_line(
        c,
        6 * mm,
        14 * mm,
        f"Date and sender's signature: {order.trading_name}",
        size=7,
        width=LABEL_W - 12 * mm,
    )
    c.setFont(f.regular, 7)
    c.drawString(6 * mm, 9 * mm, datetime.now(UTC).strftime("%d/%m/%Y"))
    if order.tracking:
        code = Code128(order.tracking, barWidth=0.3 * mm, barHeight=6 * mm, humanReadable=False)
        code.drawOn(c, LABEL_W - 6 * mm - code.width, 6 * mm)


def draw_cn23(c: Canvas, order: OrderRecord, account: Account, w: float, h: float) -> None:
    """CN23 customs declaration filling a page of size `w` x `h`."""
    f = fonts()
    m = 6 * mm
    c.setLineWidth(1)
    c.rect(m / 2, m / 2, w - m, h - m)
    c.setFont(f.bold, 18)
    c.drawRightString(w - m, h - m - 8 * mm, "CN 23")
    draw_line(
        c, m, h - m - 8 * mm, "CUSTOMS DECLARATION", size=14, width=w - 2 * m - 26 * mm, bold=True
    )
    y = h - m - 16 * mm
    col = (w - 2 * m) / 2
    c.setFont(f.bold, 7)
    c.drawString(m, y, "From")
    c.drawString(m + col, y, "To")
    to_lines = order.recipient.label_lines()
    for i in range(max(len(account.return_address), len(to_lines))):
        y -= 4 * mm
        if i < len(account.return_address):
            draw_line(c, m, y, account.return_address[i], size=7.5, width=col - 3 * mm)
        if i < len(to_lines):
            draw_line(c, m + col, y, to_lines[i], size=7.5, width=col - 3 * mm)
    y -= 6 * mm
    for i, (key, text) in enumerate(_CATEGORIES):
        _box(c, text, m + (i % 3) * (w - 2 * m) / 3, y - (i // 3) * 5 * mm, key == _category(order))
    y -= 12 * mm
    c.line(m / 2, y, w - m / 2, y)
    c.setFont(f.bold, 6.5)
    # Column x positions: description, quantity (right-aligned), HS code, origin, value (right).
    qty_x, hs_x, origin_x = w * 0.54, w * 0.57, w * 0.76
    c.drawString(m, y - 4 * mm, "Description")
    c.drawRightString(qty_x, y - 4 * mm, "Qty")
    c.drawString(hs_x, y - 4 * mm, "HS code")
    c.drawString(origin_x, y - 4 * mm, "Origin")
    c.drawRightString(w - m, y - 4 * mm, "Value")
    y -= 9 * mm
    shown = 0
    for line in order.lines:
        if y < 40 * mm:
            break
        draw_line(c, m, y, line.name, size=7, width=qty_x - m - 8 * mm)
        c.setFont(f.regular, 7)
        c.drawRightString(qty_x, y, str(line.quantity))
        draw_line(c, hs_x, y, line.customs_code or "-", size=7, width=origin_x - hs_x - 1 * mm)
        c.setFont(f.regular, 7)
        c.drawString(origin_x, y, "GB")
        c.drawRightString(w - m, y, _pounds(line.quantity * line.unit_pence))
        y -= 4.2 * mm
        shown += 1
    if shown < len(order.lines):
        draw_line(
            c,
            m,
            y,
            f"... {len(order.lines) - shown} more lines (see despatch note)",
            size=7,
            width=w - 2 * m,
        )
    c.line(m / 2, 36 * mm, w - m / 2, 36 * mm)
    c.setFont(f.bold, 8)
    c.drawString(m, 31 * mm, f"Total gross weight {order.weight_g / 1000:.3f} kg")
    c.drawRightString(w - m, 31 * mm, f"Total value {_pounds(order.subtotal_pence)}")
    c.setFont(f.regular, 6.5)
    c.drawString(m, 25 * mm, f"Postal charges {_pounds(order.shipping_pence)}   Currency GBP")
    draw_line(
        c,
        m,
        19 * mm,
        f"Importer: {order.extra.get('importerName') or '-'}",
        size=6.5,
        width=w - 2 * m,
    )
    draw_line(
        c,
        m,
        10 * mm,
        f"Signed for the sender: {order.trading_name}   " + datetime.now(UTC).strftime("%d/%m/%Y"),
        size=7,
        width=w - 2 * m,
    )


def draw_despatch_note(c: Canvas, order: OrderRecord, account: Account, w: float, h: float) -> None:
    """A packing slip for the parcel, on as many pages of `w` x `h` as its lines need."""
    f = fonts()
    m = 6 * mm if w < 150 * mm else 15 * mm
    small = w < 150 * mm

    def heading(continued: bool) -> float:
        draw_line(c, m, h - m - 6 * mm, order.trading_name, size=13, width=w - 2 * m, bold=True)
        c.setFont(f.regular, 8)
        title = "Despatch note" + (" (continued)" if continued else "")
        c.drawString(m, h - m - 11 * mm, title)
        draw_line(
            c,
            m,
            h - m - 15 * mm,
            f"Order {order.order_id}   Ref {printable(order.reference)}   "
            f"{order.order_date.strftime('%d %b %Y')}",
            size=8,
            width=w - 2 * m,
        )
        return float(h - m - 20 * mm)

    y = heading(False)
    c.setFont(f.bold, 7.5)
    c.drawString(m, y, "Ship to")
    for address_line in order.recipient.label_lines():
        y -= 4 * mm
        draw_line(c, m, y, address_line, size=8, width=w - 2 * m)
    if order.special_instructions:
        y -= 5 * mm
        draw_line(c, m, y, f"Instructions: {order.special_instructions}", size=7.5, width=w - 2 * m)
    y -= 7 * mm
    qty_x, total_x = w - m - (22 * mm if small else 40 * mm), w - m
    c.setFont(f.bold, 7)
    c.drawString(m, y, "Item")
    c.drawRightString(qty_x, y, "Qty")
    c.drawRightString(total_x, y, "Total")
    c.line(m, y - 1.5 * mm, w - m, y - 1.5 * mm)
    for line in order.lines:
        y -= 4.5 * mm
        if y < 30 * mm:
            c.showPage()
            y = heading(True) - 4.5 * mm
        label = f"{printable(line.sku) or '-'}  {printable(line.name)}"
        draw_line(c, m, y, label, size=7.5, width=qty_x - m - 8 * mm)
        c.setFont(f.regular, 7.5)
        c.drawRightString(qty_x, y, str(line.quantity))
        c.drawRightString(total_x, y, _pounds(line.quantity * line.unit_pence))
    y -= 6 * mm
    c.line(m, y + 3 * mm, w - m, y + 3 * mm)
    c.setFont(f.regular, 7.5)
    for text, pence in (
        ("Subtotal", order.subtotal_pence),
        ("Shipping", order.shipping_pence),
        ("Discount", -order.discount_pence),
        ("VAT", order.tax_pence),
    ):
        c.drawString(qty_x - 30 * mm, y, text)
        c.drawRightString(total_x, y, _pounds(pence))
        y -= 4 * mm
    c.setFont(f.bold, 8.5)
    c.drawString(qty_x - 30 * mm, y, "Total")
    c.drawRightString(total_x, y, _pounds(order.total_pence))
    c.setFont(f.regular, 7)
    c.drawCentredString(w / 2, m + 2 * mm, "Thank you for your order")


def render_manifest(
    number: int, account: Account, rows: list[tuple[int, str | None, str | None, str]]
) -> bytes:
    """An A4 collection manifest: (order id, reference, tracking number, service) per row."""
    f = fonts()
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=1)
    c.setTitle(f"Manifest {number}")
    w, h = A4
    m = 15 * mm
    per_page = 48
    pages = max(1, -(-len(rows) // per_page))
    for page in range(pages):
        c.setFont(f.bold, 16)
        c.drawString(m, h - m - 6 * mm, "Royal Mail collection manifest")
        c.setFont(f.regular, 9)
        draw_line(
            c,
            m,
            h - m - 12 * mm,
            f"{account.trading_name} - {account.carrier_name}",
            size=9,
            width=120 * mm,
        )
        c.drawString(
            m,
            h - m - 17 * mm,
            f"Manifest {number}   {len(rows)} items   "
            + datetime.now(UTC).strftime("%d/%m/%Y %H:%M")
            + f"   page {page + 1}/{pages}",
        )
        code = Code128(f"M{number}", barWidth=0.4 * mm, barHeight=12 * mm, humanReadable=True)
        code.drawOn(c, w - m - code.width, h - m - 18 * mm)
        y = h - m - 28 * mm
        c.setFont(f.bold, 8)
        for text, x in (
            ("Order", m),
            ("Reference", m + 25 * mm),
            ("Tracking", m + 80 * mm),
            ("Service", m + 120 * mm),
        ):
            c.drawString(x, y, text)
        c.line(m, y - 1.5 * mm, w - m, y - 1.5 * mm)
        for order_id, ref, tracking, service in rows[page * per_page : (page + 1) * per_page]:
            y -= 4.8 * mm
            c.setFont(f.regular, 8)
            c.drawString(m, y, str(order_id))
            draw_line(c, m + 25 * mm, y, ref, size=8, width=52 * mm)
            c.setFont(f.regular, 8)
            c.drawString(m + 80 * mm, y, tracking or "-")
            c.drawString(m + 120 * mm, y, service)
        c.showPage()
    c.save()
    return buffer.getvalue()
