"""Making a change here: the local cached order and its outbox op, in ONE transaction.

This is the transactional-outbox half of the design (security notes section 6.1): the user is
told "done" only after the op is committed to the account's store and fsynced to its journal,
and the cached order already shows the change (optimistic: "despatched", pending upload; a
new order appears with a negative stand-in identifier; a cancelled order is archived). The
replay engine (replay.py) sends the op later, exactly once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from clickdrop_desktop.api.models import Order, OrderStatus, format_datetime
from clickdrop_desktop.api.requests import CreateOrderRequest
from clickdrop_desktop.outbox.operations import (
    BaseVersion,
    CreateOp,
    DeleteOp,
    DespatchOp,
    OpKind,
    OpSource,
    OrderTarget,
    PayloadError,
    decode,
)
from clickdrop_desktop.store import UNSYNCED, OrderSource, OutboxItem, OutboxState, Store
from clickdrop_desktop.store.order_queries import StoredOrder

NEXT_LOCAL_ID_KEY = "outbox.next_local_id"
MAX_TRACKING_LENGTH = 64
CANCELLED_BEFORE_SENT = "cancelled here before it was sent"


class ChangeRefused(Exception):
    """A change that cannot be made (unknown order, label already generated...); one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Queued:
    """What a request to change orders did: ops queued, and orders left alone (and why)."""

    items: tuple[OutboxItem, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()  # (what the user named, why nothing was queued)
    settled_locally: tuple[str, ...] = field(default=())  # op ids finished without the API


def check_tracking_number(value: str | None) -> str | None:
    """A tracking number as typed or scanned: trimmed, printable, bounded; None if blank."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if len(text) > MAX_TRACKING_LENGTH:
        raise ChangeRefused(f"the tracking number is longer than {MAX_TRACKING_LENGTH} characters")
    if any(not ch.isprintable() for ch in text):
        raise ChangeRefused("the tracking number contains control characters")
    return text


def unsynced_ops(store: Store) -> list[OutboxItem]:
    return store.outbox.list(UNSYNCED)


def pending_order_ids(store: Store) -> set[int]:
    """Cached orders with a change not yet acknowledged upstream (the "pending" badge)."""
    ids: set[int] = set()
    for item in unsynced_ops(store):
        if item.order_identifier is not None:
            ids.add(item.order_identifier)
        local = item.payload.get("local_identifier")
        if isinstance(local, int) and not isinstance(local, bool):
            ids.add(local)
    return ids


# -- the cached order, changed optimistically ---------------------------------------------------


def _source(stored: StoredOrder) -> OrderSource:
    try:
        return OrderSource(stored.source)
    except ValueError:
        return OrderSource.BY_ID


def _with_despatch(stored: StoredOrder, when: datetime, tracking: str | None) -> Order:
    """The cached order as it will be once the despatch reaches Click & Drop."""
    raw: dict[str, Any] = dict(stored.raw)
    stamp = format_datetime(when)
    order = stored.order
    if stored.source == OrderSource.LOCAL.value:
        # The raw record of an order created here is its CreateOrderRequest: keep it, and note
        # the despatch beside it so the row (and its status column) change.
        raw["_despatched"] = {"on": stamp, "trackingNumber": tracking}
        return dataclasses.replace(
            order,
            shipped_on=when,
            tracking_number=order.tracking_number or tracking,
            raw=raw,
        )
    raw["shippedOn"] = raw.get("shippedOn") or stamp
    if order.details is not None:
        raw["orderStatus"] = "Despatched"
        shipping = dict(raw.get("shippingDetails") or {})
        if tracking and not shipping.get("trackingNumber"):
            shipping["trackingNumber"] = tracking
        raw["shippingDetails"] = shipping
        return Order.from_api_full(raw)
    if tracking and not raw.get("trackingNumber"):
        raw["trackingNumber"] = tracking
    return Order.from_api(raw)


def _without_despatch(stored: StoredOrder, base: BaseVersion) -> Order:
    """Undo `_with_despatch` (a discarded despatch), keeping anything a sync brought since."""
    raw: dict[str, Any] = dict(stored.raw)
    order = stored.order
    if stored.source == OrderSource.LOCAL.value:
        raw.pop("_despatched", None)
        return dataclasses.replace(order, shipped_on=None, raw=raw)
    raw["shippedOn"] = base.shipped_on
    if base.tracking_number is None:
        raw.pop("trackingNumber", None)
    if order.details is not None:
        raw.pop("orderStatus", None)
        return Order.from_api_full(raw)
    return Order.from_api(raw)


def show_despatched(
    store: Store, target: OrderTarget, when: datetime, tracking: str | None, local: int | None
) -> None:
    """Make the cached order show despatched (again), e.g. after a sync or its create."""
    stored = _cached(store, target, local)
    if stored is None or stored.order.shipped_on is not None or stored.archived:
        return
    store.upsert_orders([_with_despatch(stored, when, tracking)], _source(stored))


def hide_cancelled(store: Store, op: DeleteOp) -> None:
    """Archive the cached order a cancel reached Click & Drop for (by id, or by reference for
    an order created here whose stand-in has since become the real order)."""
    ids = {i for i in (op.target.order_identifier, op.local_identifier) if i}
    stored = _cached(store, op.target, op.local_identifier)
    if stored is not None:
        ids.add(stored.order_identifier)
    store.archive_orders(sorted(ids))


def revert_despatch(store: Store, op: DespatchOp) -> None:
    stored = _cached(store, op.target, op.local_identifier)
    if stored is None or stored.archived:
        return
    store.upsert_orders([_without_despatch(stored, op.base)], _source(stored))


def _cached(store: Store, target: OrderTarget, local: int | None) -> StoredOrder | None:
    if target.order_identifier is not None:
        found = store.get_order(target.order_identifier)
        if found is not None:
            return found
    if target.order_reference:
        found = store.find_order(target.order_reference)
        if found is not None and found.order.order_reference == target.order_reference:
            return found
    if local is not None:
        return store.get_order(local)
    return None


def _target_of(stored: StoredOrder) -> OrderTarget:
    ident = stored.order_identifier
    return OrderTarget(ident if ident > 0 else None, stored.order.order_reference)


# -- despatch -------------------------------------------------------------------------------------


def mark_despatched(
    store: Store,
    orders: Sequence[str],
    *,
    tracking_number: str | None = None,
    despatch_date: datetime | None = None,
    source: OpSource = OpSource.APP,
) -> Queued:
    """Queue "despatched" for each named order (identifier, reference or tracking number).

    All named orders are checked first; nothing is queued if one of them is unknown. Orders
    already despatched (or already waiting to be) are skipped with the reason.
    """
    tracking = check_tracking_number(tracking_number)
    when = (despatch_date or datetime.now(UTC)).astimezone(UTC)
    found: list[tuple[str, StoredOrder]] = []
    for text in orders:
        stored = store.find_order(text)
        if stored is None:
            raise ChangeRefused(f"order {text!r} is not in the cache (sync first?); nothing queued")
        found.append((text, stored))
    items: list[OutboxItem] = []
    skipped: list[tuple[str, str]] = []
    with store.transaction():
        waiting = _waiting_despatches(store)
        for text, stored in found:
            why = _why_not_despatch(stored, waiting)
            if why:
                skipped.append((text, why))
                continue
            target = _target_of(stored)
            op = DespatchOp(
                target=target,
                despatch_date=when,
                tracking_number=tracking,
                base=BaseVersion.of(stored.order),
                local_identifier=stored.order_identifier,
                source=source,
            )
            store.upsert_orders([_with_despatch(stored, when, tracking)], _source(stored))
            items.append(_enqueue(store, op.kind, op.to_payload(), target))
            waiting.add(stored.order_identifier)
    return Queued(tuple(items), tuple(skipped))


def _waiting_despatches(store: Store) -> set[int]:
    ids: set[int] = set()
    for item in unsynced_ops(store):
        if item.kind == OpKind.DESPATCH.value:
            local = item.payload.get("local_identifier")
            if isinstance(local, int):
                ids.add(local)
            if item.order_identifier is not None:
                ids.add(item.order_identifier)
    return ids


def _why_not_despatch(stored: StoredOrder, waiting: set[int]) -> str | None:
    if stored.archived:
        return "it is archived (deleted in Click & Drop)"
    if stored.order_identifier in waiting:
        return "its despatch is already waiting to be sent"
    if stored.status in (OrderStatus.DESPATCHED, OrderStatus.MANIFESTED):
        return f"it is already {stored.status.value}"
    return None


def _enqueue(
    store: Store, kind: OpKind, payload: dict[str, Any], target: OrderTarget
) -> OutboxItem:
    return store.outbox.enqueue(
        kind.value,
        payload,
        order_reference=target.order_reference,
        order_identifier=target.order_identifier,
    )


# -- new orders -----------------------------------------------------------------------------------


def reference_in_use(store: Store, reference: str, *, pending: set[str] | None = None) -> bool:
    """Whether a cached order or a queued create already has this reference."""
    if pending is None:
        pending = pending_create_references(store)
    if reference.casefold() in pending:
        return True
    found = store.find_order(reference)
    return (
        found is not None
        and found.order.order_reference is not None
        and found.order.order_reference.casefold() == reference.casefold()
    )


def pending_create_references(store: Store) -> set[str]:
    return {
        item.order_reference.casefold()
        for item in unsynced_ops(store)
        if item.kind == OpKind.CREATE.value and item.order_reference
    }


def _next_local_id(store: Store) -> int:
    current = store.sync_state.get(NEXT_LOCAL_ID_KEY)
    ident = int(current) if current else -1
    store.sync_state.set(NEXT_LOCAL_ID_KEY, str(ident - 1))
    return ident


def queue_new_orders(
    store: Store, requests: Sequence[CreateOrderRequest], *, source: OpSource = OpSource.FORM
) -> list[OutboxItem]:
    """Queue new orders, all or none (one transaction): each gets a stand-in row in the cache.

    Every order needs a reference (the idempotency key of its create); references must be
    unique here and among the orders given.
    """
    now = datetime.now(UTC)
    items: list[OutboxItem] = []
    with store.transaction():
        pending = pending_create_references(store)
        for request in requests:
            ref = request.order_reference
            if not ref or not ref.strip():
                raise ChangeRefused("a new order needs a reference; nothing was queued")
            if reference_in_use(store, ref, pending=pending):
                raise ChangeRefused(f"the reference {ref!r} is already used; nothing was queued")
            pending.add(ref.casefold())
            local = _next_local_id(store)
            body = request.to_api()
            stand_in = Order(
                order_identifier=local,
                order_reference=ref,
                created_on=now,
                order_date=request.order_date,
                raw=body,
            )
            store.upsert_orders([stand_in], OrderSource.LOCAL)
            op = CreateOp(order_reference=ref, request=body, local_identifier=local, source=source)
            items.append(
                store.outbox.enqueue(
                    op.kind.value, op.to_payload(), order_reference=ref, order_identifier=local
                )
            )
    return items


# -- cancel before label ----------------------------------------------------------------------


def cancel_order(store: Store, order: str, *, source: OpSource = OpSource.APP) -> Queued:
    """Cancel (delete) an order that has no label yet.

    An order created here whose create was never sent is simply dropped (nothing reaches Click
    & Drop); otherwise a delete is queued and the cached order is archived at once.
    """
    stored = store.find_order(order)
    if stored is None:
        raise ChangeRefused(f"order {order!r} is not in the cache; nothing cancelled")
    if stored.archived:
        return Queued(skipped=((order, "it is already archived"),))
    if stored.status is not OrderStatus.NEW:
        raise ChangeRefused(
            f"order {order!r} is {stored.status.value}: its label would become void (and "
            "chargeable if used); cancel it in Click & Drop instead"
        )
    with store.transaction():
        if stored.order_identifier < 0:
            create = _create_op_of(store, stored.order_identifier)
            if create is not None and create.state is not OutboxState.SENDING:
                store.outbox.mark(create.op_id, OutboxState.DONE, error=CANCELLED_BEFORE_SENT)
                for later in _ops_after(store, create):
                    store.outbox.mark(later.op_id, OutboxState.DONE, error=CANCELLED_BEFORE_SENT)
                store.forget_local_orders([stored.order_identifier])
                return Queued(settled_locally=(create.op_id,))
        target = _target_of(stored)
        op = DeleteOp(
            target=target,
            base=BaseVersion.of(stored.order),
            local_identifier=stored.order_identifier,
            source=source,
        )
        item = _enqueue(store, op.kind, op.to_payload(), target)
        store.archive_orders([stored.order_identifier])
    return Queued((item,))


def _create_op_of(store: Store, local_identifier: int) -> OutboxItem | None:
    for item in unsynced_ops(store):
        if item.kind == OpKind.CREATE.value and item.order_identifier == local_identifier:
            return item
    return None


def _ops_after(store: Store, create: OutboxItem) -> Iterable[OutboxItem]:
    """Queued changes to an order whose create is being dropped (they have nothing to act on)."""
    for item in unsynced_ops(store):
        if item.seq <= create.seq or item.kind == OpKind.CREATE.value:
            continue
        try:
            op = decode(item)
        except PayloadError:
            continue
        if op.entities & {("ref", create.order_reference or "")}:
            yield item
