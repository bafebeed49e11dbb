"""Reading orders from the store: light rows for the table view, full records, search, lookups."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clickdrop_desktop.api.models import Order, OrderStatus
from clickdrop_desktop.store.codec import from_db, from_db_required, loads_object, to_db
from clickdrop_desktop.store.connection import Connection
from clickdrop_desktop.store.orders import _chunks, parse_stored
from clickdrop_desktop.store.search import match_expression

LABEL_DOCUMENT = "postageLabel"


class OrderSort(enum.StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    REFERENCE = "reference"
    RECIPIENT = "recipient"


# Ties break on sort_key (the rowid), so each ORDER BY is exactly an index's order and a page
# is read straight off the index.
_ORDER_BY = {
    OrderSort.NEWEST: "o.sort_key DESC",
    OrderSort.OLDEST: "o.sort_key ASC",
    OrderSort.REFERENCE: "o.order_reference COLLATE NOCASE ASC, o.sort_key ASC",
    OrderSort.RECIPIENT: "o.recipient_name COLLATE NOCASE ASC, o.sort_key ASC",
}
_SORT_INDEX = {
    OrderSort.REFERENCE: "orders_by_reference",
    OrderSort.RECIPIENT: "orders_by_recipient",
}


@dataclass(frozen=True, slots=True)
class OrderRow:
    """One line of the orders table: indexed columns only, no JSON parsing."""

    order_identifier: int
    order_reference: str | None
    created_on: datetime
    order_date: datetime | None
    printed_on: datetime | None
    manifested_on: datetime | None
    shipped_on: datetime | None
    tracking_number: str | None
    status: OrderStatus  # ARCHIVED for archived orders
    recipient_name: str | None
    recipient_company: str | None
    recipient_postcode: str | None
    recipient_country: str | None
    archived: bool
    has_label: bool


@dataclass(frozen=True, slots=True)
class StoredOrder:
    """An order as cached: the parsed record plus what the store knows about it."""

    order: Order
    status: OrderStatus  # ARCHIVED for archived orders
    archived: bool
    source: str
    raw: dict[str, Any]
    first_seen_at: datetime
    updated_at: datetime

    @property
    def order_identifier(self) -> int:
        return self.order.order_identifier


_ROW_COLUMNS = (
    "o.order_identifier, o.order_reference, o.created_on, o.order_date, o.printed_on, "
    "o.manifested_on, o.shipped_on, o.tracking_number, o.status, o.recipient_name, "
    "o.recipient_company, o.recipient_postcode, o.recipient_country, o.archived, "
    "EXISTS (SELECT 1 FROM documents d WHERE d.order_identifier = o.order_identifier "
    "AND d.document_type = ?)"
)
_FULL_COLUMNS = (
    "o.order_identifier, o.order_reference, o.created_on, r.raw_json, r.raw_format, "
    "r.details_json, o.status, o.archived, o.source, o.first_seen_at, o.updated_at"
)
_RECORD_JOIN = " JOIN order_records r ON r.order_identifier = o.order_identifier"
_FULL_SQL = f"SELECT {_FULL_COLUMNS} FROM orders o{_RECORD_JOIN}"


def _status(value: str, archived: object) -> OrderStatus:
    return OrderStatus.ARCHIVED if archived else OrderStatus(value)


def _light(row: Any) -> OrderRow:
    return OrderRow(
        order_identifier=int(row[0]),
        order_reference=row[1],
        created_on=from_db_required(row[2]),
        order_date=from_db(row[3]),
        printed_on=from_db(row[4]),
        manifested_on=from_db(row[5]),
        shipped_on=from_db(row[6]),
        tracking_number=row[7],
        status=_status(row[8], row[13]),
        recipient_name=row[9],
        recipient_company=row[10],
        recipient_postcode=row[11],
        recipient_country=row[12],
        archived=bool(row[13]),
        has_label=bool(row[14]),
    )


def _stored(row: Any) -> StoredOrder:
    return StoredOrder(
        order=parse_stored(row[3], row[4], row[5], row),
        status=_status(row[6], row[7]),
        archived=bool(row[7]),
        source=row[8],
        raw=loads_object(row[3]),
        first_seen_at=from_db_required(row[9]),
        updated_at=from_db_required(row[10]),
    )


def _facet(status: OrderStatus | None) -> str:
    if status is None:
        return "-farchived"
    return f"f{status.value}"


def _plain_where(status: OrderStatus | None) -> tuple[str, list[Any]]:
    if status is OrderStatus.ARCHIVED:
        return " WHERE o.archived = 1", []
    if status is None:
        return " WHERE o.archived = 0", []
    return " WHERE o.archived = 0 AND o.status = ?", [status.value]


def _searching(search: str | None) -> bool:
    return search is not None and bool(search.strip())


def query(
    conn: Connection,
    *,
    search: str | None = None,
    status: OrderStatus | None = None,
    sort: OrderSort = OrderSort.NEWEST,
    offset: int = 0,
    limit: int = 100,
) -> list[OrderRow]:
    """One page of light rows. With a search, the status filter runs inside the full-text
    query, and newest/oldest pages come straight off the index (its rowid is the sort key),
    so the cost follows the page, not the number of matches."""
    limit, offset = max(limit, 0), max(offset, 0)
    if not _searching(search):
        clause, params = _plain_where(status)
        sql = f"SELECT {_ROW_COLUMNS} FROM orders o{clause} ORDER BY {_ORDER_BY[sort]} LIMIT ? OFFSET ?"
        rows = conn.execute(sql, (LABEL_DOCUMENT, *params, limit, offset)).fetchall()
        return [_light(row) for row in rows]
    assert search is not None
    expression = match_expression(search, facet=_facet(status))
    if expression is None:
        return []
    if sort in (OrderSort.NEWEST, OrderSort.OLDEST):
        direction = "DESC" if sort is OrderSort.NEWEST else "ASC"
        sql = (
            "WITH page (k) AS (SELECT rowid FROM orders_fts WHERE orders_fts MATCH ? "
            f"ORDER BY rowid {direction} LIMIT ? OFFSET ?) "
            f"SELECT {_ROW_COLUMNS} FROM page CROSS JOIN orders o ON o.sort_key = page.k "
            f"ORDER BY page.k {direction}"
        )
        rows = conn.execute(sql, (expression, limit, offset, LABEL_DOCUMENT)).fetchall()
    else:
        # By reference or recipient: walk that index in order and keep the rows whose key is
        # in the match set, until the page is full (a join from the matches would read every
        # matching row's page, which is what makes broad searches slow).
        archived = int(status is OrderStatus.ARCHIVED)
        sql = (
            f"SELECT {_ROW_COLUMNS} FROM orders o INDEXED BY {_SORT_INDEX[sort]} "
            "WHERE o.archived = ? AND o.sort_key IN "
            "(SELECT rowid FROM orders_fts WHERE orders_fts MATCH ?) "
            f"ORDER BY {_ORDER_BY[sort]} LIMIT ? OFFSET ?"
        )
        rows = conn.execute(sql, (LABEL_DOCUMENT, archived, expression, limit, offset)).fetchall()
    return [_light(row) for row in rows]


def count(conn: Connection, *, search: str | None = None, status: OrderStatus | None = None) -> int:
    if not _searching(search):
        clause, params = _plain_where(status)
        return int(conn.execute(f"SELECT count(*) FROM orders o{clause}", params).fetchone()[0])
    assert search is not None
    expression = match_expression(search, facet=_facet(status))
    if expression is None:
        return 0
    sql = "SELECT count(*) FROM orders_fts WHERE orders_fts MATCH ?"
    return int(conn.execute(sql, (expression,)).fetchone()[0])


def get(conn: Connection, identifier: int) -> StoredOrder | None:
    row = conn.execute(f"{_FULL_SQL} WHERE o.order_identifier = ?", (identifier,)).fetchone()
    return None if row is None else _stored(row)


def find(conn: Connection, text: str) -> StoredOrder | None:
    """The order a user typed or scanned: identifier, then reference, then tracking number.

    Matching is exact (case-insensitive); when several orders match, the newest active one wins.
    """
    value = text.strip()
    if not value:
        return None
    if value.isascii() and value.isdigit() and len(value) < 19:  # not "²": int() refuses it
        found = get(conn, int(value))
        if found is not None:
            return found
    newest = " ORDER BY o.archived ASC, o.sort_key DESC LIMIT 1"
    for column in ("order_reference", "tracking_number"):
        # archived IN (0, 1) lets the reference lookup use the (archived, reference) index.
        row = conn.execute(
            f"{_FULL_SQL} WHERE o.archived IN (0, 1) AND o.{column} = ? COLLATE NOCASE{newest}",
            (value,),
        ).fetchone()
        if row is not None:
            return _stored(row)
    # Tracking numbers of further packages are only in the search text: exact token match.
    expression = match_expression(value, prefix=False)
    if expression is None:
        return None
    rows = conn.execute(
        "WITH hits (k) AS (SELECT rowid FROM orders_fts WHERE orders_fts MATCH ? "
        f"ORDER BY rowid DESC LIMIT 20) SELECT {_FULL_COLUMNS} FROM hits "
        f"CROSS JOIN orders o ON o.sort_key = hits.k{_RECORD_JOIN} "
        "ORDER BY o.archived ASC, hits.k DESC",
        (expression,),
    ).fetchall()
    wanted = value.upper()
    for row in rows:
        order = _stored(row)
        if wanted in (n.upper() for n in order.order.all_tracking_numbers):
            return order
    return None


def all_ids(conn: Connection) -> set[int]:
    return {int(r[0]) for r in conn.execute("SELECT order_identifier FROM orders").fetchall()}


def open_ids(
    conn: Connection,
    *,
    created_before: datetime | None = None,
    after_id: int = 0,
    limit: int | None = None,
) -> list[int]:
    """Active orders that can still change upstream (new or printed), ascending by id, past
    `after_id` (for paging), optionally only those created before `created_before`."""
    sql = (
        "SELECT order_identifier FROM orders WHERE archived = 0 AND status IN (?, ?) "
        "AND order_identifier > ?"
    )
    params: list[Any] = [OrderStatus.NEW.value, OrderStatus.PRINTED.value, max(after_id, 0)]
    if created_before is not None:
        sql += " AND created_on < ?"
        params.append(to_db(created_before))
    sql += " ORDER BY order_identifier LIMIT ?"
    params.append(-1 if limit is None else max(limit, 0))
    return [int(r[0]) for r in conn.execute(sql, params).fetchall()]


def immutable_fields(
    conn: Connection, ids: Iterable[int]
) -> dict[int, tuple[str | None, datetime]]:
    """Cached id -> (reference, created on), for the isolation guard; unknown ids are absent."""
    found: dict[int, tuple[str | None, datetime]] = {}
    for chunk in _chunks(list(dict.fromkeys(ids))):
        rows = conn.execute(
            "SELECT order_identifier, order_reference, created_on FROM orders "
            f"WHERE order_identifier IN ({', '.join('?' * len(chunk))})",
            tuple(chunk),
        ).fetchall()
        for row in rows:
            found[int(row[0])] = (row[1], from_db_required(row[2]))
    return found
