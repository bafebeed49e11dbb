"""Writing orders into the store: batched upserts, immutable-field checks, archiving.

Functions take a DB-API connection so the benchmark can run the very same code on a plain
`sqlite3` database; `Store` wraps them in its lock and transactions.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from clickdrop_desktop.api.models import Order, OrderStatus, format_datetime
from clickdrop_desktop.store.codec import dumps, loads_object, to_db
from clickdrop_desktop.store.connection import Connection
from clickdrop_desktop.store.errors import ImmutableFieldChanged
from clickdrop_desktop.store.search import recipient_of, search_text

_CHUNK = 500  # ids per IN (...) list: far below SQLite's variable limit, few round trips


class OrderSource(enum.StrEnum):
    """Where a record came from (kept with the order for diagnosis)."""

    LIST = "list"  # GET /orders
    FULL = "full"  # GET /orders/full
    BY_ID = "by_id"  # GET /orders/{ids} or /orders/{ids}/full (refresh of open orders)
    LOCAL = "local"  # created in this app, not yet acknowledged by the API


@dataclass(frozen=True, slots=True)
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def stored(self) -> int:
        return self.inserted + self.updated


_PROGRESS = {
    OrderStatus.NEW: 0,
    OrderStatus.PRINTED: 1,
    OrderStatus.DESPATCHED: 2,
    OrderStatus.MANIFESTED: 3,
    OrderStatus.ARCHIVED: 4,
}

COLUMNS = (
    "order_identifier",
    "order_reference",
    "created_on",
    "order_date",
    "printed_on",
    "manifested_on",
    "shipped_on",
    "tracking_number",
    "status",
    "recipient_name",
    "recipient_company",
    "recipient_postcode",
    "recipient_country",
    "source",
    "raw_json",
    "raw_format",
    "details_json",
    "search_text",
    "first_seen_at",
    "updated_at",
)
_UPDATED = [c for c in COLUMNS if c not in ("order_identifier", "first_seen_at")]
_UPSERT_SQL = (
    f"INSERT INTO orders ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) "
    "ON CONFLICT (order_identifier) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _UPDATED)
    + ", archived = 0"
)


@dataclass(frozen=True, slots=True)
class _Existing:
    reference: str | None
    created_on: str
    raw_json: str
    raw_format: str
    details_json: str | None
    archived: bool

    @property
    def details_record(self) -> str | None:
        return self.raw_json if self.raw_format == "details" else self.details_json


def raw_record(order: Order) -> dict[str, Any]:
    """The record as received, or a minimal `GetOrderInfoResource` for an order built in code."""
    if order.raw:
        return dict(order.raw)
    record: dict[str, Any] = {
        "orderIdentifier": order.order_identifier,
        "orderReference": order.order_reference,
        "createdOn": format_datetime(order.created_on),
    }
    for key, value in (
        ("orderDate", order.order_date),
        ("printedOn", order.printed_on),
        ("manifestedOn", order.manifested_on),
        ("shippedOn", order.shipped_on),
    ):
        if value is not None:
            record[key] = format_datetime(value)
    if order.tracking_number:
        record["trackingNumber"] = order.tracking_number
    if order.packages:
        record["packages"] = [
            {"packageNumber": p.package_number, "trackingNumber": p.tracking_number}
            for p in order.packages
        ]
    return record


def raw_format_of(order: Order, source: OrderSource) -> str:
    if order.details is not None:
        return "details"
    return "create" if source is OrderSource.LOCAL else "info"


def merge_info_over_details(info: Order, full: Order) -> Order:
    """A plain record refreshes the timestamps of an order whose `/full` record we keep."""
    status = max(info.status, full.status, key=_PROGRESS.__getitem__)
    merged = dataclasses.replace(
        full,
        order_date=info.order_date or full.order_date,
        printed_on=info.printed_on or full.printed_on,
        manifested_on=info.manifested_on or full.manifested_on,
        shipped_on=info.shipped_on or full.shipped_on,
        tracking_number=info.tracking_number or full.tracking_number,
        packages=info.packages or full.packages,
    )
    if merged.status is not status and merged.details is not None:
        merged = dataclasses.replace(
            merged, details=dataclasses.replace(merged.details, order_status=status.value)
        )
    return merged


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _existing(conn: Connection, ids: Sequence[int]) -> dict[int, _Existing]:
    found: dict[int, _Existing] = {}
    for chunk in _chunks(ids):
        rows = conn.execute(
            "SELECT order_identifier, order_reference, created_on, raw_json, raw_format, "
            "details_json, archived FROM orders "
            f"WHERE order_identifier IN ({', '.join('?' * len(chunk))})",
            tuple(chunk),
        ).fetchall()
        for row in rows:
            found[int(row[0])] = _Existing(row[1], row[2], row[3], row[4], row[5], bool(row[6]))
    return found


def _row(
    order: Order, *, source: OrderSource, raw_text: str, fmt: str, details: str | None, now: str
) -> tuple[Any, ...]:
    recipient = recipient_of(order)
    tracking = order.tracking_number or next(iter(order.all_tracking_numbers), None)
    return (
        order.order_identifier,
        order.order_reference,
        to_db(order.created_on),
        to_db(order.order_date),
        to_db(order.printed_on),
        to_db(order.manifested_on),
        to_db(order.shipped_on),
        tracking,
        order.status.value,
        recipient.name,
        recipient.company,
        recipient.postcode,
        recipient.country,
        source.value,
        raw_text,
        fmt,
        details,
        search_text(order, recipient),
        now,
        now,
    )


def upsert(
    conn: Connection, orders: Sequence[Order], *, source: OrderSource, now: str
) -> UpsertCounts:
    """Insert or update `orders`; the caller owns the transaction (one per call in `Store`).

    Raises `ImmutableFieldChanged` before writing anything if a cached order's reference or
    creation date would change: that is the sign of a record from another account.
    """
    latest = {order.order_identifier: order for order in orders}  # last record of an id wins
    existing = _existing(conn, list(latest))
    changed = [
        ident
        for ident, order in latest.items()
        if ident in existing
        and (
            existing[ident].reference != order.order_reference
            or existing[ident].created_on != to_db(order.created_on)
        )
    ]
    if changed:
        raise ImmutableFieldChanged(
            f"{len(changed)} record(s) would change a cached order's reference or creation date; "
            "nothing was stored",
            order_identifiers=tuple(sorted(changed)),
        )
    rows: list[tuple[Any, ...]] = []
    inserted = updated = unchanged = 0
    for ident, order in latest.items():
        fmt = raw_format_of(order, source)
        raw_text = dumps(raw_record(order))
        prev = existing.get(ident)
        details: str | None = None
        effective = order
        if prev is not None:
            if prev.raw_json == raw_text and prev.raw_format == fmt and not prev.archived:
                unchanged += 1
                continue
            if fmt == "info" and prev.details_record is not None:
                details = prev.details_record
                full = Order.from_api_full(loads_object(details))
                effective = merge_info_over_details(order, full)
            updated += 1
        else:
            inserted += 1
        rows.append(
            _row(effective, source=source, raw_text=raw_text, fmt=fmt, details=details, now=now)
        )
    if rows:
        conn.executemany(_UPSERT_SQL, rows)
    return UpsertCounts(inserted=inserted, updated=updated, unchanged=unchanged)


def archive(conn: Connection, ids: Iterable[int], *, now: str) -> int:
    """Mark orders gone upstream (404) as archived; they stay readable and printable."""
    count = 0
    ordered = list(dict.fromkeys(ids))
    for chunk in _chunks(ordered):
        cursor = conn.execute(
            f"UPDATE orders SET archived = 1, updated_at = ? "
            f"WHERE archived = 0 AND order_identifier IN ({', '.join('?' * len(chunk))})",
            (now, *chunk),
        )
        count += max(cursor.rowcount, 0)
    return count


def parse_stored(raw_json: str, raw_format: str, details_json: str | None, columns: Any) -> Order:
    """Rebuild the `Order` from what was stored (`columns` gives identifier, reference, created)."""
    raw = loads_object(raw_json)
    if raw_format == "details":
        return Order.from_api_full(raw)
    if raw_format == "create":
        from clickdrop_desktop.store.codec import from_db_required

        return Order(
            order_identifier=int(columns[0]),
            order_reference=columns[1],
            created_on=from_db_required(columns[2]),
            raw=raw,
        )
    info = Order.from_api(raw)
    if details_json is not None:
        return merge_info_over_details(info, Order.from_api_full(loads_object(details_json)))
    return info


def backfill_search_text(conn: Connection) -> None:
    """Compute `search_text` for every order (used by migration 2 on version-1 databases)."""
    rows = conn.execute(
        "SELECT order_identifier, order_reference, created_on, raw_json, raw_format, details_json "
        "FROM orders"
    ).fetchall()
    updates = []
    for row in rows:
        order = parse_stored(row[3], row[4], row[5], row)
        updates.append((search_text(order, recipient_of(order)), row[0]))
    conn.executemany("UPDATE orders SET search_text = ? WHERE order_identifier = ?", updates)
