"""Sync bookkeeping (last window, continuation tokens, pause flags) as key/value pairs."""

from __future__ import annotations

import json
from typing import Any

from clickdrop_desktop.store.codec import dumps, now_db
from clickdrop_desktop.store.database import Database


class SyncState:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, key: str, default: str | None = None) -> str | None:
        with self._db.read() as conn:
            row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
        return default if row is None else str(row[0])

    def set(self, key: str, value: str) -> None:
        """Set `key`; joins the caller's transaction, so a page and its cursor commit together."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO sync_state (key, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                (key, value, now_db()),
            )

    def get_json(self, key: str) -> Any:
        text = self.get(key)
        return None if text is None else json.loads(text)

    def set_json(self, key: str, value: Any) -> None:
        self.set(key, dumps(value))

    def delete(self, key: str) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM sync_state WHERE key = ?", (key,))

    def items(self) -> dict[str, str]:
        with self._db.read() as conn:
            rows = conn.execute("SELECT key, value FROM sync_state ORDER BY key").fetchall()
        return {str(k): str(v) for k, v in rows}
