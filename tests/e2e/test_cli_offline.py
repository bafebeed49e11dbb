"""Offline through the CLI: maintenance (503) and a dead server give exit 3, cached orders are
still listed and searchable, `status` says offline, and the sync resumes when it comes back."""

from __future__ import annotations

import json

import pytest

from clickdrop_desktop.accounts import AccountRegistry
from clickdrop_desktop.sandbox.info import SandboxInfo
from tests.helpers.cli import cli, one_line_error, orders_json, sign_in

pytestmark = pytest.mark.e2e


def test_maintenance_gives_exit_3_and_cached_orders_stay(sandbox: SandboxInfo) -> None:
    sign_in(sandbox, "oba")
    assert cli("sync").returncode == 0
    cached = orders_json()
    assert cached

    sandbox.set_fault("maintenance", retry_after=1)
    done = cli("sync", "--json")
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert "kept" in one_line_error(done)
    status = cli("status", "--json")
    assert status.returncode == 3
    assert json.loads(status.stdout)["connectivity"] == "offline"
    assert orders_json() == cached
    reference = next(o["orderReference"] for o in cached if o["orderReference"])
    found = orders_json("--search", reference)
    assert reference in {o["orderReference"] for o in found}

    sandbox.clear_faults()
    assert cli("sync").returncode == 0
    status = cli("status", "--json")
    assert status.returncode == 0
    assert json.loads(status.stdout)["connectivity"] == "online"


def test_server_gone_mid_sync_resumes(sandbox: SandboxInfo) -> None:
    sign_in(sandbox, "olp")
    # Every list call answers 503 until the fault is cleared.
    sandbox.set_fault("maintenance", count=1000, path="/orders")
    done = cli("sync")
    assert done.returncode == 3
    sandbox.clear_faults()
    done = cli("sync", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["fetched"] > 0
    assert len(orders_json()) == 200


def test_unreachable_api_is_offline_not_a_traceback(sandbox: SandboxInfo) -> None:
    sign_in(sandbox, "olp")
    assert cli("sync").returncode == 0
    # Point the account at a port nothing listens on.
    registry = AccountRegistry()
    data = json.loads(registry.path.read_text())
    data["accounts"][0]["api_url"] = "http://127.0.0.1:9/api/v1"
    registry.path.write_text(json.dumps(data))
    done = cli("sync")
    assert done.returncode == 3
    one_line_error(done)
    assert cli("status").returncode == 3
    assert len(orders_json()) == 200
