"""ui/tasks.py: results, errors, progress and cancellation reach the GUI thread."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QObject, QThread
from PySide6.QtWidgets import QApplication

from ui.tasks import CancelToken, Progress, SyncTaskRunner, TaskContext, TaskRunner


@pytest.fixture
def runner(qtbot):
    r = TaskRunner()
    yield r
    assert r.shutdown(5000)


def _gui_thread() -> QThread:
    app = QApplication.instance()
    assert app is not None
    return app.thread()


def test_result_is_delivered_on_the_gui_thread(qtbot, runner) -> None:
    seen: dict[str, object] = {}

    def job(ctx: TaskContext) -> int:
        seen["worker"] = threading.get_ident()
        return 42

    def done(value: int) -> None:
        seen["value"] = value
        seen["on_gui"] = QThread.currentThread() is _gui_thread()

    task = runner.run(job, on_done=done)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert seen["value"] == 42
    assert seen["on_gui"] is True
    assert seen["worker"] != threading.get_ident()
    assert runner.active_count == 0


def test_error_goes_to_on_error_and_job_failed(qtbot, runner) -> None:
    errors: list[BaseException] = []

    def job(ctx: TaskContext) -> None:
        raise ValueError("bad input")

    with qtbot.waitSignal(runner.job_failed, timeout=5000) as blocker:
        runner.run(job, on_error=errors.append)
    assert isinstance(errors[0], ValueError)
    assert blocker.args[0] is errors[0]


def test_progress_reports_arrive_and_the_last_is_never_dropped(qtbot, runner) -> None:
    reports: list[Progress] = []

    def job(ctx: TaskContext) -> str:
        for i in range(1, 1001):
            ctx.progress(i, 1000, "pages")
        return "ok"

    task = runner.run(job, on_progress=reports.append)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert reports, "no progress delivered"
    assert reports[-1] == Progress(1000, 1000, "pages")
    # Coalesced: far fewer deliveries than calls.
    assert len(reports) < 1000


def test_cancel_stops_a_long_job_and_reports_cancelled(qtbot, runner) -> None:
    started = threading.Event()
    outcome: list[str] = []

    def job(ctx: TaskContext) -> None:
        started.set()
        while True:
            ctx.raise_if_cancelled()
            ctx.token.wait(0.01)

    task = runner.run(
        job, on_done=lambda _: outcome.append("done"), on_cancelled=lambda: outcome.append("x")
    )
    assert started.wait(5)
    with qtbot.waitSignal(task.was_cancelled, timeout=5000):
        task.cancel()
    assert outcome == ["x"]


def test_same_key_joins_the_running_job(qtbot, runner) -> None:
    release = threading.Event()

    def job(ctx: TaskContext) -> int:
        release.wait(5)
        return 1

    first = runner.run(job, key="sync")
    second = runner.run(job, key="sync")
    assert first is second
    with qtbot.waitSignal(first.finished, timeout=5000):
        release.set()
    third = runner.run(lambda ctx: 2, key="sync")
    assert third is not first
    with qtbot.waitSignal(third.finished, timeout=5000):
        pass


def test_a_lane_runs_jobs_in_order_on_one_thread(qtbot, runner) -> None:
    idents: list[int] = []
    order: list[int] = []

    def job(n: int):
        def inner(ctx: TaskContext) -> int:
            idents.append(threading.get_ident())
            order.append(n)
            return n

        return inner

    tasks = [runner.run(job(n), lane="store") for n in range(5)]
    qtbot.waitUntil(lambda: all(t.is_finished for t in tasks), timeout=5000)
    assert order == [0, 1, 2, 3, 4]
    assert len(set(idents)) == 1


def test_callbacks_of_a_deleted_owner_are_skipped(qtbot, runner) -> None:
    release = threading.Event()
    calls: list[int] = []
    owner = QObject()

    task = runner.run(lambda ctx: release.wait(5), on_done=lambda _: calls.append(1), owner=owner)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _alive(owner), timeout=5000)
    with qtbot.waitSignal(task.finished, timeout=5000):
        release.set()
    assert calls == []


def _alive(obj: QObject) -> bool:
    import shiboken6

    return shiboken6.isValid(obj)


def test_shutdown_cancels_running_jobs(qtbot) -> None:
    runner = TaskRunner()
    started = threading.Event()

    def job(ctx: TaskContext) -> None:
        started.set()
        while not ctx.token.wait(0.01):
            pass
        ctx.raise_if_cancelled()

    runner.run(job)
    assert started.wait(5)
    assert runner.shutdown(5000)


def test_sync_runner_runs_inline_with_the_same_interface(qtbot) -> None:
    runner = SyncTaskRunner()
    results: list[int] = []
    errors: list[BaseException] = []
    progress: list[Progress] = []

    def job(ctx: TaskContext) -> int:
        ctx.progress(1, 1)
        return 7

    task = runner.run(job, on_done=results.append, on_progress=progress.append)
    assert task.is_finished
    assert results == [7]
    assert progress == [Progress(1, 1)]
    runner.run(lambda ctx: 1 / 0, on_error=errors.append)
    assert isinstance(errors[0], ZeroDivisionError)


def test_cancel_token_wait_wakes_early() -> None:
    token = CancelToken()
    token.cancel()
    assert token.wait(10) is True
    assert token.cancelled
