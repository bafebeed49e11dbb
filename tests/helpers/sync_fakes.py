"""Fakes for the sync engine's ports: an in-memory store and a scripted Click & Drop.

The in-memory store has the same all-or-nothing contract as the real one (`commit` copies its
input before applying, a failing commit changes nothing); the scripted API serves a list of
orders in pages with opaque tokens and by-id answers, and can be told to misbehave per call.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from clickdrop_desktop.api.models import Order
from clickdrop_desktop.sync.guards import Immutable
from clickdrop_desktop.sync.incidents import Incident
from clickdrop_desktop.sync.ports import Fetched

BASE = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def make_order(
    ident: int,
    *,
    minutes: int = 0,
    ref: str | None = None,
    shipped: bool = False,
    printed: bool = False,
    trading_name: str | None = None,
) -> Order:
    """A plain order (or a `/full` one when `trading_name` is given)."""
    data: dict[str, Any] = {
        "orderIdentifier": ident,
        "orderReference": ref or f"REF-{ident}",
        "createdOn": (BASE + timedelta(minutes=minutes)).isoformat(),
        "printedOn": (BASE + timedelta(minutes=minutes + 1)).isoformat() if printed else None,
        "shippedOn": (BASE + timedelta(minutes=minutes + 2)).isoformat() if shipped else None,
    }
    if trading_name is None:
        return Order.from_api(data)
    data.update(
        tradingName=trading_name,
        subtotal=1,
        shippingCostCharged=0,
        orderDiscount=0,
        total=1,
        weightInGrams=100,
        shippingDetails={"shippingCost": 0},
        shippingInfo={},
        billingInfo={},
        orderLines=[],
    )
    return Order.from_api_full(data)


@dataclass
class MemoryStorage:
    """`SyncStorage` in memory. `fail_commit_after` simulates a crash inside the n-th commit."""

    orders: dict[int, Order] = field(default_factory=dict)
    archived: set[int] = field(default_factory=set)
    state: dict[str, Any] = field(default_factory=dict)
    saved_incidents: list[Incident] = field(default_factory=list)
    commits: int = 0
    fail_commit_after: int | None = None

    def load_state(self) -> dict[str, Any]:
        return copy.deepcopy(self.state)

    def commit(
        self,
        *,
        orders: Sequence[Order],
        archive: Collection[int],
        state: Mapping[str, Any],
        source: str = "list",
    ) -> int:
        if self.fail_commit_after is not None and self.commits >= self.fail_commit_after:
            raise KeyboardInterrupt("simulated kill inside a commit")  # nothing applied
        self.commits += 1
        changed = 0
        for order in orders:
            if self.orders.get(order.order_identifier) != order:
                changed += 1
            self.orders[order.order_identifier] = order
            self.archived.discard(order.order_identifier)
        self.archived |= set(archive)
        self.state = copy.deepcopy(dict(state))
        return changed

    def immutable_of(self, ids: Collection[int]) -> dict[int, Immutable]:
        return {i: Immutable.of(self.orders[i]) for i in ids if i in self.orders}

    def open_ids(self, *, created_before: datetime | None, after_id: int, limit: int) -> list[int]:
        ids = sorted(
            i
            for i, o in self.orders.items()
            if i > after_id
            and i not in self.archived
            and o.shipped_on is None
            and o.manifested_on is None
            and (created_before is None or o.created_on < created_before)
        )
        return ids[:limit]

    def record_incident(self, incident: Incident, state: Mapping[str, Any]) -> Incident:
        self.saved_incidents.append(incident)
        self.state = copy.deepcopy(dict(state))
        return incident

    def incidents(self) -> list[Incident]:
        return list(self.saved_incidents)

    def acknowledge_incidents(self, when: str, state: Mapping[str, Any]) -> int:
        open_ = [i for i in self.saved_incidents if not i.acknowledged_at]
        self.saved_incidents = [
            i if i.acknowledged_at else Incident.from_dict({**i.to_dict(), "acknowledged_at": when})
            for i in self.saved_incidents
        ]
        self.state = copy.deepcopy(dict(state))
        return len(open_)


@dataclass
class ScriptedApi:
    """`SyncApi` over a list of orders, in `createdOn` order, tokens = "t<offset>".

    `tamper(call_number, fetched) -> fetched` can change any answer; `calls` logs every call.
    """

    orders: list[Order]
    headers: dict[str, str] = field(default_factory=dict)
    tamper: Callable[[int, Fetched], Fetched] | None = None
    calls: list[tuple[str, Any]] = field(default_factory=list)
    raise_on_call: dict[int, Exception] = field(default_factory=dict)

    def _answer(self, fetched: Fetched) -> Fetched:
        number = len(self.calls) - 1  # 0 for the first call
        if number in self.raise_on_call:
            raise self.raise_on_call.pop(number)
        return self.tamper(number, fetched) if self.tamper else fetched

    def list_page(
        self,
        *,
        full: bool,
        page_size: int,
        start: datetime | None,
        continuation_token: str | None,
    ) -> Fetched:
        self.calls.append(("list", (start, continuation_token)))
        window = sorted(
            (o for o in self.orders if start is None or o.created_on >= start),
            key=lambda o: (o.created_on, o.order_identifier),
        )
        offset = int(continuation_token[1:]) if continuation_token else 0
        page = window[offset : offset + page_size]
        more = offset + page_size < len(window)
        token = f"t{offset + page_size}" if more else None
        return self._answer(Fetched(tuple(page), dict(self.headers), token))

    def by_ids(self, ids: Sequence[int], *, full: bool) -> Fetched:
        self.calls.append(("ids", tuple(ids)))
        by_id = {o.order_identifier: o for o in self.orders}
        found = tuple(by_id[i] for i in ids if i in by_id)
        missing = frozenset(i for i in ids if i not in by_id)
        return self._answer(Fetched(found, dict(self.headers), None, missing))
