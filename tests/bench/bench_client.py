"""Client throughput: orders/s listing every order of a sandbox process with its rate limit off.

The baseline, measured in the same run against the same server, is a bare httpx loop over the
same pages (json.loads only, no models, no checks), so `client.overhead_ratio` shows what the
client's parsing, validation and bookkeeping cost relative to the wire, on any machine.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from clickdrop_desktop.api.client import ClickDropClient

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def _sandbox(orders: int) -> Iterator[dict[str, Any]]:
    """A sandbox process with `orders` per account and no rate limit; yields its startup JSON."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "clickdrop_desktop", "sandbox", "--port", "0", "--seed", "7",
         "--orders", str(orders), "--rate-limit", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the sandbox did not start (exit code {proc.wait(timeout=10)})")
        yield json.loads(line)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _best_rate(run: Callable[[], int], repeats: int) -> float:
    """Orders per second: the median of `repeats` full listings (after one warm-up)."""
    run()
    rates = []
    for _ in range(repeats):
        started = time.perf_counter()
        count = run()
        rates.append(count / (time.perf_counter() - started))
    return statistics.median(rates)


def _raw_listing(url: str, key: str, *, full: bool) -> int:
    count, token = 0, None
    path = "/orders/full" if full else "/orders"
    with httpx.Client(headers={"Authorization": f"Bearer {key}"}, timeout=30) as http:
        while True:
            params = {"pageSize": "100"} | ({"continuationToken": token} if token else {})
            page = json.loads(http.get(url + path, params=params).content)
            count += len(page["orders"])
            token = page.get("continuationToken")
            if not token:
                return count


def run(quick: bool) -> dict[str, float]:
    orders = 500 if quick else 5000
    repeats = 3 if quick else 5
    with _sandbox(orders) as info:
        url = info["url"]
        account = next(a for a in info["accounts"] if a["type"] == "ChannelShipper")
        key = account["api_key"]

        def listing(full: bool) -> Callable[[], int]:
            def go() -> int:
                with ClickDropClient(url, key, rate_per_s=0) as client:
                    return sum(len(p.orders) for p in client.iter_order_pages(full=full))

            return go

        counted = listing(False)()
        if counted != orders:
            raise RuntimeError(f"listed {counted} orders, the sandbox seeded {orders}")
        client_rate = _best_rate(listing(False), repeats)
        client_full_rate = _best_rate(listing(True), repeats)
        raw_rate = _best_rate(lambda: _raw_listing(url, key, full=False), repeats)
        raw_full_rate = _best_rate(lambda: _raw_listing(url, key, full=True), repeats)
    return {
        "client.list_orders_per_s": round(client_rate, 1),
        "client.list_full_orders_per_s": round(client_full_rate, 1),
        "client.raw_httpx_orders_per_s": round(raw_rate, 1),
        "client.overhead_ratio": round(client_rate / raw_rate, 3),
        "client.full_overhead_ratio": round(client_full_rate / raw_full_rate, 3),
    }


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
