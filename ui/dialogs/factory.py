"""Every modal question the app asks goes through here, so tests can answer without a human."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

# The dialog classes load when a question is first asked, not at start-up: PySide builds each
# class's enums when it is first imported (QMessageBox and QFileDialog alone slow the first
# frame by ~2 ms, `ui.start_ratio`).
if TYPE_CHECKING:
    from PySide6.QtWidgets import QDialog, QWidget

_PLAIN = Qt.TextFormat.PlainText


class Dialogs:
    """Opens message boxes, file pickers and the app's own dialogs (tests swap in a fake)."""

    def confirm(self, parent: QWidget | None, title: str, text: str, ok_text: str = "OK") -> bool:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(title)
        box.setTextFormat(_PLAIN)
        box.setText(text)
        ok = box.addButton(ok_text, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is ok

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        self._message(parent, "Information", title, text)

    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        self._message(parent, "Warning", title, text)

    def _message(self, parent: QWidget | None, icon: str, title: str, text: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon[icon])
        box.setWindowTitle(title)
        box.setTextFormat(_PLAIN)
        box.setText(text)
        box.exec()

    def passphrase(self, parent: QWidget | None, title: str, text: str) -> str | None:
        """A masked one-line prompt; None when cancelled. The text is never logged."""
        from PySide6.QtWidgets import QInputDialog, QLineEdit

        value, ok = QInputDialog.getText(
            parent, title, f"{text}\n\nPassphrase:", QLineEdit.EchoMode.Password
        )
        return value if ok and value else None

    def save_file(
        self, parent: QWidget | None, title: str, suggested: str, filters: str
    ) -> Path | None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
        return Path(path) if path else None

    def open_dialog(self, kind: str, dialog: QDialog) -> int:
        """Run one of our dialogs modally; `kind` names it for tests ("sign_in", "settings")."""
        return dialog.exec()
