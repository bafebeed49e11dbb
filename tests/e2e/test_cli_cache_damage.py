"""A cache file damaged in a middle page opens normally; whichever command then reads the damage
(a listing, a search, a sync against the real sandbox, a print of a cached label) fails with the
one line that names the repair and exit code 1 (DESIGN.md: anything else), never a SQLite
message or a traceback; `cache --rebuild` then repairs it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from keyring.backends import fail

from clickdrop_desktop.accounts import AccountRegistry
from clickdrop_desktop.sandbox.info import SandboxInfo
from clickdrop_desktop.store import POSTAGE_LABEL
from clickdrop_desktop.vault import Vault, store_path
from tests.helpers.cli import cli, one_line_error, sign_in
from tests.unit.vault.cache_fixtures import NAME, PASSPHRASE, passphrase_vault, populate
from tests.unit.vault.test_cache_damage_surfaces import damage_orders_page

pytestmark = pytest.mark.e2e

LINE = "clickdrop-desktop: the order cache file is damaged; repair it with " + (
    "'clickdrop-desktop cache --rebuild'"
)
PAGE = 4096


def _refused(*args: str) -> None:
    done = cli(*args)
    assert done.returncode == 1, (args, done.stdout, done.stderr)
    assert one_line_error(done) == LINE, args
    assert done.stdout == ""


def test_listing_searching_and_syncing_a_damaged_cache_name_the_repair(
    sandbox: SandboxInfo,
) -> None:
    sign_in(sandbox, "oba")
    assert cli("sync").returncode == 0
    vault = Vault(AccountRegistry(), keyring_backend=fail.Keyring())
    damage_orders_page(vault, "oba")
    _refused("orders")
    _refused("orders", "--search", "AMZ")
    _refused("sync")
    assert cli("cache", "--check").returncode == 1
    rebuilt = cli("cache", "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert cli("sync").returncode == 0
    assert cli("orders").returncode == 0


def test_printing_a_cached_label_on_a_damaged_page_names_the_repair(tmp_path: Path) -> None:
    vault = passphrase_vault()
    populate(vault)
    vault.unlock(NAME, passphrase=PASSPHRASE)
    path = store_path(vault.registry.get(NAME))
    before = path.stat().st_size // PAGE
    with vault.open_store(NAME) as store:
        victim = min(store.all_order_ids())
        store.documents.put(victim, POSTAGE_LABEL, b"%PDF-1.7\n" + os.urandom(40_000))
    after = path.stat().st_size // PAGE
    assert after - before >= 8  # the label's own overflow pages, appended for it
    with path.open("r+b") as handle:
        handle.seek(PAGE * ((before + after) // 2) + 300)
        handle.write(os.urandom(64))
    out = tmp_path / "labels.pdf"
    _refused("print", str(victim), "--printer", f"pdf+file://{out}", "--account", NAME)
    assert not out.exists()  # nothing half-printed
