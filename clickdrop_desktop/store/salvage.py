"""What a cache rebuild carries over from the old file, when it still reads: the account's own
settings and records that exist nowhere upstream (retention period, trading names and the
incident salt, the isolation incident log). Cached labels, their print jobs and the orders they
belong to are carried row by row by `carry`; other orders come back from the API.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clickdrop_desktop.store.codec import now_db
from clickdrop_desktop.store.connection import (
    CIPHER_V1,
    CipherSettings,
    Connection,
    DatabaseError,
    connect,
)
from clickdrop_desktop.store.errors import StoreError
from clickdrop_desktop.store.retention import META_KEY as RETENTION_KEY
from clickdrop_desktop.store.retention import OFF as RETENTION_OFF
from clickdrop_desktop.store.retention import parse_period

SYNC_STATE_KEY = "sync"
#: Sync state fields that describe the account, not a pass in progress.
#: A pause after an incident is carried too: a rebuild is no way around reviewing it.
IDENTITY_FIELDS = ("trading_names", "incident_salt", "paused_incident")
_READ_ERRORS: tuple[type[Exception], ...] = (*DatabaseError, ValueError)
_TABLES = ("incidents", "quarantine")  # parents first: quarantine rows refer to incidents


@dataclass(slots=True)
class Salvage:
    """What was read from the old file; `missing` names what could not be."""

    retention_days: int | None = None
    retention_recorded: bool = False  # a choice was recorded (`retention_days` None: keep all)
    sync_identity: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    @property
    def incidents(self) -> int:
        return len(self.rows.get("incidents", ((), []))[1])


def _read_retention(conn: Connection) -> tuple[bool, int | None]:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (RETENTION_KEY,)).fetchone()
    return (False, None) if row is None else (True, parse_period(row[0]))


def _read_identity(conn: Connection) -> dict[str, Any]:
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (SYNC_STATE_KEY,)).fetchone()
    state = json.loads(row[0]) if row is not None else {}
    if not isinstance(state, dict):
        raise ValueError("sync state is not an object")
    return {k: state[k] for k in IDENTITY_FIELDS if k in state}


def _read_rows(conn: Connection, table: str) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    cursor = conn.execute(f"SELECT * FROM {table}")
    columns = tuple(str(d[0]) for d in cursor.description)
    return columns, [tuple(r) for r in cursor.fetchall()]


def read(path: Path, key: bytes, cipher: CipherSettings = CIPHER_V1) -> Salvage:
    """Best effort: each part that fails to read is listed in `missing`, never raised."""
    salvage = Salvage()
    try:
        conn = connect(path, key, cipher, create=False)
    except (StoreError, OSError):
        salvage.missing.append("retention period, trading names, incident log (it does not open)")
        return salvage
    try:
        try:
            salvage.retention_recorded, salvage.retention_days = _read_retention(conn)
        except _READ_ERRORS:
            salvage.missing.append("retention period")
        try:
            salvage.sync_identity = _read_identity(conn)
        except _READ_ERRORS:
            salvage.missing.append("trading names")
        for table in _TABLES:
            try:
                salvage.rows[table] = _read_rows(conn, table)
            except DatabaseError:
                salvage.missing.append(f"{table} log")
                break  # no quarantine rows without their incidents
    finally:
        with contextlib.suppress(Exception):
            conn.close()
    return salvage


def apply(conn: Connection, salvage: Salvage) -> None:
    """Write the salvaged parts into a fresh store (inside the caller's transaction)."""
    if salvage.retention_recorded:
        days = salvage.retention_days
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            (RETENTION_KEY, RETENTION_OFF if days is None else str(days)),
        )
    if salvage.sync_identity:
        conn.execute(
            "INSERT OR REPLACE INTO sync_state (key, value, updated_at) VALUES (?, ?, ?)",
            (SYNC_STATE_KEY, json.dumps(salvage.sync_identity, ensure_ascii=False), now_db()),
        )
    for table in _TABLES:
        if table not in salvage.rows:
            continue
        columns, rows = salvage.rows[table]
        # Only columns this version's table has (an older file may lack or add some).
        known = {str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})").fetchall()}
        keep = [n for n, c in enumerate(columns) if c in known]
        if not rows or not keep:
            continue
        names = ", ".join(columns[n] for n in keep)
        marks = ", ".join("?" * len(keep))
        conn.executemany(
            f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({marks})",
            [tuple(row[n] for n in keep) for row in rows],
        )
