"""The outbox: changes made here (despatch, create) waiting to be replayed to the API once.

Every change is written to the `outbox` table and, in the same transaction, queued for the
encrypted journal (see journal.py), so pending changes survive a damaged or rebuilt store.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clickdrop_desktop.store.codec import dumps, from_db_required, loads_object, now_db, to_db
from clickdrop_desktop.store.connection import Connection
from clickdrop_desktop.store.database import Database
from clickdrop_desktop.store.errors import StoreError
from clickdrop_desktop.store.journal import JournalContents, JournalState


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # sent or about to be: after a crash, reconcile before resending
    DONE = "done"
    FAILED = "failed"  # rejected or gave up: needs the user
    CONFLICT = "conflict"  # upstream changed meanwhile (e.g. already despatched): needs the user


UNSYNCED = (OutboxState.PENDING, OutboxState.SENDING, OutboxState.FAILED, OutboxState.CONFLICT)

_COLUMNS = (
    "op_id, seq, kind, payload, state, attempts, order_reference, order_identifier, "
    "last_error, created_at, updated_at, revision"
)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    op_id: str  # UUID made at enqueue time: the op's identity for exactly-once replay
    seq: int  # replay order
    kind: str
    payload: dict[str, Any]
    state: OutboxState
    attempts: int
    order_reference: str | None  # the idempotency key for creates (look it up before resending)
    order_identifier: int | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    revision: int = 1  # +1 on every change: tells the newer of two copies (store, journal)

    def snapshot(self) -> dict[str, Any]:
        """The journal's JSON form of this item."""
        return {
            "op_id": self.op_id,
            "seq": self.seq,
            "kind": self.kind,
            "payload": self.payload,
            "state": self.state.value,
            "attempts": self.attempts,
            "order_reference": self.order_reference,
            "order_identifier": self.order_identifier,
            "last_error": self.last_error,
            "created_at": _ts(self.created_at),
            "updated_at": _ts(self.updated_at),
            "revision": self.revision,
        }


def _ts(value: datetime) -> str:
    text = to_db(value)
    assert text is not None
    return text


def _item(row: Any) -> OutboxItem:
    return OutboxItem(
        op_id=row[0],
        seq=int(row[1]),
        kind=row[2],
        payload=loads_object(row[3]),
        state=OutboxState(row[4]),
        attempts=int(row[5]),
        order_reference=row[6],
        order_identifier=None if row[7] is None else int(row[7]),
        last_error=row[8],
        created_at=from_db_required(row[9]),
        updated_at=from_db_required(row[10]),
        revision=int(row[11]),
    )


def _row_of_snapshot(snapshot: dict[str, Any]) -> tuple[Any, ...]:
    return (
        snapshot["op_id"],
        int(snapshot["seq"]),
        str(snapshot["kind"]),
        dumps(snapshot.get("payload") or {}),
        OutboxState(snapshot["state"]).value,
        int(snapshot.get("attempts") or 0),
        snapshot.get("order_reference"),
        snapshot.get("order_identifier"),
        snapshot.get("last_error"),
        str(snapshot["created_at"]),
        str(snapshot["updated_at"]),
        int(snapshot.get("revision") or 1),
    )


def _get(conn: Connection, op_id: str) -> OutboxItem | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE op_id = ?", (op_id,)).fetchone()
    return None if row is None else _item(row)


