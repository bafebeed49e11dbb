"""Labels for customer text: always plain text, never rich text (a name like `<img src=…>`)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


class PlainLabel(QLabel):
    """A QLabel that can only ever show plain text, whatever it is given."""

    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        object_name: str | None = None,
        selectable: bool = False,
        wrap: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        if object_name:
            self.setObjectName(object_name)
        if selectable:
            self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setWordWrap(wrap)
        self.setText(text)

    def setTextFormat(self, fmt: Qt.TextFormat) -> None:
        # Nobody may switch this label to rich text later.
        super().setTextFormat(Qt.TextFormat.PlainText)
