"""The vault: each account's API key and random 256-bit store key, kept in the OS keyring
(or, without a trustworthy keyring, wrapped under a passphrase), unlocked into memory on demand.

Lock drops the keys from memory and keeps everything on disk; sign-out destroys the keys
(crypto-shredding the store, which is then deleted with its WAL, SHM, journal and label files).
Keyring calls can block (a desktop unlock prompt): call the vault off the GUI thread.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import threading
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keyring.backend import KeyringBackend

from clickdrop_desktop import paths
from clickdrop_desktop.accounts import (
    KEYRING_PREFIX,
    PASSPHRASE_STORAGE,
    AccountExists,
    AccountRecord,
    AccountRegistry,
    check_no_rebuild,
    now_text,
    with_crypto,
)
from clickdrop_desktop.store import CIPHER_V1, STORE_FILE, CipherSettings, Store
from clickdrop_desktop.store.crypto import STORE_KEY_BYTES, key_id
from clickdrop_desktop.vault import keyring_entries, rotation, signout
from clickdrop_desktop.vault.errors import (
    InsecureKeyring,
    KeyMismatch,
    KeyringChanged,
    KeysMissing,
    PassphraseRequired,
    PassphraseTooShort,
    VaultError,
    VaultLocked,
)
from clickdrop_desktop.vault.keyring_entries import SERVICE
from clickdrop_desktop.vault.keyring_policy import (
    DEFAULT_ALLOWED_BACKENDS,
    KeyringChoice,
    choose_backend,
)
from clickdrop_desktop.vault.secrets import AccountKeys
from clickdrop_desktop.vault.wrapping import (
    DEFAULT_SCRYPT,
    MIN_PASSPHRASE,
    ScryptParams,
    read_params,
    unwrap,
    wrap,
)

WRAPPED_FILE = "keys.wrapped"
PASSPHRASE_ENV = "CLICKDROP_PASSPHRASE"  # noqa: S105 - the variable's name, not a secret
CRYPTO_VERSION = 1


def passphrase_from_env() -> str | None:
    """`CLICKDROP_PASSPHRASE`, the CLI's non-interactive passphrase (None when unset/empty)."""
    return os.environ.get(PASSPHRASE_ENV) or None


def store_path(record: AccountRecord) -> Path:
    return record.directory / STORE_FILE


def _check_new_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise PassphraseTooShort(f"a passphrase needs at least {MIN_PASSPHRASE} characters")


@dataclass(frozen=True, slots=True)
class SignOutReport:
    name: str
    discarded_changes: int | None  # unsynced outbox items thrown away (force); None: unknown
    keyring_entries_left: bool  # the recorded keyring was not available to delete them from


