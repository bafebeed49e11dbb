"""The in-process `Sandbox`, fault registry and rate limiter, without a separate process."""

from __future__ import annotations

import threading

import httpx
import pytest

from clickdrop_desktop.sandbox import faults as faults_module
from clickdrop_desktop.sandbox import ratelimit
from clickdrop_desktop.sandbox.faults import FaultRegistry, FaultSpecError
from clickdrop_desktop.sandbox.info import SandboxInfo
from clickdrop_desktop.sandbox.ratelimit import RateLimiter
from clickdrop_desktop.sandbox.server import Sandbox


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_start_serves_and_stop_frees_the_port() -> None:
    sandbox = Sandbox(orders=10, rate_limit=0)
    info = sandbox.start()
    assert sandbox.start() is info  # idempotent
    assert httpx.get(info.url + "/version", timeout=30).status_code == 200
    port = httpx.URL(info.url).port
    sandbox.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(info.url + "/version", timeout=2)
    second = Sandbox(orders=10, port=port or 0)
    try:
        assert httpx.URL(second.start().url).port == port  # the port can be bound again
    finally:
        second.stop()


def test_inprocess_fixture_and_concurrent_clients(inprocess_sandbox: SandboxInfo) -> None:
    key = inprocess_sandbox.account("channelshipper").api_key
    results: list[int] = []

    def fetch() -> None:
        with httpx.Client(
            base_url=inprocess_sandbox.url, headers={"Authorization": key}, timeout=30
        ) as c:
            results.extend(
                c.get("/orders/full", params={"pageSize": 20}).status_code for _ in range(5)
            )

    threads = [threading.Thread(target=fetch) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 30


@pytest.mark.sandbox(orders=3, seed=9)
def test_marker_configures_the_sandbox(inprocess_sandbox: SandboxInfo) -> None:
    info = inprocess_sandbox.info()
    assert (info["orders"], info["seed"]) == (3, 9)


@pytest.mark.parametrize("options", [{"orders": -1}, {"orders": 10_000_000}, {"rate_limit": -1}])
def test_bad_configuration_is_refused(options: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be"):
        Sandbox(**options)


def test_auth_mode_is_configurable_per_account(inprocess_sandbox: SandboxInfo) -> None:
    key = inprocess_sandbox.account("oba").api_key
    url = inprocess_sandbox.url + "/orders"
    inprocess_sandbox.configure(account="oba", auth_mode="bearer")
    assert httpx.get(url, headers={"Authorization": key}, timeout=30).status_code == 401
    assert httpx.get(url, headers={"Authorization": f"Bearer {key}"}, timeout=30).status_code == 200
    inprocess_sandbox.configure(account="oba", auth_mode="bare")
    assert httpx.get(url, headers={"Authorization": f"Bearer {key}"}, timeout=30).status_code == 401
    inprocess_sandbox.reset()
    assert httpx.get(url, headers={"Authorization": f"Bearer {key}"}, timeout=30).status_code == 200


def test_fault_count_and_duration(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr(faults_module.time, "monotonic", clock)
    registry = FaultRegistry(["a", "b"])
    registry.add({"kind": "storm", "count": 2, "account": "a"})
    registry.add({"kind": "slow", "delay_ms": 5, "duration_s": 10})
    assert registry.take("storm", "GET", "/orders", "b") is None
    assert registry.take("storm", "GET", "/orders", "a") is not None
    assert registry.take("storm", "GET", "/orders", "a") is not None
    assert registry.take("storm", "GET", "/orders", "a") is None  # used up
    assert registry.take("slow", "GET", "/orders", None) is not None
    clock.now += 10
    assert registry.take("slow", "GET", "/orders", None) is None  # expired
    assert registry.public() == []


def test_fault_option_filter_defaults() -> None:
    registry = FaultRegistry(["a"])
    registry.add({"kind": "drop"})
    assert registry.take("drop", "GET", "/x", None, when="after") is None
    assert registry.take("drop", "GET", "/x", None, when="before") is not None
    with pytest.raises(FaultSpecError, match="delay_ms"):
        registry.add({"kind": "slow"})


def test_rate_limiter_bucket(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr(ratelimit.time, "monotonic", clock)
    limiter = RateLimiter(5)
    assert [limiter.allow("a") for _ in range(6)] == [True] * 5 + [False]
    assert limiter.allow("b")  # buckets are per account
    clock.now += 0.2  # one token back at 5/s
    assert limiter.allow("a")
    assert not limiter.allow("a")
    limiter.set_rate(1, "a")
    clock.now += 1.0
    assert [limiter.allow("a") for _ in range(2)] == [True, False]
    limiter.set_rate(0)
    assert all(limiter.allow("a") for _ in range(100))
