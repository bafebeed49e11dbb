"""Fixtures for the outbox tests: an account's real encrypted store and client, against the
sandbox served from a thread (real HTTP, real SQLCipher), with its orders synced into the cache."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from clickdrop_desktop.api.client import ClickDropClient
from clickdrop_desktop.api.events import CallEvent
from clickdrop_desktop.api.models import Order, OrderStatus
from clickdrop_desktop.connectivity import Connectivity
from clickdrop_desktop.outbox.replay import OutboxReplayer, ReplayOptions
from clickdrop_desktop.sandbox.info import SandboxInfo
from clickdrop_desktop.store import OrderSource, Store


@dataclass
class Bench:
    """One signed-in account as the outbox sees it."""

    sandbox: SandboxInfo
    account: str
    store: Store
    client: ClickDropClient
    connectivity: Connectivity
    path: Path
    key: bytes = field(repr=False)
    clock: list[datetime] = field(default_factory=list)

    def now(self) -> datetime:
        return self.clock[0] if self.clock else datetime.now(UTC)

    def later(self, seconds: float) -> None:
        """Move the replayer's wall clock on (to pass the settle time without waiting)."""
        base = self.now()
        self.clock[:] = [base + timedelta(seconds=seconds)]

    def replayer(self, *, settle_s: float = 0.0, batch_size: int = 100) -> OutboxReplayer:
        return OutboxReplayer(
            self.store,
            self.client,
            options=ReplayOptions(settle_s=settle_s, batch_size=batch_size),
            now=self.now,
            sleep=lambda _s: None,
        )

    def sync(self) -> list[Order]:
        orders = list(self.client.iter_orders())
        self.store.upsert_orders(orders, OrderSource.LIST)
        return orders

    def ids(self, status: OrderStatus, count: int) -> list[int]:
        rows = self.store.query_orders(status=status, limit=count)
        assert len(rows) == count, f"the sandbox has fewer than {count} {status.value} orders"
        return [row.order_identifier for row in rows]

    def mutations(self, method: str | None = None) -> list[dict[str, Any]]:
        """The sandbox's log of mutating requests for this account."""
        return [
            e
            for e in self.sandbox.requests()
            if e["account"] == self.account and (method is None or e["method"] == method)
        ]

    def reopen(self) -> None:
        """Close and open the store again (what a restart does)."""
        self.store.close()
        self.store = Store.open(self.path, self.key, account_id="test-account")


def make_bench(info: SandboxInfo, tmp_path: Path, account: str = "oba") -> Bench:
    key = os.urandom(32)
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "store.db"
    store = Store.open(path, key, account_id="test-account")
    connectivity = Connectivity()

    def on_event(event: CallEvent) -> None:
        connectivity.record(event.outcome, event.detail)

    client = ClickDropClient(
        info.url,
        info.account(account).api_key,
        rate_per_s=0,
        timeout=30.0,  # generous: a loaded CI machine must not turn a slow answer into "offline"
        max_retries=0,
        on_event=on_event,
    )
    bench = Bench(info, account, store, client, connectivity, path, key)
    bench.sync()
    return bench


@pytest.fixture
def bench(inprocess_sandbox: SandboxInfo, tmp_path: Path) -> Iterator[Bench]:
    made = make_bench(inprocess_sandbox, tmp_path)
    yield made
    made.client.close()
    if not made.store.closed:
        made.store.close()
