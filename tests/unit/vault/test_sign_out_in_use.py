"""Sign-out never deletes an account another process has open: while a window or command holds
its store (the shared in-use lock), `Vault.sign_out` and `account remove` refuse in one line and
touch nothing; once it has closed (or was killed) the sign-out runs. A sign-out by the process
that had the store open itself (the window, after closing its own session) still works."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from clickdrop_desktop.accounts import AccountInUse, AccountRegistry
from clickdrop_desktop.filelock import in_use_lock
from clickdrop_desktop.vault import store_path
from tests.helpers.cli import cli, one_line_error
from tests.unit.vault.cache_fixtures import (
    NAME,
    PASSPHRASE,
    another_process_holding_it_open,
    passphrase_vault,
    populate,
)

pytestmark = pytest.mark.e2e

REFUSAL = (
    f"the account {NAME!r} is open in another Click & Drop Desktop window or command; close it "
    "there and sign out again"
)


def _snapshot(folder: Path) -> dict[str, bytes]:
    # The in-use lock file is empty and the holder's WAL/SHM change as it reads: compare the
    # files a sign-out would destroy (store, journal, wrapped keys) by content.
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.endswith(("-wal", "-shm"))
    }


def test_cli_sign_out_refuses_while_another_process_has_the_account_open() -> None:
    populate(passphrase_vault())
    folder = passphrase_vault().registry.get(NAME).directory
    with another_process_holding_it_open() as holder:
        before = _snapshot(folder)
        with pytest.raises(AccountInUse) as refused:
            passphrase_vault().sign_out(NAME, force=True, passphrase=PASSPHRASE)
        assert refused.value.message == REFUSAL
        done = cli("account", "remove", NAME, "--force")
        assert done.returncode == 1  # DESIGN.md: 1 for anything not usage/offline/auth/isolation
        assert one_line_error(done) == f"clickdrop-desktop: {REFUSAL}"
        assert _snapshot(folder) == before
        assert NAME in AccountRegistry().names()
        # The holder still reads its store: nothing was deleted from under it.
        assert holder.stdin is not None
        holder.stdin.close()
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "closed"
        assert holder.wait(timeout=60) == 0
    done = cli("account", "remove", NAME, "--force")
    assert done.returncode == 0, done.stderr
    assert "1 unsent change(s) discarded" in done.stdout
    assert not folder.exists()
    assert NAME not in AccountRegistry().names()


def test_a_holder_killed_with_sigkill_does_not_block_the_sign_out() -> None:
    populate(passphrase_vault())
    folder = passphrase_vault().registry.get(NAME).directory
    with another_process_holding_it_open() as holder:
        holder.send_signal(signal.SIGKILL)
        assert holder.wait(timeout=60) == -signal.SIGKILL
    report = passphrase_vault().sign_out(NAME, force=True, passphrase=PASSPHRASE)
    assert report.discarded_changes == 1
    assert not folder.exists()


def test_the_process_that_had_it_open_signs_out_once_it_closed_its_store() -> None:
    populate(passphrase_vault())
    vault = passphrase_vault()
    vault.unlock(NAME, passphrase=PASSPHRASE)
    store = vault.open_store(NAME)
    # Its own open store blocks it too (the lock is per open file): the window closes first.
    with pytest.raises(AccountInUse):
        vault.sign_out(NAME, force=True, passphrase=PASSPHRASE)
    assert store.outbox.unsynced_count() == 1  # untouched, still readable
    store.close()
    report = vault.sign_out(NAME, force=True, passphrase=PASSPHRASE)
    assert report.discarded_changes == 1  # counted through the lock the sign-out holds
    assert NAME not in AccountRegistry().names()


def test_without_force_the_unsent_change_is_still_counted_and_refused() -> None:
    from clickdrop_desktop.vault import UnsyncedChanges

    populate(passphrase_vault())
    vault = passphrase_vault()
    with pytest.raises(UnsyncedChanges) as caught:
        vault.sign_out(NAME, passphrase=PASSPHRASE)
    assert caught.value.pending == 1
    # The refusal released the lock: the account opens as before.
    path = store_path(vault.registry.get(NAME))
    with in_use_lock(path) as lock:
        assert lock.try_acquire(shared=False)
