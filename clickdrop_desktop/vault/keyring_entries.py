"""An account's keyring entries (`<account id>:api-key`, `<account id>:store-key`, and during a
cache rebuild `<account id>:store-key-next`, the new store key until it replaces the old one)."""

from __future__ import annotations

from keyring.backend import KeyringBackend

from clickdrop_desktop.vault.errors import KeyringUnavailable
from clickdrop_desktop.vault.keyring_policy import KeyringChoice
from clickdrop_desktop.vault.secrets import AccountKeys

SERVICE = "clickdrop-desktop"
ITEMS = ("api-key", "store-key", "store-key-next")
STORE_KEY, NEXT_STORE_KEY = "store-key", "store-key-next"


def entry(account_id: str, item: str) -> str:
    return f"{account_id}:{item}"


def write_keys(choice: KeyringChoice, keys: AccountKeys) -> None:
    """Store both keys and read them back; on any failure nothing is left behind."""
    backend = choice.backend
    assert backend is not None
    values = {"api-key": keys.api_key, "store-key": keys.store_key.hex()}
    try:
        for item, value in values.items():
            backend.set_password(SERVICE, entry(keys.account_id, item), value)
        # Read back before anything depends on it (a keyring that drops writes silently
        # would otherwise leave a store no one can open).
        for item, value in values.items():
            if backend.get_password(SERVICE, entry(keys.account_id, item)) != value:
                raise KeyringUnavailable("the keyring did not keep the keys it was given")
    except KeyringUnavailable:
        delete_keys(backend, keys.account_id)
        raise
    except Exception as exc:  # noqa: BLE001 - any backend failure: one line, no secret
        delete_keys(backend, keys.account_id)
        raise KeyringUnavailable(
            f"the keyring refused to store the keys ({exc.__class__.__name__})"
        ) from None


def read_keys(backend: KeyringBackend, account_id: str) -> tuple[str | None, str | None]:
    """(API key, store key hex); None for a missing entry."""
    try:
        return (
            backend.get_password(SERVICE, entry(account_id, "api-key")),
            backend.get_password(SERVICE, entry(account_id, "store-key")),
        )
    except Exception as exc:  # noqa: BLE001 - locked collection, D-Bus gone, ...
        raise KeyringUnavailable(
            f"the keyring could not be read ({exc.__class__.__name__}); unlock it and retry"
        ) from None


def delete_keys(backend: KeyringBackend, account_id: str) -> bool:
    """Delete both entries; True if nothing is left (already gone counts as deleted)."""
    ok = True
    for item in ITEMS:
        try:
            backend.delete_password(SERVICE, entry(account_id, item))
        except Exception:  # noqa: BLE001 - already gone (PasswordDeleteError) or failing
            try:
                ok = ok and backend.get_password(SERVICE, entry(account_id, item)) is None
            except Exception:  # noqa: BLE001
                ok = False
    return ok


def write_entry(backend: KeyringBackend, account_id: str, item: str, value: str) -> None:
    """Store one entry and read it back; `KeyringUnavailable` (no secret in it) on failure."""
    try:
        backend.set_password(SERVICE, entry(account_id, item), value)
        kept = backend.get_password(SERVICE, entry(account_id, item)) == value
    except Exception as exc:  # noqa: BLE001 - any backend failure: one line, no secret
        raise KeyringUnavailable(
            f"the keyring refused to store a key ({exc.__class__.__name__})"
        ) from None
    if not kept:
        raise KeyringUnavailable("the keyring did not keep the key it was given")


def read_entry(backend: KeyringBackend, account_id: str, item: str) -> str | None:
    try:
        return backend.get_password(SERVICE, entry(account_id, item))
    except Exception as exc:  # noqa: BLE001 - locked collection, D-Bus gone, ...
        raise KeyringUnavailable(
            f"the keyring could not be read ({exc.__class__.__name__}); unlock it and retry"
        ) from None


def delete_entry(backend: KeyringBackend, account_id: str, item: str) -> None:
    try:
        backend.delete_password(SERVICE, entry(account_id, item))
    except Exception:  # noqa: BLE001 - already gone (PasswordDeleteError)
        if read_entry(backend, account_id, item) is not None:
            raise KeyringUnavailable("the keyring refused to delete a key") from None
