"""Store key rotation in two steps, safe to interrupt: stage a new key beside the old one, then
promote it (the old one is overwritten) once the account's record names the new key.

Between the two steps the vault holds both keys; `Vault.unlock` takes whichever one matches the
fingerprint in the account record, so the record is the one switch that says which key is live
and a crash at any point leaves the account openable with the key its files were made with.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from clickdrop_desktop import paths
from clickdrop_desktop.accounts import AccountRecord
from clickdrop_desktop.store.crypto import STORE_KEY_BYTES, check_store_key, key_id
from clickdrop_desktop.vault import keyring_entries
from clickdrop_desktop.vault.errors import KeyMismatch, KeyringChanged, PassphraseRequired
from clickdrop_desktop.vault.keyring_entries import NEXT_STORE_KEY, STORE_KEY
from clickdrop_desktop.vault.signout import scrub
from clickdrop_desktop.vault.wrapping import unwrap, wrap

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

    from clickdrop_desktop.vault.vault import Vault


def new_store_key() -> bytes:
    return secrets.token_bytes(STORE_KEY_BYTES)


def _backend(vault: Vault, record: AccountRecord) -> KeyringBackend:
    choice = vault.keyring_choice()
    if choice.backend is None or choice.backend_id != record.keyring_backend:
        raise KeyringChanged(
            f"the keys of {record.name!r} are in the keyring {record.keyring_backend}, but this "
            f"session has {choice.backend_id}; restore that keyring and try again"
        )
    return choice.backend


def _wrapped(vault: Vault, record: AccountRecord, passphrase: str | None) -> dict[str, str]:
    if passphrase is None:
        raise PassphraseRequired(
            f"account {record.name!r} is protected by a passphrase; set CLICKDROP_PASSPHRASE"
        )
    blob = (record.directory / vault.wrapped_file).read_bytes()
    return unwrap(blob, passphrase=passphrase, account_id=record.account_id, name=record.name)


def scrub_leftovers(vault: Vault, record: AccountRecord) -> None:
    """Overwrite and delete old wrapped-key files an interrupted re-wrap left behind. One that
    is still a link to the live file (killed before the new file was in place) is only
    unlinked: overwriting it would destroy the live keys."""
    path = record.directory / vault.wrapped_file
    for old in record.directory.glob(f"{vault.wrapped_file}.old-*"):
        with contextlib.suppress(OSError):
            if not (path.exists() and os.path.samefile(old, path)):
                scrub(old)
            old.unlink()


def _rewrap(vault: Vault, record: AccountRecord, payload: dict[str, str], passphrase: str) -> None:
    """Replace the wrapped keys; the old file's bytes are overwritten once the new one is in
    place (a hard link keeps the old inode reachable until then: never a moment with neither)."""
    scrub_leftovers(vault, record)
    path = record.directory / vault.wrapped_file
    blob = wrap(payload, passphrase=passphrase, account_id=record.account_id, params=vault.kdf)
    old: Path | None = path.with_name(f"{path.name}.old-{secrets.token_hex(4)}")
    assert old is not None
    try:
        os.link(path, old)
    except OSError:
        old = None
    paths.atomic_write(path, blob)
    if old is not None:
        scrub(old)
        with contextlib.suppress(OSError):
            old.unlink()


def read_staged(vault: Vault, record: AccountRecord, passphrase: str | None) -> bytes | None:
    """The staged (next) store key of `record`, or None."""
    if record.uses_passphrase:
        text = _wrapped(vault, record, passphrase).get("store_key_next")
    else:
        text = keyring_entries.read_entry(
            _backend(vault, record), record.account_id, NEXT_STORE_KEY
        )
    if not text:
        return None
    try:
        return check_store_key(bytes.fromhex(text))
    except ValueError:
        raise KeyMismatch(f"the staged store key of {record.name!r} is damaged") from None


def stage(vault: Vault, record: AccountRecord, key: bytes, passphrase: str | None) -> None:
    """Keep `key` as the account's next store key, beside the current one (which stays live)."""
    raw = check_store_key(key)
    if record.uses_passphrase:
        payload = _wrapped(vault, record, passphrase)  # PassphraseRequired without one
        assert passphrase is not None
        _rewrap(vault, record, {**payload, "store_key_next": raw.hex()}, passphrase)
    else:
        keyring_entries.write_entry(
            _backend(vault, record), record.account_id, NEXT_STORE_KEY, raw.hex()
        )


def promote(vault: Vault, record: AccountRecord, passphrase: str | None) -> bool:
    """Make the staged key the store key and destroy the old one. Call only once `record`
    names the staged key (`record.key_id`). Returns False when there was nothing to promote
    (already done: safe to call again after an interruption)."""
    staged = read_staged(vault, record, passphrase)
    if staged is None:
        if record.uses_passphrase:
            scrub_leftovers(vault, record)  # a promote killed after its re-wrap
        return False
    if key_id(staged) != record.key_id:
        raise KeyMismatch(
            f"the staged store key of {record.name!r} is not the one its record names"
        )
    if record.uses_passphrase:
        assert passphrase is not None
        payload = _wrapped(vault, record, passphrase)
        fresh = {"api_key": payload["api_key"], "store_key": staged.hex()}
        _rewrap(vault, record, fresh, passphrase)
    else:
        backend = _backend(vault, record)
        # Overwrite the old key first (a crash here leaves both entries holding the new key),
        # then drop the staged copy.
        keyring_entries.write_entry(backend, record.account_id, STORE_KEY, staged.hex())
        keyring_entries.delete_entry(backend, record.account_id, NEXT_STORE_KEY)
    vault.lock(record.name)  # the old key may be held in memory: forget it
    return True


def discard_staged(vault: Vault, record: AccountRecord, passphrase: str | None) -> None:
    """Drop a staged key that never became live (a rebuild started over)."""
    if read_staged(vault, record, passphrase) is None:
        return
    if record.uses_passphrase:
        assert passphrase is not None
        payload = _wrapped(vault, record, passphrase)
        _rewrap(
            vault,
            record,
            {k: v for k, v in payload.items() if k != "store_key_next"},
            passphrase,
        )
    else:
        keyring_entries.delete_entry(_backend(vault, record), record.account_id, NEXT_STORE_KEY)
