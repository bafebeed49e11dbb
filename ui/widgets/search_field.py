"""Search as you type: emits the query once typing pauses, not on every key."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

from ui.icons import icon

DEBOUNCE_MS = 200


class SearchField(QLineEdit):
    """Full-text search box; `search_changed` fires `DEBOUNCE_MS` after the last key.

    Enter searches at once; Escape clears (and searches at once); Down goes on to the results.
    """

    search_changed = Signal(str)
    to_results = Signal()  # Down: the keyboard goes on to the orders found

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SearchField")
        self.setPlaceholderText("Search reference, name, postcode, tracking number, SKU…")
        self.setClearButtonEnabled(True)
        self.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.setAccessibleName("Search orders")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._last = ""
        self._timer.timeout.connect(self._emit)
        self.textChanged.connect(self._on_text_changed)
        self.returnPressed.connect(self._emit)

    def _on_text_changed(self, _text: str) -> None:
        self._timer.start()

    def flush(self) -> None:
        """Search what was typed now if the pause has not come yet (the user moved on)."""
        if self._timer.isActive():
            self._emit()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self.flush()  # leaving the field means the typing is done
        super().focusOutEvent(event)

    def _emit(self) -> None:
        self._timer.stop()
        text = self.text().strip()
        if text != self._last:
            self._last = text
            self.search_changed.emit(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            self._emit()
            return
        if event.key() == Qt.Key.Key_Down:
            self.flush()  # what was typed is searched now, not after the pause
            self.to_results.emit()
            return
        super().keyPressEvent(event)

    def reset(self) -> None:
        """Empty the box without emitting (account switch)."""
        self.blockSignals(True)
        self.clear()
        self.blockSignals(False)
        self._timer.stop()
        self._last = ""
