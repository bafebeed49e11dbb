"""Sign-out crypto-shreds: keys out of the keyring first, then store, WAL, SHM, journal and
label files; it refuses while the outbox holds changes unless forced."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail

from clickdrop_desktop import paths
from clickdrop_desktop.accounts import AccountRegistry
from clickdrop_desktop.store import OrderSource, OutboxState, Store, WrongStoreKey
from clickdrop_desktop.vault import SERVICE, UnsyncedChanges, Vault
from tests.helpers.memory_keyring import MemoryKeyring
from tests.helpers.order_factory import full_orders
from tests.unit.vault.conftest import API_KEY, PASSPHRASE, make_vault

URL = "http://127.0.0.1:9/api/v1"


def _fill(vault: Vault, name: str, *, pending: int) -> Store:
    """A store with orders, a label, outbox items, and a label file beside it; left OPEN so a
    WAL and SHM exist (the caller closes it before signing out)."""
    store = vault.open_store(name)
    store.upsert_orders(full_orders(20), OrderSource.FULL)
    store.documents.put(1_000_001, "postageLabel", b"%PDF-1.7 label")
    for n in range(pending):
        store.outbox.enqueue("despatch", {"orderIdentifier": 1_000_001 + n})
    (AccountRegistry().get(name).directory / "labels").mkdir(mode=0o700)
    (AccountRegistry().get(name).directory / "labels" / "1000001.pdf").write_bytes(b"%PDF")
    return store


def test_refused_while_the_outbox_holds_changes(vault: Vault) -> None:
    record, _ = vault.sign_in("shop", URL, API_KEY)
    _fill(vault, "shop", pending=2).close()
    with pytest.raises(UnsyncedChanges) as caught:
        vault.sign_out("shop")
    assert caught.value.pending == 2
    assert "2 change(s)" in caught.value.message
    assert record.directory.exists()
    assert "shop" in AccountRegistry().names()


def test_finished_changes_do_not_block(vault: Vault) -> None:
    vault.sign_in("shop", URL, API_KEY)
    store = _fill(vault, "shop", pending=1)
    item = store.outbox.list()[0]
    store.outbox.mark(item.op_id, OutboxState.DONE)
    store.close()
    assert vault.sign_out("shop").discarded_changes == 0


def test_force_shreds_keys_files_and_record(vault: Vault, memory_keyring: MemoryKeyring) -> None:
    record, keys = vault.sign_in("shop", URL, API_KEY)
    vault.sign_in("other", URL, API_KEY)
    store = _fill(vault, "shop", pending=1)
    wal = record.directory / "store.db-wal"
    assert wal.exists()
    assert (record.directory / "store.db-shm").exists()
    copy_of_store = store.path.read_bytes()  # what a thief with a backup would have
    store.close()
    report = vault.sign_out("shop", force=True)
    assert report.discarded_changes == 1
    assert not report.keyring_entries_left
    assert not record.directory.exists()
    assert not any(k[1].startswith(record.account_id) for k in memory_keyring.entries)
    assert (SERVICE, f"{vault.registry.get('other').account_id}:api-key") in memory_keyring.entries
    assert list(AccountRegistry().names()) == ["other"]
    assert AccountRegistry().active_name() == "other"
    assert keys.wiped
    # The key is gone, so the copy is noise: even the right account id cannot open it.
    (record.directory).mkdir(parents=True)
    (record.directory / "store.db").write_bytes(copy_of_store)
    with pytest.raises(WrongStoreKey):
        Store.open(record.directory / "store.db", bytes(32), account_id=record.account_id)


def test_passphrase_account_sign_out_needs_the_passphrase_to_count(
    memory_keyring: MemoryKeyring,
) -> None:
    keyring.set_keyring(fail.Keyring())
    vault = make_vault()
    record, _ = vault.sign_in("shop", URL, API_KEY, passphrase=PASSPHRASE)
    vault.lock()
    with pytest.raises(UnsyncedChanges) as caught:
        vault.sign_out("shop")
    assert caught.value.pending is None
    report = vault.sign_out("shop", passphrase=PASSPHRASE)
    assert report.discarded_changes == 0
    assert not record.directory.exists()


def test_forced_sign_out_works_even_when_the_keyring_changed(vault: Vault) -> None:
    record, _ = vault.sign_in("shop", URL, API_KEY)
    keyring.set_keyring(fail.Keyring())
    fresh = make_vault()
    with pytest.raises(UnsyncedChanges):
        fresh.sign_out("shop")
    report = fresh.sign_out("shop", force=True)
    assert report.keyring_entries_left  # could not reach the old keyring: say so
    assert not record.directory.exists()
    assert list(AccountRegistry().names()) == []
    assert list(paths.accounts_dir().iterdir()) == []
