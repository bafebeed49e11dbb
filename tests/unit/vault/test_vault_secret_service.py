"""The vault against the real Secret Service (gnome-keyring under dbus-run-session; dev.py and CI
run these with `-m keyring_integration`). Nothing here is faked: keyring's own backend choice,
its SecretService backend, and a real daemon holding the keys."""

from __future__ import annotations

import os
import uuid

import keyring
import pytest
import secretstorage
from keyring.backends import SecretService, fail

from clickdrop_desktop.accounts import AccountRegistry
from clickdrop_desktop.store import OrderSource
from clickdrop_desktop.vault import SERVICE, KeyringChanged, UnsyncedChanges, Vault
from tests.helpers.order_factory import full_orders

pytestmark = pytest.mark.keyring_integration
SECRET_SERVICE = "keyring.backends.SecretService.Keyring"
URL = "http://127.0.0.1:9/api/v1"


@pytest.fixture(autouse=True)
def _real_keyring() -> None:
    keyring.set_keyring(SecretService.Keyring())
    if not Vault().keyring_choice().secure:
        message = "no usable Secret Service: run under dbus-run-session with gnome-keyring"
        if os.environ.get("CLICKDROP_REQUIRE_KEYRING_TESTS"):
            pytest.fail(message)  # CI: the daemon must be there
        pytest.skip(message)  # a plain `pytest` on a desktop without one


def _daemon_has(account_id: str) -> set[str]:
    """Item labels/attributes straight from the daemon, not through python-keyring."""
    connection = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(connection)
        found = set()
        for item in collection.get_all_items():
            attributes = item.get_attributes()
            if attributes.get("service") == SERVICE and attributes.get("username", "").startswith(
                account_id
            ):
                found.add(attributes["username"])
        return found
    finally:
        connection.close()


def test_keys_live_in_the_secret_service_and_are_deleted_on_sign_out() -> None:
    vault = Vault()
    name = f"shop-{uuid.uuid4().hex[:6]}"
    api_key = f"key-{uuid.uuid4()}"
    record, keys = vault.sign_in(name, URL, api_key)
    assert record.key_backend == f"keyring:{SECRET_SERVICE}"
    assert _daemon_has(record.account_id) == {
        f"{record.account_id}:api-key",
        f"{record.account_id}:store-key",
    }
    fresh = Vault()
    assert fresh.unlock(name).store_key == keys.store_key
    with fresh.open_store(name) as store:
        store.upsert_orders(full_orders(3), OrderSource.FULL)
        store.outbox.enqueue("despatch", {"orderIdentifier": 1_000_001})
    with pytest.raises(UnsyncedChanges):
        fresh.sign_out(name)
    fresh.sign_out(name, force=True)
    assert _daemon_has(record.account_id) == set()
    assert not record.directory.exists()


def test_switching_away_from_the_secret_service_fails_closed() -> None:
    vault = Vault()
    name = f"shop-{uuid.uuid4().hex[:6]}"
    _record, _ = vault.sign_in(name, URL, "key-abc")
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(KeyringChanged):
        Vault().unlock(name)
    keyring.set_keyring(SecretService.Keyring())
    assert Vault().unlock(name).api_key == "key-abc"
    Vault().sign_out(name, force=True)
    assert name not in AccountRegistry().names()
