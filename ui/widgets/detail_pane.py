"""Everything the account's API gives about the selected order, as plain, selectable text."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui.models.orders_model import STATUS_TEXT
from ui.widgets.plain import PlainLabel

if TYPE_CHECKING:
    from clickdrop_desktop.api.models import Order


def _when(value: datetime | None) -> str:
    return value.astimezone().strftime("%d %b %Y, %H:%M") if value else ""


def _money(value: float | None, currency: str | None) -> str:
    if value is None:
        return ""
    symbol = {"GBP": "£", "EUR": "€", "USD": "$"}.get(currency or "GBP", "")
    return f"{symbol}{value:,.2f}" if symbol else f"{value:,.2f} {currency}"


class _Section(QFrame):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.setSpacing(6)
        heading = PlainLabel(title, object_name="CardTitle")
        layout.addWidget(heading)
        self.form = QFormLayout()
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setHorizontalSpacing(12)
        self.form.setVerticalSpacing(4)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(self.form)

    def add(self, name: str, value: str) -> None:
        if not value:
            return
        key = PlainLabel(name, object_name="FieldName")
        self.form.addRow(key, PlainLabel(value, selectable=True, wrap=True))

    @property
    def empty(self) -> bool:
        return self.form.rowCount() == 0


class DetailPane(QScrollArea):
    """Shows one order, or a short hint when none or several are selected."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("DetailPane")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAccessibleName("Order details")
        self._order: Order | None = None
        self.show_hint("Select an order to see its details.")

    @property
    def order(self) -> Order | None:
        return self._order

    def show_hint(self, text: str) -> None:
        self._order = None
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(16, 24, 16, 16)
        hint = PlainLabel(text, object_name="Muted", wrap=True)
        hint.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(hint)
        layout.addStretch(1)
        self.setWidget(body)

    def show_order(self, order: Order | None) -> None:
        if order is None:
            self.show_hint("Select an order to see its details.")
            return
        if order == self._order:
            # Re-read unchanged after a sync page, a print or a scan: rebuilding would throw
            # away the reader's scroll place, text selection and keyboard focus in the pane.
            return
        self._order = order
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(8)
        title = PlainLabel(
            order.order_reference or f"Order {order.order_identifier}",
            object_name="Heading",
            selectable=True,
        )
        layout.addWidget(title)
        status = PlainLabel(
            f"{STATUS_TEXT.get(order.status.value, order.status.value)}"
            f"  ·  Click & Drop order {order.order_identifier}",
            object_name="Muted",
        )
        layout.addWidget(status)
        for section in self._sections(order):
            if not section.empty:
                layout.addWidget(section)
        if order.details is None:
            note = PlainLabel(
                "This account's API gives no address or items for orders (only ChannelShipper "
                "accounts get full details). The label from Click & Drop carries the address.",
                object_name="Muted",
                wrap=True,
            )
            layout.addWidget(note)
        layout.addStretch(1)
        self.setWidget(body)

    def _sections(self, order: Order) -> list[_Section]:
        summary = _Section("Order")
        summary.add("Reference", order.order_reference or "")
        summary.add("Order date", _when(order.order_date))
        summary.add("Created", _when(order.created_on))
        summary.add("Label printed", _when(order.printed_on))
        summary.add("Despatched", _when(order.shipped_on))
        summary.add("Manifested", _when(order.manifested_on))
        summary.add("Tracking", "\n".join(order.all_tracking_numbers))
        sections = [summary]
        details = order.details
        if details is None:
            return sections
        ship = details.shipping_info
        recipient = _Section("Recipient")
        recipient.add("Name", ship.full_name)
        recipient.add("Company", ship.company_name or "")
        address = [
            ship.address_line1,
            ship.address_line2,
            ship.address_line3,
            ship.city,
            ship.county,
            ship.postcode,
            ship.country_code,
        ]
        recipient.add("Address", "\n".join(p for p in address if p))
        recipient.add("Phone", ship.phone_number or "")
        recipient.add("Email", ship.email_address or "")
        sections.append(recipient)
        shipping = _Section("Shipping")
        sd = details.shipping_details
        shipping.add("Service", sd.shipping_service or sd.service_code or "")
        shipping.add("Service code", sd.service_code or "")
        shipping.add("Carrier", sd.shipping_carrier or "")
        shipping.add("Weight", f"{details.weight_in_grams:,} g" if details.weight_in_grams else "")
        shipping.add("Channel", details.channel or "")
        shipping.add("Trading name", details.trading_name or "")
        sections.append(shipping)
        items = _Section("Items")
        for line in details.order_lines:
            name = " · ".join(p for p in (line.sku, line.name) if p) or "Item"
            items.add(f"{line.quantity} ×", name)
        items.add("Subtotal", _money(details.subtotal, details.currency_code))
        items.add("Shipping", _money(details.shipping_cost_charged, details.currency_code))
        items.add("Total", _money(details.total, details.currency_code))
        sections.append(items)
        notes = _Section("Instructions")
        notes.add("Delivery", details.special_instructions or "")
        notes.add("Picker", details.picker_special_instructions or "")
        sections.append(notes)
        return sections
