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
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar

from clickdrop_desktop.api.client import ClickDropClient
from clickdrop_desktop.api.errors import ApiError, OrderProblem, RateLimited, ValidationFailed
from clickdrop_desktop.api.identifiers import MAX_IDS_PER_CALL
from clickdrop_desktop.api.models import Order
from clickdrop_desktop.api.requests import OrderStatusValue, StatusUpdateRequest
from clickdrop_desktop.outbox.changes import hide_cancelled, show_despatched
from clickdrop_desktop.outbox.lock import ReplayLock
from clickdrop_desktop.outbox.operations import (
    CreateOp,
    DeleteOp,
    DespatchOp,
    EntityKey,
    Operation,
    OrderTarget,
    PayloadError,
    decode,
)
from clickdrop_desktop.outbox.reconcile import (
    Decision,
    Failure,
    Verdict,
    classify,
    is_duplicate_reference,
    judge_delete,
    judge_delete_problem,
    judge_despatch,
    judge_status_problem,
    problems_text,
)
from clickdrop_desktop.outbox.report import ReplayReport, StopReason
from clickdrop_desktop.store import (
    UNSYNCED,
    ImmutableFieldChanged,
    OrderSource,
    OutboxItem,
    OutboxState,
    Store,
)

T = TypeVar("T")
Pair = tuple[OutboxItem, Operation]


class _Named(Protocol):
    """An order as a write's answer names it (`UpdatedOrder`, `DeletedOrder`)."""

    @property
    def order_identifier(self) -> int | None: ...

    @property
    def order_reference(self) -> str | None: ...


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


