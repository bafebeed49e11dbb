"""Bench mode: a scan field that keeps the keyboard focus, with loud colour for each outcome.

A scanner types the barcode and presses Enter: that prints the order's label. Ctrl+Enter is the
deliberate reprint key for an order already printed; a plain scan never prints twice.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui import theme
from ui.icons import icon
from ui.widgets.plain import PlainLabel
from ui.widgets.scan_outcome import ScanOutcome

__all__ = ["FEEDBACK_CLEAR_MS", "ScanOutcome", "ScanPanel", "clean_scan"]

FEEDBACK_CLEAR_MS = 4000


class _ScanLine(QLineEdit):
    submitted = Signal(str, bool)  # text, reprint

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            reprint = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            self.submitted.emit(self.text(), reprint)
            event.accept()
            return
        super().keyPressEvent(event)


def clean_scan(text: str) -> str:
    """What the scanner sent, minus whitespace and control characters (some send a prefix)."""
    return "".join(ch for ch in text if ch.isprintable()).strip()


class ScanPanel(QFrame):
    """`scanned(text)` on Enter, `reprint_requested(text)` on Ctrl+Enter."""

    scanned = Signal(str)
    reprint_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.setAccessibleName("Bench scan")
        self.field = _ScanLine(self)
        self.field.setObjectName("ScanField")
        self.field.setPlaceholderText("Scan an order barcode or type a reference, then Enter")
        self.field.setAccessibleName("Scan")
        self.field.addAction(icon("scan"), QLineEdit.ActionPosition.LeadingPosition)
        self.result = PlainLabel("Ready to scan.", object_name="ScanResult", wrap=True)
        self.result.setAccessibleName("Scan result")
        hint = QLabel("Enter prints the label  ·  Ctrl+Enter reprints  ·  F2 leaves bench mode")
        hint.setObjectName("Muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(6)
        top = QHBoxLayout()
        title = QLabel("Bench mode")
        title.setObjectName("CardTitle")
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(hint)
        layout.addLayout(top)
        layout.addWidget(self.field)
        layout.addWidget(self.result)
        self._clear_timer = QTimer(self)
        self._clear_timer.setSingleShot(True)
        self._clear_timer.setInterval(FEEDBACK_CLEAR_MS)
        self._clear_timer.timeout.connect(self._clear_feedback)
        self.field.submitted.connect(self._on_submitted)
        self._keep_focus = False
        self.outcome: ScanOutcome | None = None

    # -- focus ---------------------------------------------------------------------------------

    def set_keep_focus(self, keep: bool) -> None:
        """While on, focus returns to the scan field whenever it drifts to a non-input widget."""
        app = QApplication.instance()
        if keep == self._keep_focus or not isinstance(app, QApplication):
            return
        self._keep_focus = keep
        if keep:
            app.focusChanged.connect(self._on_focus_changed)
            self.focus_scan()
        else:
            app.focusChanged.disconnect(self._on_focus_changed)

    def focus_scan(self) -> None:
        self.field.setFocus(Qt.FocusReason.OtherFocusReason)
        self.field.selectAll()

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if not self.isVisible() or new is self.field:
            return
        if new is not None and (new.window() is not self.window() or _is_text_input(new)):
            return  # a dialog or another input (search) may have the keyboard
        QTimer.singleShot(0, self, self._refocus)

    def _refocus(self) -> None:
        if not (self._keep_focus and self.isVisible()):
            return
        focused = QApplication.focusWidget()
        if focused is None or (focused.window() is self.window() and not _is_text_input(focused)):
            self.focus_scan()

    # -- scans ---------------------------------------------------------------------------------

    def _on_submitted(self, text: str, reprint: bool) -> None:
        code = clean_scan(text)
        self.field.clear()
        if not code:
            return
        if reprint:
            self.reprint_requested.emit(code)
        else:
            self.scanned.emit(code)

    def show_result(self, outcome: ScanOutcome, text: str) -> None:
        self.outcome = outcome
        self.result.setText(text)
        for widget in (self.field, self.result):
            widget.setProperty("feedback", outcome.value)
            theme.repolish(widget)
        self._clear_timer.start()

    def _clear_feedback(self) -> None:
        self.field.setProperty("feedback", "")
        theme.repolish(self.field)


def _is_text_input(widget: QWidget) -> bool:
    if isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit | QAbstractSpinBox):
        return True
    return isinstance(widget, QComboBox) and widget.isEditable()
