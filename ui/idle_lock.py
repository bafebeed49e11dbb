"""Lock after N idle minutes (a shared bench PC): any key or click restarts the count."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer

_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleLock(QObject):
    """Calls `on_idle` after `minutes` without input (0: never).

    It watches input through an event filter on the application, installed only while a time
    is set: an application-wide filter puts a Python call in front of every event the app
    handles (paints, timers, layouts), which made the first frame twice as slow to paint.
    """

    def __init__(self, on_idle: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_idle = on_idle
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._fire)
        self._watching = False

    def _watch(self, on: bool) -> None:
        app = QCoreApplication.instance()
        if app is None or on == self._watching:
            return
        if on:
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)
        self._watching = on

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    @property
    def remaining_ms(self) -> int:
        """Milliseconds left before it locks (-1 while not counting)."""
        return self._timer.remainingTime()

    @property
    def watching(self) -> bool:
        """Its event filter is on the application (only while a time is set)."""
        return self._watching

    def set_minutes(self, minutes: int) -> None:
        if minutes > 0:
            self._timer.setInterval(minutes * 60_000)
            self._timer.start()
            self._watch(True)
        else:
            self._timer.stop()
            self._watch(False)

    def set_interval_ms(self, ms: int) -> None:
        """For tests: a short idle time."""
        self._timer.setInterval(ms)
        self._timer.start()
        self._watch(True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT and self._timer.interval() > 0 and self._timer.isActive():
            self._timer.start()  # restart the count
        return False

    def _fire(self) -> None:
        self._watch(False)  # locked: opening the account again sets the time again
        self._on_idle()
