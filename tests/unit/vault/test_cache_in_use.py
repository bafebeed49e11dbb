"""A cache rebuild never races an open account: while another process (a window or a command)
has the account's store open, `rebuild_cache` and `cache --rebuild` refuse in one line and touch
nothing; once it has exited (or was killed with SIGKILL) the rebuild runs."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from clickdrop_desktop.accounts import AccountInUse
from clickdrop_desktop.cache_repair import MARK, rebuild_cache
from clickdrop_desktop.filelock import in_use_lock
from clickdrop_desktop.store import OutboxState
from clickdrop_desktop.vault import store_path
from tests.helpers.cli import cli, one_line_error
from tests.unit.vault.cache_fixtures import (
    NAME,
    PASSPHRASE,
    another_process_holding_it_open,
    damage,
    passphrase_vault,
    populate,
)

pytestmark = pytest.mark.e2e

REFUSAL = (
    f"the account {NAME!r} is open in another Click & Drop Desktop window or command; close it "
    "and run 'clickdrop-desktop cache --rebuild' again"
)


def _untouched(path: Path, before: bytes) -> None:
    assert path.read_bytes() == before
    assert not list(path.parent.glob("*.damaged-*"))
    assert MARK not in passphrase_vault().registry.get(NAME).extra


def _rebuilt_with_the_change(ident: int) -> None:
    vault = passphrase_vault()
    report = rebuild_cache(vault, NAME, passphrase=PASSPHRASE)
    assert report.restored == 1
    vault.unlock(NAME, passphrase=PASSPHRASE)
    with vault.open_store(NAME) as store:
        pending = store.outbox.list([OutboxState.PENDING])
        assert [p.order_identifier for p in pending] == [ident]


def test_rebuild_refuses_while_another_process_has_the_account_open() -> None:
    ident = populate(passphrase_vault())
    with another_process_holding_it_open() as holder:
        path = damage(passphrase_vault())
        before = path.read_bytes()
        with pytest.raises(AccountInUse) as refused:
            rebuild_cache(passphrase_vault(), NAME, passphrase=PASSPHRASE)
        assert refused.value.message == REFUSAL
        assert refused.value.exit_code == 1
        done = cli("cache", "--rebuild", "--account", NAME)
        assert done.returncode == 1
        assert one_line_error(done) == f"clickdrop-desktop: {REFUSAL}"
        _untouched(path, before)
        assert holder.stdin is not None
        holder.stdin.close()  # the other window closes the account
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "closed"
        assert holder.wait(timeout=60) == 0
    _rebuilt_with_the_change(ident)


def test_a_holder_killed_with_sigkill_does_not_block_the_rebuild() -> None:
    ident = populate(passphrase_vault())
    with another_process_holding_it_open() as holder:
        damage(passphrase_vault())
        holder.send_signal(signal.SIGKILL)
        assert holder.wait(timeout=60) == -signal.SIGKILL
    _rebuilt_with_the_change(ident)


def test_a_store_open_in_this_process_blocks_it_too_and_a_rebuild_blocks_openers() -> None:
    populate(passphrase_vault())
    vault = passphrase_vault()
    vault.unlock(NAME, passphrase=PASSPHRASE)
    with vault.open_store(NAME), pytest.raises(AccountInUse):
        rebuild_cache(passphrase_vault(), NAME, passphrase=PASSPHRASE)
    # While a rebuild holds the lock, the account does not open (its files are being replaced).
    with in_use_lock(store_path(vault.registry.get(NAME))) as rebuilding:
        assert rebuilding.try_acquire(shared=False)
        with pytest.raises(AccountInUse, match="being rebuilt"):
            vault.open_store(NAME)
    vault.open_store(NAME).close()
