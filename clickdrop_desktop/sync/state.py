"""The persisted sync state of an account, and the account facts the guards rely on.

The state is one JSON object in the store's `sync_state` table (written in the same transaction
as each page): the pass in progress (phase, date window, continuation token or refresh cursor),
the high-water `createdOn`, the last run, the pause after an incident, the account's trading
names and the per-account salt of incident hashes.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from clickdrop_desktop.api.models import Order, format_datetime, parse_datetime
from clickdrop_desktop.errors import IsolationAlert
from clickdrop_desktop.sync import guards
from clickdrop_desktop.sync.ports import SyncApi, SyncStorage

STATE_VERSION = 1


def merge_headers(*parts: Mapping[str, str]) -> dict[str, str]:
    """Headers of several answers as one mapping (a name's values joined with ", ")."""
    merged: dict[str, str] = {}
    for headers in parts:
        for name, value in headers.items():
            merged[name] = f"{merged[name]}, {value}" if name in merged else value
    return merged


def utc_now() -> datetime:
    return datetime.now(UTC)


def state_time(value: datetime | None) -> str | None:
    return format_datetime(value) if value is not None else None


def parse_state_time(value: object) -> datetime | None:
    return parse_datetime(value, field_name="sync state") if value else None


def fresh_state() -> dict[str, Any]:
    return {
        "version": STATE_VERSION,
        "phase": "idle",
        "full": False,
        "window_start": None,
        "token": None,
        "pass_high_water": None,
        "high_water": None,
        "refresh_before": None,
        "refresh_after_id": 0,
        "last_sync": None,
        "last_result": None,
        "paused_incident": None,
        "trading_names": [],
        "incident_salt": secrets.token_hex(16),
    }


def normalise_state(loaded: Mapping[str, Any]) -> dict[str, Any]:
    """The stored state with defaults for anything missing (older or empty state)."""
    state = fresh_state()
    state.update({k: v for k, v in loaded.items() if k in state})
    return state


def trading_names_from(orders: Sequence[Order]) -> list[str]:
    """The distinct trading names of `/full` records, as first spelled."""
    names: dict[str, str] = {}
    for order in orders:
        if order.details is not None and order.details.trading_name:
            name = order.details.trading_name.strip()
            names.setdefault(guards.normalise_trading_name(name), name)
    return sorted(names.values())


def learn_trading_names(storage: SyncStorage, names: Sequence[str]) -> list[str]:
    """Record the account's trading names (sign-in); returns the full recorded list."""
    state = normalise_state(storage.load_state())
    known = {guards.normalise_trading_name(n): n for n in state["trading_names"]}
    for name in names:
        known.setdefault(guards.normalise_trading_name(name), name.strip())
    state["trading_names"] = sorted(known.values())
    storage.commit(orders=(), archive=(), state=state)
    return list(state["trading_names"])


def sign_in_trading_names(api: SyncApi, *, page_size: int = 100) -> list[str]:
    """The trading names of the account's newest `/orders/full` page, for sign-in.

    The page must pass the checks that need no history: no shared-cache signs, no id twice as
    different orders, and every id confirmed by the account's own by-id lookup. Raises
    `IsolationAlert` otherwise (nothing is recorded, the account is not added). An account
    with no orders yet returns [] and learns its names at the first sync.
    """
    page = api.list_page(full=True, page_size=page_size, start=None, continuation_token=None)
    if not page.orders:
        return []
    ids = list(dict.fromkeys(o.order_identifier for o in page.orders))
    confirmation = api.by_ids(ids, full=True)
    findings = [
        f
        for f in (
            guards.check_shared_cache(merge_headers(page.headers, confirmation.headers), ids),
            guards.check_duplicates(page.orders),
            guards.check_unrequested(ids, confirmation.orders),
            guards.check_confirmed(page.orders, set(ids), confirmation.orders),
        )
        if f is not None
    ]
    if findings:
        kinds = ", ".join(dict.fromkeys(str(f.kind) for f in findings))
        raise IsolationAlert(
            "isolation alert: Click & Drop's answer at sign-in held orders that are not this "
            f"account's ({kinds}); the account was not added. Try again later"
        )
    names = trading_names_from(page.orders)
    confirmed = set(trading_names_from(confirmation.orders))
    return [n for n in names if n in confirmed]


def acknowledge(storage: SyncStorage, *, when: datetime | None = None) -> int:
    """The user has seen the incidents: mark them acknowledged and let sync run again."""
    state = normalise_state(storage.load_state())
    state["paused_incident"] = None
    # The page that failed is fetched again on the next run: the token was never advanced.
    return storage.acknowledge_incidents(state_time(when or utc_now()) or "", state)


def accept_trading_names(
    storage: SyncStorage, names: Sequence[str], *, when: datetime | None = None
) -> tuple[list[str], int]:
    """The user says `names` are this account's own (renamed in Click & Drop): record them,
    then acknowledge the open incidents so the sync fetches the refused page again. Returns
    the recorded names and how many incidents were acknowledged.

    Only the trading-name guard learns from this; every other guard still runs, and ids
    refused before pass only when the account's own by-id lookup vouches for them.
    """
    clean = [" ".join(n.split()) for n in names]
    if not clean or any(not n or len(n) > 100 or not n.isprintable() for n in clean):
        raise ValueError("a trading name is 1 to 100 printable characters")
    recorded = learn_trading_names(storage, clean)
    return recorded, acknowledge(storage, when=when)


def sync_status(storage: SyncStorage) -> dict[str, Any]:
    """What `status` shows about sync: last run, paused, trading names count."""
    state = normalise_state(storage.load_state())
    return {
        "last_sync": state["last_sync"],
        "paused_incident": state["paused_incident"],
        "phase": state["phase"],
        "high_water": state["high_water"],
    }
