"""The New order dialog: the form of `orders_form.NewOrderForm`, each field's error shown under it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from clickdrop_desktop.api.order_parts import PackageFormat
from clickdrop_desktop.orders_form import NewOrderForm, PackageInput, validate

if TYPE_CHECKING:
    from ui.controllers.outbox import OutboxController

_WEIGHT = "packages[0].weight_grams"
_FORMAT = "packages[0].package_format"
_FORMAT_TEXT = {
    PackageFormat.PARCEL: "Parcel",
    PackageFormat.SMALL_PARCEL: "Small parcel",
    PackageFormat.MEDIUM_PARCEL: "Medium parcel",
    PackageFormat.LARGE_PARCEL: "Large parcel",
    PackageFormat.LETTER: "Letter",
    PackageFormat.LARGE_LETTER: "Large letter",
    PackageFormat.DOCUMENTS: "Documents",
}
# (group, [(field, label, placeholder)]) in tab order
_GROUPS: list[tuple[str, list[tuple[str, str, str]]]] = [
    (
        "Recipient",
        [
            ("full_name", "&Name", ""),
            ("company_name", "Co&mpany", "optional"),
            ("address_line1", "&Address", "line 1"),
            ("address_line2", "", "line 2 (optional)"),
            ("address_line3", "", "line 3 (optional)"),
            ("city", "&Town / city", ""),
            ("county", "Count&y", "optional"),
            ("postcode", "&Postcode", "e.g. SW1A 1AA"),
            ("country_code", "C&ountry", "2-letter code, e.g. GB"),
            ("phone_number", "P&hone", "optional"),
            ("email_address", "&Email", "optional"),
        ],
    ),
    (
        "Parcel",
        [
            (_WEIGHT, "&Weight (g)", "e.g. 750"),
            (_FORMAT, "&Format", ""),
            ("service_code", "&Service code", "optional, e.g. TPN24"),
        ],
    ),
    (
        "Order",
        [
            ("reference", "&Reference", "blank: one is made for you"),
            ("order_date", "Or&der date", "blank: now (31/12/2026 or 2026-12-31)"),
            ("subtotal", "Su&btotal (£)", "0.00"),
            ("shipping_cost_charged", "Shipp&ing (£)", "0.00"),
            ("total", "Tota&l (£)", "blank: subtotal + shipping"),
        ],
    ),
]


class NewOrderDialog(QDialog):
    """Emits `submitted(request)` once the form validates; the caller queues it and then
    calls `finish()` (closes) or `refuse(message)` (shows why under the reference)."""

    submitted = Signal(object)  # CreateOrderRequest

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        reference_taken: Callable[[str], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New order")
        self.setObjectName("NewOrderDialog")
        self._reference_taken = reference_taken
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self.format_box = QComboBox()
        for fmt, text in _FORMAT_TEXT.items():
            self.format_box.addItem(text, fmt.value)
        intro = QLabel(
            "The order is kept here at once and sent to Click & Drop when it answers "
            "(see the outbox)."
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        columns = QHBoxLayout()
        left = QVBoxLayout()
        right = QVBoxLayout()
        for index, (title, rows) in enumerate(_GROUPS):
            (left if index == 0 else right).addWidget(self._group(title, rows))
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        self.status = QLabel("")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Queue order")
        ok.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(columns)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.edits["country_code"].setText("GB")
        self.edits["full_name"].setFocus()

    def _group(self, title: str, rows: list[tuple[str, str, str]]) -> QGroupBox:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for name, label, placeholder in rows:
            field: QWidget
            if name == _FORMAT:
                field = self.format_box
            else:
                edit = QLineEdit()
                edit.setObjectName(name)
                edit.setPlaceholderText(placeholder)
                self.edits[name] = edit
                field = edit
            error = QLabel("")
            error.setObjectName(f"error:{name}")
            error.setTextFormat(Qt.TextFormat.PlainText)  # messages may quote customer text
            error.setStyleSheet("color: #c62828;")
            error.setVisible(False)
            self.errors[name] = error
            column = QVBoxLayout()
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(1)
            column.addWidget(field)
            column.addWidget(error)
            holder = QWidget()
            holder.setLayout(column)
            caption = QLabel(label)
            caption.setBuddy(field)
            form.addRow(caption, holder)
        return box

    def form(self) -> NewOrderForm:
        text = {name: edit.text() for name, edit in self.edits.items()}
        package = PackageInput(
            weight_grams=text.pop(_WEIGHT), package_format=str(self.format_box.currentData())
        )
        return NewOrderForm(packages=(package,), **text)

    def show_errors(self, errors: dict[str, str]) -> None:
        for name, label in self.errors.items():
            message = errors.get(name, "")
            label.setText(message)
            label.setVisible(bool(message))
        first = next((n for n in self.edits if n in errors), None)
        if first is not None:
            self.edits[first].setFocus()
            self.edits[first].selectAll()
        count = len(errors)
        self.status.setText(
            f"{count} field{'s' if count != 1 else ''} to correct" if errors else ""
        )

    def submit(self) -> None:
        result = validate(self.form(), reference_taken=self._reference_taken)
        self.show_errors(result.errors)
        if result.ok and result.request is not None:
            self.set_busy(True)
            self.submitted.emit(result.request)

    def set_busy(self, busy: bool) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not busy)
        self.status.setText("Queueing…" if busy else self.status.text())

    def finish(self) -> None:
        self.accept()

    def refuse(self, message: str) -> None:
        """The queue refused it (reference taken meanwhile): say so under the reference."""
        self.set_busy(False)
        self.show_errors({"reference": message})


def open_new_order(parent: QWidget | None, outbox: OutboxController) -> NewOrderDialog:
    """Show the dialog (non-blocking); OK queues the order in a worker and refreshes the table."""
    dialog = NewOrderDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def queue(request: object) -> None:
        started = outbox.queue_new_orders(
            [request], source="form", on_done=lambda _n: dialog.finish(), on_error=dialog.refuse
        )
        if not started:
            dialog.refuse("no account is open")

    dialog.submitted.connect(queue)
    dialog.open()
    return dialog
