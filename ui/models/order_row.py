"""The display-ready row the orders table shows, and the query the store answers for it."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class StatusFilter(enum.StrEnum):
    """The status tabs. Values are the store's / CLI's status names (`orders --status`)."""

    TO_PRINT = "new"
    PRINTED = "printed"
    DESPATCHED = "despatched"
    ARCHIVED = "archived"


class SortKey(enum.StrEnum):
    """The orders the store can sort by with an index (other columns are not sortable)."""

    ORDER_DATE = "order_date"
    REFERENCE = "reference"
    RECIPIENT = "recipient"


@dataclass(frozen=True, slots=True)
class Sort:
    key: SortKey = SortKey.ORDER_DATE
    descending: bool = True


@dataclass(frozen=True, slots=True)
class OrderQuery:
    search: str = ""
    status: StatusFilter | None = StatusFilter.TO_PRINT
    sort: Sort = Sort()


@dataclass(frozen=True, slots=True)
class OrderRow:
    """One line of the table. Customer text here is shown as plain text only."""

    order_id: int
    reference: str
    order_date: datetime | None
    recipient: str
    postcode: str
    status: str  # new / printed / despatched / manifested / archived
    tracking: str
    has_label: bool = False  # a label is cached: it prints offline


class OrderSource(Protocol):
    """What the table model needs from the store (adapted in `ui.services.store_source`)."""

    def rows(self, query: OrderQuery, offset: int, limit: int) -> Sequence[OrderRow]: ...

    def count(self, query: OrderQuery) -> int: ...
