"""Replaying despatches (`PUT /orders/status`) and cancels (`DELETE /orders`) in batches: each
batch is read back first, judged op by op, claimed, sent once and settled in one commit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from clickdrop_desktop.api.errors import ApiError, OrderProblem
from clickdrop_desktop.api.models import Order
from clickdrop_desktop.api.requests import OrderStatusValue, StatusUpdateRequest
from clickdrop_desktop.outbox.operations import DeleteOp, DespatchOp, OrderTarget
from clickdrop_desktop.outbox.reconcile import (
    Decision,
    Verdict,
    judge_delete,
    judge_delete_problem,
    judge_despatch,
    judge_status_problem,
)
from clickdrop_desktop.outbox.replay_steps import Pair, ReplaySteps, Run


class Named(Protocol):
    """An order as a write's answer names it (`UpdatedOrder`, `DeletedOrder`)."""

    @property
    def order_identifier(self) -> int | None: ...

    @property
    def order_reference(self) -> str | None: ...


class BatchReplay(ReplaySteps):
    """The despatch and cancel part of `OutboxReplayer`."""

    def _despatches(self, run: Run, segment: list[Pair]) -> None:
        claimed = self._judge_and_claim(
            run,
            segment,
            lambda pair, order: judge_despatch(_despatch(pair), pair[0].state, order),
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

    def _deletes(self, run: Run, segment: list[Pair]) -> None:
        claimed = self._judge_and_claim(
            run,
            segment,
            lambda pair, order: judge_delete(_delete(pair), pair[0].state, order),
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

    def _judge_and_claim(
        self, run: Run, segment: list[Pair], judge: Callable[[Pair, Order | None], Decision]
    ) -> list[Pair]:
        """Read the orders back, settle what that already decides (one commit) and claim the
        rest to send; nothing when the read-back did not answer."""
        upstream = self._read_back(run, segment)
        if upstream is None:
            return []
        to_send: list[Pair] = []
        with self._store.transaction():
            for pair in segment:
                decision = judge(pair, upstream.get(pair[0].op_id))
                if decision.verdict is Verdict.SEND:
                    to_send.append(pair)
                else:
                    self._decided(run, pair, decision)
        return self._claim(to_send)

    def _settle_batch(
        self,
        run: Run,
        claimed: list[Pair],
        done: Sequence[Named],
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

    def _read_back(self, run: Run, segment: list[Pair]) -> dict[str, Order | None] | None:
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
