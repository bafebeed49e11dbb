"""Background sync of the open account: on demand, periodically while online, cancellable.

The sync engine (core) runs on the "sync" lane with a cancel event; its progress comes back
as `progress`, each committed page as `store_changed` so the table refreshes in place, and an
isolation incident as `isolation_alert` with the incident record (the batch was quarantined,
nothing of it stored or shown).
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from clickdrop_desktop.errors import IsolationAlert, describe
from ui.tasks import Progress, Task, TaskContext, TaskRunner

if TYPE_CHECKING:
    from clickdrop_desktop.sync.engine import SyncProgress, SyncResult
    from ui.services.workspace import Workspace

_PHASES = {"list": "Fetching orders", "refresh": "Refreshing open orders"}

#: While a sync runs, the views re-read the store at most this often. Each page committed used
#: to refresh the table, the tab counts and the print queue: dozens of repaints a second, each
#: one waiting for the GIL the sync worker holds (`ui.max_block_ms`). Twice a second still
#: shows the orders arriving.
STORE_CHANGED_INTERVAL_MS = 500


def describe_progress(p: SyncProgress) -> str:
    text = f"{_PHASES.get(p.phase, 'Syncing')}: {p.fetched:,} fetched, {p.stored:,} new or changed"
    if p.rate_limit_waits:
        text += f", waited {p.rate_limit_waits}× for the rate limit"
    return text


def describe_result(result: SyncResult, when: datetime) -> str:
    stamp = when.astimezone().strftime("%H:%M")
    if result.cancelled:
        return f"Sync stopped at {stamp}; {result.stored:,} orders saved so far"
    return f"Synced at {stamp}: {result.fetched:,} fetched, {result.stored:,} new or changed"


class SyncController(QObject):
    started = Signal()
    progress = Signal(object)  # ui.tasks.Progress
    finished = Signal(str)  # one line for the status bar
    failed = Signal(str)
    store_changed = Signal()
    isolation_alert = Signal(object)  # IsolationAlert (SyncIsolationAlert carries the incident)

    def __init__(self, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._workspace: Workspace | None = None
        self._task: Task[SyncResult] | None = None
        self._cancel = threading.Event()
        self._pages_seen = 0
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._on_timer)
        self._changed = QTimer(self)  # coalesces `store_changed` while a sync runs
        self._changed.setSingleShot(True)
        self._changed.setInterval(STORE_CHANGED_INTERVAL_MS)
        self._changed.timeout.connect(self._on_changed_timer)
        self._change_waiting = False

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.is_finished

    def set_workspace(self, workspace: Workspace | None) -> None:
        if workspace is not self._workspace:
            self.cancel()
            # That sync belonged to the account being closed: forget it, so it neither keeps
            # the next account's first sync from starting (the "sync" lane runs that one next)
            # nor shows its failure (the closed client) as the next account's.
            self._task = None
        self._workspace = workspace

    def set_interval(self, minutes: int) -> None:
        if minutes > 0:
            self._timer.start(minutes * 60_000)
        else:
            self._timer.stop()

    def _on_timer(self) -> None:
        if self._workspace is not None and self._workspace.online and not self.running:
            self.sync_now()

    def sync_now(self) -> None:
        workspace = self._workspace
        if workspace is None or self.running:
            return
        self._cancel = threading.Event()
        cancel = self._cancel
        self._pages_seen = 0
        self.started.emit()

        def job(ctx: TaskContext) -> SyncResult:
            def on_progress(p: SyncProgress) -> None:
                ctx.progress(p.pages, None, describe_progress(p))

            return workspace.sync(on_progress=on_progress, cancel=cancel)

        def current() -> bool:
            return self._workspace is workspace

        self._task = self._tasks.run(
            job,
            on_done=lambda result: self._on_done(result) if current() else None,
            on_error=lambda exc: self._on_error(exc) if current() else None,
            on_progress=lambda p: self._on_progress(p) if current() else None,
            owner=self,
            key=f"sync:{workspace.name}",
            lane="sync",
        )

    def cancel(self) -> None:
        self._cancel.set()
        if self._task is not None:
            self._task.cancel()

    def _on_progress(self, progress: Progress) -> None:
        self.progress.emit(progress)
        if progress.done != self._pages_seen:  # a page was committed: show it (soon)
            self._pages_seen = progress.done
            self._store_changed_soon()

    def _store_changed_soon(self) -> None:
        if self._changed.isActive():
            self._change_waiting = True
            return
        self._change_waiting = False
        self.store_changed.emit()
        self._changed.start()

    def _on_changed_timer(self) -> None:
        if self._change_waiting:
            self._change_waiting = False
            self.store_changed.emit()
            self._changed.start()

    def _store_changed_now(self) -> None:
        self._changed.stop()
        self._change_waiting = False
        self.store_changed.emit()

    def _on_done(self, result: SyncResult) -> None:
        self._store_changed_now()
        self.finished.emit(describe_result(result, datetime.now()))

    def _on_error(self, exc: BaseException) -> None:
        self._store_changed_now()
        # SyncIsolationAlert and SyncPaused are IsolationAlerts.
        if isinstance(exc, IsolationAlert):
            self.isolation_alert.emit(exc)
            self.failed.emit("Sync paused: Click & Drop sent data that was not this account's")
            return
        self.failed.emit(describe(exc)[0])
