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
