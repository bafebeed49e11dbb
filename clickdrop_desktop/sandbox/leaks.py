"""Cross-account leak faults: the seed incident, reproduced on demand for the isolation guards.

(a) `leak_mixed`: another account's orders mixed into a list page; (b) `leak_extra_ids`: a by-id
answer holding ids not asked for; (c) `leak_shared_cache`: another account's list page served
as if from a shared cache (`Age`, `X-Cache: HIT`, `Cache-Control: public`); (d)
`leak_trading_name`: a `/full` record carrying another account's trading name; (e)
`mutate_immutable`: a known order id whose `orderReference`/`createdOn` changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from clickdrop_desktop.sandbox import resources
from clickdrop_desktop.sandbox.accounts import Account
from clickdrop_desktop.sandbox.core import Reply, Request, SandboxState
from clickdrop_desktop.sandbox.faults import IMMUTABLE_FIELDS, Fault
from clickdrop_desktop.sandbox.validation import parse_request_datetime


def _take(
    state: SandboxState,
    kind: str,
    req: Request,
    account: Account,
    accept: Callable[[Fault], bool] | None = None,
) -> Fault | None:
    return state.faults.take(kind, req.method, req.path, account.name, accept)


def _source(state: SandboxState, fault: Fault, account: Account) -> Account:
    name = fault.options.get("from_account")
    if name and name != account.name:
        return state.by_name[name]
    return next(a for a in state.accounts if a.name != account.name)


def _foreign(
    state: SandboxState, source: Account, count: int, full: bool
) -> tuple[list[dict[str, Any]], int | None]:
    with state.lock:
        records, next_position = state.store(source).page(0, count, light=not full)
        views = [
            resources.order_full(r, source) if full else resources.order_info(r) for r in records
        ]
    return views, next_position


def _mark(reply: Reply, kind: str) -> None:
    reply.fault = kind if reply.fault is None else f"{reply.fault},{kind}"


def apply_list(
    state: SandboxState, req: Request, account: Account, reply: Reply, *, full: bool, size: int
) -> None:
    """Leak faults for `GET /orders` and `/orders/full`."""
    fault = _take(state, "leak_shared_cache", req, account)
    if fault is not None:
        source = _source(state, fault, account)
        views, next_position = _foreign(state, source, size, full)
        token = None
        if next_position is not None:
            token = state.make_token(source, next_position, "full" if full else "info")
        reply.data = {"orders": views, "continuationToken": token}
        reply.headers.update(
            {
                "Age": str(fault.options.get("age", 37)),
                "X-Cache": "HIT",
                "Cache-Control": "public, max-age=60",
            }
        )
        _mark(reply, "leak_shared_cache")
        return
    orders: list[dict[str, Any]] = reply.data["orders"]
    fault = _take(state, "leak_mixed", req, account)
    if fault is not None:
        views, _ = _foreign(
            state, _source(state, fault, account), fault.options.get("leak_count", 3), full
        )
        for i, foreign in enumerate(views):
            orders.insert(min(1 + 2 * i, len(orders)), foreign)
        _mark(reply, "leak_mixed")
    _common(state, req, account, reply, orders, full)


def apply_by_ids(
    state: SandboxState, req: Request, account: Account, reply: Reply, *, full: bool
) -> None:
    """Leak faults for `GET /orders/{ids}` and `/orders/{ids}/full`."""
    orders: list[dict[str, Any]] = reply.data
    fault = _take(state, "leak_extra_ids", req, account)
    if fault is not None:
        views, _ = _foreign(
            state, _source(state, fault, account), fault.options.get("leak_count", 1), full
        )
        orders.extend(views)
        _mark(reply, "leak_extra_ids")
    _common(state, req, account, reply, orders, full)


def _common(
    state: SandboxState,
    req: Request,
    account: Account,
    reply: Reply,
    orders: list[dict[str, Any]],
    full: bool,
) -> None:
    if full and orders:
        fault = _take(state, "leak_trading_name", req, account)
        if fault is not None:
            orders[0]["tradingName"] = _source(state, fault, account).trading_name
            _mark(reply, "leak_trading_name")
    if orders:
        ids = {o["orderIdentifier"] for o in orders}

        def present(fault: Fault) -> bool:
            return fault.options.get("order") in (None, *ids)

        fault = _take(state, "mutate_immutable", req, account, present)
        if fault is not None:
            wanted = fault.options.get("order")
            target = next((o for o in orders if o["orderIdentifier"] == wanted), orders[0])
            fields = fault.options.get("fields") or list(IMMUTABLE_FIELDS)
            if "orderReference" in fields:
                target["orderReference"] = f"{target.get('orderReference') or ''}-CHANGED"
            if "createdOn" in fields:
                created = parse_request_datetime(target["createdOn"])
                if created is not None:
                    target["createdOn"] = resources.stamp(created - timedelta(days=3, minutes=17))
            _mark(reply, "mutate_immutable")
