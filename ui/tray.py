"""The tray icon: connectivity and print jobs at a glance, a small menu, and a balloon when a print
fails or an isolation alert fires while the window is minimised. Nothing when there is no tray.

Only our own words and sanitised plain text reach the tray: some desktops render tray tooltips
and notifications as markup, so `<`, `>` and `&` never get there, whatever a reference holds.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QMainWindow, QMenu, QSystemTrayIcon

from ui.icons import app_icon

if TYPE_CHECKING:
    from clickdrop_desktop.connectivity import Snapshot
    from ui.actions import Actions
    from ui.controllers.bundle import Controllers
    from ui.services.views import PrintJobRow
    from ui.services.workspace import Workspace

APP = "Click & Drop Desktop"
WAITING_STATES = frozenset({"queued", "sending"})
FAILED_STATES = frozenset({"failed", "uncertain", "expired"})
_STATE_COLOURS = {
    "online": "#2e7d32",
    "degraded": "#ef8f00",
    "offline": "#212121",  # not red: the icon itself is red
    None: "#757575",  # no account open
}
_STATE_TEXT = {
    "online": "online",
    "degraded": "Click & Drop is slow or failing",
    "offline": "offline: cached orders and labels still print",
    None: "no account open",
}
_DOCUMENTS = {
    "postageLabel": "Label",
    "packingSlip": "Packing slip",
    "despatchNote": "Despatch note",
    "CN22": "CN22",
    "CN23": "CN23",
    "manifest": "Manifest",
}
_UNSAFE = re.compile(r"[<>&\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_MESSAGE_MS = 8000


def tray_text(text: str, limit: int = 160) -> str:
    """Plain text the tray cannot read as markup: no `<`, `>`, `&` or control characters, one
    line, at most `limit` characters."""
    line = " ".join(_UNSAFE.sub(" ", text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def render_icon(state: str | None, waiting: int, failed: int, size: int = 64) -> QPixmap:
    """The app icon with a connectivity dot and, when jobs wait or failed, a count badge (red
    when any failed)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    app_icon().paint(painter, 0, 0, size, size)
    ring = QPen(QColor("#ffffff"))
    ring.setWidthF(max(1.0, size / 18))  # keeps the dot apart from the red icon when small
    painter.setPen(ring)
    dot = size * 0.42
    painter.setBrush(QColor(_STATE_COLOURS.get(state, _STATE_COLOURS[None])))
    painter.drawEllipse(QRectF(ring.widthF() / 2, size - dot - ring.widthF() / 2, dot, dot))
    count = failed or waiting
    if count:
        badge = size * 0.56
        rect = QRectF(size - badge, 0, badge, badge).adjusted(
            ring.widthF() / 2, ring.widthF() / 2, -ring.widthF() / 2, -ring.widthF() / 2
        )
        painter.setBrush(QColor("#c62828" if failed else "#1565c0"))
        painter.drawEllipse(rect)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(max(6, int(badge * (0.62 if count < 10 else 0.42))))
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(count) if count < 100 else "99+")
    painter.end()
    return pixmap


