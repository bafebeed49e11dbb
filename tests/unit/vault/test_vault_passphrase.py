"""No trustworthy keyring: keys wrapped under a passphrase (scrypt + AES-GCM), only the blob on
disk; a wrong passphrase touches nothing; changing it re-wraps without touching the store."""

from __future__ import annotations

import json
import os

import keyring
import pytest
from keyring.backends import fail

from clickdrop_desktop.accounts import AccountRegistry
from clickdrop_desktop.store import OrderSource
from clickdrop_desktop.vault import (
    DEFAULT_SCRYPT,
    WRAPPED_FILE,
    InsecureKeyring,
    PassphraseRequired,
    PassphraseTooShort,
    ScryptParams,
    Vault,
    WrappedKeysDamaged,
    WrongPassphrase,
    passphrase_from_env,
)
from tests.helpers.order_factory import full_orders
from tests.unit.vault.conftest import API_KEY, PASSPHRASE, TEST_KDF, make_vault

URL = "http://127.0.0.1:9/api/v1"


@pytest.fixture
def insecure_vault() -> Vault:
    keyring.set_keyring(fail.Keyring())
    return make_vault()


def test_insecure_keyring_asks_for_a_passphrase(insecure_vault: Vault) -> None:
    with pytest.raises(InsecureKeyring) as caught:
        insecure_vault.sign_in("shop", URL, API_KEY)
    assert "CLICKDROP_PASSPHRASE" in caught.value.message
    assert isinstance(caught.value, PassphraseRequired)
    assert list(AccountRegistry().names()) == []


def test_passphrase_path_keeps_only_the_wrapped_blob(insecure_vault: Vault) -> None:
    record, keys = insecure_vault.sign_in("shop", URL, API_KEY, passphrase=PASSPHRASE)
    assert record.uses_passphrase
    assert record.key_backend == "passphrase"
    blob = (record.directory / WRAPPED_FILE).read_bytes()
    assert API_KEY.encode() not in blob
    assert keys.store_key.hex().encode() not in blob
    data = json.loads(blob)
    assert data["kdf"]["name"] == "scrypt"
    assert data["kdf"]["n"] == TEST_KDF.n
    assert data["aead"] == "AES-256-GCM"
    assert data["version"] == 1
    assert record.crypto["wrap"]["n"] == TEST_KDF.n
    assert insecure_vault.wrap_params("shop") == TEST_KDF


def test_unlock_needs_the_passphrase(insecure_vault: Vault) -> None:
    _, keys = insecure_vault.sign_in("shop", URL, API_KEY, passphrase=PASSPHRASE)
    fresh = make_vault()
    with pytest.raises(PassphraseRequired):
        fresh.unlock("shop")
    assert fresh.unlock("shop", passphrase=PASSPHRASE).store_key == keys.store_key


def test_wrong_passphrase_is_a_clear_error_and_touches_nothing(insecure_vault: Vault) -> None:
    record, _ = insecure_vault.sign_in("shop", URL, API_KEY, passphrase=PASSPHRASE)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in record.directory.rglob("*")}
    registry_before = AccountRegistry().path.read_bytes()
    with pytest.raises(WrongPassphrase) as caught:
        make_vault().unlock("shop", passphrase="not the passphrase")
    assert caught.value.message == "wrong passphrase for account 'shop'"
    with pytest.raises(WrongPassphrase):
        make_vault().change_passphrase("shop", "not the passphrase", "a new passphrase")
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in record.directory.rglob("*")}
    assert after == before
    assert AccountRegistry().path.read_bytes() == registry_before