class Vault:
    """Keys of every account on this machine.

    Args:
        registry: the account list (default: `accounts.json` in the data dir).
        keyring_backend: the keyring to use; default python-keyring's current backend
            (so `keyring.set_keyring()` and `PYTHON_KEYRING_BACKEND` apply).
        allowed_backends: class paths accepted as secure (tests add their in-memory backend).
        kdf: scrypt parameters for new wraps; lower `n` only in tests (it is recorded on disk).
    """

    def __init__(
        self,
        registry: AccountRegistry | None = None,
        *,
        keyring_backend: KeyringBackend | None = None,
        allowed_backends: Collection[str] = DEFAULT_ALLOWED_BACKENDS,
        kdf: ScryptParams = DEFAULT_SCRYPT,
    ) -> None:
        self.registry = registry or AccountRegistry()
        self._backend = keyring_backend
        self._allowed = frozenset(allowed_backends)
        self._kdf = kdf
        self._unlocked: dict[str, AccountKeys] = {}
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"Vault(unlocked={sorted(self._unlocked)!r})"

    wrapped_file = WRAPPED_FILE

    @property
    def kdf(self) -> ScryptParams:
        """scrypt parameters for new wraps (key rotation re-wraps with them)."""
        return self._kdf

    # -- where keys go -----------------------------------------------------------------------------

    def keyring_choice(self) -> KeyringChoice:
        return choose_backend(self._backend, allowed=self._allowed)

    def storage_for_new_account(self, passphrase: str | None = None) -> str:
        """Where a new account's keys would be kept: `keyring:<backend>` or `passphrase`.

        Raises `InsecureKeyring` when there is no trustworthy keyring and no passphrase, so a
        front end can ask for one before it talks to the network.
        """
        choice = self.keyring_choice()
        if choice.secure:
            return KEYRING_PREFIX + choice.backend_id
        if passphrase is None:
            raise InsecureKeyring(
                f"no secure keyring on this machine ({choice.reason}); set {PASSPHRASE_ENV} "
                "or enter a passphrase to protect this account's keys"
            )
        _check_new_passphrase(passphrase)
        return PASSPHRASE_STORAGE

    # -- sign in -----------------------------------------------------------------------------------

    def sign_in(
        self,
        name: str,
        api_url: str,
        api_key: str,
        *,
        passphrase: str | None = None,
        capabilities: Iterable[str] = (),
        account_type: str | None = None,
        auth_scheme: str | None = None,
        trading_names: Iterable[str] = (),
        make_active: bool = False,
        extra: Mapping[str, Any] | None = None,
    ) -> tuple[AccountRecord, AccountKeys]:
        """Keep a verified account: a fresh random store key, both keys in the keyring (or
        wrapped under `passphrase` when the keyring is not trustworthy), then the record.

        The caller has already checked the API key works and probed the capabilities. The
        account comes back unlocked. Raises `AccountExists`, `InsecureKeyring`,
        `PassphraseTooShort`, `KeyringUnavailable`.
        """
        name = name.strip()
        if not name or not api_key:
            raise VaultError("an account needs a name and an API key")
        if name in self.registry.names():
            raise AccountExists(f"an account named {name!r} is already signed in")
        storage = self.storage_for_new_account(passphrase)
        account_id = uuid.uuid4().hex
        keys = AccountKeys(account_id, api_key, secrets.token_bytes(STORE_KEY_BYTES))
        # The id suffix keeps names that sanitise alike ("a/b", "a_b") in separate folders.
        folder = paths.account_dir(f"{name}-{account_id[:8]}")
        crypto: dict[str, Any] = {
            "version": CRYPTO_VERSION,
            "store": CIPHER_V1.to_dict(),
            "journal": {"aead": "AES-256-GCM", "kdf": "HKDF-SHA256", "version": 1},
        }
        try:
            if storage == PASSPHRASE_STORAGE:
                assert passphrase is not None
                crypto["wrap"] = {**self._kdf.to_dict(), "aead": "AES-256-GCM"}
                payload = {"api_key": api_key, "store_key": keys.store_key.hex()}
                blob = wrap(payload, passphrase=passphrase, account_id=account_id, params=self._kdf)
                paths.atomic_write(folder / WRAPPED_FILE, blob)
            else:
                keyring_entries.write_keys(self.keyring_choice(), keys)
            record = AccountRecord(
                name=name,
                account_id=account_id,
                api_url=api_url,
                folder=folder.name,
                key_backend=storage,
                key_id=keys.key_id,
                crypto=crypto,
                capabilities=frozenset(capabilities),
                account_type=account_type,
                auth_scheme=auth_scheme,
                trading_names=tuple(trading_names),
                created_at=now_text(),
                extra=dict(extra or {}),
            )
            self.registry.add(record, make_active=make_active)
        except BaseException:
            # Nothing half-made stays behind: no orphan keys, no folder.
            choice = self.keyring_choice()
            if storage != PASSPHRASE_STORAGE and choice.backend is not None:
                keyring_entries.delete_keys(choice.backend, account_id)
            shutil.rmtree(folder, ignore_errors=True)
            keys.wipe()
            raise
        with self._lock:
            self._unlocked[name] = keys
        return record, keys

    # -- unlock and lock ---------------------------------------------------------------------------

    def unlock(self, name: str | None = None, *, passphrase: str | None = None) -> AccountKeys:
        """Load an account's keys into memory (the active account when `name` is None).

        Raises `NoSuchAccount`, `PassphraseRequired`, `WrongPassphrase`, `KeyringChanged`,
        `KeysMissing`, `KeyMismatch`, `KeyringUnavailable`, `WrappedKeysDamaged`.
        """
        record = self.registry.find(name)
        with self._lock:
            held = self._unlocked.get(record.name)
            if held is not None and held.account_id == record.account_id and not held.wiped:
                return held
        keys = self._read_keys(record, passphrase)
        if keys.key_id != record.key_id:
            # A cache rebuild interrupted after the record switched to its new key.
            staged = rotation.read_staged(self, record, passphrase)
            if staged is not None and key_id(staged) == record.key_id:
                keys = AccountKeys(record.account_id, keys.api_key, staged)
        if keys.key_id != record.key_id:
            keys.wipe()
            raise KeyMismatch(
                f"the store key found for {record.name!r} is not the one its store was made "
                "with; refusing to continue (remove the account and sign in again)"
            )
        with self._lock:
            self._unlocked[record.name] = keys
        return keys

    def _read_keys(self, record: AccountRecord, passphrase: str | None) -> AccountKeys:
        if record.uses_passphrase:
            if passphrase is None:
                raise PassphraseRequired(
                    f"account {record.name!r} is protected by a passphrase; set {PASSPHRASE_ENV} "
                    "or enter it"
                )
            try:
                blob = (record.directory / WRAPPED_FILE).read_bytes()
            except FileNotFoundError:
                raise KeysMissing(
                    f"the keys of {record.name!r} are missing; remove the account and sign in again"
                ) from None
            payload = unwrap(
                blob, passphrase=passphrase, account_id=record.account_id, name=record.name
            )
            return _keys_from(record, payload["api_key"], payload["store_key"])
        choice = self.keyring_choice()
        if choice.backend is None or choice.backend_id != record.keyring_backend:
            raise KeyringChanged(
                f"the keys of {record.name!r} are in the keyring {record.keyring_backend}, but "
                f"this session has {choice.backend_id}; refusing to continue (no new key is "
                "made over an existing store): restore that keyring, or remove the account "
                "and sign in again"
            )
        api_key, store_hex = keyring_entries.read_keys(choice.backend, record.account_id)
        if not api_key or not store_hex:
            raise KeysMissing(
                f"the keyring holds no keys for {record.name!r}; remove the account and sign in "
                "again"
            )
        return _keys_from(record, api_key, store_hex)

    def keys(self, name: str) -> AccountKeys:
        """The keys of an unlocked account; `VaultLocked` if they are not in memory."""
        with self._lock:
            keys = self._unlocked.get(name)
        if keys is None or keys.wiped:
            raise VaultLocked(f"account {name!r} is locked; unlock it to continue")
        return keys

    def is_unlocked(self, name: str) -> bool:
        with self._lock:
            keys = self._unlocked.get(name)
        return keys is not None and not keys.wiped

    def lock(self, name: str | None = None) -> None:
        """Drop keys from memory (one account, or all). Data stays on disk. Close the account's
        `Store` first: an open connection still holds the key inside SQLCipher."""
        with self._lock:
            names = [name] if name is not None else list(self._unlocked)
            for each in names:
                keys = self._unlocked.pop(each, None)
                if keys is not None:
                    keys.wipe()

    # -- passphrase --------------------------------------------------------------------------------

    def change_passphrase(self, name: str, old: str, new: str) -> AccountRecord:
        """Re-wrap the same keys under `new` (the store is not re-encrypted). A wrong `old`
        raises `WrongPassphrase` and changes nothing."""
        record = self.registry.get(name)
        if not record.uses_passphrase:
            raise VaultError(f"the keys of {name!r} are in the OS keyring; there is no passphrase")
        _check_new_passphrase(new)
        path = record.directory / WRAPPED_FILE
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            raise KeysMissing(f"the keys of {name!r} are missing") from None
        payload = unwrap(blob, passphrase=old, account_id=record.account_id, name=name)
        keys = _keys_from(record, payload["api_key"], payload["store_key"])
        if keys.key_id != record.key_id:
            keys.wipe()
            raise KeyMismatch(f"the wrapped store key of {name!r} does not match its store")
        keys.wipe()
        fresh = wrap(payload, passphrase=new, account_id=record.account_id, params=self._kdf)
        paths.atomic_write(path, fresh)
        updated = with_crypto(record, wrap={**self._kdf.to_dict(), "aead": "AES-256-GCM"})
        self.registry.update(updated)
        return updated

    def wrap_params(self, name: str) -> ScryptParams:
        """The scrypt parameters of an account's wrapped keys, as recorded in the file."""
        record = self.registry.get(name)
        return read_params((record.directory / WRAPPED_FILE).read_bytes())

    # -- the store -------------------------------------------------------------------------------

    def open_store(self, name: str) -> Store:
        """Open the unlocked account's encrypted store (created on first use)."""
        record = self.registry.get(name)
        check_no_rebuild(record)
        keys = self.keys(name)
        cipher = CipherSettings.from_dict(dict(record.crypto.get("store") or CIPHER_V1.to_dict()))
        return Store.open(
            store_path(record),
            keys.store_key,
            account_id=record.account_id,
            key_id=record.key_id,
            cipher=cipher,
        )

    # -- sign out --------------------------------------------------------------------------------

    def unsynced_changes(self, name: str, *, passphrase: str | None = None) -> int:
        """Outbox items of `name` not yet acknowledged by the API (unlocks if needed)."""
        record = self.registry.get(name)
        keys = self.unlock(name, passphrase=passphrase)
        return signout.count_unsynced(record, keys)

    def sign_out(
        self,
        name: str,
        *,
        force: bool = False,
        passphrase: str | None = None,
        wait: float = 0.0,
    ) -> SignOutReport:
        """Destroy the account's keys, then its store, WAL, SHM, journal and files, then forget it.

        Without `force`, refuses (`UnsyncedChanges`) while the outbox holds changes, or when
        they cannot be counted because the keys are unavailable. Refuses (`AccountInUse`, with
        nothing touched) while another window or command has the account's store open; close
        this process's own `Store` first. `wait`: seconds to wait for the store to be closed
        (a window whose workers are still closing it).
        """
        record = self.registry.get(name)
        with signout.take_in_use(record, wait=wait) as lock:
            pending = signout.check_unsynced(
                self, record, passphrase=passphrase, force=force, held=lock
            )
            left = False
            if not record.uses_passphrase:
                choice = self.keyring_choice()
                if choice.backend is not None and choice.backend_id == record.keyring_backend:
                    left = not keyring_entries.delete_keys(choice.backend, record.account_id)
                else:
                    left = True
            if sys.platform == "win32":  # pragma: no cover - an open file cannot be deleted there
                lock.release()
            # POSIX: held through the deletion, so no opener slips in between; its lock file
            # goes with the folder (an opener then finds no account record either).
            signout.shred_folder(record.directory, wrapped_file=WRAPPED_FILE)
        self.lock(name)
        self.registry.remove(name)
        return SignOutReport(name=name, discarded_changes=pending, keyring_entries_left=left)


def _keys_from(record: AccountRecord, api_key: str, store_hex: str) -> AccountKeys:
    try:
        raw = bytes.fromhex(store_hex)
        return AccountKeys(record.account_id, api_key, raw)
    except ValueError:
        raise KeyMismatch(f"the stored key of {record.name!r} is not a valid store key") from None


__all__ = ["PASSPHRASE_ENV", "SERVICE", "WRAPPED_FILE", "SignOutReport", "Vault"]
