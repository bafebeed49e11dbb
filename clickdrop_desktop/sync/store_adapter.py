"""`SyncStorage` over the account's real `Store`: one transaction per page, state as JSON.

The sync state lives under one key of the store's `sync_state` table, written in the same
transaction as the page it belongs to. Incidents go to the store's incident log: the salted
hashes and the non-personal details of `sync.incidents.Incident` are kept as flat values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from clickdrop_desktop.api.models import Order
from clickdrop_desktop.store import Incident as StoredIncident
from clickdrop_desktop.store import OrderSource, Store
from clickdrop_desktop.sync.guards import Immutable
from clickdrop_desktop.sync.incidents import Incident

STATE_KEY = "sync"
_SOURCES = {"list": OrderSource.LIST, "full": OrderSource.FULL, "by_id": OrderSource.BY_ID}
_HEADER_PREFIX = "header:"


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def to_incident(stored: StoredIncident) -> Incident:
    """The store's incident row as the sync layer's record."""
    details = stored.details
    counts = stored.counts
    return Incident(
        incident_id=stored.id,
        detected_at=_iso(stored.occurred_at),
        account=str(details.get("account", "")),
        endpoint=stored.endpoint,
        kinds=tuple(str(k) for k in details.get("kinds", stored.kind.split(","))),
        details=tuple(str(d) for d in details.get("checks", ())),
        records_in_response=int(counts.get("records_in_response", 0)),
        suspect_records=int(counts.get("suspect_records", 0)),
        requested_ids=int(counts.get("requested_ids", 0)),
        hashed_ids=stored.hashed_ids,
        foreign_hashed_ids=tuple(str(h) for h in details.get("foreign_hashed_ids", ())),
        salt_id=str(details.get("salt_id", "")),
        cache_headers={
            k[len(_HEADER_PREFIX) :]: str(v)
            for k, v in details.items()
            if k.startswith(_HEADER_PREFIX)
        },
        acknowledged_at=_iso(stored.acknowledged_at) if stored.acknowledged_at else None,
        app_version=str(details.get("app_version", "")),
    )


class StoreSyncStorage:
    """Adapts `Store` to the engine's `SyncStorage` protocol."""

    def __init__(self, store: Store) -> None:
        self._store = store
        # The refresh pass walks the open ids in order; listing them once per pass (instead of
        # once per batch of 100) keeps a 100,000-order refresh linear.
        self._open_cache: tuple[datetime | None, list[int]] | None = None
        #: Fetched orders not stored because they were despatched before the retention cut-off.
        self.expired = 0

    @property
    def store(self) -> Store:
        return self._store

    def load_state(self) -> dict[str, Any]:
        value = self._store.sync_state.get_json(STATE_KEY)
        return dict(value) if isinstance(value, dict) else {}

    def commit(
        self,
        *,
        orders: Sequence[Order],
        archive: Collection[int],
        state: Mapping[str, Any],
        source: str = "list",
    ) -> int:
        stored = 0
        with self._store.transaction():
            # Past the retention period: never stored, and a cached copy goes in this same
            # transaction, so a full re-sync cannot bring back what the purge took. The guards
            # have already seen the whole response; this only decides what is kept.
            kept, expired = self._store.retention.screen(orders)
            if kept:
                stored = self._store.upsert_orders(kept, _SOURCES[source]).stored
            if archive:
                self._store.archive_orders(archive)
            self._store.sync_state.set_json(STATE_KEY, dict(state))
        self.expired += len(expired)
        return stored

    def immutable_of(self, ids: Collection[int]) -> dict[int, Immutable]:
        if not ids:
            return {}
        found = self._store.immutable_fields(ids)
        return {i: Immutable(ref, created) for i, (ref, created) in found.items()}

    def open_ids(self, *, created_before: datetime | None, after_id: int, limit: int) -> list[int]:
        if self._open_cache is None or self._open_cache[0] != created_before:
            ids = self._store.open_order_ids()
            if created_before is not None:
                created = self._store.immutable_fields(ids)
                ids = [i for i in ids if i in created and created[i][1] < created_before]
            self._open_cache = (created_before, sorted(ids))
        candidates = self._open_cache[1]
        # Bisect would do; a linear scan over the cached ints is cheap next to one HTTP call.
        start = next((n for n, i in enumerate(candidates) if i > after_id), len(candidates))
        return candidates[start : start + limit]

    def record_incident(self, incident: Incident, state: Mapping[str, Any]) -> Incident:
        details: dict[str, Any] = {
            "kinds": list(incident.kinds),
            "checks": list(incident.details),
            "account": incident.account,
            "salt_id": incident.salt_id,
            "foreign_hashed_ids": list(incident.foreign_hashed_ids),
            "app_version": incident.app_version,
        }
        details.update({f"{_HEADER_PREFIX}{k}": v for k, v in incident.cache_headers.items()})
        counts = {
            "records_in_response": incident.records_in_response,
            "suspect_records": incident.suspect_records,
            "requested_ids": incident.requested_ids,
            "quarantined": incident.records_in_response,
        }
        with self._store.transaction():
            saved = self._store.incidents.add(
                ",".join(incident.kinds),
                incident.endpoint,
                counts=counts,
                hashed_ids=incident.hashed_ids,
                details=details,
                quarantine_reason=",".join(incident.kinds),
            )
            self._store.sync_state.set_json(STATE_KEY, {**state, "paused_incident": saved.id})
        return dataclasses.replace(to_incident(saved), account=incident.account)

    def incidents(self) -> list[Incident]:
        return [to_incident(i) for i in self._store.incidents.list()]

    def acknowledge_incidents(self, when: str, state: Mapping[str, Any]) -> int:
        with self._store.transaction():
            pending = self._store.incidents.list(unacknowledged_only=True)
            for incident in pending:
                self._store.incidents.acknowledge(incident.id)
            self._store.sync_state.set_json(STATE_KEY, dict(state))
        return len(pending)
