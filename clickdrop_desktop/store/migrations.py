"""Numbered schema migrations (`PRAGMA user_version`), each in its own transaction.

Rules: a released migration is never edited; a new schema change is a new number. Each one is
tested from a database built by the previous version (tests/unit/store/store_fixtures.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from clickdrop_desktop.store.connection import Connection
from clickdrop_desktop.store.errors import StoreTooNew

_V1 = (
    # Store identity and the crypto parameters it was created with (no secrets).
    """CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    # Orders, narrow: the indexed columns the table view, search and guards read. The rowid is
    # sort_key = creation time in ms * 1024 + low bits of the id (made unique on insert;
    # created_on never changes, so neither does the key), so newest-first is rowid order.
    """CREATE TABLE orders (
        sort_key INTEGER PRIMARY KEY,
        order_identifier INTEGER NOT NULL UNIQUE,
        order_reference TEXT,
        created_on TEXT NOT NULL,
        order_date TEXT,
        printed_on TEXT,
        manifested_on TEXT,
        shipped_on TEXT,
        tracking_number TEXT,
        status TEXT NOT NULL,
        recipient_name TEXT,
        recipient_company TEXT,
        recipient_postcode TEXT,
        recipient_country TEXT,
        archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
        source TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX orders_by_archived ON orders (archived)",
    "CREATE INDEX orders_by_status ON orders (archived, status)",
    "CREATE INDEX orders_by_reference ON orders (archived, order_reference COLLATE NOCASE)",
    "CREATE INDEX orders_by_tracking ON orders (tracking_number COLLATE NOCASE)",
    "CREATE INDEX orders_by_recipient ON orders (archived, recipient_name COLLATE NOCASE)",
    # The records exactly as received, kept apart so the hot table stays small: raw_json in
    # the shape raw_format names (GetOrderInfoResource, GetOrderDetailsResource, or a locally
    # created CreateOrderRequest item), and details_json = the last /full record when a later
    # plain record replaced it. Nothing the API sent is lost.
    """CREATE TABLE order_records (
        order_identifier INTEGER PRIMARY KEY
            REFERENCES orders (order_identifier) ON DELETE CASCADE ON UPDATE CASCADE,
        raw_format TEXT NOT NULL CHECK (raw_format IN ('info', 'details', 'create')),
        raw_json TEXT NOT NULL,
        details_json TEXT
    )""",
    # Labels and our own documents, as blobs inside the encrypted database.
    """CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        order_identifier INTEGER NOT NULL
            REFERENCES orders (order_identifier) ON DELETE CASCADE ON UPDATE CASCADE,
        document_type TEXT NOT NULL,
        content_type TEXT NOT NULL,
        data BLOB NOT NULL,
        sha256 TEXT NOT NULL,
        page_count INTEGER,
        page_width_mm REAL,
        page_height_mm REAL,
        created_at TEXT NOT NULL,
        UNIQUE (order_identifier, document_type)
    )""",
    # The persistent print queue: one idempotency key per (order, document[, reprint n]).
    """CREATE TABLE print_jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        idempotency_key TEXT NOT NULL UNIQUE,
        order_identifier INTEGER NOT NULL
            REFERENCES orders (order_identifier) ON DELETE CASCADE ON UPDATE CASCADE,
        document_type TEXT NOT NULL,
        printer_uri TEXT NOT NULL,
        copies INTEGER NOT NULL DEFAULT 1 CHECK (copies >= 1),
        reprint INTEGER NOT NULL DEFAULT 0 CHECK (reprint IN (0, 1)),
        reprint_number INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL CHECK (
            state IN ('queued', 'sending', 'sent', 'failed', 'expired', 'cancelled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        expires_at TEXT
    )""",
    "CREATE INDEX print_jobs_by_state ON print_jobs (state, id)",
    "CREATE INDEX print_jobs_by_order ON print_jobs (order_identifier, document_type)",
    # Changes made here that the API has not acknowledged yet (mirrored in the journal file).
    """CREATE TABLE outbox (
        op_id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL CHECK (
            state IN ('pending', 'sending', 'done', 'failed', 'conflict')),
        attempts INTEGER NOT NULL DEFAULT 0,
        order_reference TEXT,
        order_identifier INTEGER,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        revision INTEGER NOT NULL DEFAULT 1
    )""",
    "CREATE INDEX outbox_by_state ON outbox (state, seq)",
    "CREATE INDEX outbox_by_reference ON outbox (order_reference)",
    """CREATE TABLE sync_state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
)

