"""One small function per schema version that writes a database the way that version did.

Migrations are tested from these (a committed binary would hide what is in it). Each builder
uses frozen SQL for its own version's tables, never today's code paths, so a later change to
the store cannot silently change what "a version-1 database" means.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from clickdrop_desktop.store.connection import connect
from clickdrop_desktop.store.migrations import migrate
from tests.helpers.order_factory import full_record

ACCOUNT = "acct-fixture"
V1_ORDER_IDS = (5_000_001, 5_000_002, 5_000_003)


def v1_records() -> list[dict[str, object]]:
    rng = random.Random(99)
    return [full_record(ident, rng) for ident in V1_ORDER_IDS]


def build_v1(path: Path, key: bytes) -> list[dict[str, object]]:
    """Schema 1: orders + order_records, a label, an outbox item, a print job, sync state."""
    conn = connect(path, key)
    migrate(conn, target=1)
    records = v1_records()
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [("account_id", ACCOUNT), ("created_at", "2026-01-01T00:00:00.000000Z")],
    )
    for n, record in enumerate(records):
        info = record["shippingInfo"]
        assert isinstance(info, dict)
        conn.execute(
            "INSERT INTO orders (sort_key, order_identifier, order_reference, created_on, status, "
            "recipient_name, recipient_postcode, recipient_country, archived, source, "
            "first_seen_at, updated_at) VALUES (?, ?, ?, ?, 'new', ?, ?, 'GB', 0, 'full', ?, ?)",
            (
                1000 + n,
                record["orderIdentifier"],
                record["orderReference"],
                f"2026-01-0{n + 1}T10:00:00.000000Z",
                f"{info['firstName']} {info['lastName']}",
                info["postcode"],
                "2026-01-01T00:00:00.000000Z",
                "2026-01-01T00:00:00.000000Z",
            ),
        )
        conn.execute(
            "INSERT INTO order_records (order_identifier, raw_format, raw_json) "
            "VALUES (?, 'details', ?)",
            (record["orderIdentifier"], json.dumps(record)),
        )
    conn.execute(
        "INSERT INTO documents (order_identifier, document_type, content_type, data, sha256, "
        "created_at) VALUES (?, 'postageLabel', 'application/pdf', ?, 'x', ?)",
        (V1_ORDER_IDS[0], b"%PDF-1.7 v1 label", "2026-01-01T00:00:00.000000Z"),
    )
    conn.execute(
        "INSERT INTO outbox (op_id, seq, kind, payload, state, created_at, updated_at) "
        "VALUES ('op-v1', 1, 'despatch', '{\"orderIdentifier\": 5000001}', 'pending', ?, ?)",
        ("2026-01-01T00:00:00.000000Z", "2026-01-01T00:00:00.000000Z"),
    )
    conn.execute(
        "INSERT INTO print_jobs (idempotency_key, order_identifier, document_type, printer_uri, "
        "state, created_at, updated_at) VALUES (?, ?, 'postageLabel', 'zpl+file:///x', 'sent', "
        "?, ?)",
        (
            f"{V1_ORDER_IDS[0]}/postageLabel",
            V1_ORDER_IDS[0],
            "2026-01-01T00:00:00.000000Z",
            "2026-01-01T00:00:00.000000Z",
        ),
    )
    conn.execute(
        "INSERT INTO sync_state (key, value, updated_at) VALUES ('cursor', 'v1', ?)",
        ("2026-01-01T00:00:00.000000Z",),
    )
    conn.execute("COMMIT")
    conn.close()
    return records


def build_v2(path: Path, key: bytes) -> list[dict[str, object]]:
    """Schema 2 (search): a version-1 database upgraded, plus an order written by version 2."""
    records = build_v1(path, key)
    conn = connect(path, key)
    migrate(conn, target=2)
    rng = random.Random(7)
    record = full_record(5_000_004, rng)
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO orders (sort_key, order_identifier, order_reference, created_on, status, "
        "archived, source, first_seen_at, updated_at, search_text) "
        "VALUES (2000, ?, ?, '2026-01-09T10:00:00.000000Z', 'new', 0, 'full', ?, ?, ?)",
        (
            record["orderIdentifier"],
            record["orderReference"],
            "2026-01-01T00:00:00.000000Z",
            "2026-01-01T00:00:00.000000Z",
            f"{record['orderIdentifier']} {record['orderReference']} Zebedee Quillfeather",
        ),
    )
    conn.execute(
        "INSERT INTO order_records (order_identifier, raw_format, raw_json) "
        "VALUES (?, 'details', ?)",
        (record["orderIdentifier"], json.dumps(record)),
    )
    conn.execute("COMMIT")
    conn.close()
    return [*records, record]


def build_v3(path: Path, key: bytes) -> list[dict[str, object]]:
    """Schema 3 (incidents): a version-2 database upgraded, plus an incident."""
    records = build_v2(path, key)
    conn = connect(path, key)
    migrate(conn, target=3)
    conn.execute(
        "INSERT INTO incidents (id, occurred_at, kind, endpoint, counts, hashed_ids, details) "
        "VALUES ('inc-v3', '2026-01-02T00:00:00.000000Z', 'unrequested_ids', 'GET /orders/{ids}',"
        " '{\"records\": 2}', '[\"abc\"]', '{}')"
    )
    conn.close()
    return records


BUILDERS = {1: build_v1, 2: build_v2, 3: build_v3}
