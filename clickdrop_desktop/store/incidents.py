"""The isolation incident log and quarantine metadata: what happened, never the foreign data.

An incident holds the time, endpoint, counts and hashed order identifiers of a batch the
isolation guards refused, plus non-personal details (which guard, HTTP status, header names).
It can be exported as JSON for the user's breach record (the ICO expects one within 72 hours).
"""

from __future__ import annotations

import builtins
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clickdrop_desktop.store.codec import (
    dumps,
    from_db,
    from_db_required,
    loads_object,
    now_db,
    to_db,
)
from clickdrop_desktop.store.database import Database
from clickdrop_desktop.store.errors import StoreError

EXPORT_FORMAT = "clickdrop-desktop-incidents"
_SCALAR = (str, int, float, bool, type(None))


def hash_identifier(value: object) -> str:
    """A stable, non-reversible-at-a-glance tag for an order id or reference in an incident.

    Plain SHA-256 (not keyed) so Royal Mail can match it against their own records if asked.
    """
    digest = hashlib.sha256(f"clickdrop-incident-v1|{value}".encode()).hexdigest()
    return digest[:20]


@dataclass(frozen=True, slots=True)
class Incident:
    id: str
    occurred_at: datetime
    kind: str  # e.g. unrequested_ids, foreign_trading_name, immutable_changed, shared_cache
    endpoint: str  # path only, e.g. "GET /orders/full"; never a query string with data
    counts: dict[str, int]
    hashed_ids: tuple[str, ...]
    details: dict[str, Any]
    acknowledged_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "occurred_at": self.occurred_at.isoformat(),
            "kind": self.kind,
            "endpoint": self.endpoint,
            "counts": self.counts,
            "hashed_ids": list(self.hashed_ids),
            "details": self.details,
            "acknowledged_at": self.acknowledged_at.isoformat() if self.acknowledged_at else None,
        }


@dataclass(frozen=True, slots=True)
class QuarantineRecord:
    incident_id: str
    quarantined_at: datetime
    endpoint: str
    reason: str
    record_count: int
    hashed_ids: tuple[str, ...]


def _flat(value: Any) -> bool:
    return isinstance(value, _SCALAR) or (
        isinstance(value, list | tuple) and all(isinstance(v, _SCALAR) for v in value)
    )


def _check_details(details: Mapping[str, Any]) -> dict[str, Any]:
    # Scalars, lists of scalars, or one level of {name: scalar} (e.g. response header names and
    # values): a whole foreign record, with its nested addresses and lines, cannot slip in.
    clean: dict[str, Any] = {}
    for key, value in details.items():
        nested_ok = isinstance(value, Mapping) and all(
            isinstance(k, str) and _flat(v) for k, v in value.items()
        )
        if not isinstance(key, str) or not (_flat(value) or nested_ok):
            raise StoreError("incident details must be flat values (no records)")
        if isinstance(value, Mapping):
            clean[key] = {k: list(v) if isinstance(v, tuple) else v for k, v in value.items()}
        else:
            clean[key] = list(value) if isinstance(value, tuple) else value
    return clean


def _incident(row: Any) -> Incident:
    counts = loads_object(row[4])
    return Incident(
        id=row[0],
        occurred_at=from_db_required(row[1]),
        kind=row[2],
        endpoint=row[3],
        counts={str(k): int(v) for k, v in counts.items()},
        hashed_ids=tuple(str(h) for h in _list(row[5])),
        details=loads_object(row[6]),
        acknowledged_at=from_db(row[7]),
    )


def _list(text: str) -> list[Any]:
    value = json.loads(text)
    return value if isinstance(value, list) else []


_SELECT = (
    "SELECT id, occurred_at, kind, endpoint, counts, hashed_ids, details, acknowledged_at "
    "FROM incidents"
)


class Incidents:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(
        self,
        kind: str,
        endpoint: str,
        *,
        counts: Mapping[str, int],
        hashed_ids: Sequence[str] = (),
        details: Mapping[str, Any] | None = None,
        quarantine_reason: str | None = None,
        incident_id: str | None = None,
        occurred_at: datetime | None = None,
    ) -> Incident:
        """Record an incident (and, with `quarantine_reason`, the quarantined batch's metadata).

        Joins the caller's transaction, so an incident and the paused sync state commit together.
        """
        incident_id = incident_id or str(uuid.uuid4())
        now = to_db(occurred_at) if occurred_at is not None else now_db()
        clean = _check_details(details or {})
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO incidents (id, occurred_at, kind, endpoint, counts, hashed_ids, "
                "details) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    incident_id,
                    now,
                    kind,
                    endpoint,
                    dumps({str(k): int(v) for k, v in counts.items()}),
                    dumps(list(hashed_ids)),
                    dumps(clean),
                ),
            )
            if quarantine_reason is not None:
                conn.execute(
                    "INSERT INTO quarantine (incident_id, quarantined_at, endpoint, reason, "
                    "record_count, hashed_ids) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        incident_id,
                        now,
                        endpoint,
                        quarantine_reason,
                        int(counts.get("quarantined", len(hashed_ids))),
                        dumps(list(hashed_ids)),
                    ),
                )
            row = conn.execute(f"{_SELECT} WHERE id = ?", (incident_id,)).fetchone()
        return _incident(row)

    def get(self, incident_id: str) -> Incident | None:
        with self._db.read() as conn:
            row = conn.execute(f"{_SELECT} WHERE id = ?", (incident_id,)).fetchone()
        return None if row is None else _incident(row)

    def list(self, *, unacknowledged_only: bool = False) -> list[Incident]:
        where = " WHERE acknowledged_at IS NULL" if unacknowledged_only else ""
        with self._db.read() as conn:
            rows = conn.execute(f"{_SELECT}{where} ORDER BY occurred_at, id").fetchall()
        return [_incident(row) for row in rows]

    def acknowledge(self, incident_id: str | None = None, *, when: datetime | None = None) -> int:
        """Mark one incident (or, with no id, every open one) acknowledged; returns how many."""
        moment = to_db(when) if when is not None else now_db()
        with self._db.transaction() as conn:
            if incident_id is None:
                cursor = conn.execute(
                    "UPDATE incidents SET acknowledged_at = ? WHERE acknowledged_at IS NULL",
                    (moment,),
                )
            else:
                cursor = conn.execute(
                    "UPDATE incidents SET acknowledged_at = ? "
                    "WHERE id = ? AND acknowledged_at IS NULL",
                    (moment, incident_id),
                )
            return max(int(cursor.rowcount), 0)

    def quarantined(self) -> builtins.list[QuarantineRecord]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT incident_id, quarantined_at, endpoint, reason, record_count, hashed_ids "
                "FROM quarantine ORDER BY id"
            ).fetchall()
        return [
            QuarantineRecord(
                r[0], from_db_required(r[1]), r[2], r[3], int(r[4]), tuple(_list(r[5]))
            )
            for r in rows
        ]

    def export_json(self, incident_ids: Iterable[str] | None = None, *, account: str = "") -> str:
        """A JSON document of incidents (all, or `incident_ids`) for the user's breach log."""
        wanted = set(incident_ids) if incident_ids is not None else None
        items = [i.to_json() for i in self.list() if wanted is None or i.id in wanted]
        document = {
            "format": EXPORT_FORMAT,
            "version": 1,
            "exported_at": now_db(),
            "account": account,
            "incidents": items,
        }
        return dumps(document)