_V2_COLUMNS = (
    "ALTER TABLE orders ADD COLUMN search_text TEXT NOT NULL DEFAULT ''",
    # What the status tabs filter on, as FTS tokens: filtering inside the full-text query keeps
    # search + status + newest-first a single index walk that stops after one page.
    """ALTER TABLE orders ADD COLUMN facets TEXT GENERATED ALWAYS AS (
        CASE WHEN archived = 1 THEN 'farchived' ELSE 'f' || status END) VIRTUAL""",
    # FTS5 with external content: the text lives once, in orders. Its rowid is sort_key, so
    # "ORDER BY rowid DESC" is newest first straight from the index.
    """CREATE VIRTUAL TABLE orders_fts USING fts5 (
        search_text,
        facets,
        content = 'orders',
        content_rowid = 'sort_key',
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '1 2 3'
    )""",
)
_V2_TRIGGERS = (
    "INSERT INTO orders_fts (orders_fts) VALUES ('rebuild')",
    """CREATE TRIGGER orders_fts_insert AFTER INSERT ON orders BEGIN
        INSERT INTO orders_fts (rowid, search_text, facets)
        VALUES (new.sort_key, new.search_text, new.facets);
    END""",
    """CREATE TRIGGER orders_fts_delete AFTER DELETE ON orders BEGIN
        INSERT INTO orders_fts (orders_fts, rowid, search_text, facets)
        VALUES ('delete', old.sort_key, old.search_text, old.facets);
    END""",
    """CREATE TRIGGER orders_fts_update
    AFTER UPDATE OF search_text, status, archived, sort_key ON orders
    WHEN old.search_text IS NOT new.search_text OR old.facets IS NOT new.facets
        OR old.sort_key IS NOT new.sort_key BEGIN
        INSERT INTO orders_fts (orders_fts, rowid, search_text, facets)
        VALUES ('delete', old.sort_key, old.search_text, old.facets);
        INSERT INTO orders_fts (rowid, search_text, facets)
        VALUES (new.sort_key, new.search_text, new.facets);
    END""",
)

_V3 = (
    # Isolation incidents: metadata only (time, endpoint, counts, hashed ids), never foreign data.
    """CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        occurred_at TEXT NOT NULL,
        kind TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        counts TEXT NOT NULL,
        hashed_ids TEXT NOT NULL,
        details TEXT NOT NULL,
        acknowledged_at TEXT
    )""",
    "CREATE INDEX incidents_by_time ON incidents (occurred_at)",
    """CREATE TABLE quarantine (
        id INTEGER PRIMARY KEY,
        incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        quarantined_at TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        reason TEXT NOT NULL,
        record_count INTEGER NOT NULL,
        hashed_ids TEXT NOT NULL
    )""",
)


def _run(*statements: str) -> Callable[[Connection], None]:
    def apply(conn: Connection) -> None:
        for statement in statements:
            conn.execute(statement)

    return apply


def _v2(conn: Connection) -> None:
    _run(*_V2_COLUMNS)(conn)
    # Orders written by version 1 have no search text yet: compute it from their stored JSON,
    # then index everything once and only then add the triggers that keep the index current.
    from clickdrop_desktop.store.orders import backfill_search_text

    backfill_search_text(conn)
    _run(*_V2_TRIGGERS)(conn)


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _v4(conn: Connection) -> None:
    # The print queue's own schema step lives beside the code that reads it.
    from clickdrop_desktop.store.jobs_schema import migrate_v4

    migrate_v4(conn)


def _v5(conn: Connection) -> None:
    from clickdrop_desktop.store.jobs_schema import migrate_v5

    migrate_v5(conn)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "orders, documents, print jobs, outbox, sync state", _run(*_V1)),
    Migration(2, "full-text search over orders", _v2),
    Migration(3, "isolation incidents and quarantine metadata", _run(*_V3)),
    Migration(4, "print queue: uncertain state, requester and worker, job history", _v4),
    Migration(5, "print queue: jobs of account documents (the end-of-day manifest)", _v5),
)
LATEST_VERSION = MIGRATIONS[-1].version


def schema_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: Connection, *, target: int = LATEST_VERSION) -> int:
    """Bring the schema up to `target`, one transaction per migration; returns the new version.

    `conn` must be in autocommit mode (`isolation_level=None`) so the explicit BEGIN/COMMIT
    here are the only transaction control.
    """
    current = schema_version(conn)
    if current > LATEST_VERSION:
        raise StoreTooNew(
            f"the order cache was written by a newer version of the app (schema {current}); "
            "update the app"
        )
    for migration in MIGRATIONS:
        if current < migration.version <= target:
            conn.execute("BEGIN IMMEDIATE")
            try:
                migration.apply(conn)
                conn.execute(f"PRAGMA user_version = {int(migration.version)}")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            current = migration.version
    return current
