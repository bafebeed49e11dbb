"""The one connectivity state (online / degraded / offline), fed by every API call's outcome.

Rules (issue 6):
- connection refused, DNS failure and 503 maintenance are unambiguous: offline at once;
- timeouts, dropped connections and other 5xx make the state *degraded* at the first failure and
  *offline* when failures go on (`offline_after` consecutive ones, or `offline_window` seconds
  without a success) — so offline is detected within 2 s of the first failing call in active use;
- 429 is throttling, not offline; 401/403 are account problems, not offline (flagged apart);
- any success makes it online again. While not online, a backoff probe (`GET /version`,
  unauthenticated) runs until the API answers.

Qt-free: the GUI wraps `Connectivity.subscribe` in a signal; the CLI reads `snapshot()`.
"""

from __future__ import annotations

import contextlib
import enum
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from clickdrop_desktop.listeners import Listeners


class State(enum.StrEnum):
    ONLINE = "online"
    DEGRADED = "degraded"
    OFFLINE = "offline"


class Outcome(enum.StrEnum):
    """How one API call ended, as far as connectivity cares."""

    OK = "ok"
    UNREACHABLE = "unreachable"  # refused, DNS failure, no route: certainly offline
    MAINTENANCE = "maintenance"  # 503: the service says it is down
    TIMEOUT = "timeout"  # timeouts and dropped connections
    SERVER_ERROR = "server_error"  # other 5xx, malformed or truncated answers
    RATE_LIMITED = "rate_limited"  # 429: throttling
    ACCOUNT = "account"  # 401/403: the key or the account type, not the network
    CLIENT_ERROR = "client_error"  # 400/404: the request, not the network


_FAILURES = {Outcome.UNREACHABLE, Outcome.MAINTENANCE, Outcome.TIMEOUT, Outcome.SERVER_ERROR}
_OFFLINE_AT_ONCE = {Outcome.UNREACHABLE, Outcome.MAINTENANCE}


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the banner and `status --json` show."""

    state: State
    since: float  # clock time the state was entered
    last_ok: float | None  # clock time of the last successful call
    last_failure: Outcome | None
    reason: str  # one line: why not online ("" when online)
    account_problem: str  # one line when the last call said the key/account is the problem
    throttled: bool  # the last answer was a 429


class Connectivity:
    """Thread-safe state machine; listeners get `(snapshot, previous_state)` on every change."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        offline_after: int = 3,
        offline_window: float = 2.0,
    ) -> None:
        self._clock = clock
        self._offline_after = offline_after
        self._offline_window = offline_window
        self._lock = threading.Lock()
        self._listeners: Listeners[[Snapshot, State]] = Listeners()
        self._consecutive = 0
        self._first_failure_at: float | None = None
        now = clock()
        self._snap = Snapshot(State.ONLINE, now, None, None, "", "", False)

    def subscribe(self, listener: Callable[[Snapshot, State], None]) -> Callable[[], None]:
        """Call `listener` on every state change; returns a function that unsubscribes."""
        return self._listeners.add(listener)

    def snapshot(self) -> Snapshot:
        with self._lock:
            return self._snap

    @property
    def state(self) -> State:
        return self.snapshot().state

    def record(self, outcome: Outcome, detail: str = "") -> None:
        """Feed one call's outcome. `detail` is a one-line reason without secrets."""
        with self._lock:
            previous = self._snap
            now = self._clock()
            snap = self._next(previous, outcome, detail, now)
            self._snap = snap
        if snap.state != previous.state:
            self._listeners.tell(snap, previous.state)

    def _next(self, snap: Snapshot, outcome: Outcome, detail: str, now: float) -> Snapshot:
        if outcome is Outcome.OK:
            self._consecutive = 0
            self._first_failure_at = None
            state_changed = snap.state is not State.ONLINE
            return Snapshot(
                State.ONLINE,
                now if state_changed else snap.since,
                now,
                None,
                "",
                "",
                False,
            )
        if outcome is Outcome.RATE_LIMITED:
            return replace(snap, throttled=True)
        if outcome is Outcome.ACCOUNT:
            return replace(
                snap, account_problem=detail or "the API key was refused", throttled=False
            )
        if outcome is Outcome.CLIENT_ERROR:
            # The server answered: the network is fine even if this request was wrong.
            self._consecutive = 0
            self._first_failure_at = None
            if snap.state is State.DEGRADED:
                return Snapshot(State.ONLINE, now, now, None, "", snap.account_problem, False)
            if snap.state is State.OFFLINE:
                return snap
            return replace(snap, last_ok=now, throttled=False)
        # A failure that counts towards offline.
        self._consecutive += 1
        if self._first_failure_at is None:
            self._first_failure_at = now
        failing_for = now - self._first_failure_at
        if (
            outcome in _OFFLINE_AT_ONCE
            or self._consecutive >= self._offline_after
            or (self._consecutive > 1 and failing_for >= self._offline_window)
        ):
            new_state = State.OFFLINE
        else:
            new_state = State.DEGRADED if snap.state is State.ONLINE else snap.state
        reason = detail or _DEFAULT_REASONS[outcome]
        since = snap.since if new_state is snap.state else now
        return Snapshot(
            new_state, since, snap.last_ok, outcome, reason, snap.account_problem, False
        )


_DEFAULT_REASONS = {
    Outcome.UNREACHABLE: "Click & Drop cannot be reached (no connection)",
    Outcome.MAINTENANCE: "Click & Drop is down for maintenance (503)",
    Outcome.TIMEOUT: "Click & Drop is not answering (timed out)",
    Outcome.SERVER_ERROR: "Click & Drop is failing (server error)",
}


class BackoffProbe:
    """While not online, call `probe()` (`GET /version`) with exponential backoff and jitter.

    Runs on its own daemon thread; `probe` returns normally when the API answered and raises (or
    returns False) otherwise. The probe's own outcome is fed to `connectivity` by the client's
    event hook, so this class only decides *when* to ask.
    """

    def __init__(
        self,
        connectivity: Connectivity,
        probe: Callable[[], bool],
        *,
        first_delay: float = 1.0,
        max_delay: float = 60.0,
        rng: random.Random | None = None,
    ) -> None:
        self._connectivity = connectivity
        self._probe = probe
        self._first_delay = first_delay
        self._max_delay = max_delay
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not crypto
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] | None = None

    def delays(self) -> list[float]:
        """The schedule (without jitter), for tests and the banner's "next try in" text."""
        out, delay = [], self._first_delay
        while delay < self._max_delay:
            out.append(delay)
            delay *= 2
        return [*out, self._max_delay]

    def start(self) -> None:
        if self._thread is not None:
            return
        self._unsubscribe = self._connectivity.subscribe(lambda _snap, _prev: self._wake.set())
        self._thread = threading.Thread(target=self._loop, name="connectivity-probe", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _online(self) -> bool:
        return self._connectivity.state is State.ONLINE

    def _loop(self) -> None:
        while not self._stop.is_set():
            if self._online():
                self._wake.wait()
                self._wake.clear()
                continue
            delay = self._first_delay
            while not self._stop.is_set() and not self._online():
                jittered = delay * (0.5 + self._rng.random())
                if self._stop.wait(jittered):
                    return
                # A failed probe is the expected case while offline; its outcome reaches
                # `connectivity` through the client's event hook, so nothing to do here.
                with contextlib.suppress(Exception):
                    self._probe()
                delay = min(delay * 2, self._max_delay)
