"""Display rows for the print queue and outbox panels, and the sync/connectivity snapshots the
widgets show; the adapters fill them from the core services, so widgets depend on nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PrintJobRow:
    job_id: str
    order_reference: str
    document: str  # postageLabel, packingSlip, ...
    printer: str  # a printer URI or name
    state: str  # queued / sending / sent / failed / cancelled / expired
    attempts: int = 0
    error: str = ""
    created: datetime | None = None
    reprint: bool = False

    @property
    def finished(self) -> bool:
        return self.state in {"sent", "cancelled", "expired"}


@dataclass(frozen=True, slots=True)
class OutboxRow:
    item_id: str
    kind: str  # "Mark despatched", "New order", "Cancel order"
    order_reference: str
    state: str  # waiting / sending / conflict / failed
    detail: str = ""
    created: datetime | None = None

    @property
    def needs_user(self) -> bool:
        return self.state in {"conflict", "failed"}


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """One account on this machine, as the switcher lists it."""

    name: str
    account_type: str  # OLP / OBA / ChannelShipper / "" when unknown
    api_url: str = ""
    active: bool = False
    locked: bool = False
