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
    "search_text",
    "updated_at",
)
_INSERT_SQL = (
    f"INSERT INTO orders ({', '.join(COLUMNS)}, sort_key, first_seen_at) "
    f"VALUES ({', '.join('?' * (len(COLUMNS) + 2))})"
)
# created_on never changes (the guard refuses that), so sort_key and first_seen_at stay.
_UPDATE_SQL = (
    "UPDATE orders SET "
    + ", ".join(f"{c} = ?" for c in COLUMNS[1:])
    + ", archived = 0 WHERE order_identifier = ?"
)
_RECORD_INSERT_SQL = (
    "INSERT INTO order_records (raw_format, raw_json, details_json, order_identifier) "
    "VALUES (?, ?, ?, ?)"
)
_RECORD_UPDATE_SQL = (
    "UPDATE order_records SET raw_format = ?, raw_json = ?, details_json = ? "
    "WHERE order_identifier = ?"
)
_KEY_ID_BITS = 10


def sort_key(order: Order) -> int:
    """Creation time in ms, then the low bits of the id: newest-first order as one integer."""
    millis = int(order.created_on.timestamp() * 1000)
    return (millis << _KEY_ID_BITS) | (order.order_identifier & ((1 << _KEY_ID_BITS) - 1))


def _free_sort_keys(conn: Connection, wanted: list[int]) -> list[int]:
    """`wanted`, with any key already taken (in the table or earlier in the list) bumped up."""
    taken: set[int] = set()
    for chunk in _chunks(sorted(set(wanted))):
        rows = conn.execute(
            f"SELECT sort_key FROM orders WHERE sort_key IN ({', '.join('?' * len(chunk))})",
            tuple(chunk),
        ).fetchall()
        taken.update(int(r[0]) for r in rows)
    out: list[int] = []
    for key in wanted:
        while key in taken:
            key += 1
            if conn.execute("SELECT 1 FROM orders WHERE sort_key = ?", (key,)).fetchone():
                taken.add(key)
        taken.add(key)
        out.append(key)
    return out


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
            "SELECT o.order_identifier, o.order_reference, o.created_on, r.raw_json, "
            "r.raw_format, r.details_json, o.archived FROM orders o "
            "JOIN order_records r ON r.order_identifier = o.order_identifier "
            f"WHERE o.order_identifier IN ({', '.join('?' * len(chunk))})",
            tuple(chunk),
        ).fetchall()
        for row in rows:
            found[int(row[0])] = _Existing(row[1], row[2], row[3], row[4], row[5], bool(row[6]))
    return found


def _row(order: Order, *, source: OrderSource, now: str) -> tuple[Any, ...]:
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
        search_text(order, recipient),
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
    inserts: list[tuple[Any, ...]] = []
    new_keys: list[int] = []
    updates: list[tuple[Any, ...]] = []
    records: list[tuple[Any, ...]] = []  # (format, raw, details, id), parallel to inserts
    record_updates: list[tuple[Any, ...]] = []
    unchanged = 0
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
        row = _row(effective, source=source, now=now)
        if prev is None:
            inserts.append(row)
            new_keys.append(sort_key(order))
            records.append((fmt, raw_text, details, ident))
        else:
            updates.append((*row[1:], ident))
            record_updates.append((fmt, raw_text, details, ident))
    if inserts:
        keys = _free_sort_keys(conn, new_keys)
        conn.executemany(
            _INSERT_SQL, [(*row, key, now) for row, key in zip(inserts, keys, strict=True)]
        )
        conn.executemany(_RECORD_INSERT_SQL, records)
    if updates:
        conn.executemany(_UPDATE_SQL, updates)
        conn.executemany(_RECORD_UPDATE_SQL, record_updates)
    return UpsertCounts(inserted=len(inserts), updated=len(updates), unchanged=unchanged)


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
        "SELECT o.order_identifier, o.order_reference, o.created_on, r.raw_json, r.raw_format, "
        "r.details_json FROM orders o JOIN order_records r "
        "ON r.order_identifier = o.order_identifier"
    ).fetchall()
    updates = []
    for row in rows:
        order = parse_stored(row[3], row[4], row[5], row)
        updates.append((search_text(order, recipient_of(order)), row[0]))
    conn.executemany("UPDATE orders SET search_text = ? WHERE order_identifier = ?", updates)
