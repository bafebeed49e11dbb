"""Lock after N idle minutes (a shared bench PC): any key or click restarts the count."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer

_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleLock(QObject):
    """Installed on the application; calls `on_idle` after `minutes` without input (0: never)."""

    def __init__(self, on_idle: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_idle = on_idle
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._fire)

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def set_minutes(self, minutes: int) -> None:
        if minutes > 0:
            self._timer.setInterval(minutes * 60_000)
            self._timer.start()
        else:
            self._timer.stop()

    def set_interval_ms(self, ms: int) -> None:
        """For tests: a short idle time."""
        self._timer.setInterval(ms)
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT and self._timer.interval() > 0 and self._timer.isActive():
            self._timer.start()  # restart the count
        return False

    def _fire(self) -> None:
        self._on_idle()