class _Stop(Exception):
    def __init__(self, reason: StopReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(slots=True)
class _Run:
    report: ReplayReport
    blocked: set[EntityKey] = field(default_factory=set)


class OutboxReplayer:
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
            run = _Run(ReplayReport())
            lock = ReplayLock(self._store.path)
            if not lock.acquire():
                run.report.stopped = StopReason.BUSY
                run.report.stop_message = BUSY_MESSAGE
                self._count(run.report)
                return run.report
            try:
                self._pass(run, cancel)
            except _Stop as stop:
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

    def _pass(self, run: _Run, cancel: threading.Event | None) -> None:
        segment: list[Pair] = []
        seg_entities: set[EntityKey] = set()
        for item in self._store.outbox.list(UNSYNCED):
            if cancel is not None and cancel.is_set():
                raise _Stop(StopReason.CANCELLED, "replay cancelled; the changes are kept")
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

    def _segment(self, run: _Run, segment: list[Pair]) -> None:
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

    # -- creates ----------------------------------------------------------------------------------

    def _creates(self, run: _Run, segment: list[Pair]) -> None:
        to_send = [p for p in segment if p[0].state is OutboxState.PENDING]
        unsure = [p for p in segment if p[0].state is OutboxState.SENDING]
        if unsure:
            refs = [_create(p).order_reference for p in unsure]
            found = self._read(run, unsure, lambda: self._client.find_orders_by_reference(refs))
            if found is None:
                return
            with self._store.transaction():  # one commit (two fsyncs) for the lot
                for pair in unsure:
                    order = found.get(_create(pair).order_reference)
                    if order is not None:
                        self._adopt(run, pair, order, "found in Click & Drop (sent before)")
                    else:
                        to_send.append(pair)
            to_send.sort(key=lambda p: p[0].seq)
        unsure_ids = {p[0].op_id for p in unsure}
        claimed = self._claim(to_send)
        if not claimed:
            return
        run.report.requests += 1
        try:
            result = self._client.create_orders(
                [_create(p).request for p in claimed], chunk_size=len(claimed)
            )
        except ApiError as exc:
            self._failed(run, claimed, exc)
            return
        created = {c.order.order_reference: c.order for c in result.created}
        failed = {f.order_reference: f for f in result.failed}
        duplicates: list[Pair] = []
        with self._store.transaction():  # every outcome of the batch in one commit
            for pair in claimed:
                op = _create(pair)
                order = created.get(op.order_reference)
                if order is not None:
                    self._adopt(run, pair, order)
                    continue
                refused = failed.get(op.order_reference)
                if refused is None:
                    continue  # no word on it: stays `sending`, reconciled by reference later
                if is_duplicate_reference(refused.errors):
                    duplicates.append(pair)
                else:
                    message = f"Click & Drop refused new order {op.order_reference!r}: "
                    self._settle(
                        run, pair[0], OutboxState.FAILED, message + problems_text(refused.errors)
                    )
        for pair in duplicates:  # may read from the API: outside the write transaction
            # Ours only if an earlier attempt's outcome was unknown (it was `sending`).
            self._duplicate(run, pair, maybe_ours=pair[0].op_id in unsure_ids)

    def _duplicate(self, run: _Run, pair: Pair, *, maybe_ours: bool) -> None:
        item, op = pair[0], _create(pair)
        if maybe_ours:
            # An earlier attempt of ours, whose answer never came, may hold the reference
            # (it landed after our look-up): adopt it rather than report a conflict.
            refs = [op.order_reference]
            found = self._read(run, [pair], lambda: self._client.find_orders_by_reference(refs))
            if found is None:
                return
            order = found.get(op.order_reference)
            if order is not None:
                self._adopt(run, pair, order, "found in Click & Drop (sent before)")
                return
        self._settle(
            run,
            item,
            OutboxState.CONFLICT,
            f"the reference {op.order_reference!r} is already used by another order in Click & "
            "Drop (not one sent from here): edit the reference, or discard this order",
        )

    def _adopt(self, run: _Run, pair: Pair, order: Order, note: str = "") -> None:
        """The order exists upstream: the cache gets the real order in place of its stand-in."""
        item, op = pair[0], _create(pair)
        with self._store.transaction():
            if op.local_identifier is not None:
                self._store.forget_local_orders([op.local_identifier])
            try:
                self._store.upsert_orders([order], OrderSource.BY_ID)
            except ImmutableFieldChanged:
                note = "created, but it clashes with a cached order; the next sync checks it"
            self._store.outbox.mark(item.op_id, OutboxState.DONE)
        self._done(run, item, note and f"new order {op.order_reference!r}: {note}")

    # -- despatches -------------------------------------------------------------------------------

    def _despatches(self, run: _Run, segment: list[Pair]) -> None:
        upstream = self._read_back(run, segment)
        if upstream is None:
            return
        claimed = self._judge_and_claim(
            run,
            segment,
            lambda pair: judge_despatch(
                _despatch(pair), pair[0].state, upstream.get(pair[0].op_id)
            ),
        )
        if not claimed:
            return
        updates = [_status_update(_despatch(p)) for p in claimed]
        run.report.requests += 1
        try:
            result = self._client.update_status(updates, retry_ambiguous=False)
        except ApiError as exc:
            self._failed(run, claimed, exc)
            return
        self._settle_batch(run, claimed, result.updated, result.errors, judge_status_problem)

    # -- cancels ----------------------------------------------------------------------------------

    def _deletes(self, run: _Run, segment: list[Pair]) -> None:
        upstream = self._read_back(run, segment)
        if upstream is None:
            return
        claimed = self._judge_and_claim(
            run,
            segment,
            lambda pair: judge_delete(_delete(pair), pair[0].state, upstream.get(pair[0].op_id)),
        )
        if not claimed:
            return
        run.report.requests += 1
        try:
            result = self._client.delete_orders([_delete(p).target.key for p in claimed])
        except ApiError as exc:
            self._failed(run, claimed, exc)
            return
        self._settle_batch(run, claimed, result.deleted, result.errors, judge_delete_problem)

    # -- shared steps -----------------------------------------------------------------------------

    def _judge_and_claim(
        self, run: _Run, segment: list[Pair], judge: Callable[[Pair], Decision]
    ) -> list[Pair]:
        """Settle what the read-back already decides (one commit); claim the rest to send."""
        to_send: list[Pair] = []
        with self._store.transaction():
            for pair in segment:
                decision = judge(pair)
                if decision.verdict is Verdict.SEND:
                    to_send.append(pair)
                else:
                    self._decided(run, pair, decision)
        return self._claim(to_send)

    def _settle_batch(
        self,
        run: _Run,
        claimed: list[Pair],
        done: Sequence[_Named],
        problems: Sequence[OrderProblem],
        judge_problem: Callable[[OrderProblem, str], Decision],
    ) -> None:
        """Every outcome of a sent despatch or cancel batch, in one commit. An op Click & Drop
        names neither as done nor as a problem stays `sending`: reconciled on the next pass."""
        with self._store.transaction():
            for pair in claimed:
                target = _target(pair)
                if any(target.matches(x.order_identifier, x.order_reference) for x in done):
                    self._decided(run, pair, Decision(Verdict.DONE))
                    continue
                problem = next(
                    (p for p in problems if target.matches(p.order_identifier, p.order_reference)),
                    None,
                )
                if problem is not None:
                    self._decided(run, pair, judge_problem(problem, target.label()))

    def _read_back(self, run: _Run, segment: list[Pair]) -> dict[str, Order | None] | None:
        """op id -> the order as Click & Drop has it now (None: not there)."""
        keys = [_target(p).key for p in segment]
        result = self._read(run, segment, lambda: self._client.get_orders(keys))
        if result is None:
            return None
        out: dict[str, Order | None] = {}
        for pair in segment:
            target = _target(pair)
            out[pair[0].op_id] = next(
                (o for o in result.orders if target.matches(o.order_identifier, o.order_reference)),
                None,
            )
        return out

    def _read(self, run: _Run, pairs: Sequence[Pair], call: Callable[[], T]) -> T | None:
        """A read for reconciliation; transient failures stop the pass, a refusal fails the ops."""
        try:
            return call()
        except ApiError as exc:
            failure = classify(exc)
            if failure is Failure.REJECTED:
                for item, _ in pairs:
                    message = f"could not be checked in Click & Drop: {exc.message}"
                    self._settle(run, item, OutboxState.FAILED, message)
                return None
            raise self._stop(failure, exc) from None

    def _claim(self, pairs: Sequence[Pair]) -> list[Pair]:
        """Mark `sending` (attempts + 1) what is still as we read it: the "attempting" marker."""
        claimed: list[Pair] = []
        with self._store.transaction():
            for item, op in pairs:
                current = self._store.outbox.get(item.op_id)
                if (
                    current is None
                    or current.state is not item.state
                    or current.updated_at != item.updated_at
                ):
                    continue  # another replayer took it meanwhile
                fresh = self._store.outbox.mark(
                    item.op_id, OutboxState.SENDING, error=None, count_attempt=True
                )
                claimed.append((fresh, op))
        return claimed

    def _failed(self, run: _Run, claimed: list[Pair], exc: ApiError) -> None:
        failure = classify(exc)
        if failure is Failure.REJECTED:
            message = exc.message
            if isinstance(exc, ValidationFailed) and exc.problems:
                message = f"Click & Drop refused it: {problems_text(exc.problems)}"
            for item, _ in claimed:
                self._settle(run, item, OutboxState.FAILED, message)
            return
        if not exc.maybe_applied:
            # Refused before it was processed: back in the queue, as it was.
            with self._store.transaction():
                for item, _ in claimed:
                    self._store.outbox.mark(item.op_id, OutboxState.PENDING, error=exc.message)
        # maybe_applied: left `sending`, so the next pass reconciles before any resend.
        raise self._stop(failure, exc)

    def _stop(self, failure: Failure, exc: ApiError) -> _Stop:
        if failure is Failure.AUTH:
            return _Stop(StopReason.AUTH, exc.message)
        if isinstance(exc, RateLimited):
            return _Stop(StopReason.RATE_LIMITED, exc.message)
        return _Stop(StopReason.OFFLINE, exc.message)

    def _decided(self, run: _Run, pair: Pair, decision: Decision) -> None:
        item, op = pair
        if decision.verdict is Verdict.CONFLICT:
            self._settle(run, item, OutboxState.CONFLICT, decision.message)
            return
        with self._store.transaction():
            self._store.outbox.mark(item.op_id, OutboxState.DONE)
            if isinstance(op, DespatchOp):
                show_despatched(
                    self._store,
                    op.target,
                    op.despatch_date,
                    op.tracking_number,
                    op.local_identifier,
                )
            elif isinstance(op, DeleteOp):
                hide_cancelled(self._store, op)
        self._done(run, item, decision.message)

    def _done(self, run: _Run, item: OutboxItem, note: str) -> None:
        run.report.done.append(item.op_id)
        if note:
            run.report.notes.append(note)

    def _settle(self, run: _Run, item: OutboxItem, state: OutboxState, message: str) -> None:
        self._store.outbox.mark(item.op_id, state, error=message)
        run.report.needs_user_now.append(item.op_id)
        run.report.notes.append(message)

    def _count(self, report: ReplayReport) -> None:
        for item in self._store.outbox.list(UNSYNCED):
            if item.state in (OutboxState.FAILED, OutboxState.CONFLICT):
                report.needs_user += 1
            else:
                report.waiting += 1


def _create(pair: Pair) -> CreateOp:
    op = pair[1]
    assert isinstance(op, CreateOp)
    return op


def _despatch(pair: Pair) -> DespatchOp:
    op = pair[1]
    assert isinstance(op, DespatchOp)
    return op


def _delete(pair: Pair) -> DeleteOp:
    op = pair[1]
    assert isinstance(op, DeleteOp)
    return op


def _target(pair: Pair) -> OrderTarget:
    op = pair[1]
    assert isinstance(op, DespatchOp | DeleteOp)
    return op.target


def _status_update(op: DespatchOp) -> StatusUpdateRequest:
    ident = op.target.order_identifier
    return StatusUpdateRequest(
        status=OrderStatusValue.DESPATCHED,
        order_identifier=ident,
        order_reference=None if ident is not None else op.target.order_reference,
        tracking_number=op.tracking_number,
        despatch_date=op.despatch_date,
    )
