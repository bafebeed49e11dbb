"""Mark-despatched and the outbox, as the GUI drives them.

A thin adapter until the core outbox service (issue 6) lands: online, a change goes straight
to the API; offline or on a transient failure it is written to the store's persistent outbox
(with its journal) before the user is told "done", and `replay()` sends waiting despatches in
batches of up to 100, settling each item from the per-order answer. Blocking: call it from a
worker on the "outbox" lane.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from clickdrop_desktop.api.errors import ApiError
from ui.services.views import OutboxRow

if TYPE_CHECKING:
    from clickdrop_desktop.store import OutboxItem, Store

DESPATCH = "despatch"
_KIND_TEXT = {DESPATCH: "Mark despatched", "create": "New order", "delete": "Cancel order"}
_STATE_TEXT = {  # OutboxState values -> what the panel says
    "pending": "waiting",
    "sending": "sending",
    "failed": "failed",
    "conflict": "conflict",
    "done": "sent",
}


class DespatchClient(Protocol):
    def mark_despatched(
        self, keys: Sequence[int | str], *, despatch_date: datetime | None = None
    ) -> object: ...


class OutboxService:
    def __init__(self, store: Store, client: DespatchClient) -> None:
        self._store = store
        self._client = client

    def mark_despatched(self, order_ids: list[int], *, online: bool) -> tuple[int, int]:
        """Despatch `order_ids` now if online, else keep them in the outbox: (sent, queued)."""
        when = datetime.now(UTC)
        if online:
            try:
                self._client.mark_despatched(order_ids, despatch_date=when)
            except ApiError as exc:
                if not exc.transient:
                    raise
            else:
                return len(order_ids), 0
        for order_id in order_ids:
            stored = self._store.get_order(order_id)
            self._store.outbox.enqueue(
                DESPATCH,
                {"orderIdentifier": order_id, "despatchDate": when.isoformat()},
                order_identifier=order_id,
                order_reference=stored.order.order_reference if stored else None,
            )
        return 0, len(order_ids)

    def items(self) -> list[OutboxRow]:
        from clickdrop_desktop.store import UNSYNCED

        return [_row(item) for item in self._store.outbox.list(UNSYNCED)]

    def replay(self) -> tuple[int, int]:
        """Send waiting despatches, 100 per call: (sent, still waiting or needing the user)."""
        from clickdrop_desktop.store import OutboxState

        waiting = [i for i in self._store.outbox.list([OutboxState.PENDING]) if i.kind == DESPATCH]
        sent = 0
        for start in range(0, len(waiting), 100):
            batch = waiting[start : start + 100]
            for item in batch:
                self._store.outbox.mark(item.op_id, OutboxState.SENDING, count_attempt=True)
            ids = [int(i.payload["orderIdentifier"]) for i in batch]
            try:
                result = self._client.mark_despatched(ids)
            except ApiError as exc:
                state = OutboxState.PENDING if exc.transient else OutboxState.FAILED
                for item in batch:
                    self._store.outbox.mark(item.op_id, state, error=exc.message[:200])
                if exc.transient:
                    break
                continue
            problems = {p.order_identifier: p.message for p in getattr(result, "errors", ())}
            for item in batch:
                order_id = int(item.payload["orderIdentifier"])
                if order_id in problems:
                    self._store.outbox.mark(
                        item.op_id, OutboxState.CONFLICT, error=problems[order_id][:200]
                    )
                else:
                    self._store.outbox.mark(item.op_id, OutboxState.DONE)
                    sent += 1
        return sent, self._store.outbox.unsynced_count()

    def discard(self, op_ids: list[str]) -> None:
        from clickdrop_desktop.store import OutboxState

        for op_id in op_ids:
            self._store.outbox.mark(op_id, OutboxState.DONE, error="discarded by the user")


def _row(item: OutboxItem) -> OutboxRow:
    return OutboxRow(
        item_id=item.op_id,
        kind=_KIND_TEXT.get(item.kind, item.kind),
        order_reference=item.order_reference or str(item.order_identifier or ""),
        state=_STATE_TEXT.get(item.state.value, item.state.value),
        detail=item.last_error or "",
        created=item.created_at,
    )
