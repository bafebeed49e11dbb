"""What the sync engine needs from the API client and from the account's store, as protocols.

The engine depends on these narrow shapes, not on the concrete classes, so it can be tested with
the real store and a scripted API, and so adapters (`sync/adapters.py`) are the only place that
knows how the client and the store spell things.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from clickdrop_desktop.api.models import Order
from clickdrop_desktop.sync.guards import Immutable
from clickdrop_desktop.sync.incidents import Incident


@dataclass(frozen=True, slots=True)
class Fetched:
    """One parsed response: its records (parsed strictly, whole), headers (lower-case), token."""

    orders: tuple[Order, ...]
    headers: Mapping[str, str]
    continuation_token: str | None = None
    missing: frozenset[int] = field(default_factory=frozenset)  # by-id: asked for, not returned


class SyncApi(Protocol):
    """The calls a sync makes. Errors are the client's typed `ApiError`s."""

    def list_page(
        self,
        *,
        full: bool,
        page_size: int,
        start: datetime | None,
        continuation_token: str | None,
    ) -> Fetched:
        """One page of `GET /orders` (or `/orders/full`)."""
        ...

    def by_ids(self, ids: Sequence[int], *, full: bool) -> Fetched:
        """`GET /orders/{ids}` (or `/full`) for at most 100 ids; ids gone upstream are reported
        in `missing` (a 404 for the whole call means every id asked for is gone)."""
        ...


class SyncStorage(Protocol):
    """The account store as the engine sees it. Every write method is one transaction."""

    def load_state(self) -> dict[str, Any]:
        """The persisted sync state (an empty dict before the first sync)."""
        ...

    def commit(
        self,
        *,
        orders: Sequence[Order],
        archive: Collection[int],
        state: Mapping[str, Any],
        source: str = "list",
    ) -> int:
        """Merge `orders`, archive the ids in `archive`, and save `state`: all or nothing.
        `source` is "list", "full" or "by_id". Returns how many orders were new or changed."""
        ...

    def immutable_of(self, ids: Collection[int]) -> dict[int, Immutable]:
        """Reference and creation time of the ids already cached (archived ones included)."""
        ...

    def open_ids(self, *, created_before: datetime | None, after_id: int, limit: int) -> list[int]:
        """Ids of cached orders not yet despatched nor archived, ascending, past `after_id`."""
        ...

    def record_incident(self, incident: Incident, state: Mapping[str, Any]) -> Incident:
        """Save the incident and the state, paused on it, in one transaction; returns the
        incident as saved (the store may give it its own id: `state["paused_incident"]` is
        set to that id)."""
        ...

    def incidents(self) -> list[Incident]: ...

    def acknowledge_incidents(self, when: str, state: Mapping[str, Any]) -> int:
        """Mark every open incident acknowledged and save `state` (sync resumed), in one
        transaction; returns how many were open."""
        ...
