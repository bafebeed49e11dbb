"""Schema 4 of the store: the print queue's `uncertain` state, requester, worker and history."""

from __future__ import annotations

from clickdrop_desktop.store.connection import Connection

# Schema 4 (registered in migrations.py): the `uncertain` state, who asked for a job and which
# worker holds it, and the history table. SQLite cannot change a CHECK constraint in place, so
# the table is rebuilt and its rows (and AUTOINCREMENT counter) copied over.
_V4_TABLE = """CREATE TABLE print_jobs_v4 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    order_identifier INTEGER NOT NULL
        REFERENCES orders (order_identifier) ON DELETE CASCADE ON UPDATE CASCADE,
    document_type TEXT NOT NULL,
    printer_uri TEXT NOT NULL,
    copies INTEGER NOT NULL DEFAULT 1 CHECK (copies >= 1),
    reprint INTEGER NOT NULL DEFAULT 0 CHECK (reprint IN (0, 1)),
    reprint_number INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL CHECK (state IN (
        'queued', 'sending', 'sent', 'failed', 'expired', 'cancelled', 'uncertain')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    expires_at TEXT,
    requested_by TEXT,
    claimed_by TEXT
)"""
_V3_COLUMNS = (
    "id, idempotency_key, order_identifier, document_type, printer_uri, copies, reprint, "
    "reprint_number, state, attempts, last_error, created_at, updated_at, expires_at"
)
_V4_AFTER = (
    "CREATE INDEX print_jobs_by_state ON print_jobs (state, id)",
    "CREATE INDEX print_jobs_by_order ON print_jobs (order_identifier, document_type)",
    """CREATE TABLE print_job_events (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES print_jobs (id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        state TEXT NOT NULL,
        actor TEXT,
        detail TEXT
    )""",
    "CREATE INDEX print_job_events_by_job ON print_job_events (job_id, id)",
)


def migrate_v4(conn: Connection) -> None:
    """Schema 3 -> 4 (runs inside the migration's transaction)."""
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'print_jobs'").fetchone()
    conn.execute(_V4_TABLE)
    conn.execute(f"INSERT INTO print_jobs_v4 ({_V3_COLUMNS}) SELECT {_V3_COLUMNS} FROM print_jobs")
    conn.execute("DROP TABLE print_jobs")
    conn.execute("ALTER TABLE print_jobs_v4 RENAME TO print_jobs")
    if row is not None:
        # Keep ids of deleted jobs retired, as AUTOINCREMENT promised.
        conn.execute(
            "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'print_jobs'", (row[0],)
        )
    for statement in _V4_AFTER:
        conn.execute(statement)


# Schema 5: a job may print a document of the account rather than of one order (the end-of-day
# manifest, keyed by its manifest number). The foreign key from `order_identifier` to `orders`
# cannot hold such a job, so it becomes two triggers that do what its ON DELETE / ON UPDATE
# CASCADE did, for order documents only. `print_job_events` references `print_jobs`, and a DROP
# TABLE under foreign keys would cascade into it, so both tables are rebuilt.
ACCOUNT_DOCUMENTS = ("manifest",)
_V5_COLUMNS = (
    "id, idempotency_key, order_identifier, document_type, printer_uri, copies, reprint, "
    "reprint_number, state, attempts, last_error, created_at, updated_at, expires_at, "
    "requested_by, claimed_by"
)
_V5_TABLES = (
    _V4_TABLE.replace("print_jobs_v4", "print_jobs_v5").replace(
        "REFERENCES orders (order_identifier) ON DELETE CASCADE ON UPDATE CASCADE", ""
    ),
    """CREATE TABLE print_job_events_v5 (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES print_jobs_v5 (id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        state TEXT NOT NULL,
        actor TEXT,
        detail TEXT
    )""",
)
_ORDER_DOCUMENT = "document_type NOT IN ({})".format(
    ", ".join(f"'{name}'" for name in ACCOUNT_DOCUMENTS)
)
_V5_AFTER = (
    "CREATE INDEX print_jobs_by_state ON print_jobs (state, id)",
    "CREATE INDEX print_jobs_by_order ON print_jobs (order_identifier, document_type)",
    "CREATE INDEX print_job_events_by_job ON print_job_events (job_id, id)",
    f"""CREATE TRIGGER print_jobs_follow_deleted_orders AFTER DELETE ON orders BEGIN
        DELETE FROM print_jobs
        WHERE order_identifier = OLD.order_identifier AND {_ORDER_DOCUMENT};
    END""",
    f"""CREATE TRIGGER print_jobs_follow_renumbered_orders
    AFTER UPDATE OF order_identifier ON orders
    WHEN NEW.order_identifier IS NOT OLD.order_identifier BEGIN
        UPDATE print_jobs SET order_identifier = NEW.order_identifier
        WHERE order_identifier = OLD.order_identifier AND {_ORDER_DOCUMENT};
    END""",
)


def migrate_v5(conn: Connection) -> None:
    """Schema 4 -> 5 (runs inside the migration's transaction)."""
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'print_jobs'").fetchone()
    for statement in _V5_TABLES:
        conn.execute(statement)
    conn.execute(f"INSERT INTO print_jobs_v5 ({_V5_COLUMNS}) SELECT {_V5_COLUMNS} FROM print_jobs")
    columns = "id, job_id, at, action, state, actor, detail"
    conn.execute(
        f"INSERT INTO print_job_events_v5 ({columns}) SELECT {columns} FROM print_job_events"
    )
    conn.execute("DROP TABLE print_job_events")
    conn.execute("DROP TABLE print_jobs")
    # Renaming the parent rewrites the child's REFERENCES clause to the new name (SQLite 3.26+).
    conn.execute("ALTER TABLE print_jobs_v5 RENAME TO print_jobs")
    conn.execute("ALTER TABLE print_job_events_v5 RENAME TO print_job_events")
    if row is not None:
        conn.execute(
            "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'print_jobs'", (row[0],)
        )
    for statement in _V5_AFTER:
        conn.execute(statement)
