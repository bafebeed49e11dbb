"""`cache --check/--rebuild/--retention` and `incidents --accept-trading-name` through the real CLI
against the real sandbox process: retention survives a full re-sync, a damaged cache is found,
repaired under a new key with its unsent change (sent exactly once afterwards), and a renamed
business is accepted deliberately while a foreign trading name still trips the guard."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from clickdrop_desktop.accounts import AccountRegistry
from clickdrop_desktop.sandbox.info import SandboxInfo
from clickdrop_desktop.vault import store_path
from tests.e2e.outbox_support import applied_counts, order_ids
from tests.helpers.cli import cli, one_line_error, orders_json, sign_in

pytestmark = pytest.mark.e2e

REPAIR = "'clickdrop-desktop cache --rebuild'"


def _json(*args: str, code: int = 0) -> dict[str, Any]:
    done = cli(*args, "--json")
    assert done.returncode == code, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _shipped_before(orders: list[dict[str, Any]], cutoff: datetime) -> list[int]:
    return [
        o["orderIdentifier"]
        for o in orders
        if o.get("shippedOn") and datetime.fromisoformat(o["shippedOn"]) < cutoff
    ]


def _all_cached() -> list[dict[str, Any]]:
    return orders_json() + orders_json("--status", "archived")


def _damage(name: str, page: int) -> Path:
    path = store_path(AccountRegistry().get(name))
    with path.open("r+b") as handle:
        handle.seek(4096 * page + 200)
        handle.write(os.urandom(64))
    return path


def _thirty_days_ago() -> datetime:
    return datetime.now(UTC) - timedelta(days=30)


def test_a_full_resync_keeps_to_the_retention_period(sandbox: SandboxInfo) -> None:
    sign_in(sandbox, "channelshipper")
    first = _json("sync")
    assert first["stored"] == 200
    assert first["expired"] == 0  # no period yet: everything is kept
    cached = _all_cached()
    # The command's own clock reads between these two: an order despatched in that window of
    # seconds may go either way; one despatched before it must go, one after it must stay.
    start = _thirty_days_ago()
    done = cli("cache", "--retention", "30")
    end = _thirty_days_ago()
    assert done.returncode == 0, done.stderr
    surely, maybe = _shipped_before(cached, start), _shipped_before(cached, end)
    assert len(surely) > 20  # the sandbox's orders span 90 days
    match = re.search(r"(\d+) purged now", done.stdout)
    assert match is not None, done.stdout
    purged = int(match.group(1))
    assert len(surely) <= purged <= len(maybe)
    left = _all_cached()
    assert _shipped_before(left, start) == []
    assert len(left) == 200 - purged

    # A full re-sync: a rebuilt cache starts with no sync state and lists everything again.
    rebuilt = _json("cache", "--rebuild")
    assert rebuilt["retention_days"] == 30
    assert "keeping none despatched more than 30 day(s) ago" in rebuilt["next_sync"]
    start = _thirty_days_ago()
    again = _json("sync")
    end = _thirty_days_ago()
    assert again["fetched"] == 200
    expired = again["expired"]
    assert len(_shipped_before(cached, start)) <= expired <= len(_shipped_before(cached, end))
    assert again["stored"] == 200 - expired
    resynced = _all_cached()
    assert len(resynced) == 200 - expired
    assert _shipped_before(resynced, start) == []

    assert cli("cache", "--retention", "off").returncode == 0
    assert _json("sync")["expired"] == 0


def test_check_finds_damage_and_rebuild_repairs_it_keeping_the_unsent_change(
    sandbox: SandboxInfo,
) -> None:
    sign_in(sandbox, "oba")
    assert cli("sync").returncode == 0
    check = cli("cache", "--check")
    assert check.returncode == 0, check.stderr
    assert "sound" in check.stdout
    assert len(check.stdout.strip().splitlines()) == 1

    printed = order_ids("printed")[0]
    sandbox.set_fault("maintenance")
    assert cli("despatch", str(printed)).returncode == 3  # queued in the outbox
    before = AccountRegistry().get("oba").key_id
    path = _damage("oba", page=7)  # a page deep inside: only the integrity check reads it

    damaged = cli("cache", "--check")
    assert damaged.returncode == 1
    assert one_line_error(damaged).endswith(REPAIR)
    _damage("oba", page=0)  # now the first page too: nothing opens, the one error names the fix
    listing = cli("orders")
    assert listing.returncode == 1
    assert REPAIR in one_line_error(listing)

    rebuilt = cli("cache", "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "1 unsent change(s) restored" in rebuilt.stdout
    assert "next sync fetches all of oba's orders" in rebuilt.stdout
    assert AccountRegistry().get("oba").key_id != before  # a new store key
    kept = sorted(p.name for p in path.parent.glob("store.db.damaged-*"))
    assert kept
    assert all(name in rebuilt.stdout for name in kept)

    sandbox.clear_faults()
    done = _json("sync")
    assert done["fetched"] == 200
    assert done["outbox"]["done"] == 1
    assert applied_counts(sandbox)["PUT"] == {printed: 1}  # exactly once
    assert cli("cache", "--check").returncode == 0
    status = _json("status")
    assert status["outbox"] == 0


def test_a_renamed_business_is_accepted_deliberately(fresh_sandbox: SandboxInfo) -> None:
    sign_in(fresh_sandbox, "channelshipper")
    assert cli("sync").returncode == 0
    fresh_sandbox.configure(account="channelshipper", trading_name="Kestrel Trading Group")

    tripped = cli("sync")
    assert tripped.returncode == 5
    assert "isolation alert" in one_line_error(tripped)
    # Acknowledging alone does not make the new name the account's: the guard trips again.
    assert cli("incidents", "--ack").returncode == 0
    assert cli("sync").returncode == 5

    accepted = cli("incidents", "--accept-trading-name", "Kestrel Trading Group")
    assert accepted.returncode == 0, accepted.stderr
    assert "Kestrel Trading Group" in accepted.stdout
    assert "Kestrel Trading Group" in AccountRegistry().get("channelshipper").trading_names
    done = cli("sync")
    assert done.returncode == 0, done.stderr
    assert len(orders_json()) == 200

    # Another account's name is still refused.
    fresh_sandbox.set_fault("leak_trading_name", from_account="olp")
    fresh_sandbox.configure(account="channelshipper", trading_name="Kestrel Trading Co")
    leak = cli("sync")
    assert leak.returncode == 5


def test_cache_usage_errors_are_one_line(sandbox: SandboxInfo) -> None:
    sign_in(sandbox, "olp")
    bad = cli("cache", "--retention", "soon")
    assert bad.returncode == 2
    assert "--retention takes a number of days" in one_line_error(bad)
    assert cli("cache", "--check", "--force").returncode == 2
    assert cli("incidents", "--accept-trading-name", " ").returncode == 2
