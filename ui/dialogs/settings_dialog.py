"""Settings: a printer per document type (discovered, with a test print), resolution, media,
darkness and speed, A4 start position, auto-print, bench options, retention, passphrase."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from clickdrop_desktop.errors import describe
from printing.uri import PrinterUriError, coerce_uri
from ui import theme
from ui.preferences import DOCUMENT_TYPES, DPI_CHOICES, MEDIA_CHOICES, SORT_CHOICES, Preferences
from ui.tasks import TaskRunner
from ui.widgets.plain import PlainLabel

#: (display name, URI) pairs the printer boxes offer; found in a worker.
Discover = Callable[[], list[tuple[str, str]]]
#: Said when discovery finds nothing ("0 printers found." left a new user without a next step).
NO_PRINTERS_FOUND = (
    "No USB printer or print queue found: type the printer's address (e.g. zpl+tcp://HOST:9100)."
)
#: Sends a test page to a URI; raises with a one-line message on failure.
TestPrint = Callable[[str], None]

log = logging.getLogger(__name__)

#: The retention box's value for "keep everything, however old" (its special text).
KEEP_EVERYTHING = 0


class StoreRetention(Protocol):
    """The open account's retention record (`Store.retention`): the one setting, shared with
    `clickdrop-desktop cache --retention`. Blocking: called on a worker."""

    def period_or(self, default: int | None) -> int | None: ...

    def set_period(self, days: int | None) -> None: ...


class SettingsDialog(QDialog):
    """Edits a copy of the preferences; `result_prefs` holds them after Save."""

    def __init__(
        self,
        prefs: Preferences,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        *,
        discover: Discover | None = None,
        test_print: TestPrint | None = None,
        change_passphrase: Callable[[], None] | None = None,
        retention: StoreRetention | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumSize(620, 480)
        self._prefs = prefs
        self._tasks = tasks
        self._discover = discover
        self._test_print = test_print
        #: The open account's retention record: the box shows what it holds (read on a
        #: worker) and Save writes a change to it. Without one, the box edits the app's default
        #: for accounts that never recorded a period (the preference).
        self._retention = retention
        self._store_days: int | None = None  # what the store held when read
        self._store_read = False
        self.result_prefs: Preferences | None = None
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._printers_tab(), "Printers")
        self.tabs.addTab(self._labels_tab(), "Labels")
        self.tabs.addTab(self._bench_tab(), "Bench")
        self.tabs.addTab(self._data_tab(change_passphrase), "Data and security")
        self.status = PlainLabel("", object_name="StatusLine", wrap=True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_save_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        if discover is not None:
            self._find_printers()
        if retention is not None:
            self._read_retention(retention)

    # -- tabs -------------------------------------------------------------------------------------

    def _printers_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(14, 14, 14, 14)
        form.setVerticalSpacing(10)
        intro = PlainLabel(
            "Each document goes straight to its printer, with no print dialog. Use a printer "
            "address such as zpl+usb://0a5f:00d3, escpos+tcp://192.168.1.50:9100, "
            "tspl+usb://2d37:ef02 or pdf+spool://Office.",
            object_name="Muted",
            wrap=True,
        )
        form.addRow(intro)
        self.printer_boxes: dict[str, QComboBox] = {}
        for document, title in DOCUMENT_TYPES:
            box = QComboBox()
            box.setEditable(True)
            box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            box.setMinimumContentsLength(34)
            box.setAccessibleName(f"{title} printer")
            editor = box.lineEdit()
            if editor is not None:
                editor.setPlaceholderText(
                    "same as the label printer" if document != "postageLabel" else "not set"
                )
            box.setEditText(self._prefs.printers.get(document, ""))
            test = QPushButton("Test print")
            test.setEnabled(self._test_print is not None)
            test.clicked.connect(lambda _c=False, d=document: self._on_test_clicked(d))
            row = QHBoxLayout()
            row.addWidget(box, 1)
            row.addWidget(test)
            form.addRow(title, row)
            self.printer_boxes[document] = box
        return page

    def _labels_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(14, 14, 14, 14)
        form.setVerticalSpacing(10)
        self.dpi = QComboBox()
        for dpi in DPI_CHOICES:
            self.dpi.addItem(f"{dpi} dpi", dpi)
        self.dpi.setCurrentIndex(max(0, self.dpi.findData(self._prefs.dpi)))
        self.media = QComboBox()
        for key, title in MEDIA_CHOICES:
            self.media.addItem(title, key)
        self.media.setCurrentIndex(max(0, self.media.findData(self._prefs.media)))
        self.darkness = QSpinBox()
        self.darkness.setRange(-1, 30)
        self.darkness.setSpecialValueText("Printer default")
        self.darkness.setValue(-1 if self._prefs.darkness is None else self._prefs.darkness)
        self.darkness.setToolTip("ZPL 0-30, TSPL 0-15; ESC/POS printers ignore it")
        self.speed = QSpinBox()
        self.speed.setRange(0, 14)
        self.speed.setSpecialValueText("Printer default")
        self.speed.setSuffix(" in/s")
        self.speed.setValue(0 if self._prefs.speed is None else self._prefs.speed)
        self.auto_print = QCheckBox("Print new labels as soon as they are prepared")
        self.auto_print.setChecked(self._prefs.auto_print)
        form.addRow("Resolution", self.dpi)
        form.addRow("Media", self.media)
        form.addRow("Darkness", self.darkness)
        form.addRow("Speed", self.speed)
        form.addRow("A4 sheets: first free label", self._start_position())
        form.addRow("", self.auto_print)
        return page

    def _start_position(self) -> QWidget:
        holder = QWidget()
        grid = QGridLayout(holder)
        grid.setContentsMargins(0, 0, 0, 0)
        self.start_group = QButtonGroup(holder)
        names = ("Top left", "Top right", "Bottom left", "Bottom right")
        for position, name in enumerate(names, 1):
            radio = QRadioButton(name)
            radio.setChecked(position == self._prefs.a4_start_position)
            self.start_group.addButton(radio, position)
            grid.addWidget(radio, (position - 1) // 2, (position - 1) % 2)
        return holder

    def _bench_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(14, 14, 14, 14)
        form.setVerticalSpacing(10)
        self.slip_on_scan = QCheckBox("A scan also prints the packing slip")
        self.slip_on_scan.setChecked(self._prefs.packing_slip_on_scan)
        self.batch_sort = QComboBox()
        for key, title in SORT_CHOICES:
            self.batch_sort.addItem(title, key)
        self.batch_sort.setCurrentIndex(max(0, self.batch_sort.findData(self._prefs.batch_sort)))
        form.addRow("", self.slip_on_scan)
        form.addRow("Batch print order", self.batch_sort)
        return page

    def _data_tab(self, change_passphrase: Callable[[], None] | None) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(14, 14, 14, 14)
        form.setVerticalSpacing(10)
        self.retention = QSpinBox()
        self.retention.setRange(KEEP_EVERYTHING, 3650)
        self.retention.setSpecialValueText("Keep everything")
        self.retention.setSuffix(" days")
        self.retention.setValue(max(KEEP_EVERYTHING, self._prefs.retention_days))
        self.retention.setAccessibleName("Keep personal data of despatched orders")
        self.retention.setToolTip(
            "Labels and personal details of despatched orders are deleted after this; "
            "the same setting as 'clickdrop-desktop cache --retention'"
        )
        if self._retention is not None:
            self.retention.setEnabled(False)  # until the store's own value has been read
        self.sync_interval = QSpinBox()
        self.sync_interval.setRange(0, 240)
        self.sync_interval.setSpecialValueText("Only when I ask")
        self.sync_interval.setSuffix(" min")
        self.sync_interval.setValue(self._prefs.sync_interval_minutes)
        self.lock_after = QSpinBox()
        self.lock_after.setRange(0, 480)
        self.lock_after.setSpecialValueText("Never")
        self.lock_after.setSuffix(" min idle")
        self.lock_after.setValue(self._prefs.lock_after_idle_minutes)
        self.passphrase_button = QPushButton("Change passphrase…")
        self.passphrase_button.setEnabled(change_passphrase is not None)
        if change_passphrase is None:
            self.passphrase_button.setToolTip(
                "Your keys are in the system keyring: there is no passphrase to change"
            )
        else:
            self.passphrase_button.clicked.connect(change_passphrase)
        form.addRow("Keep personal data of despatched orders", self.retention)
        form.addRow("Sync automatically every", self.sync_interval)
        form.addRow("Lock the app after", self.lock_after)
        form.addRow("Passphrase", self.passphrase_button)
        return page

    # -- retention --------------------------------------------------------------------------------

    def _read_retention(self, retention: StoreRetention) -> None:
        default = self._prefs.retention_days or None

        def read(days: int | None) -> None:
            self._store_days, self._store_read = days, True
            self.retention.setValue(KEEP_EVERYTHING if days is None else days)
            self.retention.setEnabled(True)

        self._tasks.run(
            lambda _ctx: retention.period_or(default),
            on_done=read,
            on_error=lambda exc: self._set_status(
                f"Could not read this account's retention period: {describe(exc)[0]}", "warn"
            ),
            owner=self,
            lane="accounts",
        )

    def retention_days(self) -> int | None:
        """The box's choice: days, or None for keep everything."""
        value = self.retention.value()
        return None if value == KEEP_EVERYTHING else value

    def _save_retention(self) -> int:
        """Write a changed period to the store; returns the preference's value to keep."""
        days = self.retention_days()
        retention = self._retention
        if retention is None:
            return self.retention.value()
        if self._store_read and days != self._store_days:
            self._tasks.run(
                lambda _ctx: retention.set_period(days),
                # The dialog is gone by then: the worker's failure can only be logged.
                on_error=lambda exc: log.warning(
                    "could not record the retention period: %s", describe(exc)[0]
                ),
                lane="accounts",
            )
        # The preference stays the default for accounts that never recorded a period.
        return self._prefs.retention_days

    # -- printers ---------------------------------------------------------------------------------

    def _find_printers(self) -> None:
        discover = self._discover
        if discover is None:
            return
        self._set_status("Looking for printers…", "")
        self._tasks.run(
            lambda _ctx: discover(),
            on_done=self._on_printers_found,
            on_error=lambda exc: self._set_status(describe(exc)[0], "warn"),
            owner=self,
        )

    def _on_printers_found(self, printers: list[tuple[str, str]]) -> None:
        for box in self.printer_boxes.values():
            current = box.currentText()
            box.clear()
            for name, uri in printers:
                box.addItem(f"{name} — {uri}", uri)
            box.setEditText(current)
        found = len(printers)
        self._set_status(
            f"{found} printer{'s' if found != 1 else ''} found." if found else NO_PRINTERS_FOUND, ""
        )

    def _printer_text(self, document: str) -> str:
        box = self.printer_boxes[document]
        index = box.findText(box.currentText())
        data = box.itemData(index) if index >= 0 else None
        return str(data) if data else box.currentText().strip()

    def _on_test_clicked(self, document: str) -> None:
        uri = self._printer_text(document) or self._printer_text("postageLabel")
        if not uri or self._test_print is None:
            self._set_status("Choose a printer first.", "bad")
            return
        test_print = self._test_print
        self._set_status("Sending a test page…", "")
        self._tasks.run(
            lambda _ctx: test_print(uri),
            on_done=lambda _r: self._set_status("Test page sent.", "ok"),
            on_error=lambda exc: self._set_status(describe(exc)[0], "bad"),
            owner=self,
        )

    # -- saving -----------------------------------------------------------------------------------

    def _on_save_clicked(self) -> None:
        printers: dict[str, str] = {}
        for document, title in DOCUMENT_TYPES:
            text = self._printer_text(document)
            if not text:
                continue
            try:
                coerce_uri(text)
            except (PrinterUriError, ValueError) as exc:
                self.tabs.setCurrentIndex(0)
                self._set_status(f"{title}: {exc}", "bad")
                self.printer_boxes[document].setFocus()
                return
            printers[document] = text
        darkness = self.darkness.value()
        speed = self.speed.value()
        self.result_prefs = self._prefs.with_changes(
            printers=printers,
            dpi=int(self.dpi.currentData()),
            media=str(self.media.currentData()),
            darkness=None if darkness < 0 else darkness,
            speed=None if speed == 0 else speed,
            a4_start_position=max(1, self.start_group.checkedId()),
            auto_print=self.auto_print.isChecked(),
            packing_slip_on_scan=self.slip_on_scan.isChecked(),
            batch_sort=str(self.batch_sort.currentData()),
            retention_days=self._save_retention(),
            sync_interval_minutes=self.sync_interval.value(),
            lock_after_idle_minutes=self.lock_after.value(),
        )
        self.accept()

    def _set_status(self, text: str, tone: str) -> None:
        self.status.setText(text)
        self.status.setProperty("feedback", tone)
        theme.repolish(self.status)