class TrayIcon(QObject):
    """The tray icon of one main window. `notified(title, text)` is emitted for every balloon.

    Args:
        window: the main window (shown, and asked whether it is minimised).
        controllers: the window's controllers (connectivity via the workspace, jobs, sync).
        actions: the window's commands (sync, bench, quit) the menu triggers.
        show: put the icon in the tray (False in tests without a tray).
    """

    notified = Signal(str, str)

    def __init__(
        self,
        window: QMainWindow,
        controllers: Controllers,
        actions: Actions,
        *,
        show: bool = True,
    ) -> None:
        super().__init__(window)
        self.window = window
        self._actions = actions
        self.state: str | None = None
        self.waiting = 0
        self.failed = 0
        self._failed_ids: set[str] | None = None  # None: no job list seen for this account yet
        self._workspace: Workspace | None = None
        self.icon = QSystemTrayIcon(self)
        self.menu = QMenu(window)
        self.menu.setObjectName("TrayMenu")
        self.show_action = self._add("Show window", self.show_window)
        self.menu.addSeparator()
        self.sync_action = self._add("Sync now", actions.sync.trigger)
        self.bench_action = self._add("Pause bench mode", actions.bench.toggle)
        self.menu.addSeparator()
        self.quit_action = self._add("Quit", actions.quit.trigger)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_icon_activated)
        actions.sync.changed.connect(self._follow_actions)
        actions.bench.changed.connect(self._follow_actions)
        actions.bench.toggled.connect(lambda _on: self._follow_actions())
        controllers.accounts.workspace_opened.connect(self.follow_workspace)
        controllers.accounts.workspace_closed.connect(self._on_workspace_closed)
        controllers.printing.jobs_changed.connect(self.set_jobs)
        controllers.sync.isolation_alert.connect(self._on_isolation_alert)
        self._follow_actions()
        self._refresh()
        if show:
            self.icon.show()

    def _add(self, text: str, slot: Callable[[], object]) -> QAction:
        action = self.menu.addAction(text)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    # -- what it shows ------------------------------------------------------------------------

    def set_connectivity(self, state: str | None) -> None:
        self.state = state
        self._refresh()

    def set_jobs(self, jobs: list[PrintJobRow]) -> None:
        """The print queue's jobs (newest first): counts, and a balloon for new failures."""
        self.waiting = sum(job.state in WAITING_STATES for job in jobs)
        failed = [job for job in jobs if job.state in FAILED_STATES]
        self.failed = len(failed)
        known = self._failed_ids
        self._failed_ids = {job.job_id for job in failed}
        self._refresh()
        if known is None:
            return  # the account's first list: old failures are not news
        new = [job for job in failed if job.job_id not in known]
        if new:
            first = new[0]
            more = f" (and {len(new) - 1} more)" if len(new) > 1 else ""
            reason = f": {first.error}" if first.error else ""
            document = _DOCUMENTS.get(first.document, "document")
            what = (
                first.order_reference
                if first.document == "manifest"  # already "Manifest N"
                else f"{document} for {first.order_reference}"
            )
            self.notify(
                "Print failed",
                f"{what} on {first.printer}{reason}{more}. Open the print queue to retry.",
                QSystemTrayIcon.MessageIcon.Warning,
            )

    def tooltip(self) -> str:
        lines = [f"{APP}: {_STATE_TEXT.get(self.state, _STATE_TEXT[None])}"]
        if self.waiting or self.failed:
            lines.append(f"Print jobs: {self.waiting} waiting, {self.failed} failed")
        return "\n".join(tray_text(line) for line in lines)

    def _refresh(self) -> None:
        self.icon.setIcon(QIcon(render_icon(self.state, self.waiting, self.failed)))
        self.icon.setToolTip(self.tooltip())

    def _follow_actions(self) -> None:
        self.sync_action.setEnabled(self._actions.sync.isEnabled())
        bench = self._actions.bench
        self.bench_action.setEnabled(bench.isEnabled())
        self.bench_action.setText("Pause bench mode" if bench.isChecked() else "Resume bench mode")

    # -- balloons -------------------------------------------------------------------------------

    def window_hidden(self) -> bool:
        return self.window.isMinimized() or not self.window.isVisible()

    def notify(
        self,
        title: str,
        text: str,
        icon: QSystemTrayIcon.MessageIcon = QSystemTrayIcon.MessageIcon.Information,
    ) -> bool:
        """A balloon, only while the window is minimised (else the window itself shows it)."""
        if not self.window_hidden():
            return False
        title, text = tray_text(title, 60), tray_text(text, 240)
        if QSystemTrayIcon.supportsMessages():
            self.icon.showMessage(title, text, icon, _MESSAGE_MS)
        self.notified.emit(title, text)
        return True

    def _on_isolation_alert(self, _exc: object) -> None:
        self.notify(
            "Sync paused: isolation alert",
            "Click & Drop sent records that are not this account's. They were not stored. "
            "Open the window to see the incident record.",
            QSystemTrayIcon.MessageIcon.Critical,
        )

    # -- slots ----------------------------------------------------------------------------------

    def show_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def _on_icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason is QSystemTrayIcon.ActivationReason.Trigger:
            if self.window_hidden():
                self.show_window()
            else:
                self.window.showMinimized()

    def follow_workspace(self, workspace: Workspace) -> None:
        """Show this account's connectivity (what `workspace_opened` does)."""
        self._drop_workspace()
        self._workspace = workspace
        workspace.connectivity_changed.connect(self._on_connectivity_changed)
        self._failed_ids = None
        self.set_connectivity(workspace.snapshot().state.value)

    def _on_workspace_closed(self) -> None:
        self._drop_workspace()
        self.waiting = self.failed = 0
        self._failed_ids = None
        self.set_connectivity(None)

    def _drop_workspace(self) -> None:
        if self._workspace is not None:
            # RuntimeError/TypeError: already gone with its workspace
            with contextlib.suppress(RuntimeError, TypeError):
                self._workspace.connectivity_changed.disconnect(self._on_connectivity_changed)
            self._workspace = None

    def _on_connectivity_changed(self, snapshot: Snapshot) -> None:
        self.set_connectivity(snapshot.state.value)

    def remove(self) -> None:
        """Take the icon out of the tray (on quit)."""
        self.icon.hide()


def install_tray(
    window: QMainWindow,
    controllers: Controllers,
    actions: Actions,
    *,
    workspace: Workspace | None = None,
    available: Callable[[], bool] = QSystemTrayIcon.isSystemTrayAvailable,
) -> TrayIcon | None:
    """The window's tray icon, or None (silently) where the desktop has no tray.

    `workspace`: the account already open, when installed after it opened."""
    if not available():
        return None
    tray = TrayIcon(window, controllers, actions)
    if workspace is not None:
        tray.follow_workspace(workspace)
    return tray
