"""When start-up work runs: the window's first frame first, then the account, then the rest.

`MainWindow` owns one `FirstFrame`. Opening the account waits for the first painted frame
(`after_first_frame`), and what the first screen does not need at all (the dock panels, the
log file, the menus' contents) waits until the account's first rows, or its failure to open,
are on screen (`later`), one item per turn of the event loop so no stall adds up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

#: A window never painted (hidden by the desktop) still opens its account after this.
FIRST_FRAME_WAIT_MS = 1000


class FirstFrame:
    """The start-up schedule of one window.

    `is_opening()` says whether an account is still on its way: while it is, `later` work
    waits for its rows (or `FIRST_FRAME_WAIT_MS` after the first frame, whatever happens).
    """

    def __init__(self, window: QWidget, is_opening: Callable[[], bool]) -> None:
        self._window = window
        self._is_opening = is_opening
        self.painted = False
        self._after_paint: list[Callable[[], None]] = []
        self._later: list[Callable[[], None]] = []
        self._later_done = False
        self._later_on_paint = False

    # -- the first frame -------------------------------------------------------------------------

    def after_first_frame(self, work: Callable[[], None]) -> None:
        """Run `work` once the first frame is painted (at once if it was, or if the window is
        not shown): opening the account must not slow that frame down."""
        if self.painted or not self._window.isVisible():
            work()
            return
        if not self._after_paint:
            QTimer.singleShot(FIRST_FRAME_WAIT_MS, self._run_after_paint)
        self._after_paint.append(work)

    def window_painted(self) -> None:
        """From the window's `paintEvent`: the first call queues the work waiting for it."""
        if not self.painted:
            # Queued: runs once this frame, every widget of it, has been painted.
            QTimer.singleShot(0, self._run_after_paint)

    def _run_after_paint(self) -> None:
        if self.painted:
            return
        self.painted = True
        work, self._after_paint = self._after_paint, []
        for item in work:  # the account's store first: its rows are what the user waits for
            item()
        if not self._is_opening():
            QTimer.singleShot(0, self._run_later)
        QTimer.singleShot(FIRST_FRAME_WAIT_MS, self._run_later)  # whatever happens meanwhile

    # -- after the first rows --------------------------------------------------------------------

    def later(self, work: Callable[[], None]) -> None:
        """Run `work`, which the first screen does not need, once the account's first rows (or
        its failure to open) are shown, so it never delays them; at once if they were."""
        if self._later_done:
            work()
        else:
            self._later.append(work)

    def settled(self, *, shown: bool = True) -> None:
        """The first screen is decided: `shown`, it is the table's next paint that shows it."""
        if not self.painted or self._later_done:
            return
        if shown:
            self._later_on_paint = True
        else:
            QTimer.singleShot(0, self._run_later)

    def table_painted(self) -> None:
        """From the orders table's `painted`: the rows it was waiting for are on screen."""
        if self._later_on_paint:
            self._later_on_paint = False
            QTimer.singleShot(0, self._run_later)  # queued: after the rest of this frame

    def _run_later(self) -> None:
        if self._later_done:
            return
        self._later_done = True
        work, self._later = self._later, []
        # One item per turn of the event loop: each takes 5-10 ms, together they would be a
        # stall, and a sync may be starting at the same moment.
        for n, item in enumerate(work):
            QTimer.singleShot(n, item)
