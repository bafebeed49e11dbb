"""Adapts the account store's order queries to the table model's `OrderSource`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from clickdrop_desktop.api.models import Order
from ui.models.order_row import OrderQuery, OrderRow


class OrderStore(Protocol):
    """The part of `clickdrop_desktop.store.Store` the table reads."""

    def query_orders(
        self,
        *,
        search: str | None,
        status: str | None,
        sort: Any,
        offset: int,
        limit: int,
    ) -> Sequence[Order]: ...

    def count_orders(self, *, search: str | None, status: str | None) -> int: ...


def order_to_row(order: Order) -> OrderRow:
    """What the table shows for an order. Plain records (non-ChannelShipper) have no address."""
    details = order.details
    recipient = postcode = service = ""
    if details is not None:
        info = details.shipping_info
        recipient = info.full_name or info.company_name or ""
        postcode = info.postcode or ""
        shipping = details.shipping_details
        service = shipping.shipping_service or shipping.service_code or ""
    return OrderRow(
        order_id=order.order_identifier,
        reference=order.order_reference or str(order.order_identifier),
        order_date=order.order_date or order.created_on,
        recipient=recipient,
        postcode=postcode,
        service=service,
        status=order.status.value,
        tracking=", ".join(order.all_tracking_numbers),
    )


class StoreOrderSource:
    """`OrderSource` over a store: one indexed query per block, one count per query change."""

    def __init__(self, store: OrderStore) -> None:
        self._store = store

    def rows(self, query: OrderQuery, offset: int, limit: int) -> list[OrderRow]:
        orders = self._store.query_orders(
            search=query.search or None,
            status=query.status.value if query.status else None,
            sort=(query.sort.key.value, query.sort.descending),
            offset=offset,
            limit=limit,
        )
        return [order_to_row(o) for o in orders]

    def count(self, query: OrderQuery) -> int:
        return self._store.count_orders(
            search=query.search or None,
            status=query.status.value if query.status else None,
        )
