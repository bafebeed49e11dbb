"""Sound for the bench: a scanner user hears the outcome without looking at the screen.

PySide6-Essentials has no QtMultimedia (no QSoundEffect), so the outcome is told by the number
of system beeps: one for ok, two for "already printed", three for a problem. The beep function
is injected so tests count beeps instead of making noise.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication


class Tone(enum.Enum):
    OK = 1
    ATTENTION = 2  # already printed: a reprint needs a deliberate key
    PROBLEM = 3  # unknown order, printer problem


_GAP_MS = 160


class Feedback(QObject):
    """Plays a tone as a short run of beeps, without blocking the GUI thread."""

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        beep: Callable[[], None] = QApplication.beep,
        enabled: bool = True,
    ) -> None:
        super().__init__(parent)
        self._beep = beep
        self.enabled = enabled

    def play(self, tone: Tone) -> None:
        if not self.enabled:
            return
        self._beep()
        for i in range(1, tone.value):
            QTimer.singleShot(_GAP_MS * i, self, self._beep)
