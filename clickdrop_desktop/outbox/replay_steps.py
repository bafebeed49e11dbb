"""The replay's shared steps: claim an op before sending, read for reconciliation, settle
outcomes (done, failed, conflict) and turn transient failures into a stop of the pass."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from clickdrop_desktop.api.client import ClickDropClient
from clickdrop_desktop.api.errors import ApiError, RateLimited, ValidationFailed
from clickdrop_desktop.outbox.changes import hide_cancelled, show_despatched
from clickdrop_desktop.outbox.operations import DeleteOp, DespatchOp, EntityKey, Operation
from clickdrop_desktop.outbox.reconcile import Decision, Failure, Verdict, classify, problems_text
from clickdrop_desktop.outbox.report import ReplayReport, StopReason
from clickdrop_desktop.store import UNSYNCED, OutboxItem, OutboxState, Store

T = TypeVar("T")
Pair = tuple[OutboxItem, Operation]


class Stop(Exception):
    """Ends a pass early (offline, auth, rate limited, cancelled); the ops are kept."""

    def __init__(self, reason: StopReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(slots=True)
class Run:
    """One pass: its report so far, and the orders whose later changes must wait."""

    report: ReplayReport
    blocked: set[EntityKey] = field(default_factory=set)


class ReplaySteps:
    """Steps every kind of op shares; the replayer and its create/batch parts build on them."""

    _store: Store
    _client: ClickDropClient

    def _read(self, run: Run, pairs: Sequence[Pair], call: Callable[[], T]) -> T | None:
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

    def _failed(self, run: Run, claimed: list[Pair], exc: ApiError) -> None:
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

    def _stop(self, failure: Failure, exc: ApiError) -> Stop:
        if failure is Failure.AUTH:
            return Stop(StopReason.AUTH, exc.message)
        if isinstance(exc, RateLimited):
            return Stop(StopReason.RATE_LIMITED, exc.message)
        return Stop(StopReason.OFFLINE, exc.message)

    def _decided(self, run: Run, pair: Pair, decision: Decision) -> None:
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

    def _done(self, run: Run, item: OutboxItem, note: str) -> None:
        run.report.done.append(item.op_id)
        if note:
            run.report.notes.append(note)

    def _settle(self, run: Run, item: OutboxItem, state: OutboxState, message: str) -> None:
        self._store.outbox.mark(item.op_id, state, error=message)
        run.report.needs_user_now.append(item.op_id)
        run.report.notes.append(message)

    def _count(self, report: ReplayReport) -> None:
        for item in self._store.outbox.list(UNSYNCED):
            if item.state in (OutboxState.FAILED, OutboxState.CONFLICT):
                report.needs_user += 1
            else:
                report.waiting += 1
