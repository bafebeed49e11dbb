"""Two accounts on one machine, through the real CLI against the real sandbox process: each sees
only its own orders, switching shows only the new account's, nothing readable on disk."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from clickdrop_desktop.sandbox.info import SandboxInfo
from tests.helpers.cli import cli, cli_env, one_line_error, orders_json, owner_of, sign_in
from tests.helpers.sandbox import api_client

pytestmark = pytest.mark.e2e


def upstream(info: SandboxInfo, account: str, *, full: bool = False) -> list[dict[str, Any]]:
    """Every order the sandbox holds for `account`, straight from its API."""
    found: list[dict[str, Any]] = []
    token: str | None = None
    path = "/orders/full" if full else "/orders"
    with api_client(info, account) as client:
        while True:
            params = {"pageSize": "100", **({"continuationToken": token} if token else {})}
            body = client.get(path, params=params).json()
            found += body["orders"]
            token = body.get("continuationToken")
            if not token:
                return found


def test_two_accounts_each_see_only_their_own_orders(sandbox: SandboxInfo) -> None:
    sign_in(sandbox, "olp")
    sign_in(sandbox, "channelshipper")
    listed = cli("account", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    accounts = {a["name"]: a for a in json.loads(listed.stdout)}
    assert set(accounts) == {"olp", "channelshipper"}
    assert "api_key" not in listed.stdout
    assert sandbox.account("olp").api_key not in listed.stdout

    for name in ("olp", "channelshipper"):
        done = cli("sync", "--account", name, "--json")
        assert done.returncode == 0, done.stderr
        summary = json.loads(done.stdout)
        truth = {o["orderIdentifier"] for o in upstream(sandbox, name)}
        assert summary["fetched"] == len(truth)
        assert summary["quarantined"] == 0
        assert cli("account", "use", name).returncode == 0  # `orders` shows the active account
        shown = orders_json("--status", "new") + orders_json("--status", "printed")
        shown += orders_json("--status", "despatched") + orders_json("--status", "manifested")
        ids = [o["orderIdentifier"] for o in shown]
        assert len(ids) == len(set(ids))
        assert set(ids) == truth
        assert {owner_of(i) for i in ids} == {name}

    # Switching back: only the first account's orders, none of the second's.
    assert cli("account", "use", "olp").returncode == 0
    shown = orders_json()
    assert shown
    assert {owner_of(o["orderIdentifier"]) for o in shown} == {"olp"}
    one = shown[0]
    assert {"orderIdentifier", "orderReference", "createdOn", "status"} <= set(one)


def test_no_seeded_personal_data_in_plaintext_under_the_data_dir(
    sandbox: SandboxInfo, tmp_path: Path
) -> None:
    sign_in(sandbox, "channelshipper")
    sign_in(sandbox, "oba")
    for name in ("channelshipper", "oba"):
        done = cli("sync", "--account", name)
        assert done.returncode == 0, done.stderr
    # A search reads the store while the WAL may still hold pages: both are on disk now.
    assert cli("orders", "--search", "a").returncode == 0

    needles: set[str] = set()
    for order in upstream(sandbox, "channelshipper", full=True):
        ship = order.get("shippingInfo") or {}
        for value in (ship.get("firstName"), ship.get("lastName"), ship.get("postcode")):
            if value and len(value) >= 4:
                needles.add(value)
        if order.get("orderReference"):
            needles.add(order["orderReference"])
    needles |= {o["orderReference"] for o in upstream(sandbox, "oba") if o.get("orderReference")}
    assert len(needles) > 100

    data_dir = Path(os.environ["CLICKDROP_DATA_DIR"])
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.name.endswith("-wal") or p.suffix == ".db" for p in files)
    for path in files:
        blob = path.read_bytes()
        for needle in needles:
            for encoded in (needle.encode("utf-8"), needle.encode("utf-16-le")):
                assert encoded not in blob, f"{needle!r} readable in {path.name}"
        for account in ("channelshipper", "oba"):
            assert sandbox.account(account).api_key.encode() not in blob


def test_wrong_passphrase_fails_cleanly_and_touches_nothing(sandbox: SandboxInfo) -> None:
    sign_in(sandbox, "olp")
    assert cli("sync").returncode == 0
    before = orders_json()
    done = cli("orders", env=cli_env(CLICKDROP_PASSPHRASE="not the passphrase"))
    assert done.returncode == 4
    assert "passphrase" in one_line_error(done).lower()
    assert orders_json() == before


def test_no_keyring_and_no_passphrase_is_one_clear_line(sandbox: SandboxInfo) -> None:
    key = sandbox.account("olp").api_key
    done = cli(
        "account",
        "add",
        "olp",
        "--api-url",
        sandbox.url,
        input=key + "\n",
        env=cli_env(CLICKDROP_PASSPHRASE=None),
    )
    assert done.returncode != 0
    line = one_line_error(done)
    assert "CLICKDROP_PASSPHRASE" in line
    assert key not in done.stderr + done.stdout


def test_bad_key_is_refused_with_exit_4(sandbox: SandboxInfo) -> None:
    done = cli(
        "account",
        "add",
        "shop",
        "--api-url",
        sandbox.url,
        input="00000000-0000-0000-0000-000000000000\n",
    )
    assert done.returncode == 4
    one_line_error(done)
    assert json.loads(cli("account", "list", "--json").stdout) == []


def test_remove_crypto_shreds_the_account(sandbox: SandboxInfo) -> None:
    sign_in(sandbox, "olp")
    assert cli("sync").returncode == 0
    data_dir = Path(os.environ["CLICKDROP_DATA_DIR"])
    assert any(p.suffix == ".db" for p in data_dir.rglob("*"))
    done = cli("account", "remove", "olp")
    assert done.returncode == 0, done.stderr
    assert not any(p.suffix == ".db" or p.name.endswith("-wal") for p in data_dir.rglob("*"))
    assert json.loads(cli("account", "list", "--json").stdout) == []
    done = cli("orders")
    assert done.returncode != 0
    one_line_error(done)
