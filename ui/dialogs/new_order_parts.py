"""The New order dialog's order fields in tab order, their captions in one column, and the question
before a typed-in order is thrown away."""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QLabel, QMessageBox, QWidget

# (group, [(field, label, placeholder)]) in tab order
GROUPS: list[tuple[str, list[tuple[str, str, str]]]] = [
    (
        "Recipient",
        [
            ("full_name", "&Name", "required (or a company)"),
            ("company_name", "Co&mpany", "optional"),
            ("address_line1", "&Address", "line 1"),
            ("address_line2", "", "line 2 (optional)"),
            ("address_line3", "", "line 3 (optional)"),
            ("city", "&Town / city", "required"),
            ("county", "Count&y", "optional"),
            ("postcode", "&Postcode", "e.g. SW1A 1AA"),
            ("country_code", "C&ountry", "2-letter code, e.g. GB"),
            ("phone_number", "P&hone", "optional"),
            ("email_address", "&Email", "optional"),
        ],
    ),
    (
        "Order",
        [
            ("reference", "&Reference", "blank: one is made for you"),
            ("order_date", "Or&der date", "blank: now (31/12/2026 or 2026-12-31)"),
            ("service_code", "&Service code", "optional, e.g. TPN24"),
            ("subtotal", "Su&btotal (£)", "0.00"),
            ("shipping_cost_charged", "Shipp&ing (£)", "0.00"),
            ("total", "Tota&l (£)", "blank: subtotal + shipping"),
        ],
    ),
]


def ask_discard(dialog: QWidget) -> bool:
    """Escape or Cancel on a typed-in order: lose it only when the user says so."""
    box = QMessageBox(dialog)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("New order")
    box.setText("Discard this order? Nothing of it has been queued.")
    discard = box.addButton("&Discard order", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("&Keep editing", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)  # Enter or Escape again keeps what was typed
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is discard


def align_captions(*groups: QGroupBox) -> None:
    """One caption width for every group's form, so their fields start in one column."""
    captions = [c for g in groups for c in g.findChildren(QLabel) if c.buddy() is not None]
    width = max((c.sizeHint().width() for c in captions), default=0)
    for caption in captions:
        caption.setMinimumWidth(width)
