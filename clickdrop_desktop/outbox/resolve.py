"""The user's side of the outbox: list the queued changes, and resolve the ones in conflict.

A change that Click & Drop refused, or that upstream changes made wrong to send (deleted there,
label cancelled there, reference taken), waits as a `failed`/`conflict` item until the user
picks one of: retry (send it again as it is), discard (with confirmation: the change is lost,
and the cached order is put back as it was), or edit (a corrected change replaces it, queued
last). Nothing is ever dropped without that confirmation.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clickdrop_desktop.api.models import format_datetime
from clickdrop_desktop.api.requests import CreateOrderRequest
from clickdrop_desktop.outbox.changes import (
    ChangeRefused,
    check_tracking_number,
    queue_new_orders,
    revert_despatch,
)
from clickdrop_desktop.outbox.operations import (
    CreateOp,
    DespatchOp,
    OpKind,
    PayloadError,
    decode,
    describe,
)
from clickdrop_desktop.store import UNSYNCED, OrderSource, OutboxItem, OutboxState, Store

DISCARDED = "discarded by the user"
REPLACED = "replaced by an edited change"
NEEDS_USER = (OutboxState.FAILED, OutboxState.CONFLICT)


class ConfirmationNeeded(ChangeRefused):
    """Discarding loses a change for good: the caller must confirm first."""


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One queued change as the outbox list shows it."""

    op_id: str
    seq: int
    kind: str
    what: str  # "despatch order 'REF-1' (tracking ...)", "new order 'X'"...
    state: OutboxState
    attempts: int
    problem: str | None  # why it needs the user, or the last transient error
    order_reference: str | None
    order_identifier: int | None
    created_at: datetime
    updated_at: datetime

    @property
    def needs_user(self) -> bool:
        return self.state in NEEDS_USER

    def to_dict(self) -> dict[str, Any]:
        return {
            "op_id": self.op_id,
            "seq": self.seq,
            "kind": self.kind,
            "what": self.what,
            "state": self.state.value,
            "needs_user": self.needs_user,
            "attempts": self.attempts,
            "problem": self.problem,
            "orderReference": self.order_reference,
            "orderIdentifier": self.order_identifier,
            "created_at": format_datetime(self.created_at),
            "updated_at": format_datetime(self.updated_at),
        }


def entry_of(item: OutboxItem) -> OutboxEntry:
    return OutboxEntry(
        op_id=item.op_id,
        seq=item.seq,
        kind=item.kind,
        what=describe(item),
        state=item.state,
        attempts=item.attempts,
        problem=item.last_error,
        order_reference=item.order_reference,
        order_identifier=item.order_identifier,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def list_changes(store: Store, *, include_done: bool = False) -> list[OutboxEntry]:
    """Queued changes in replay order (finished ones too with `include_done`)."""
    items = store.outbox.list(None if include_done else UNSYNCED)
    return [entry_of(item) for item in items]


def _find(store: Store, op_id: str) -> OutboxItem:
    item = store.outbox.get(op_id)
    if item is None:
        # Let a user type a unique prefix of the id shown in the list.
        matches = [i for i in store.outbox.list(UNSYNCED) if i.op_id.startswith(op_id)]
        if len(matches) == 1:
            return matches[0]
        raise ChangeRefused(f"no queued change {op_id!r}")
    return item


def retry(store: Store, op_id: str) -> OutboxItem:
    """Put a failed or conflicting change back in the queue as it is (sent on the next replay)."""
    item = _find(store, op_id)
    if item.state not in NEEDS_USER:
        raise ChangeRefused(f"{describe(item)} is {item.state.value}, not waiting for you")
    return store.outbox.mark(item.op_id, OutboxState.PENDING, error=None)


def discard(store: Store, op_id: str, *, confirmed: bool = False) -> OutboxItem:
    """Drop a change that has not reached Click & Drop, and undo it in the cache.

    Raises `ConfirmationNeeded` unless `confirmed`, and refuses a change that is being sent
    (it may already be in Click & Drop; the next replay settles it).
    """
    item = _find(store, op_id)
    if item.state is OutboxState.DONE:
        raise ChangeRefused(f"{describe(item)} has already reached Click & Drop")
    if item.state is OutboxState.SENDING:
        raise ChangeRefused(
            f"{describe(item)} is being sent and may already be in Click & Drop; "
            "flush the outbox first, then decide"
        )
    if not confirmed:
        raise ConfirmationNeeded(
            f"discarding {describe(item)} loses this change for good; confirm to discard"
        )
    with store.transaction():
        _undo_locally(store, item)
        return store.outbox.mark(item.op_id, OutboxState.DONE, error=DISCARDED)


def _undo_locally(store: Store, item: OutboxItem) -> None:
    try:
        op = decode(item)
    except PayloadError:
        return
    if isinstance(op, CreateOp):
        if op.local_identifier is not None:
            store.forget_local_orders([op.local_identifier])
    elif isinstance(op, DespatchOp):
        revert_despatch(store, op)
    else:
        ident = op.local_identifier or op.target.order_identifier
        stored = store.get_order(ident) if ident is not None else None
        if stored is not None and stored.archived:
            store.upsert_orders([stored.order], _restore_source(stored.source))


def _restore_source(source: str) -> OrderSource:
    try:
        return OrderSource(source)
    except ValueError:
        return OrderSource.BY_ID


def _editable(store: Store, op_id: str, kind: OpKind) -> OutboxItem:
    item = _find(store, op_id)
    if item.kind != kind.value:
        raise ChangeRefused(f"{describe(item)} is not a {kind.value}")
    if item.state not in (*NEEDS_USER, OutboxState.PENDING):
        raise ChangeRefused(f"{describe(item)} is {item.state.value} and cannot be edited now")
    return item


def edit_create(store: Store, op_id: str, request: CreateOrderRequest) -> OutboxItem:
    """Replace a queued new order with a corrected one (e.g. a new reference); queued last."""
    item = _editable(store, op_id, OpKind.CREATE)
    op = decode(item)
    assert isinstance(op, CreateOp)
    with store.transaction():
        store.outbox.mark(item.op_id, OutboxState.DONE, error=REPLACED)
        if op.local_identifier is not None:
            store.forget_local_orders([op.local_identifier])
        (new,) = queue_new_orders(store, [request], source=op.source)
    return new


def edit_despatch(store: Store, op_id: str, tracking_number: str | None) -> OutboxItem:
    """Replace a queued despatch with one carrying another tracking number; queued last."""
    item = _editable(store, op_id, OpKind.DESPATCH)
    op = decode(item)
    assert isinstance(op, DespatchOp)
    edited = dataclasses.replace(op, tracking_number=check_tracking_number(tracking_number))
    with store.transaction():
        store.outbox.mark(item.op_id, OutboxState.DONE, error=REPLACED)
        return store.outbox.enqueue(
            edited.kind.value,
            edited.to_payload(),
            order_reference=edited.target.order_reference,
            order_identifier=edited.target.order_identifier,
        )