class Outbox:
    """Queue, list and settle outbox items. Use `Store.transaction()` to enqueue together with
    the local change it describes (one atomic unit)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def enqueue(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        order_reference: str | None = None,
        order_identifier: int | None = None,
        op_id: str | None = None,
    ) -> OutboxItem:
        op = op_id or str(uuid.uuid4())
        now = now_db()
        with self._db.transaction() as conn:
            seq = int(conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM outbox").fetchone()[0])
            conn.execute(
                f"INSERT INTO outbox ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, 0, ?, ?, NULL, ?, ?, 1)",
                (
                    op,
                    seq,
                    kind,
                    dumps(payload),
                    OutboxState.PENDING.value,
                    order_reference,
                    order_identifier,
                    now,
                    now,
                ),
            )
            item = _get(conn, op)
            assert item is not None
            self._db.queue_journal(item.snapshot())
        return item

    def get(self, op_id: str) -> OutboxItem | None:
        with self._db.read() as conn:
            return _get(conn, op_id)

    def list(self, states: Iterable[OutboxState] | None = None) -> list[OutboxItem]:
        """Items in replay order, optionally only those in `states`."""
        wanted = tuple(OutboxState(s).value for s in states) if states is not None else None
        with self._db.read() as conn:
            if wanted is None:
                rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox ORDER BY seq").fetchall()
            elif not wanted:
                rows = []
            else:
                rows = conn.execute(
                    f"SELECT {_COLUMNS} FROM outbox WHERE state IN "
                    f"({', '.join('?' * len(wanted))}) ORDER BY seq",
                    wanted,
                ).fetchall()
        return [_item(row) for row in rows]

    def unsynced_count(self) -> int:
        """Changes not acknowledged by the API (pending, sending, failed, conflict)."""
        with self._db.read() as conn:
            return int(
                conn.execute(
                    "SELECT count(*) FROM outbox WHERE state != ?", (OutboxState.DONE.value,)
                ).fetchone()[0]
            )

    def mark(
        self,
        op_id: str,
        state: OutboxState,
        *,
        error: str | None = None,
        count_attempt: bool = False,
    ) -> OutboxItem:
        """Move an item to `state` (with `count_attempt` when a send was tried)."""
        with self._db.transaction() as conn:
            current = _get(conn, op_id)
            if current is None:
                raise StoreError("no such outbox item")
            conn.execute(
                "UPDATE outbox SET state = ?, attempts = attempts + ?, last_error = ?, "
                "updated_at = ?, revision = revision + 1 WHERE op_id = ?",
                (OutboxState(state).value, int(count_attempt), error, now_db(), op_id),
            )
            item = _get(conn, op_id)
            assert item is not None
            self._db.queue_journal(item.snapshot())
        return item


def reconcile_with_journal(conn: Connection, contents: JournalContents) -> int:
    """Bring the store up to the journal's committed snapshots; returns how many were applied.

    Only snapshots of committed transactions count (see journal.py). An op the store lacks is
    restored (unless finished); an op the store has is replaced only by a higher revision,
    i.e. when the store lost a commit the journal kept.
    """
    if contents.state is JournalState.UNREADABLE or not contents.ops:
        return 0
    applied = 0
    for snapshot in sorted(contents.ops.values(), key=lambda s: int(s["seq"])):
        row = _row_of_snapshot(snapshot)
        existing = conn.execute("SELECT revision FROM outbox WHERE op_id = ?", (row[0],)).fetchone()
        if existing is None:
            if row[4] == OutboxState.DONE.value:
                continue
            clash = conn.execute("SELECT 1 FROM outbox WHERE seq = ?", (row[1],)).fetchone()
            if clash is not None:
                seq = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM outbox").fetchone()[0]
                row = (row[0], int(seq), *row[2:])
            conn.execute(f"INSERT INTO outbox ({_COLUMNS}) VALUES ({', '.join('?' * 12)})", row)
            applied += 1
        elif int(existing[0]) < row[11]:
            conn.execute(
                "UPDATE outbox SET kind = ?, payload = ?, state = ?, attempts = ?, "
                "order_reference = ?, order_identifier = ?, last_error = ?, created_at = ?, "
                "updated_at = ?, revision = ? WHERE op_id = ?",
                (*row[2:], row[0]),
            )
            applied += 1
    return applied


def journal_matches(contents: JournalContents, live: list[dict[str, Any]]) -> bool:
    """Whether the journal's unfinished ops are exactly the store's (same revisions)."""
    journalled = {
        op_id: int(s.get("revision") or 1)
        for op_id, s in contents.ops.items()
        if s.get("state") != OutboxState.DONE.value
    }
    return journalled == {s["op_id"]: int(s["revision"]) for s in live}


def unsynced_snapshots(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM outbox WHERE state != ? ORDER BY seq", (OutboxState.DONE.value,)
    ).fetchall()
    return [_item(row).snapshot() for row in rows]
