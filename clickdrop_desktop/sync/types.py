"""What a sync reports and how it is tuned: options, progress, result, and its two alerts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from clickdrop_desktop.errors import IsolationAlert
from clickdrop_desktop.sync.incidents import Incident

LIST_ENDPOINT = "GET /orders"
LIST_FULL_ENDPOINT = "GET /orders/full"
BY_ID_ENDPOINT = "GET /orders/{orderIdentifiers}"
BY_ID_FULL_ENDPOINT = "GET /orders/{orderIdentifiers}/full"


@dataclass(frozen=True, slots=True)
class SyncOptions:
    page_size: int = 100  # the API's maximum
    batch_size: int = 100  # ids per by-id call: the API's maximum
    overlap: timedelta = timedelta(minutes=10)
    horizon: timedelta | None = None  # first sync: None = everything the API has
    #: Confirm every new id of a list page with one by-id call before merging it (see
    #: `guards.check_confirmed`): the only guard that catches a foreign order mixed into a
    #: plain `/orders` page. Costs one call per page that holds new orders.
    confirm_new_ids: bool = True
    #: List pages fetched ahead of the commits (0: none, every call in order, no threads).
    prefetch: int = 2


@dataclass(slots=True)
class SyncProgress:
    """Counts so far, sent to the progress callback after every committed page."""

    phase: str = "list"
    pages: int = 0
    fetched: int = 0
    stored: int = 0
    archived: int = 0
    rate_limit_waits: int = 0  # 429 answers waited out, and client-side throttle waits
    rate_limit_wait_s: float = 0.0


@dataclass(slots=True)
class SyncResult:
    """What one run did (the `sync --json` document)."""

    fetched: int = 0
    stored: int = 0
    quarantined: int = 0
    archived: int = 0
    pages: int = 0
    refreshed: int = 0
    rate_limit_waits: int = 0  # 429 answers waited out, and client-side throttle waits
    rate_limit_wait_s: float = 0.0
    endpoint: str = LIST_ENDPOINT
    resumed: bool = False
    cancelled: bool = False
    trading_names_learned: int = 0
    incident_id: str | None = None
    high_water: str | None = None
    finished_at: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("extra")
        data.update(self.extra)
        return data


class SyncPaused(IsolationAlert):
    """The account's sync is paused after an isolation incident the user has not acknowledged."""


class SyncIsolationAlert(IsolationAlert):
    """A response failed an isolation guard: quarantined, nothing written, sync paused."""

    def __init__(self, message: str, *, incident: Incident, result: SyncResult) -> None:
        super().__init__(message, incident_id=incident.incident_id)
        self.incident = incident
        self.result = result
