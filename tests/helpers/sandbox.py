"""Pytest fixtures for the Click & Drop sandbox: a real server process, or one in a thread.

Loaded by `pytest_plugins` in tests/conftest.py. Fixtures:

- `sandbox`: the session's sandbox PROCESS (`python -m clickdrop_desktop sandbox --port 0`),
  reset before every test: faults off, run-time config restored, request log empty, orders
  back to the seeded ones (cheap: seeded orders are generated on read). Keys stay the same.
- `sandbox_process`: the same process without the per-test reset (for module/session fixtures).
- `fresh_sandbox`: a new process for this test alone (own keys, own seed); configure it with
  `@pytest.mark.sandbox(seed=, orders=, rate_limit=)`.
- `sandbox_factory`: `start(**kw) -> SandboxInfo`, any number of processes, all killed at teardown.
- `inprocess_sandbox`: a `Sandbox` in a thread of the test process (fast; same marker options).

`api_client(info, account)` gives a plain httpx client authenticated as a sandbox account.
All fixtures yield `clickdrop_desktop.sandbox.info.SandboxInfo` (`.url`, `.control_url`, `.accounts`,
`.account(name)`, `.of_type(type)`, `.set_fault(kind, **options) -> id`, `.clear_faults()`,
`.reset(log=, data=)`, `.requests(everything=, since=)`, `.configure(**kw)`,
`.order_state(account, id)`, `.mutate(account, id, action)`, `.create_upstream(account, order)`).
Processes run with `--rate-limit 0` unless asked otherwise: tests that are about the rate limit
switch it on (`configure(rate_limit=5)` or the marker), the others must not flake on 429.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import httpx
import pytest

from clickdrop_desktop.sandbox.info import SandboxInfo

STARTUP_TIMEOUT_S = 60.0
IDLE_TIMEOUT_S = 60.0  # how long a test's teardown waits for its requests to leave the server
BARE_KEY_ONLY = frozenset({"olp-bare"})  # accounts that refuse `Bearer <key>`
DEFAULTS: dict[str, Any] = {"seed": 1, "orders": 200, "rate_limit": 0}


def api_client(info: SandboxInfo, account: str, *, bearer: bool | None = None) -> httpx.Client:
    """A plain httpx client for `/api/v1` as `account` (bare key where the account needs it)."""
    key = info.account(account).api_key
    if bearer is None:
        bearer = account not in BARE_KEY_ONLY
    auth = f"Bearer {key}" if bearer else key
    return httpx.Client(base_url=info.url, headers={"Authorization": auth}, timeout=30.0)


class SandboxProcess:
    """One `clickdrop-desktop sandbox` process and the info from its first stdout line."""

    def __init__(self, *, seed: int, orders: int, rate_limit: float) -> None:
        command = [
            sys.executable,
            "-m",
            "clickdrop_desktop",
            "sandbox",
            "--port",
            "0",
            "--seed",
            str(seed),
            "--orders",
            str(orders),
            "--rate-limit",
            str(rate_limit),
        ]
        self._stderr: BinaryIO = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            stdin=subprocess.DEVNULL,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
        )
        try:
            self.info = SandboxInfo.from_json(self._first_line())
        except BaseException:
            self.stop()
            raise

    def _first_line(self) -> str:
        lines: queue.Queue[bytes] = queue.Queue()
        assert self.process.stdout is not None
        stdout = self.process.stdout
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=STARTUP_TIMEOUT_S)
        except queue.Empty:
            raise RuntimeError(f"sandbox printed nothing in {STARTUP_TIMEOUT_S:.0f}s") from None
        if not line:
            raise RuntimeError(f"sandbox exited ({self.process.wait()}): {self.stderr_text()}")
        return line.decode("utf-8")

    def stderr_text(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")[-4000:]

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL if it does not exit; returns the exit code."""
        code = self.process.poll()
        if code is None:
            self.process.terminate()
            try:
                code = self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                code = self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._stderr.close()
        return code


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sandbox(seed=1, orders=200, rate_limit=0): options for fresh_sandbox and "
        "inprocess_sandbox",
    )


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    options = dict(DEFAULTS)
    marker = request.node.get_closest_marker("sandbox")
    if marker is not None:
        unknown = set(marker.kwargs) - set(DEFAULTS)
        if unknown or marker.args:
            raise pytest.UsageError(f"sandbox marker takes only {sorted(DEFAULTS)}")
        options.update(marker.kwargs)
    return options


@pytest.fixture(scope="session")
def sandbox_process() -> Iterator[SandboxInfo]:
    """The session's shared sandbox process (no per-test reset)."""
    process = SandboxProcess(**DEFAULTS)
    yield process.info
    process.stop()


def wait_until_idle(info: SandboxInfo, timeout_s: float = IDLE_TIMEOUT_S) -> None:
    """Until the server serves no API request (a slowed one, or one of a killed command)."""
    deadline = time.monotonic() + timeout_s
    while (in_flight := info.info()["in_flight"]) > 0:
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{in_flight} request(s) still served by the shared sandbox after {timeout_s:g} s:"
                " slowed by this test? give it its own (fresh_sandbox) or wait for them"
            )
        time.sleep(0.05)  # polling interval, not a wait for an effect


@pytest.fixture
def sandbox(sandbox_process: SandboxInfo) -> Iterator[SandboxInfo]:
    """The shared sandbox process, reset (faults, config, log, orders) for this test.

    Its teardown first waits for the test's requests to leave the server: one still asleep
    in a slow fault would wake in the next test and take its faults, write into its log or
    change its orders."""
    sandbox_process.reset(log=True, data=True)
    yield sandbox_process
    wait_until_idle(sandbox_process)
    sandbox_process.reset(log=True, data=True)


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., SandboxInfo]]:
    """Start sandbox processes on demand (`start(seed=, orders=, rate_limit=)`)."""
    started: list[SandboxProcess] = []

    def start(**options: Any) -> SandboxInfo:
        unknown = set(options) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"unknown sandbox option(s): {sorted(unknown)}")
        process = SandboxProcess(**{**DEFAULTS, **options})
        started.append(process)
        return process.info

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def fresh_sandbox(
    request: pytest.FixtureRequest, sandbox_factory: Callable[..., SandboxInfo]
) -> SandboxInfo:
    """A sandbox process of this test's own, for tests that change orders."""
    return sandbox_factory(**_options(request))


@pytest.fixture
def inprocess_sandbox(request: pytest.FixtureRequest) -> Iterator[SandboxInfo]:
    """A sandbox served from a thread of the test process (no process start-up cost)."""
    from clickdrop_desktop.sandbox.server import Sandbox

    server = Sandbox(**_options(request))
    yield server.start()
    server.stop()
