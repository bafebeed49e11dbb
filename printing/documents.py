"""Our own documents, drawn with reportlab: packing slip / despatch note and pick list, 6x4 and A4.

Scan-to-print barcode: Code 128 of `CD:` + the order's `orderIdentifier`. The identifier is
the API's own key for the order: always present, unique in the account, digits only (Code 128
packs them two per symbol, so the barcode stays short), while `orderReference` is free text
from the sales channel that may be missing, repeated or hostile. The `CD:` prefix tells a
scan handler this is one of our documents, not a Royal Mail tracking number (those are
`AB123456789GB`-style or all digits), and it is typed the same on UK and US keyboard layouts.

Customer text is drawn with `drawString` only (never as markup), cleaned of control and
bidi-override characters, cut to length, and mapped to the embedded font's glyphs, so no name
or address can break the PDF or the layout.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from reportlab.pdfgen.canvas import Canvas

from clickdrop_desktop.api.models import Order
from printing.document_layout import A4_SIZE, LABEL_SIZE, Layout, clean

BARCODE_PREFIX = "CD:"
_BARCODE_RE = re.compile(r"^\s*CD:(\d{1,18})\s*$", re.IGNORECASE)

DocumentSize = Literal["a4", "4x6"]
Title = Literal["Packing slip", "Despatch note"]


@dataclass(frozen=True, slots=True)
class DocumentLine:
    quantity: int
    sku: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class DocumentOrder:
    """What our documents show about an order; build it with `from_order` or by hand."""

    order_identifier: int
    order_reference: str = ""
    order_date: datetime | None = None
    trading_name: str = ""
    channel: str = ""
    service: str = ""
    tracking_number: str = ""
    weight_in_grams: int | None = None
    ship_to: tuple[str, ...] = ()
    lines: tuple[DocumentLine, ...] = ()
    special_instructions: str = ""
    details_available: bool = True

    @classmethod
    def from_order(cls, order: Order) -> DocumentOrder:
        details = order.details
        if details is None:
            # Plain `/orders` records carry no address or lines (only `/full` does).
            return cls(
                order_identifier=order.order_identifier,
                order_reference=order.order_reference or "",
                order_date=order.order_date or order.created_on,
                tracking_number=order.tracking_number or "",
                details_available=False,
            )
        shipping = details.shipping_details
        return cls(
            order_identifier=order.order_identifier,
            order_reference=order.order_reference or "",
            order_date=order.order_date or order.created_on,
            trading_name=details.trading_name or "",
            channel=details.channel or "",
            service=shipping.shipping_service or shipping.service_code or "",
            tracking_number=order.tracking_number or "",
            weight_in_grams=details.weight_in_grams or None,
            ship_to=tuple(details.shipping_info.lines()),
            lines=tuple(
                DocumentLine(line.quantity, line.sku or "", line.name or "")
                for line in details.order_lines
            ),
            special_instructions=details.special_instructions or "",
        )


def order_barcode_payload(order_identifier: int) -> str:
    """The text our documents' Code 128 barcode holds: `CD:` + the order identifier."""
    if order_identifier < 0:
        raise ValueError("an order identifier is never negative")
    return f"{BARCODE_PREFIX}{order_identifier}"


def parse_order_barcode(scanned: str) -> int | None:
    """The order identifier from a scan of our barcode, or None for anything else."""
    match = _BARCODE_RE.match(scanned)
    return int(match[1]) if match else None


def _as_document(order: Order | DocumentOrder) -> DocumentOrder:
    return order if isinstance(order, DocumentOrder) else DocumentOrder.from_order(order)


def packing_slip(
    order: Order | DocumentOrder,
    *,
    size: DocumentSize = "a4",
    title: Title = "Packing slip",
    sender: str = "",
) -> bytes:
    """A packing slip or despatch note for one order, as PDF bytes."""
    doc = _as_document(order)
    buffer = io.BytesIO()
    page = A4_SIZE if size == "a4" else LABEL_SIZE
    canvas = Canvas(buffer, pagesize=page, invariant=True, pageCompression=1)
    canvas.setTitle(f"{title} {clean(doc.order_reference, 40) or doc.order_identifier}")
    canvas.setAuthor("Click & Drop Desktop")
    layout = Layout(canvas, page, compact=size != "a4")
    _draw_slip(layout, doc, title, sender)
    canvas.save()
    return buffer.getvalue()


