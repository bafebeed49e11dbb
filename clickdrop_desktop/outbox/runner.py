"""When the outbox replays by itself: back online, after a sync, or on demand; one at a time.

`ReplayRunner` hooks `Connectivity.subscribe`: when the state goes back to online, it replays
on a worker (the GUI passes its own `submit`, which runs the work on its thread pool; the
default is a daemon thread). A trigger while a replay runs queues exactly one more pass. A
replay stopped by an authentication error pauses the runner (nothing can succeed until the
key is fixed): automatic triggers are ignored until `resume()` or an explicit `run_now()`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from clickdrop_desktop.connectivity import Connectivity, Snapshot, State
from clickdrop_desktop.outbox.replay import OutboxReplayer, ReplayOptions
from clickdrop_desktop.outbox.report import ReplayReport, StopReason
from clickdrop_desktop.session import AccountSession

log = logging.getLogger("clickdrop_desktop.outbox")

Submit = Callable[[Callable[[], None]], None]


def _thread_submit(work: Callable[[], None]) -> None:
    threading.Thread(target=work, name="outbox-replay", daemon=True).start()


class ReplayRunner:
    """Args:
    replayer: the account's replay engine.
    connectivity: the account session's connectivity state.
    submit: runs a callable off the GUI thread (default: a new daemon thread).
    on_report: told the outcome of every automatic pass (on the worker thread).
    max_settle_wait_s: how long a pass may wait for ops still settling.
    """

    def __init__(
        self,
        replayer: OutboxReplayer,
        connectivity: Connectivity,
        *,
        submit: Submit | None = None,
        on_report: Callable[[ReplayReport], None] | None = None,
        max_settle_wait_s: float = 60.0,
    ) -> None:
        self._replayer = replayer
        self._connectivity = connectivity
        self._submit = submit or _thread_submit
        self._on_report = on_report
        self._max_wait = max_settle_wait_s
        self._cond = threading.Condition()
        self._running = False
        self._again = False
        self._paused = False
        self._unsubscribe: Callable[[], None] | None = None
        self.last_report: ReplayReport | None = None

    # -- wiring -----------------------------------------------------------------------------------

    def start(self) -> None:
        """Replay automatically whenever connectivity comes back online."""
        if self._unsubscribe is None:
            self._unsubscribe = self._connectivity.subscribe(self._on_state)

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_state(self, snapshot: Snapshot, previous: State) -> None:
        if snapshot.state is State.ONLINE and previous is not State.ONLINE:
            self.trigger()

    # -- triggers ---------------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def busy(self) -> bool:
        with self._cond:
            return self._running

    def after_sync(self) -> None:
        """A sync succeeded, so Click & Drop answers: send what is waiting."""
        self.trigger()

    def resume(self) -> None:
        """The key was fixed: allow automatic replays again, and start one."""
        self._paused = False
        self.trigger()

    def trigger(self) -> None:
        """Start a pass on a worker unless paused; while one runs, queue one more."""
        if self._paused:
            return
        with self._cond:
            if self._running:
                self._again = True
                return
            self._running = True
        try:
            self._submit(self._work)
        except BaseException:
            with self._cond:
                self._running = False
                self._cond.notify_all()
            raise

    def run_now(self) -> ReplayReport:
        """One pass on the calling thread (a flush the user asked for); clears a pause."""
        self._paused = False
        report = self._replayer.replay_settled(max_wait_s=self._max_wait)
        self._record(report)
        return report

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no automatic pass is running or queued; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._running, timeout)

    # -- the worker -------------------------------------------------------------------------------

    def _work(self) -> None:
        try:
            while True:
                try:
                    report = self._replayer.replay_settled(max_wait_s=self._max_wait)
                except Exception:  # the worker must not die silently; the ops are all kept
                    log.exception("outbox replay failed")
                    report = None
                if report is not None:
                    self._record(report)
                with self._cond:
                    if not self._again or self._paused:
                        break
                    self._again = False
        finally:
            with self._cond:
                self._running = False
                self._again = False
                self._cond.notify_all()

    def _record(self, report: ReplayReport) -> None:
        self.last_report = report
        if report.stopped is StopReason.AUTH:
            self._paused = True
        if self._on_report is not None:
            try:
                self._on_report(report)
            except Exception:
                log.warning("outbox report observer failed", exc_info=True)


def replayer_for(
    session: AccountSession, *, options: ReplayOptions | None = None
) -> OutboxReplayer:
    """The replay engine over an open account session's store and client."""
    return OutboxReplayer(
        session.store, session.client, options=options or ReplayOptions.from_env()
    )
