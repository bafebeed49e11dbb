"""Adapts the account store's order queries (`clickdrop_desktop.store.Store`) to the table model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from clickdrop_desktop.api.models import OrderStatus
from ui.models.order_row import OrderQuery, OrderRow, Sort, SortKey, StatusFilter

if TYPE_CHECKING:
    from clickdrop_desktop.store import OrderRow as StoreRow
    from clickdrop_desktop.store import OrderSort


class OrderStore(Protocol):
    """The part of `Store` the table reads (thread-safe: one lock around one connection)."""

    def query_orders(
        self,
        search: str | None = None,
        status: OrderStatus | None = None,
        sort: OrderSort = ...,
        offset: int = 0,
        limit: int = 100,
    ) -> Sequence[StoreRow]: ...

    def count_orders(self, search: str | None = None, status: OrderStatus | None = None) -> int: ...


_STATUS = {
    StatusFilter.TO_PRINT: OrderStatus.NEW,
    StatusFilter.PRINTED: OrderStatus.PRINTED,
    StatusFilter.DESPATCHED: OrderStatus.DESPATCHED,
    StatusFilter.ARCHIVED: OrderStatus.ARCHIVED,
}


def store_sort(sort: Sort) -> OrderSort:
    from clickdrop_desktop.store import OrderSort  # SQLCipher loads with the first store

    if sort.key is SortKey.REFERENCE:
        return OrderSort.REFERENCE
    if sort.key is SortKey.RECIPIENT:
        return OrderSort.RECIPIENT
    return OrderSort.NEWEST if sort.descending else OrderSort.OLDEST


def store_status(status: StatusFilter | None) -> OrderStatus | None:
    return _STATUS[status] if status is not None else None


def to_row(row: StoreRow) -> OrderRow:
    return OrderRow(
        order_id=row.order_identifier,
        reference=row.order_reference or str(row.order_identifier),
        order_date=row.order_date or row.created_on,
        recipient=row.recipient_name or row.recipient_company or "",
        postcode=row.recipient_postcode or "",
        status=row.status.value,
        tracking=row.tracking_number or "",
        has_label=row.has_label,
    )


class StoreOrderSource:
    """`OrderSource` over a store: one indexed query per block, one count per query change."""

    def __init__(self, store: OrderStore) -> None:
        self._store = store

    def rows(self, query: OrderQuery, offset: int, limit: int) -> list[OrderRow]:
        found = self._store.query_orders(
            search=query.search or None,
            status=store_status(query.status),
            sort=store_sort(query.sort),
            offset=offset,
            limit=limit,
        )
        return [to_row(r) for r in found]

    def count(self, query: OrderQuery) -> int:
        return self._store.count_orders(
            search=query.search or None, status=store_status(query.status)
        )