def _draw_slip(layout: Layout, doc: DocumentOrder, title: str, sender: str) -> None:
    heading = clean(sender or doc.trading_name, 60) or title
    layout.header(heading, title.upper(), order_barcode_payload(doc.order_identifier))
    reference = clean(doc.order_reference, 40) or str(doc.order_identifier)
    facts = [
        ("Order", reference),
        ("Date", doc.order_date.strftime("%d %b %Y") if doc.order_date else ""),
        ("Channel", clean(doc.channel, 40)),
        ("Service", clean(doc.service, 60)),
        ("Tracking", clean(doc.tracking_number, 40)),
        ("Weight", f"{doc.weight_in_grams / 1000:.2f} kg" if doc.weight_in_grams else ""),
    ]
    address = [clean(line, 100) for line in doc.ship_to]
    layout.facts_and_address([(k, v) for k, v in facts if v], address or ["(no address)"])
    if not doc.details_available:
        layout.note(
            "Items and address are not available: this account's Click & Drop API "
            "returns them only for ChannelShipper (/orders/full) accounts."
        )
    else:
        rows = [
            (str(line.quantity), clean(line.sku, 40), clean(line.name, 200)) for line in doc.lines
        ]
        layout.table(("Qty", "SKU", "Item"), rows, widths=(0.1, 0.25, 0.65))
        total = sum(line.quantity for line in doc.lines)
        layout.summary(f"{total} item{'s' if total != 1 else ''} in {len(doc.lines)} line(s)")
    if doc.special_instructions:
        layout.boxed("Instructions", clean(doc.special_instructions, 500))
    layout.finish(f"{title} · order {reference}")


@dataclass(frozen=True, slots=True)
class PickRow:
    sku: str
    name: str
    quantity: int
    orders: tuple[str, ...]


def pick_rows(orders: Sequence[Order | DocumentOrder]) -> list[PickRow]:
    """Order lines summed by (SKU, name), sorted by SKU so a picker walks the shelves once."""
    totals: dict[tuple[str, str], tuple[int, list[str]]] = {}
    for order in orders:
        doc = _as_document(order)
        reference = clean(doc.order_reference, 40) or str(doc.order_identifier)
        for line in doc.lines:
            key = (clean(line.sku, 40), clean(line.name, 200))
            quantity, refs = totals.get(key, (0, []))
            if reference not in refs:
                refs.append(reference)
            totals[key] = (quantity + line.quantity, refs)
    rows = [PickRow(sku, name, qty, tuple(refs)) for (sku, name), (qty, refs) in totals.items()]
    return sorted(rows, key=lambda row: (_natural(row.sku) or [(1, "")], _natural(row.name)))


def _natural(text: str) -> list[tuple[int, str]]:
    """Sort key that puts SKU-2 before SKU-10; an empty SKU sorts last."""
    parts = re.split(r"(\d+)", text.casefold())
    # isdecimal, not isdigit: "²" and "①" are digits that int() refuses.
    return [(0, f"{int(p):020d}") if p.isdecimal() else (0, p) for p in parts if p]


def pick_list(
    orders: Sequence[Order | DocumentOrder],
    *,
    size: DocumentSize = "a4",
    created: datetime | None = None,
) -> bytes:
    """A pick list for `orders`: every SKU once with its total quantity and its orders."""
    docs = [_as_document(order) for order in orders]
    rows = pick_rows(docs)
    buffer = io.BytesIO()
    page = A4_SIZE if size == "a4" else LABEL_SIZE
    canvas = Canvas(buffer, pagesize=page, invariant=True, pageCompression=1)
    canvas.setTitle("Pick list")
    canvas.setAuthor("Click & Drop Desktop")
    layout = Layout(canvas, page, compact=size != "a4")
    when = created.strftime("%d %b %Y %H:%M") if created else ""
    layout.header("Pick list", when, None)
    total = sum(row.quantity for row in rows)
    missing = sum(1 for doc in docs if not doc.details_available)
    summary = f"{len(docs)} order(s), {len(rows)} product line(s), {total} item(s)"
    layout.summary(summary)
    if missing:
        layout.note(f"{missing} order(s) have no item details (not a ChannelShipper account).")
    table_rows = [
        ("", str(row.quantity), row.sku, row.name, _order_list(row.orders)) for row in rows
    ]
    layout.table(
        ("", "Qty", "SKU", "Item", "Orders"),
        table_rows,
        widths=(0.05, 0.08, 0.2, 0.42, 0.25),
        checkbox_column=0,
    )
    layout.finish("Pick list")
    canvas.save()
    return buffer.getvalue()


def _order_list(references: tuple[str, ...], shown: int = 4) -> str:
    if len(references) <= shown:
        return ", ".join(references)
    return ", ".join(references[:shown]) + f" +{len(references) - shown} more"
