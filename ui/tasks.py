"""The one helper for background work: run a callable off the GUI thread, get the outcome on it.

Modelled on Picard's `run_task` and Anki's `QueryOp`: a job is a plain callable that receives a
`TaskContext` (cancellation token and progress reporting); its result, error, progress and
cancellation come back as callbacks run on the GUI thread, through queued Qt signals. Workers
never touch a widget. `SyncTaskRunner` has the same interface and runs jobs inline, for tests
that want deterministic order without waiting.

Lanes: a job given `lane="store"` runs on that lane's single, never-expiring thread, in submit
order. Use it for objects bound to the thread that made them (an SQLite connection) and for
work that must not overlap (one sync at a time per account).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Progress reports closer together than this are coalesced (the last one always goes through).
PROGRESS_INTERVAL_S = 0.05


class Cancelled(Exception):
    """Raised inside a job by `TaskContext.raise_if_cancelled()`; reported as a cancellation."""


class CancelToken:
    """Thread-safe flag a long job polls between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled("cancelled")

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds` (a backoff), waking early on cancel; True if cancelled."""
        return self._event.wait(seconds)


@dataclass(frozen=True, slots=True)
class Progress:
    """One progress report: `total` is None while unknown (the bar then shows busy)."""

    done: int
    total: int | None = None
    text: str = ""

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return max(0.0, min(1.0, self.done / self.total))


class TaskContext:
    """What a running job gets: its cancel token and a thread-safe `progress()`."""

    def __init__(self, token: CancelToken, report: Callable[[Progress], None]) -> None:
        self.token = token
        self._report = report
        self._last = 0.0

    @property
    def cancelled(self) -> bool:
        return self.token.cancelled

    def raise_if_cancelled(self) -> None:
        self.token.raise_if_cancelled()

    def progress(self, done: int, total: int | None = None, text: str = "") -> None:
        now = time.monotonic()
        final = total is not None and done >= total
        if not final and now - self._last < PROGRESS_INTERVAL_S:
            return
        self._last = now
        self._report(Progress(done, total, text))


class _Signals(QObject):
    """Lives on the GUI thread; emitted from the worker, so delivery is queued to the GUI."""

    result = Signal(object)
    error = Signal(object)
    progress = Signal(object)


class Task(QObject, Generic[T]):
    """Handle on one submitted job: cancel it, or listen to its signals.

    Exactly one of `succeeded`, `failed`, `was_cancelled` is emitted, then `finished`.
    Callbacks whose `owner` was deleted meanwhile are skipped.
    """

    succeeded = Signal(object)
    failed = Signal(object)
    was_cancelled = Signal()
    progressed = Signal(object)
    finished = Signal()

    def __init__(
        self,
        *,
        key: str | None,
        owner: QObject | None,
        on_done: Callable[[T], None] | None,
        on_error: Callable[[BaseException], None] | None,
        on_progress: Callable[[Progress], None] | None,
        on_cancelled: Callable[[], None] | None,
    ) -> None:
        super().__init__()
        self.key = key
        self.token = CancelToken()
        self._owner = owner
        self._on_done = on_done
        self._on_error = on_error
        self._on_progress = on_progress
        self._on_cancelled = on_cancelled
        self.is_finished = False
        self.result: T | None = None
        self.error: BaseException | None = None
        self.signals = _Signals()
        self.signals.result.connect(self._deliver_result)
        self.signals.error.connect(self._deliver_error)
        self.signals.progress.connect(self._deliver_progress)

    def cancel(self) -> None:
        self.token.cancel()

    def _owner_alive(self) -> bool:
        return self._owner is None or shiboken6.isValid(self._owner)

    @Slot(object)
    def _deliver_progress(self, progress: Progress) -> None:
        if self.is_finished or not self._owner_alive():
            return
        self.progressed.emit(progress)
        if self._on_progress is not None:
            self._on_progress(progress)

    @Slot(object)
    def _deliver_result(self, result: Any) -> None:
        self.is_finished = True
        self.result = result
        if self._owner_alive():
            self.succeeded.emit(result)
            if self._on_done is not None:
                self._on_done(result)
        self.finished.emit()

    @Slot(object)
    def _deliver_error(self, error: BaseException) -> None:
        self.is_finished = True
        if isinstance(error, Cancelled):
            if self._owner_alive():
                self.was_cancelled.emit()
                if self._on_cancelled is not None:
                    self._on_cancelled()
        else:
            self.error = error
            if self._owner_alive():
                self.failed.emit(error)
                if self._on_error is not None:
                    self._on_error(error)
                elif self._on_done is not None or self._on_progress is not None:
                    log.error("background job failed: %s", _describe(error))
        self.finished.emit()


def _describe(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{error.__class__.__name__}: {text[:200]}"


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[TaskContext], Any], task: Task[Any]) -> None:
        super().__init__()
        self._fn = fn
        # Hold the signals object, not the task: the task belongs to the GUI thread.
        self._signals = task.signals
        self._token = task.token

    def run(self) -> None:
        signals = self._signals
        context = TaskContext(self._token, signals.progress.emit)
        try:
            if self._token.cancelled:
                raise Cancelled("cancelled before it started")
            result = self._fn(context)
        except BaseException as exc:  # noqa: BLE001 - every failure is delivered to the GUI
            signals.error.emit(exc)
        else:
            signals.result.emit(result)


class TaskRunner(QObject):
    """Runs jobs on its own thread pool (and named single-thread lanes); owned by the app.

    `job_failed` is emitted for every failure, so the window can show it even when the caller
    gave no `on_error`.
    """

    job_failed = Signal(object)  # BaseException
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 4) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._lanes: dict[str, QThreadPool] = {}
        self._active: dict[int, Task[Any]] = {}
        self._closed = False

    def run(
        self,
        fn: Callable[[TaskContext], T],
        *,
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        owner: QObject | None = None,
        key: str | None = None,
        lane: str | None = None,
    ) -> Task[T]:
        """Start `fn(context)` in the background; callbacks run on the GUI thread.

        With `key`, a job of the same key still running is returned instead of starting a
        second one (one sync at a time).
        """
        if key is not None:
            for existing in self._active.values():
                if existing.key == key and not existing.is_finished:
                    return existing
        task: Task[T] = Task(
            key=key,
            owner=owner,
            on_done=on_done,
            on_error=on_error,
            on_progress=on_progress,
            on_cancelled=on_cancelled,
        )
        if self._closed:
            task.token.cancel()
        was_busy = bool(self._active)
        self._active[id(task)] = task
        task.failed.connect(self._on_task_failed)
        task.finished.connect(lambda t=task: self._forget(t))
        if not was_busy:
            self.busy_changed.emit(True)
        self._pool_for(lane).start(_Runnable(fn, task))
        return task

    def _on_task_failed(self, error: BaseException) -> None:
        if shiboken6.isValid(self):
            self.job_failed.emit(error)

    def _pool_for(self, lane: str | None) -> QThreadPool:
        if lane is None:
            return self._pool
        pool = self._lanes.get(lane)
        if pool is None:
            pool = QThreadPool(self)
            pool.setMaxThreadCount(1)
            pool.setExpiryTimeout(-1)  # the same OS thread for the lane's whole life
            self._lanes[lane] = pool
        return pool

    def _forget(self, task: Task[Any]) -> None:
        # A late delivery may arrive after the runner itself was deleted (app shutdown).
        if not shiboken6.isValid(self):
            return
        self._active.pop(id(task), None)
        if not self._active:
            self.busy_changed.emit(False)

    @property
    def active_count(self) -> int:
        return len(self._active)

    def cancel_all(self) -> None:
        for task in list(self._active.values()):
            task.cancel()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel everything and wait for the workers; True if they all stopped in time."""
        self._closed = True
        self.cancel_all()
        ok = self._pool.waitForDone(timeout_ms)
        for pool in self._lanes.values():
            ok = pool.waitForDone(timeout_ms) and ok
        return ok


class SyncTaskRunner(TaskRunner):
    """Same interface, runs each job inline on the calling thread: for deterministic tests."""

    def run(
        self,
        fn: Callable[[TaskContext], T],
        *,
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        owner: QObject | None = None,
        key: str | None = None,
        lane: str | None = None,
    ) -> Task[T]:
        task: Task[T] = Task(
            key=key,
            owner=owner,
            on_done=on_done,
            on_error=on_error,
            on_progress=on_progress,
            on_cancelled=on_cancelled,
        )
        task.failed.connect(self.job_failed.emit)
        if self._closed:
            task.token.cancel()
        context = TaskContext(task.token, task._deliver_progress)
        try:
            if task.token.cancelled:
                raise Cancelled("cancelled before it started")
            result = fn(context)
        except BaseException as exc:  # noqa: BLE001 - delivered like the threaded runner does
            task._deliver_error(exc)
        else:
            task._deliver_result(result)
        return task

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        self._closed = True
        return True
