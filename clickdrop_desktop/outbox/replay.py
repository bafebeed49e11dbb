"""The outbox replay engine: every queued change reaches Click & Drop once, in order.

How exactly-once holds, even through `kill -9` at any instant:

1. Before an op is sent it is *claimed*: moved to `sending` (attempts + 1) in a committed,
   fsynced transaction (journal first). The claim is compare-and-set on the op's state and
   timestamp, so two replayers (the app and a CLI flush) never both send the same op.
2. An op found `sending` (a crash, or an answer that never came) is never simply resent. It is
   reconciled first: creates are looked up by `orderReference` (`GET /orders/"ref";...`),
   despatches and cancels by reading the orders back; applied means done.
3. A `sending` op younger than `settle_s` is left alone for now: a request may still be in
   flight on the server (a killed client does not stop the server working on its request), so
   a read-back right away could miss it and a resend would apply twice. Live replayers of one
   account (the app, a CLI flush) never overlap: they take a file lock (lock.py).
4. `PUT /orders/status` goes with `retry_ambiguous=False`: the client does not resend it by
   itself after a dropped connection; this engine reconciles instead.

Order: ops replay in their queue order, grouped into runs of the same kind (creates in chunks
of up to 100 per `POST /orders`, status updates up to 100 per `PUT`, cancels up to 100 per
`DELETE`). An op never overtakes an earlier unfinished op of the same order (FIFO per order): a
despatch waits behind its order's failed create. Partial success (200 with per-item errors)
is settled op by op. Transient failures stop the run and keep the ops; an auth failure pauses
it; a rejection becomes a conflict item for the user (see conflicts.py); nothing is dropped.

This module holds the pass (ordering, segments, settling); creates and their reconciliation by
reference are in replay_creates.py, despatch and cancel batches in replay_batches.py, the steps
they share (claim, read, settle, stop) in replay_steps.py.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from clickdrop_desktop.api.client import ClickDropClient
from clickdrop_desktop.api.identifiers import MAX_IDS_PER_CALL
from clickdrop_desktop.outbox.lock import ReplayLock
from clickdrop_desktop.outbox.operations import (
    CreateOp,
    DespatchOp,
    EntityKey,
    PayloadError,
    decode,
)
from clickdrop_desktop.outbox.replay_batches import BatchReplay
from clickdrop_desktop.outbox.replay_creates import CreateReplay
from clickdrop_desktop.outbox.replay_steps import Pair, Run, Stop
from clickdrop_desktop.outbox.report import ReplayReport, StopReason
from clickdrop_desktop.store import UNSYNCED, OutboxItem, OutboxState, Store

__all__ = ["OutboxReplayer", "ReplayOptions", "ReplayReport", "StopReason"]

DEFAULT_SETTLE_S = 15.0
SETTLE_ENV = "CLICKDROP_OUTBOX_SETTLE_S"
BUSY_POLL_S = 0.25
BUSY_MESSAGE = (
    "another replay of this account is running (the app or another command); "
    "the changes are kept and it sends them"
)


@dataclass(frozen=True, slots=True)
class ReplayOptions:
    """Args:
    settle_s: how long an op left `sending` is given to land before it is reconciled.
    batch_size: ops per request (the API takes at most 100 status updates or ids).
    """

    settle_s: float = DEFAULT_SETTLE_S
    batch_size: int = MAX_IDS_PER_CALL

    @classmethod
    def from_env(cls) -> ReplayOptions:
        """Defaults, with `CLICKDROP_OUTBOX_SETTLE_S` (seconds) when set: the settle time a
        deployment (or a kill test with a known server delay) wants."""
        text = os.environ.get(SETTLE_ENV, "").strip()
        if not text:
            return cls()
        try:
            settle = float(text)
        except ValueError:
            raise ValueError(f"{SETTLE_ENV} must be a number of seconds") from None
        if not 0 <= settle <= 3600:
            raise ValueError(f"{SETTLE_ENV} must be 0..3600 seconds")
        return cls(settle_s=settle)

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= MAX_IDS_PER_CALL:
            raise ValueError(f"batch_size must be 1..{MAX_IDS_PER_CALL}")
        if self.settle_s < 0:
            raise ValueError("settle_s must not be negative")


class OutboxReplayer(CreateReplay, BatchReplay):
    """Replays one account's outbox through its client. Thread-safe (one replay at a time).

    Args:
        store: the account's open store.
        client: the account's own client.
        options: see `ReplayOptions`.
        now: the wall clock (tests move it to skip the settle time).
        sleep: how `replay_settled` waits (tests pass a fake).
    """

    def __init__(
        self,
        store: Store,
        client: ClickDropClient,
        *,
        options: ReplayOptions | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._store = store
        self._client = client
        self._options = options or ReplayOptions()
        self._now = now
        self._sleep = sleep
        self._lock = threading.Lock()

    # -- entry points -----------------------------------------------------------------------------

    def replay(self, *, cancel: threading.Event | None = None) -> ReplayReport:
        """One pass over the outbox; returns what happened (see `ReplayReport`)."""
        with self._lock:
            run = Run(ReplayReport())
            lock = ReplayLock(self._store.path)
            if not lock.acquire():
                run.report.stopped = StopReason.BUSY
                run.report.stop_message = BUSY_MESSAGE
                self._count(run.report)
                return run.report
            try:
                self._pass(run, cancel)
            except Stop as stop:
                run.report.stopped = stop.reason
                run.report.stop_message = stop.message
            finally:
                lock.release()
            self._count(run.report)
            return run.report

    def replay_settled(
        self, *, max_wait_s: float = 60.0, cancel: threading.Event | None = None
    ) -> ReplayReport:
        """Replay; if ops are still settling (left `sending` moments ago, e.g. by a killed
        process), wait for them (up to `max_wait_s`) and replay again."""
        deadline = time.monotonic() + max_wait_s
        total = ReplayReport()
        while True:
            report = self.replay(cancel=cancel)
            total.absorb(report)
            if report.stopped is StopReason.BUSY:
                wait: float | None = BUSY_POLL_S  # the other replayer sends them: wait for it
            elif report.stopped is not None or not report.settling:
                return total
            else:
                wait = self._settle_wait()
            if wait is None or time.monotonic() + wait > deadline:
                return total
            self._sleep(wait)

    # -- the pass ---------------------------------------------------------------------------------

    def _pass(self, run: Run, cancel: threading.Event | None) -> None:
        segment: list[Pair] = []
        seg_entities: set[EntityKey] = set()
        for item in self._store.outbox.list(UNSYNCED):
            if cancel is not None and cancel.is_set():
                raise Stop(StopReason.CANCELLED, "replay cancelled; the changes are kept")
            try:
                op = decode(item)
            except PayloadError as exc:
                if item.state not in (OutboxState.FAILED, OutboxState.CONFLICT):
                    self._settle(run, item, OutboxState.FAILED, f"cannot be read: {exc}")
                continue
            if item.state in (OutboxState.FAILED, OutboxState.CONFLICT):
                run.blocked |= op.entities
                continue
            if item.state is OutboxState.SENDING and self._settling(item):
                run.report.settling += 1
                run.blocked |= op.entities
                continue
            if op.entities & run.blocked:
                continue  # waits for an earlier change of the same order
            same_kind = not segment or segment[0][1].kind is op.kind
            if (
                not same_kind
                or len(segment) >= self._options.batch_size
                or (op.entities & seg_entities)
            ):
                self._segment(run, segment)
                segment, seg_entities = [], set()
                if op.entities & run.blocked:
                    continue
            segment.append((item, op))
            seg_entities |= op.entities
        self._segment(run, segment)

    def _segment(self, run: Run, segment: list[Pair]) -> None:
        if not segment:
            return
        kind = segment[0][1]
        if isinstance(kind, CreateOp):
            self._creates(run, segment)
        elif isinstance(kind, DespatchOp):
            self._despatches(run, segment)
        else:
            self._deletes(run, segment)
        # Whatever did not finish blocks later changes of the same order.
        unfinished = {item.op_id for item in self._store.outbox.list(UNSYNCED)}
        for item, op in segment:
            if item.op_id in unfinished:
                run.blocked |= op.entities

    def _settling(self, item: OutboxItem) -> bool:
        age = self._now() - item.updated_at
        return age < timedelta(seconds=self._options.settle_s)

    def _settle_wait(self) -> float | None:
        ages = [
            self._now() - item.updated_at for item in self._store.outbox.list([OutboxState.SENDING])
        ]
        if not ages:
            return None
        left = self._options.settle_s - min(a.total_seconds() for a in ages)
        return max(0.05, left + 0.05)
