"""The banner under the toolbar: degraded or offline, what still works, and a retry button."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from ui import theme
from ui.icons import icon
from ui.widgets.plain import PlainLabel


def banner_text(state: str, reason: str, cached_at: datetime | None, waiting: int) -> str:
    """What is wrong and what still works, e.g. "Offline: … Showing orders cached at 14:02,
    3 changes waiting. Cached labels still print." """
    if state == "online":
        return "Online"
    head = "Offline" if state == "offline" else "Click & Drop is slow or failing"
    if reason:
        head += f": {reason}"
    when = cached_at.astimezone().strftime("%H:%M") if cached_at else None
    tail = f"Showing orders cached at {when}" if when else "Showing cached orders"
    if waiting:
        tail += f", {waiting} change{'s' if waiting != 1 else ''} waiting"
    return f"{head}. {tail}. Cached labels still print."


class ConnectivityBanner(QWidget):
    """Hidden while online; coloured by state otherwise. `retry_requested` asks for a probe now."""

    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Banner")
        self.setAccessibleName("Connection status")
        self._icon = QLabel()
        self._text = PlainLabel("", wrap=True)
        self._retry = QPushButton("Try again now")
        self._retry.setToolTip("Ask Click & Drop now instead of waiting for the next try")
        self._retry.clicked.connect(self.retry_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 7, 10, 7)
        layout.setSpacing(10)
        layout.addWidget(self._icon)
        layout.addWidget(self._text, 1)
        layout.addWidget(self._retry)
        self.state = ""
        self.set_state("online", "", None, 0)

    @property
    def text(self) -> str:
        return self._text.text()

    def set_state(self, state: str, reason: str, cached_at: datetime | None, waiting: int) -> None:
        self.state = state
        self.setProperty("state", state)
        t = theme.tokens()
        color = {"online": t.ok_fg, "degraded": t.warn_fg}.get(state, t.bad_fg)
        self._icon.setPixmap(
            icon(
                "online" if state == "online" else "offline" if state == "offline" else "warning",
                color,
            ).pixmap(18, 18)
        )
        self._text.setText(banner_text(state, reason, cached_at, waiting))
        self._retry.setVisible(state != "online")
        self.setVisible(state != "online")
        theme.repolish(self)
        for child in (self._text, self._icon):
            theme.repolish(child)
