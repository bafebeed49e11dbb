"""The vault with a keyring: sign in, unlock, lock, fail closed, and never leak a secret."""

from __future__ import annotations

import json
import os
import pickle
import stat
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from clickdrop_desktop import paths
from clickdrop_desktop.accounts import CAP_FULL, AccountError, AccountRegistry
from clickdrop_desktop.vault import (
    SERVICE,
    AccountExists,
    KeyMismatch,
    KeyringChanged,
    KeyringUnavailable,
    KeysMissing,
    NoSuchAccount,
    Vault,
    VaultLocked,
)
from tests.helpers.memory_keyring import MEMORY_KEYRING, MemoryKeyring, OtherMemoryKeyring
from tests.unit.vault.conftest import API_KEY, make_vault

URL = "http://127.0.0.1:9/api/v1"


def _all_bytes(root: Path) -> list[tuple[Path, bytes]]:
    return [(p, p.read_bytes()) for p in root.rglob("*") if p.is_file()]


def test_sign_in_keeps_both_keys_in_the_keyring_and_no_secret_on_disk(
    vault: Vault, memory_keyring: MemoryKeyring
) -> None:
    record, keys = vault.sign_in("shop", URL, API_KEY, capabilities=[CAP_FULL])
    assert record.key_backend == f"keyring:{MEMORY_KEYRING}"
    assert record.full
    assert not record.labels
    entries = memory_keyring.entries
    assert entries[(SERVICE, f"{record.account_id}:api-key")] == API_KEY
    assert entries[(SERVICE, f"{record.account_id}:store-key")] == keys.store_key.hex()
    assert len(keys.store_key) == 32
    for path, data in _all_bytes(paths.data_dir()):
        assert API_KEY.encode() not in data, path
        assert keys.store_key.hex().encode() not in data, path
        assert keys.store_key not in data, path
    listed = json.loads((paths.data_dir() / "accounts.json").read_text())
    assert listed["active"] == "shop"
    assert listed["accounts"][0]["crypto"]["store"]["hmac_algorithm"] == "HMAC_SHA512"


def test_every_account_gets_its_own_random_store_key(vault: Vault) -> None:
    _, first = vault.sign_in("a", URL, API_KEY)
    _, second = vault.sign_in("b", URL, API_KEY)
    assert first.store_key != second.store_key
    assert first.account_id != second.account_id


def test_unlock_in_a_new_process_reads_the_same_keys(vault: Vault) -> None:
    record, keys = vault.sign_in("shop", URL, API_KEY)
    again = make_vault().unlock("shop")
    assert again.store_key == keys.store_key
    assert again.api_key == API_KEY
    assert again.key_id == record.key_id


def test_lock_drops_keys_and_unlock_brings_them_back(vault: Vault) -> None:
    _, keys = vault.sign_in("shop", URL, API_KEY)
    vault.lock("shop")
    assert keys.wiped
    with pytest.raises(VaultLocked):
        vault.keys("shop")
    assert vault.unlock("shop").api_key == API_KEY
    assert vault.is_unlocked("shop")


def test_the_active_account_is_unlocked_by_default(vault: Vault) -> None:
    vault.sign_in("first", URL, API_KEY)
    vault.sign_in("second", URL, "another-key-123", make_active=True)
    vault.lock()
    assert vault.unlock().api_key == "another-key-123"


def test_names_must_be_unique_and_known(vault: Vault) -> None:
    vault.sign_in("shop", URL, API_KEY)
    with pytest.raises(AccountExists):
        vault.sign_in("shop", URL, API_KEY)
    with pytest.raises(NoSuchAccount):
        vault.unlock("nobody")


def test_names_that_sanitise_alike_get_separate_folders(vault: Vault) -> None:
    a, _ = vault.sign_in("my/shop", URL, API_KEY)
    b, _ = vault.sign_in("my_shop", URL, API_KEY)
    assert a.directory != b.directory


def test_keyring_changed_fails_closed_and_makes_nothing(vault: Vault) -> None:
    record, _ = vault.sign_in("shop", URL, API_KEY)
    other = OtherMemoryKeyring()
    keyring.set_keyring(other)
    with pytest.raises(KeyringChanged) as caught:
        make_vault().unlock("shop")
    assert MEMORY_KEYRING in caught.value.message
    assert other.entries == {}
    assert AccountRegistry().get("shop") == record  # nothing rewritten


def test_keyring_turned_insecure_fails_closed(vault: Vault) -> None:
    vault.sign_in("shop", URL, API_KEY)
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(KeyringChanged):
        make_vault().unlock("shop")


def test_missing_keys_fail_closed(vault: Vault, memory_keyring: MemoryKeyring) -> None:
    vault.sign_in("shop", URL, API_KEY)
    memory_keyring.entries.clear()
    with pytest.raises(KeysMissing):
        make_vault().unlock("shop")


def test_a_replaced_store_key_is_refused(vault: Vault, memory_keyring: MemoryKeyring) -> None:
    record, _ = vault.sign_in("shop", URL, API_KEY)
    memory_keyring.entries[(SERVICE, f"{record.account_id}:store-key")] = os.urandom(32).hex()
    with pytest.raises(KeyMismatch):
        make_vault().unlock("shop")


def test_locked_keyring_is_one_clear_error(vault: Vault, memory_keyring: MemoryKeyring) -> None:
    vault.sign_in("shop", URL, API_KEY)
    memory_keyring.locked = True
    with pytest.raises(KeyringUnavailable) as caught:
        make_vault().unlock("shop")
    assert "\n" not in caught.value.message


def test_a_keyring_that_drops_writes_leaves_nothing_behind(
    vault: Vault, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.drop_writes = True
    with pytest.raises(KeyringUnavailable):
        vault.sign_in("shop", URL, API_KEY)
    assert list(AccountRegistry().names()) == []
    assert list(paths.accounts_dir().iterdir()) == []
    assert memory_keyring.entries == {}


def test_no_secret_in_any_repr_str_or_error(vault: Vault, memory_keyring: MemoryKeyring) -> None:
    record, keys = vault.sign_in("shop", URL, API_KEY)
    texts = [repr(keys), str(keys), repr(vault), repr(record), str(record)]
    memory_keyring.entries[(SERVICE, f"{record.account_id}:store-key")] = "zz" * 32
    errors: list[AccountError] = []
    for attempt in (lambda: make_vault().unlock("shop"), lambda: vault.sign_in("shop", URL, "x")):
        with pytest.raises(AccountError) as caught:
            attempt()
        errors.append(caught.value)
    texts += [str(e) for e in errors] + [repr(e) for e in errors]
    for text in texts:
        assert API_KEY not in text
        assert keys.store_key.hex() not in text
    with pytest.raises(TypeError):
        pickle.dumps(keys)


def test_private_permissions(vault: Vault) -> None:
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    record, _ = vault.sign_in("shop", URL, API_KEY)
    store = vault.open_store("shop")
    store.sync_state.set("k", "v")
    for folder in (paths.data_dir(), paths.accounts_dir(), record.directory):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    files = [p for p in paths.data_dir().rglob("*") if p.is_file()]
    assert any(p.name == "store.db-wal" for p in files)
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    store.close()


def test_open_store_needs_unlocked_keys(vault: Vault) -> None:
    vault.sign_in("shop", URL, API_KEY)
    vault.lock("shop")
    with pytest.raises(VaultLocked):
        vault.open_store("shop")
    vault.unlock("shop")
    with vault.open_store("shop") as store:
        assert store.account_id == AccountRegistry().get("shop").account_id
