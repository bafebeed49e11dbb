"""Sync throughput: orders/s from a loopback sandbox process (rate limit off) into the encrypted store.

`sync.orders_per_s`: one first sync of a plain account (`GET /orders`, every new id confirmed by
id, as shipped) of 100,000 orders (10,000 with --quick), wall time from the first call to the
last commit. `sync.full_orders_per_s`: the same for the ChannelShipper account (`/orders/full`,
addresses and lines parsed and indexed). The sandbox runs in its own process, as in real use
the API is another machine: its serving time is part of the figure.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from clickdrop_desktop.api.client import ClickDropClient
from clickdrop_desktop.store import Store
from clickdrop_desktop.sync.api_adapter import ClientSyncApi
from clickdrop_desktop.sync.engine import SyncEngine, SyncOptions
from clickdrop_desktop.sync.store_adapter import StoreSyncStorage


def _start_sandbox(orders: int) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "clickdrop_desktop", "sandbox", "--port", "0"),
            *("--orders", str(orders), "--rate-limit", "0", "--seed", "7"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise RuntimeError("the sandbox did not start")
    return process, json.loads(line)


def _sync_once(info: dict[str, Any], account_type: str, folder: Path) -> tuple[int, float]:
    account = next(a for a in info["accounts"] if a["type"] == account_type)
    full = account_type == "ChannelShipper"
    with (
        Store.open(folder / f"{account['name']}.db", secrets.token_bytes(32), account_id="b") as st,
        ClickDropClient(info["url"], account["api_key"], rate_per_s=0) as client,
    ):
        engine = SyncEngine(
            ClientSyncApi(client),
            StoreSyncStorage(st),
            account=account["name"],
            full=full,
            options=SyncOptions(),
        )
        started = time.perf_counter()
        result = engine.run()
        elapsed = time.perf_counter() - started
        if st.count_orders() != result.fetched:
            raise RuntimeError("the store does not hold what was fetched")
    return result.fetched, elapsed


def run(quick: bool) -> dict[str, float]:
    orders = 10_000 if quick else 100_000
    process, info = _start_sandbox(orders)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
            fetched, elapsed = _sync_once(info, "OLP", Path(tmp))
            if fetched != orders:
                raise RuntimeError(f"synced {fetched} orders, expected {orders}")
            full_fetched, full_elapsed = _sync_once(info, "ChannelShipper", Path(tmp))
    finally:
        process.kill()
        process.wait()
    print(
        f"  plain: {fetched} orders in {elapsed:.1f}s; /full: {full_fetched} in {full_elapsed:.1f}s"
    )
    return {
        "sync.orders_per_s": round(fetched / elapsed, 1),
        "sync.full_orders_per_s": round(full_fetched / full_elapsed, 1),
    }


if __name__ == "__main__":
    print(run("--quick" in sys.argv))
