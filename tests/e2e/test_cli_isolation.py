"""Every sandbox leak mode, through the real CLI: zero foreign orders stored or shown, exit 5
with one clear line, an exportable incident record, sync paused until acknowledged."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from clickdrop_desktop.sandbox.info import SandboxInfo
from tests.helpers.cli import cli, one_line_error, orders_json, owner_of, sign_in

pytestmark = pytest.mark.e2e

# (fault kind, options, account under test, synced once before the fault?)
LEAKS: list[tuple[str, dict[str, Any], str, bool]] = [
    ("leak_mixed", {"from_account": "oba", "leak_count": 3}, "olp", False),
    ("leak_mixed", {"from_account": "oba"}, "channelshipper", False),
    ("leak_extra_ids", {"from_account": "oba"}, "olp", False),
    ("leak_extra_ids", {"from_account": "olp"}, "oba", True),
    ("leak_shared_cache", {"from_account": "oba"}, "olp", False),
    ("leak_shared_cache", {"from_account": "olp"}, "channelshipper", True),
    ("leak_trading_name", {"from_account": "oba"}, "channelshipper", True),
    ("mutate_immutable", {"fields": ["orderReference"]}, "olp", True),
    ("mutate_immutable", {"fields": ["createdOn"]}, "channelshipper", True),
]


def all_shown() -> list[dict[str, Any]]:
    return orders_json() + orders_json("--status", "archived")


@pytest.mark.parametrize(
    ("kind", "options", "account", "synced_before"),
    LEAKS,
    ids=[f"{k}-{a}{'-cached' if s else ''}" for k, _, a, s in LEAKS],
)
def test_leak_is_quarantined_and_reported(
    sandbox: SandboxInfo,
    tmp_path: Path,
    kind: str,
    options: dict[str, Any],
    account: str,
    synced_before: bool,
) -> None:
    sign_in(sandbox, account)
    if synced_before:
        assert cli("sync").returncode == 0
    before = {o["orderIdentifier"]: o for o in all_shown()}

    sandbox.set_fault(kind, account=account, **options)
    done = cli("sync", "--json")
    assert done.returncode == 5, (done.stdout, done.stderr)
    line = one_line_error(done)
    assert "isolation alert" in line
    summary = json.loads(done.stdout)
    assert summary["quarantined"] > 0
    sandbox.clear_faults()

    shown = all_shown()
    assert {owner_of(o["orderIdentifier"]) for o in shown} <= {account}
    if kind == "mutate_immutable":
        # The cached orders kept their true reference and creation time.
        for order in shown:
            if order["orderIdentifier"] in before:
                old = before[order["orderIdentifier"]]
                assert order["orderReference"] == old["orderReference"]
                assert order["createdOn"] == old["createdOn"]
        assert not any((o["orderReference"] or "").endswith("-CHANGED") for o in shown)

    # Paused: the next sync refuses until the user acknowledges.
    paused = cli("sync")
    assert paused.returncode == 5
    assert "paused" in one_line_error(paused)
    status = json.loads(cli("status", "--json").stdout)
    assert status["sync_paused"] is True

    export = tmp_path / "breach-log.json"
    done = cli("incidents", "--export", str(export))
    assert done.returncode == 0, done.stderr
    document = json.loads(export.read_text())
    incidents = document["incidents"]
    assert len(incidents) == 1
    record = incidents[0]
    assert record["endpoint"].startswith("GET /orders")
    assert record["suspect_records"] >= 1
    assert record["hashed_ids"]
    assert all(len(h) == 64 for h in record["hashed_ids"])
    text = export.read_text()
    for order_id in {o["orderIdentifier"] for o in shown}:
        assert f'"{order_id}"' not in text
        assert f" {order_id}," not in text
    assert (os.stat(export).st_mode & 0o077) == 0

    done = cli("incidents", "--ack")
    assert done.returncode == 0, done.stderr
    done = cli("sync", "--json")
    assert done.returncode == 0, done.stderr
    assert {owner_of(o["orderIdentifier"]) for o in all_shown()} == {account}


def test_sign_in_records_trading_names_and_refuses_a_leak(sandbox: SandboxInfo) -> None:
    key = sandbox.account("channelshipper").api_key
    sandbox.set_fault("leak_mixed", account="channelshipper", from_account="oba")
    done = cli("account", "add", "cs", "--api-url", sandbox.url, input=key + "\n")
    assert done.returncode == 5
    assert "not added" in one_line_error(done)
    assert json.loads(cli("account", "list", "--json").stdout) == []
    data_dir = Path(os.environ["CLICKDROP_DATA_DIR"])
    assert not any(p.suffix == ".db" for p in data_dir.rglob("*"))

    sandbox.clear_faults()
    done = cli("account", "add", "cs", "--api-url", sandbox.url, input=key + "\n")
    assert done.returncode == 0, done.stderr
    assert "trading names" in done.stdout
    # Known from sign-in: a foreign trading name on the very first sync is caught.
    sandbox.set_fault("leak_trading_name", account="channelshipper", from_account="oba")
    done = cli("sync")
    assert done.returncode == 5
    assert "foreign_trading_name" in one_line_error(done)
    assert orders_json() == []
