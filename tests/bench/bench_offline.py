"""Offline detection time and outbox replay throughput, against loopback sandbox processes.

`offline.detect_ms`: the worst, over every trial of three ways Click & Drop goes down while the
app is in active use (a call every 50 ms, the client as a session builds it: 30 s timeout, 3
retries), of the time from the moment it went down to the connectivity state `offline`:
maintenance (503 on every call), the server gone (connection refused: the process is
killed), and a 500 storm. Per-way medians are reported too (`offline.detect_*_ms`).

`outbox.replay_per_s`: queued changes (despatches and new orders, half each) replayed per
second by the outbox engine (claim, read-back, send, settle, journal fsyncs included), and
`outbox.replay_ratio`: that rate over the rate of sending the same kind and number of
changes straight through the client (no outbox) in the same run.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from clickdrop_desktop.api.client import ClickDropClient
from clickdrop_desktop.api.events import CallEvent
from clickdrop_desktop.api.models import OrderStatus
from clickdrop_desktop.api.requests import (
    AddressRequest,
    CreateOrderRequest,
    OrderStatusValue,
    PackageFormat,
    RecipientDetailsRequest,
    ShipmentPackageRequest,
    StatusUpdateRequest,
)
from clickdrop_desktop.connectivity import Connectivity, Snapshot, State
from clickdrop_desktop.outbox.changes import mark_despatched, queue_new_orders
from clickdrop_desktop.outbox.replay import OutboxReplayer, ReplayOptions
from clickdrop_desktop.store import OrderSource, Store


def _start_sandbox(orders: int) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "clickdrop_desktop",
            "sandbox",
            "--port",
            "0",
            "--orders",
            str(orders),
            "--rate-limit",
            "0",
            "--seed",
            "9",
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


def _key(info: dict[str, Any], name: str) -> str:
    return str(next(a["api_key"] for a in info["accounts"] if a["name"] == name))


def _control(info: dict[str, Any], method: str, path: str, body: Any = None) -> None:
    httpx.request(method, info["control_url"] + path, json=body, timeout=10).raise_for_status()


# -- offline detection ---------------------------------------------------------------------------


def _detect_once(info: dict[str, Any], way: str, process: subprocess.Popen[bytes]) -> float:
    connectivity = Connectivity()
    went_offline = threading.Event()
    at: list[float] = []

    def on_state(snapshot: Snapshot, _previous: State) -> None:
        if snapshot.state is State.OFFLINE and not went_offline.is_set():
            at.append(time.perf_counter())
            went_offline.set()

    def on_event(event: CallEvent) -> None:
        connectivity.record(event.outcome, event.detail)

    connectivity.subscribe(on_state)
    stop = threading.Event()
    client = ClickDropClient(
        info["url"], _key(info, "oba"), rate_per_s=0, timeout=30, max_retries=3, on_event=on_event
    )

    def active_use() -> None:
        while not stop.is_set():
            # Failures are the point: connectivity counts them through the client's events.
            with contextlib.suppress(Exception):
                client.list_orders(page_size=1)
            stop.wait(0.05)

    worker = threading.Thread(target=active_use, daemon=True)
    worker.start()
    try:
        time.sleep(0.3)  # some successful traffic first
        down = time.perf_counter()
        if way == "maintenance":
            _control(info, "POST", "/faults", {"kind": "maintenance"})
        elif way == "error_500":
            _control(info, "POST", "/faults", {"kind": "error_500"})
        else:
            process.kill()
        if not went_offline.wait(60):
            raise RuntimeError(f"never went offline ({way})")
        return (at[0] - down) * 1000
    finally:
        stop.set()
        worker.join(60)
        client.close()
        if way != "refused":
            _control(info, "DELETE", "/faults")


def _detection(trials: int) -> dict[str, float]:
    results: dict[str, list[float]] = {"maintenance": [], "error_500": [], "refused": []}
    process, info = _start_sandbox(50)
    try:
        for _ in range(trials):
            results["maintenance"].append(_detect_once(info, "maintenance", process))
            results["error_500"].append(_detect_once(info, "error_500", process))
    finally:
        process.kill()
        process.wait()
    for _ in range(trials):
        process, info = _start_sandbox(50)
        try:
            results["refused"].append(_detect_once(info, "refused", process))
        finally:
            process.kill()
            process.wait()
    out = {f"offline.detect_{way}_ms": statistics.median(v) for way, v in results.items()}
    out["offline.detect_ms"] = max(max(v) for v in results.values())
    for way, values in results.items():
        print(f"  offline via {way}: " + ", ".join(f"{v:.0f}" for v in values) + " ms")
    return out


# -- replay throughput ---------------------------------------------------------------------------


def _order(ref: str) -> CreateOrderRequest:
    return CreateOrderRequest(
        order_reference=ref,
        recipient=RecipientDetailsRequest(
            address=AddressRequest(
                full_name="Bench Customer",
                address_line1="1 Bench Street",
                city="Leeds",
                postcode="LS1 1AA",
                country_code="GB",
            )
        ),
        order_date=datetime(2026, 3, 2, tzinfo=UTC),
        subtotal=Decimal("10.00"),
        shipping_cost_charged=Decimal("2.00"),
        total=Decimal("12.00"),
        packages=(
            ShipmentPackageRequest(
                weight_in_grams=400, package_format_identifier=PackageFormat.PARCEL
            ),
        ),
    )


def _throughput(changes: int, folder: Path) -> dict[str, float]:
    half = changes // 2
    process, info = _start_sandbox(max(4000, changes * 8))
    try:
        with (
            Store.open(folder / "bench.db", secrets.token_bytes(32), account_id="b") as store,
            ClickDropClient(info["url"], _key(info, "oba"), rate_per_s=0) as client,
        ):
            store.upsert_orders(list(client.iter_orders()), OrderSource.LIST)
            open_ids = [
                r.order_identifier
                for status in (OrderStatus.NEW, OrderStatus.PRINTED)
                for r in store.query_orders(status=status, limit=changes)
            ]
            if len(open_ids) < 2 * half:
                raise RuntimeError("not enough open orders in the sandbox for this size")
            mine, direct = open_ids[:half], open_ids[half : 2 * half]

            # Baseline: the same changes straight through the client, no outbox.
            started = time.perf_counter()
            client.update_status(
                [
                    StatusUpdateRequest(status=OrderStatusValue.DESPATCHED, order_identifier=i)
                    for i in direct
                ]
            )
            client.create_orders([_order(f"DIRECT-{i}") for i in range(half)])
            direct_s = time.perf_counter() - started

            mark_despatched(store, [str(i) for i in mine])
            queue_new_orders(store, [_order(f"OUTBOX-{i}") for i in range(half)])
            replayer = OutboxReplayer(store, client, options=ReplayOptions(settle_s=0))
            started = time.perf_counter()
            report = replayer.replay()
            replay_s = time.perf_counter() - started
            if not report.complete or len(report.done) != 2 * half:
                raise RuntimeError(f"replay incomplete: {report.summary()}")
    finally:
        process.kill()
        process.wait()
    per_s = 2 * half / replay_s
    direct_per_s = 2 * half / direct_s
    print(
        f"  replay: {2 * half} changes in {replay_s:.2f}s ({per_s:.0f}/s); "
        f"direct: {direct_s:.2f}s ({direct_per_s:.0f}/s)"
    )
    return {"outbox.replay_per_s": per_s, "outbox.replay_ratio": per_s / direct_per_s}


def run(quick: bool) -> dict[str, float]:
    results = _detection(trials=2 if quick else 5)
    with tempfile.TemporaryDirectory(prefix="bench-offline-") as tmp:
        results |= _throughput(400 if quick else 1000, Path(tmp))
    return results
