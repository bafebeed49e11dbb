"""Replaying new orders: `POST /orders` in batches, and reconciliation by `orderReference`
(a create whose answer never came is looked up before it is ever sent again)."""

from __future__ import annotations

from clickdrop_desktop.api.errors import ApiError
from clickdrop_desktop.api.models import Order
from clickdrop_desktop.outbox.operations import CreateOp
from clickdrop_desktop.outbox.reconcile import is_duplicate_reference, problems_text
from clickdrop_desktop.outbox.replay_steps import Pair, ReplaySteps, Run
from clickdrop_desktop.store import ImmutableFieldChanged, OrderSource, OutboxState


class CreateReplay(ReplaySteps):
    """The create part of `OutboxReplayer`."""

    def _creates(self, run: Run, segment: list[Pair]) -> None:
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

    def _duplicate(self, run: Run, pair: Pair, *, maybe_ours: bool) -> None:
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

    def _adopt(self, run: Run, pair: Pair, order: Order, note: str = "") -> None:
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


def _create(pair: Pair) -> CreateOp:
    op = pair[1]
    assert isinstance(op, CreateOp)
    return op
