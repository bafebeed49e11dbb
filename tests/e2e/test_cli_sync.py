"""Sync through the CLI against the real sandbox: counts, incremental windows, changes made in
the web UI (printed, despatched) picked up by the refresh, deleted orders archived."""

from __future__ import annotations

import json

import pytest

from clickdrop_desktop.sandbox.info import SandboxInfo
from tests.helpers.cli import cli, orders_json, sign_in

pytestmark = pytest.mark.e2e


def sync_json() -> dict[str, object]:
    done = cli("sync", "--json")
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.sandbox(orders=300)
def test_refresh_picks_up_upstream_changes_and_archives_deleted(fresh_sandbox: SandboxInfo) -> None:
    sign_in(fresh_sandbox, "olp")
    first = sync_json()
    assert (first["fetched"], first["stored"], first["quarantined"]) == (300, 300, 0)
    assert first["pages"] == 3
    assert first["archived"] == 0

    by_id = {o["orderIdentifier"]: o for o in orders_json()}
    new = sorted(i for i, o in by_id.items() if o["status"] == "new")
    assert len(new) >= 3
    printed, despatched, deleted = new[0], new[1], new[2]
    fresh_sandbox.mutate("olp", printed, "print")
    fresh_sandbox.mutate("olp", despatched, "despatch")
    fresh_sandbox.mutate("olp", deleted, "delete")

    second = sync_json()
    assert second["archived"] == 1
    assert second["refreshed"] > 0
    after = {o["orderIdentifier"]: o for o in orders_json()}
    assert after[printed]["status"] == "printed"
    assert after[printed]["trackingNumber"]
    assert after[despatched]["status"] == "despatched"
    assert after[despatched]["shippedOn"]
    assert deleted not in after
    archived = {o["orderIdentifier"]: o for o in orders_json("--status", "archived")}
    assert set(archived) == {deleted}
    assert archived[deleted]["orderReference"] == by_id[deleted]["orderReference"]

    # The overlap re-lists the newest orders, but nothing is duplicated or counted twice.
    third = sync_json()
    assert third["stored"] == 0
    assert third["archived"] == 0
    ids = [o["orderIdentifier"] for o in orders_json()]
    assert len(ids) == len(set(ids)) == 299


def test_sync_summary_and_status_after(sandbox: SandboxInfo) -> None:
    sign_in(sandbox, "oba")
    done = cli("sync")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("oba: 200 order(s) fetched")
    status = cli("status", "--json")
    assert status.returncode == 0
    report = json.loads(status.stdout)
    assert report["connectivity"] == "online"
    assert report["last_sync"]
    assert report["orders"] == 200
    assert (report["outbox"], report["print_queue"], report["sync_paused"]) == (0, 0, False)
