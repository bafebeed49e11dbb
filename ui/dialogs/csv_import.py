"""Import orders from a CSV file: pick it, see every row with its errors, import all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui import theme

if TYPE_CHECKING:
    from clickdrop_desktop.csv_import import ImportPreview
    from ui.controllers.outbox import OutboxController

_HEADERS = ("Line", "Reference", "Name", "Postcode", "Country", "Weight (g)", "Service", "Problems")
_BAD = QColor(198, 40, 40, 60)  # translucent red: readable on light and dark palettes


class CsvImportDialog(QDialog):
    """Preview and import through `outbox` (an `OutboxController`): both run in workers."""

    def __init__(self, outbox: OutboxController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import orders from CSV")
        self.setObjectName("CsvImportDialog")
        self._outbox = outbox
        self.preview: ImportPreview | None = None
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("Path to a .csv file (Enter to read it)")
        self.path_edit.returnPressed.connect(lambda: self.load(Path(self.path_edit.text())))
        browse = QPushButton("&Choose file…")
        browse.clicked.connect(self.choose_file)
        file_row = QHBoxLayout()
        caption = QLabel("&File:")
        caption.setBuddy(self.path_edit)
        file_row.addWidget(caption)
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(browse)
        self.summary = QLabel("Choose a file exported from your shop.")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.problem = QLabel("")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)  # may quote the file's text
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {theme.tokens().bad_fg};")  # readable when dark
        self.table = QTableWidget(0, len(_HEADERS))
        self.table.setHorizontalHeaderLabels(list(_HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # headings over their column's text, as in the orders table (Qt centres them)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(len(_HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton(
            "&Import", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setEnabled(False)
        self.buttons.accepted.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(file_row)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(900, 480)

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import orders from CSV", "", "CSV files (*.csv *.txt);;All files (*)"
        )
        if path:
            self.load(Path(path))

    def load(self, path: Path) -> None:
        self.path_edit.setText(str(path))
        self.import_button.setEnabled(False)
        self.summary.setText(f"Reading {path.name}…")
        self.problem.setText("")
        if not self._outbox.preview_csv(path, on_done=self.show_preview, on_error=self._failed):
            self._failed("open an account first")

    def show_preview(self, preview: ImportPreview) -> None:
        self.preview = preview
        self.table.setRowCount(len(preview.rows))
        for index, row in enumerate(preview.rows):
            problems = "; ".join(f"{e.field}: {e.message}" for e in row.errors)
            cells = (
                str(row.line),
                row.reference,
                row.name,
                row.postcode,
                row.country,
                row.weight_grams,
                row.service_code,
                problems or "; ".join(row.warnings),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)  # items show plain text, never markup
                if row.errors:
                    item.setBackground(QBrush(_BAD))
                    item.setToolTip(problems)
                self.table.setItem(index, column, item)
        delimiter = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(
            preview.delimiter, repr(preview.delimiter)
        )
        encoding = preview.encoding_note or preview.encoding or "unknown"
        bad = len({e.line for e in preview.errors})
        self.summary.setText(
            f"{_orders(len(preview.rows))}, {bad or 'none'} with errors · encoding: {encoding} · "
            f"delimiter: {delimiter}"
            + (
                f" · columns ignored: {', '.join(preview.unknown_columns)}"
                if preview.unknown_columns
                else ""
            )
        )
        self.problem.setText(preview.problem() or "")
        self.import_button.setEnabled(preview.ok)
        first_bad = next((i for i, r in enumerate(preview.rows) if r.errors), None)
        first_item = None if first_bad is None else self.table.item(first_bad, 0)
        if first_item is not None:  # shown, not selected: selection would hide the red
            self.table.scrollToItem(first_item)
        self.table.setFocus()

    def run_import(self) -> None:
        preview = self.preview
        if preview is None or not preview.ok:
            return
        self.import_button.setEnabled(False)
        self.summary.setText(f"Importing {_orders(len(preview.rows))}…")
        if not self._outbox.import_csv(preview, on_done=self._imported, on_error=self._failed):
            self._failed("open an account first")

    def _imported(self, count: int) -> None:
        self.summary.setText(f"{_orders(count)} imported.")
        self.accept()

    def _failed(self, text: str) -> None:
        self.problem.setText(text)
        self.summary.setText("Nothing was imported.")
        self.import_button.setEnabled(False)


def _orders(count: int) -> str:
    return f"{count} order{'' if count == 1 else 's'}"


def open_csv_import(parent: QWidget | None, outbox: OutboxController) -> CsvImportDialog:
    dialog = CsvImportDialog(outbox, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
