"""The manifests kept here (each end-of-day manifest's PDF, encrypted in the store): print one on
the office/A4 printer through the print queue, or save it; both work offline."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clickdrop_desktop.errors import describe
from ui import theme
from ui.dialogs.manifest_print import (
    ManifestPrinter,
    ManifestPrintResult,
    ManifestPrintService,
    PrintOutcome,
)
from ui.widgets.plain import PlainLabel

if TYPE_CHECKING:
    from clickdrop_desktop.manifests import ManifestRecord
    from ui.dialogs.factory import Dialogs
    from ui.tasks import TaskRunner

TITLE = "End-of-day manifests"
#: The empty list says where manifests come from (the menu item that makes one).
NO_MANIFESTS = (
    "No manifest has been made from this computer yet: Orders › End-of-day manifest makes one "
    "(OBA accounts), and its PDF is kept here."
)
_STATES = {"ready": "PDF kept", "preparing": "Being prepared", "failed": "Failed upstream"}


class ManifestDialog(QDialog):
    """Lists kept manifests; Print (Ctrl+P) and Save PDF (Ctrl+S) act on the selected one."""

    def __init__(
        self,
        service: ManifestPrintService,
        tasks: TaskRunner,
        dialogs: Dialogs,
        parent: QWidget | None = None,
        *,
        select: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setObjectName("ManifestDialog")
        self._service = service
        self._tasks = tasks
        self._dialogs = dialogs
        self._select = select
        self.records: list[ManifestRecord] = []
        self._printer: ManifestPrinter | None = None  # known once loaded
        self.busy = False
        intro = PlainLabel(
            "Manifests made from this computer. Their PDFs are kept here, encrypted, so they "
            "print and save without Click & Drop.",
            object_name="Muted",
            wrap=True,
        )
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("ManifestTable")
        self.table.setHorizontalHeaderLabels(["Manifest", "Made", "State"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # headings over their column's text, as in the orders table (Qt centres them)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.setAccessibleName("Kept manifests")
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemActivated.connect(lambda _item: self.print_selected())
        self.printer = PlainLabel("", object_name="Muted", wrap=True)
        self.status = PlainLabel("", object_name="StatusLine", wrap=True)
        self.print_button = QPushButton("&Print")
        self.print_button.setObjectName("Primary")
        self.print_button.setShortcut(QKeySequence.StandardKey.Print)
        self.print_button.clicked.connect(self.print_selected)
        self.save_button = QPushButton("&Save PDF…")
        self.save_button.setShortcut(QKeySequence.StandardKey.Save)
        self.save_button.clicked.connect(self.save_selected)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.printer)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(560, 380)
        self._update_buttons()
        self.reload()

    # -- data -----------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the kept manifests (and the printer) in a worker; the table follows."""
        self._set_status("Reading the manifests kept here…", "")
        self._tasks.run(
            lambda _ctx: (self._service.kept(), self._service.printer()),
            on_done=self._on_loaded,
            on_error=self._on_failed,
            owner=self,
            lane="manifest",
        )

    def _on_loaded(self, loaded: tuple[list[ManifestRecord], ManifestPrinter]) -> None:
        records, printer = loaded
        self.records = records
        self.printer.setText(f"Prints on: {printer.text}" if printer.uri else printer.text)
        self._printer = printer
        self.table.setRowCount(len(records))
        for row, record in enumerate(records):
            made = record.created_at.astimezone().strftime("%d/%m/%Y %H:%M")
            cells = (str(record.number), made, _STATES.get(record.state.value, record.state.value))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(record.message or text)
                self.table.setItem(row, column, item)
        wanted = next(
            (i for i, r in enumerate(records) if r.number == self._select), 0 if records else -1
        )
        if wanted >= 0:
            self.table.selectRow(wanted)
        self._set_status("" if records else NO_MANIFESTS, "")
        self._update_buttons()

    def selected(self) -> ManifestRecord | None:
        rows = self.table.selectionModel().selectedRows()
        return self.records[rows[0].row()] if rows and rows[0].row() < len(self.records) else None

    def _update_buttons(self) -> None:
        record = self.selected()
        has_pdf = record is not None and record.has_pdf
        printer = self._printer is not None and self._printer.uri is not None
        self.print_button.setEnabled(has_pdf and printer and not self.busy)
        self.save_button.setEnabled(has_pdf and not self.busy)
        why = ""
        if record is None:
            why = "Choose a manifest"
        elif not has_pdf:
            why = f"Manifest {record.number}'s PDF is not ready yet"
        elif not printer:
            why = self._printer.text if self._printer is not None else "Reading the printers…"
        self.print_button.setToolTip(why or "Print on the A4 printer (Ctrl+P)")
        self.save_button.setToolTip(
            "Save a copy of the PDF (Ctrl+S)" if has_pdf else why or "Choose a manifest"
        )

    # -- actions --------------------------------------------------------------------------------

    def print_selected(self, *, reprint: bool = False) -> None:
        record = self.selected()
        if record is None or not self.print_button.isEnabled():
            return
        number = record.number
        self._set_busy(True, f"Printing manifest {number}…")
        self._tasks.run(
            lambda _ctx: self._service.print_manifest(number, reprint=reprint),
            on_done=self._on_printed,
            on_error=self._on_failed,
            owner=self,
            lane="print",
        )

    def _on_printed(self, result: ManifestPrintResult) -> None:
        self._set_busy(False)
        self._service.printed_now()
        if result.outcome is PrintOutcome.ALREADY_PRINTED:
            again = self._dialogs.confirm(
                self,
                TITLE,
                f"Manifest {result.number} was printed before. Print it again?",
                "Print again",
            )
            if again:
                self.print_selected(reprint=True)
            else:
                self._set_status(result.message, "warn")
            return
        ok = result.outcome is PrintOutcome.PRINTED
        self._set_status(result.message, "ok" if ok else "bad")

    def save_selected(self) -> None:
        record = self.selected()
        if record is None or not record.has_pdf:
            return
        number = record.number
        path = self._dialogs.save_file(
            self, f"Save manifest {number}", f"manifest-{number}.pdf", "PDF files (*.pdf)"
        )
        if path is None:
            return
        self._set_busy(True, f"Saving manifest {number}…")
        self._tasks.run(
            lambda _ctx: self._write(number, Path(path)),
            on_done=lambda name: self._after_save(number, name),
            on_error=self._on_failed,
            owner=self,
            lane="manifest",
        )

    def _write(self, number: int, path: Path) -> str:
        pdf = self._service.pdf(number)
        if pdf is None:
            raise FileNotFoundError(f"manifest {number}'s PDF is no longer kept here")
        path.write_bytes(pdf)
        return path.name

    def _after_save(self, number: int, name: str) -> None:
        self._set_busy(False)
        self._set_status(f"Manifest {number} saved to {name}", "ok")

    def _on_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._service.printed_now()  # a job may have been queued before it failed
        self._set_status(describe(exc)[0], "bad")

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.busy = busy
        if text:
            self._set_status(text, "")
        self._update_buttons()

    def _set_status(self, text: str, tone: str) -> None:
        self.status.setText(text)
        self.status.setProperty("feedback", tone)
        theme.repolish(self.status)


def open_manifests(
    parent: QWidget | None,
    service: ManifestPrintService,
    tasks: TaskRunner,
    dialogs: Dialogs,
    *,
    select: int | None = None,
) -> ManifestDialog:
    """Show the kept manifests modally (through `dialogs`, so tests can drive it)."""
    dialog = ManifestDialog(service, tasks, dialogs, parent, select=select)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialogs.open_dialog("manifests", dialog)
    return dialog
