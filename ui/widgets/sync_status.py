"""The status bar's sync area: what the last sync did, a progress bar and cancel while running."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QToolButton, QWidget

from ui.icons import icon
from ui.tasks import Progress
from ui.widgets.plain import PlainLabel


class SyncStatus(QWidget):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Sync status")
        self.label = PlainLabel("", object_name="Muted")
        self.bar = QProgressBar(self)
        self.bar.setFixedWidth(160)
        self.bar.setFixedHeight(14)
        self.bar.setTextVisible(False)
        self.cancel = QToolButton(self)
        self.cancel.setIcon(icon("cancel"))
        self.cancel.setToolTip("Stop syncing (what was fetched so far is kept)")
        self.cancel.setAutoRaise(True)
        self.cancel.clicked.connect(self.cancel_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 6, 0)
        layout.setSpacing(6)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel)
        self.running = False
        self.set_idle("")

    def start(self, text: str = "Syncing…") -> None:
        self.running = True
        self.label.setText(text)
        self.bar.setRange(0, 0)  # busy until the first progress with a total
        self.bar.setVisible(True)
        self.cancel.setVisible(True)
        self.cancel.setEnabled(True)

    def set_progress(self, progress: Progress) -> None:
        if not self.running:
            self.start()
        if progress.total:
            self.bar.setRange(0, progress.total)
            self.bar.setValue(min(progress.done, progress.total))
        else:
            self.bar.setRange(0, 0)
        if progress.text:
            self.label.setText(progress.text)

    def cancelling(self) -> None:
        self.cancel.setEnabled(False)
        self.label.setText("Stopping…")

    def set_idle(self, text: str) -> None:
        self.running = False
        self.label.setText(text)
        self.bar.setVisible(False)
        self.cancel.setVisible(False)