def test_change_passphrase_rewraps_without_touching_the_store(insecure_vault: Vault) -> None:
    record, _ = insecure_vault.sign_in("shop", URL, API_KEY, passphrase=PASSPHRASE)
    with insecure_vault.open_store("shop") as store:
        store.upsert_orders(full_orders(5), OrderSource.FULL)
    store_file = record.directory / "store.db"
    store_bytes = store_file.read_bytes()
    updated = insecure_vault.change_passphrase("shop", PASSPHRASE, "a brand new passphrase")
    assert updated.key_id == record.key_id
    assert store_file.read_bytes() == store_bytes  # not re-encrypted
    fresh = make_vault()
    with pytest.raises(WrongPassphrase):
        fresh.unlock("shop", passphrase=PASSPHRASE)
    fresh.unlock("shop", passphrase="a brand new passphrase")
    with fresh.open_store("shop") as store:
        assert store.count_orders() == 5


def test_change_passphrase_upgrades_to_the_vault_parameters(insecure_vault: Vault) -> None:
    insecure_vault.sign_in("shop", URL, API_KEY, passphrase=PASSPHRASE)
    stronger = ScryptParams(n=2**13)
    Vault(AccountRegistry(), kdf=stronger).change_passphrase("shop", PASSPHRASE, "next passphrase")
    assert make_vault().wrap_params("shop") == stronger
    assert AccountRegistry().get("shop").crypto["wrap"]["n"] == 2**13


def test_new_passphrases_must_not_be_trivial(insecure_vault: Vault) -> None:
    with pytest.raises(PassphraseTooShort):
        insecure_vault.sign_in("shop", URL, API_KEY, passphrase="short")


def test_blob_of_another_account_does_not_open(insecure_vault: Vault) -> None:
    a, _ = insecure_vault.sign_in("a", URL, API_KEY, passphrase=PASSPHRASE)
    b, _ = insecure_vault.sign_in("b", URL, API_KEY, passphrase=PASSPHRASE)
    (b.directory / WRAPPED_FILE).write_bytes((a.directory / WRAPPED_FILE).read_bytes())
    with pytest.raises(WrongPassphrase):  # the AAD binds the blob to its account
        make_vault().unlock("b", passphrase=PASSPHRASE)


def test_damaged_or_tampered_blob_is_refused(insecure_vault: Vault) -> None:
    record, _ = insecure_vault.sign_in("shop", URL, API_KEY, passphrase=PASSPHRASE)
    path = record.directory / WRAPPED_FILE
    path.write_bytes(b"{not json")
    with pytest.raises(WrappedKeysDamaged):
        make_vault().unlock("shop", passphrase=PASSPHRASE)
    data = json.loads(insecure_vault_blob(insecure_vault))
    data["kdf"]["n"] = 2**40  # an absurd cost is refused before any work
    path.write_text(json.dumps(data))
    with pytest.raises(WrappedKeysDamaged):
        make_vault().unlock("shop", passphrase=PASSPHRASE)


def insecure_vault_blob(vault: Vault) -> bytes:
    record, _ = vault.sign_in("other", URL, API_KEY, passphrase=PASSPHRASE)
    return (record.directory / WRAPPED_FILE).read_bytes()


def test_a_later_secure_keyring_does_not_move_passphrase_accounts(
    insecure_vault: Vault,
) -> None:
    from tests.helpers.memory_keyring import MemoryKeyring

    insecure_vault.sign_in("shop", URL, API_KEY, passphrase=PASSPHRASE)
    keyring.set_keyring(MemoryKeyring())
    with pytest.raises(PassphraseRequired):
        make_vault().unlock("shop")
    assert make_vault().unlock("shop", passphrase=PASSPHRASE).api_key == API_KEY


def test_default_kdf_is_the_documented_one() -> None:
    assert (DEFAULT_SCRYPT.n, DEFAULT_SCRYPT.r, DEFAULT_SCRYPT.p) == (2**17, 8, 1)


def test_passphrase_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLICKDROP_PASSPHRASE", raising=False)
    assert passphrase_from_env() is None
    monkeypatch.setenv("CLICKDROP_PASSPHRASE", "")
    assert passphrase_from_env() is None
    monkeypatch.setenv("CLICKDROP_PASSPHRASE", PASSPHRASE)
    assert passphrase_from_env() == PASSPHRASE
    assert os.environ["CLICKDROP_PASSPHRASE"] == PASSPHRASE
