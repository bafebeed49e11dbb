"""One package of the New order dialog: weight, format, dimensions and contents lines, errors under
each field as plain text (messages may quote what was typed)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clickdrop_desktop.api.order_parts import PackageFormat
from clickdrop_desktop.orders_form import ItemInput, PackageInput
from ui import theme
from ui.widgets.plain import PlainLabel

FORMAT_TEXT = {
    PackageFormat.PARCEL: "Parcel",
    PackageFormat.SMALL_PARCEL: "Small parcel",
    PackageFormat.MEDIUM_PARCEL: "Medium parcel",
    PackageFormat.LARGE_PARCEL: "Large parcel",
    PackageFormat.LETTER: "Letter",
    PackageFormat.LARGE_LETTER: "Large letter",
    PackageFormat.DOCUMENTS: "Documents",
}
ITEM_FIELDS: tuple[tuple[str, str, int], ...] = (  # (field, placeholder, width; 0: stretch)
    ("name", "Item name", 0),
    ("sku", "SKU", 72),
    ("quantity", "Qty", 40),
    ("unit_value", "£ each", 58),
    ("unit_weight_grams", "g each", 58),
)
DIMENSION_FIELDS = (("height_mm", "height"), ("width_mm", "width"), ("depth_mm", "depth"))


def error_label(name: str) -> QLabel:
    """A field's error line, in the theme's error colour (a fixed dark red was hard to read on
    the dark palette)."""
    label = PlainLabel("", object_name=f"error:{name}", wrap=True)
    label.setStyleSheet(f"color: {theme.tokens().bad_fg};")
    label.setVisible(False)
    return label


class ItemRow(QWidget):
    """One contents line: name, SKU, quantity, unit value and unit weight, and its error."""

    remove_requested = Signal(object)  # this row

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edits: dict[str, QLineEdit] = {}
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        for name, placeholder, width in ITEM_FIELDS:
            edit = QLineEdit()
            edit.setObjectName(name)
            edit.setPlaceholderText(placeholder)
            edit.setAccessibleName(placeholder)
            if width:
                edit.setFixedWidth(width)
            else:
                edit.setMinimumWidth(110)
            row.addWidget(edit, 0 if width else 1)
            self.edits[name] = edit
        self.edits["quantity"].setText("1")
        self.remove = QPushButton("✕")
        self.remove.setFixedWidth(30)
        self.remove.setToolTip("Remove this line")
        self.remove.setAccessibleName("Remove this line")
        self.remove.setAutoDefault(False)
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))
        row.addWidget(self.remove)
        self.error = error_label("item")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        column.addLayout(row)
        column.addWidget(self.error)

    def value(self) -> ItemInput:
        text = {name: edit.text() for name, edit in self.edits.items()}
        return ItemInput(**text)

    def focus_chain(self) -> list[QWidget]:
        return [*self.edits.values(), self.remove]


class PackageEditor(QGroupBox):
    """Package N of the order. `remove_requested` asks the dialog to drop it."""

    remove_requested = Signal(object)  # this editor
    chain_changed = Signal()  # item lines came or went: the dialog redoes its tab order

    def __init__(self, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PackageEditor")
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self.items: list[ItemRow] = []
        self.weight = self._edit("weight_grams", "e.g. 750")
        self.format_box = QComboBox()
        self.format_box.setObjectName("package_format")
        for fmt, text in FORMAT_TEXT.items():
            self.format_box.addItem(text, fmt.value)
        self.errors["package_format"] = error_label("package_format")
        dims = QHBoxLayout()
        dims.setSpacing(4)
        for name, what in DIMENSION_FIELDS:
            edit = self._edit(name, what)
            edit.setAccessibleName(f"{what} in mm")
            dims.addWidget(edit)
        dims.addWidget(QLabel("mm"))
        self.remove = QPushButton("Remove package")
        self.remove.setAutoDefault(False)
        self.remove.setToolTip("Remove this package (Ctrl+Shift+Backspace)")
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))
        self.add_item = QPushButton("Add item line")
        self.add_item.setAutoDefault(False)
        self.add_item.setToolTip("What is in this package (customs and packing slips)")
        self.add_item.clicked.connect(self._on_add_item_clicked)
        self.items_box = QVBoxLayout()
        self.items_box.setContentsMargins(0, 0, 0, 0)
        self.items_box.setSpacing(4)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        top = QGridLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setHorizontalSpacing(8)
        top.setVerticalSpacing(1)
        top.addWidget(self.weight, 0, 0)
        top.addWidget(self.format_box, 0, 1)
        top.addWidget(self.errors["weight_grams"], 1, 0)
        top.addWidget(self.errors["package_format"], 1, 1)
        top.setColumnStretch(0, 1)
        top.setColumnStretch(1, 1)
        weight_caption = QLabel("&Weight (g) / format")  # Alt+W: to the next package's weight
        weight_caption.setBuddy(self.weight)
        form.addRow(weight_caption, top)
        dims_column = QVBoxLayout()
        dims_column.setSpacing(1)
        dims_column.addLayout(dims)
        for name, _what in DIMENSION_FIELDS:
            dims_column.addWidget(self.errors[name])
        dims_caption = QLabel("H × W × D")
        dims_caption.setBuddy(self.edits["height_mm"])
        dims_caption.setToolTip("Optional: all three, or none")
        form.addRow(dims_caption, dims_column)
        contents = QVBoxLayout()
        contents.setSpacing(4)
        contents.addLayout(self.items_box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_item)
        buttons.addStretch(1)
        buttons.addWidget(self.remove)
        contents.addLayout(buttons)
        form.addRow(QLabel("Contents"), contents)
        self.setLayout(form)
        self.set_number(number, removable=True)

    def _edit(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        self.edits[name] = edit
        self.errors[name] = error_label(name)
        return edit

    def set_number(self, number: int, *, removable: bool) -> None:
        self.number = number
        self.setTitle(f"Package {number}")
        self.weight.setAccessibleName(f"Package {number} weight in grams")
        self.format_box.setAccessibleName(f"Package {number} format")
        self.remove.setVisible(removable)

    def add_item_row(self) -> ItemRow:
        row = ItemRow(self)
        row.remove_requested.connect(self._on_item_remove_requested)
        self.items.append(row)
        self.items_box.addWidget(row)
        row.show()
        return row

    def _on_add_item_clicked(self) -> None:
        row = self.add_item_row()
        row.edits["name"].setFocus(Qt.FocusReason.OtherFocusReason)
        self.chain_changed.emit()

    def _on_item_remove_requested(self, row: ItemRow) -> None:
        index = self.items.index(row)
        self.items.remove(row)
        row.setParent(None)
        row.deleteLater()
        target = self.items[min(index, len(self.items) - 1)].edits["name"] if self.items else None
        (target or self.add_item).setFocus(Qt.FocusReason.OtherFocusReason)
        self.chain_changed.emit()

    def value(self) -> PackageInput:
        return PackageInput(
            weight_grams=self.weight.text(),
            package_format=str(self.format_box.currentData()),
            height_mm=self.edits["height_mm"].text(),
            width_mm=self.edits["width_mm"].text(),
            depth_mm=self.edits["depth_mm"].text(),
            contents=tuple(row.value() for row in self.items),
        )

    def field_edits(self) -> dict[str, QLineEdit]:
        """Every line edit by its field name within the package (`contents[j].sku` ...), in
        tab order. Contents lines are numbered as the validator numbers them: blank lines
        are skipped."""
        out = dict(self.edits)
        index = 0
        for row in self.items:
            if row.value().blank:
                continue
            for name, edit in row.edits.items():
                out[f"contents[{index}].{name}"] = edit
            index += 1
        return out

    def show_errors(self, errors: dict[str, str]) -> None:
        """`errors` by field name within the package; each shown under its field."""
        for name, label in self.errors.items():
            message = errors.get(name, "")
            label.setText(message)
            label.setVisible(bool(message))
        index = 0
        for row in self.items:
            message = ""
            if not row.value().blank:
                prefix = f"contents[{index}]."
                message = next((m for k, m in errors.items() if k.startswith(prefix)), "")
                index += 1
            row.error.setText(message)
            row.error.setVisible(bool(message))
        extra = errors.get("contents", "")
        if extra:
            self.errors["weight_grams"].setText(extra)
            self.errors["weight_grams"].setVisible(True)

    def focus_chain(self) -> list[QWidget]:
        chain: list[QWidget] = [self.weight, self.format_box]
        chain += [self.edits[name] for name, _ in DIMENSION_FIELDS]
        for row in self.items:
            chain += row.focus_chain()
        chain += [self.add_item, self.remove]
        return chain
