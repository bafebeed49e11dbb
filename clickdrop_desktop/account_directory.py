"""Interim account directory for the CLI and sessions: the account list and each account's keys.

ADAPTER, until the vault and account list of issue 3 (`clickdrop_desktop/vault`,
`clickdrop_desktop/accounts.py`) land; `session.open_account` and the `account` command use only
the functions below, so swapping the implementation touches this file alone.

What it does (issue 3, vault section):
- The account list is `accounts.json` in the data dir (names, API URLs, capabilities, which key
  backend holds the keys, the store key's fingerprint): no secret in it.
- Keys (the API key and a random 256-bit store key) go to the OS keyring when its backend is
  secure (priority >= 1 and not a plaintext/"fail"/null backend). Otherwise they are wrapped with
  a key derived from `CLICKDROP_PASSPHRASE` (scrypt, n=2**15, r=8, p=1; AES-256-GCM with the
  account id as associated data) and only the wrapped blob is written (`keys.wrapped`, 0600).
  A wrong passphrase fails the GCM tag: one clear error, nothing touched.
- The backend that holds an account's keys is recorded; finding another one later fails closed
  (never mints a new key over an existing store).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from clickdrop_desktop import paths
from clickdrop_desktop.store.crypto import key_id as store_key_id

SERVICE = "clickdrop-desktop"
PASSPHRASE_ENV = "CLICKDROP_PASSPHRASE"  # noqa: S105 - a variable name, not a secret
PASSPHRASE_BACKEND = "passphrase"  # noqa: S105 - a backend name
WRAPPED_FILE = "keys.wrapped"
_LIST_FILE = "accounts.json"
_INSECURE = ("fail", "null", "plaintext", "chainer")  # module/class names of unsafe backends
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}


class AccountError(Exception):
    """One line for the user; `exit_code` follows the CLI contract (4: keys / auth)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


@dataclass(slots=True)
class AccountRecord:
    """One signed-in account (no secrets)."""

    name: str
    api_url: str
    account_id: str
    folder: str
    key_backend: str
    key_id: str
    account_type: str | None = None
    full: bool = False
    labels: bool = False
    auth_scheme: str | None = None
    created_at: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def directory(self) -> Path:
        return paths.accounts_dir() / self.folder

    def public(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("extra")
        return data


@dataclass(slots=True)
class Keys:
    api_key: str = field(repr=False)
    store_key: bytearray = field(repr=False)


# -- the list ------------------------------------------------------------------------------------


def _list_path() -> Path:
    return paths.data_dir() / _LIST_FILE


def _load() -> dict[str, Any]:
    path = _list_path()
    if not path.exists():
        return {"version": 1, "active": None, "accounts": []}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise AccountError(f"the account list {path} is unreadable") from None
    if not isinstance(data, dict) or not isinstance(data.get("accounts"), list):
        raise AccountError(f"the account list {path} is damaged")
    return data


def _save(data: Mapping[str, Any]) -> None:
    paths.atomic_write(_list_path(), (json.dumps(data, indent=2) + "\n").encode("utf-8"))


def list_accounts() -> list[AccountRecord]:
    known = set(AccountRecord.__dataclass_fields__)
    return [
        AccountRecord(**{k: v for k, v in a.items() if k in known}) for a in _load()["accounts"]
    ]


def active_name() -> str | None:
    active = _load().get("active")
    return str(active) if active else None


def find(name: str | None) -> AccountRecord:
    """The named account, or the active one; one clear line when there is none."""
    accounts = list_accounts()
    if not accounts:
        raise AccountError(
            "no account signed in; run 'clickdrop-desktop account add NAME --api-url URL'", 4
        )
    wanted = name or active_name() or accounts[0].name
    for account in accounts:
        if account.name == wanted:
            return account
    raise AccountError(f"no account named {wanted!r} (see 'clickdrop-desktop account list')")


def set_active(name: str) -> None:
    data = _load()
    if not any(a["name"] == name for a in data["accounts"]):
        raise AccountError(f"no account named {name!r} (see 'clickdrop-desktop account list')")
    data["active"] = name
    _save(data)


def _put(record: AccountRecord, *, make_active: bool) -> None:
    data = _load()
    data["accounts"] = [a for a in data["accounts"] if a["name"] != record.name]
    data["accounts"].append(asdict(record))
    if make_active or not data.get("active"):
        data["active"] = record.name
    _save(data)


def _drop(name: str) -> None:
    data = _load()
    data["accounts"] = [a for a in data["accounts"] if a["name"] != name]
    if data.get("active") == name:
        data["active"] = data["accounts"][0]["name"] if data["accounts"] else None
    _save(data)


# -- key backends ----------------------------------------------------------------------------------


def _secure_keyring() -> Any | None:
    """The keyring backend if it is one we may trust with keys, else None."""
    try:
        import keyring
        from keyring.backends import chainer

        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - a broken keyring install is "no keyring"
        return None
    if isinstance(backend, chainer.ChainerBackend):
        backends = [b for b in backend.backends if _is_secure(b)]
        return backends[0] if backends else None
    return backend if _is_secure(backend) else None


def _is_secure(backend: Any) -> bool:
    name = f"{type(backend).__module__}.{type(backend).__name__}".lower()
    try:
        priority = float(backend.priority)
    except Exception:  # noqa: BLE001 - a backend that cannot say is not trusted
        return False
    return priority >= 1 and not any(word in name for word in _INSECURE)


def _backend_name(backend: Any) -> str:
    return f"keyring:{type(backend).__module__}.{type(backend).__name__}"


def _passphrase() -> str:
    value = os.environ.get(PASSPHRASE_ENV)
    if not value:
        raise AccountError(
            f"no secure keyring here: set {PASSPHRASE_ENV} to protect this account's keys "
            "with a passphrase",
            4,
        )
    return value


def _kek(passphrase: str, salt: bytes, params: Mapping[str, int]) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=params["n"], r=params["r"], p=params["p"])
    return kdf.derive(passphrase.encode("utf-8"))


def _wrap(record: AccountRecord, keys: Keys, passphrase: str) -> bytes:
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    secret = json.dumps({"api_key": keys.api_key, "store_key": keys.store_key.hex()})
    sealed = AESGCM(_kek(passphrase, salt, _SCRYPT)).encrypt(
        nonce, secret.encode(), record.account_id.encode()
    )
    blob = {
        "version": 1,
        "kdf": {"name": "scrypt", **_SCRYPT},
        "cipher": "AES-256-GCM",
        "salt": base64.b64encode(salt).decode(),
        "nonce": base64.b64encode(nonce).decode(),
        "ciphertext": base64.b64encode(sealed).decode(),
    }
    return (json.dumps(blob) + "\n").encode()


def _unwrap(record: AccountRecord, blob: bytes, passphrase: str) -> Keys:
    try:
        data = json.loads(blob)
        params = {k: int(data["kdf"][k]) for k in ("n", "r", "p")}
        salt = base64.b64decode(data["salt"])
        nonce = base64.b64decode(data["nonce"])
        sealed = base64.b64decode(data["ciphertext"])
    except (ValueError, KeyError, TypeError):
        raise AccountError(f"the wrapped keys of {record.name!r} are damaged", 4) from None
    try:
        plain = AESGCM(_kek(passphrase, salt, params)).decrypt(
            nonce, sealed, record.account_id.encode()
        )
    except InvalidTag:
        raise AccountError(f"wrong passphrase for {record.name!r} ({PASSPHRASE_ENV})", 4) from None
    secret = json.loads(plain)
    return Keys(str(secret["api_key"]), bytearray(bytes.fromhex(secret["store_key"])))


# -- keys per account ----------------------------------------------------------------------------


def choose_backend() -> str:
    """Where a new account's keys would go (checks the passphrase is there when needed)."""
    backend = _secure_keyring()
    if backend is not None:
        return _backend_name(backend)
    _passphrase()
    return PASSPHRASE_BACKEND


def unlock(record: AccountRecord) -> Keys:
    """The account's keys, from the backend recorded at sign-in (fail closed on a change)."""
    if record.key_backend == PASSPHRASE_BACKEND:
        path = record.directory / WRAPPED_FILE
        if not path.exists():
            raise AccountError(
                f"the keys of {record.name!r} are missing; sign in again (account add)", 4
            )
        keys = _unwrap(record, path.read_bytes(), _passphrase())
    else:
        backend = _secure_keyring()
        if backend is None or _backend_name(backend) != record.key_backend:
            raise AccountError(
                f"the keys of {record.name!r} are in another keyring "
                f"({record.key_backend.removeprefix('keyring:')}) than this session's; "
                "refusing to continue",
                4,
            )
        api_key = backend.get_password(SERVICE, f"{record.account_id}:api-key")
        store_key = backend.get_password(SERVICE, f"{record.account_id}:store-key")
        if not api_key or not store_key:
            raise AccountError(f"the keyring holds no keys for {record.name!r}; sign in again", 4)
        keys = Keys(api_key, bytearray(bytes.fromhex(store_key)))
    if store_key_id(bytes(keys.store_key)) != record.key_id:
        raise AccountError(f"the store key of {record.name!r} is not the one it was made with", 4)
    return keys


def add(
    name: str,
    api_url: str,
    api_key: str,
    *,
    account_type: str | None,
    full: bool,
    labels: bool,
    auth_scheme: str | None,
) -> tuple[AccountRecord, Keys]:
    """Record a verified account and keep its keys; returns the record and the new keys."""
    if any(a.name == name for a in list_accounts()):
        raise AccountError(f"an account named {name!r} exists; remove it first or pick another")
    backend_name = choose_backend()
    keys = Keys(api_key, bytearray(secrets.token_bytes(32)))
    account_id = uuid.uuid4().hex
    # The id suffix keeps two names that sanitise alike ("a/b", "a_b") apart on disk.
    folder = paths.account_dir(f"{name}-{account_id[:8]}").name
    record = AccountRecord(
        name=name,
        api_url=api_url,
        account_id=account_id,
        folder=folder,
        key_backend=backend_name,
        key_id=store_key_id(bytes(keys.store_key)),
        account_type=account_type,
        full=full,
        labels=labels,
        auth_scheme=auth_scheme,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    paths.ensure_private_dir(record.directory)
    if backend_name == PASSPHRASE_BACKEND:
        paths.atomic_write(record.directory / WRAPPED_FILE, _wrap(record, keys, _passphrase()))
    else:
        backend = _secure_keyring()
        assert backend is not None
        backend.set_password(SERVICE, f"{account_id}:api-key", api_key)
        backend.set_password(SERVICE, f"{account_id}:store-key", keys.store_key.hex())
    _put(record, make_active=False)
    return record, keys


def remove(record: AccountRecord) -> None:
    """Sign out: delete the keys (crypto-shred), then the store, WAL, journal and folder."""
    if record.key_backend != PASSPHRASE_BACKEND:
        backend = _secure_keyring()
        if backend is not None and _backend_name(backend) == record.key_backend:
            for item in ("api-key", "store-key"):
                with contextlib.suppress(Exception):  # already gone is fine
                    backend.delete_password(SERVICE, f"{record.account_id}:{item}")
    folder = record.directory
    if folder.exists():
        for path in sorted(folder.rglob("*"), reverse=True):
            if path.is_file():
                _overwrite_and_unlink(path)
        shutil.rmtree(folder, ignore_errors=True)
    _drop(record.name)


def _overwrite_and_unlink(path: Path) -> None:
    # The store is ciphertext and its key is gone; overwriting the wrapped keys is cheap
    # insurance for the passphrase case (on SSDs it is best effort, the key deletion is not).
    if path.name == WRAPPED_FILE:
        size = path.stat().st_size
        with path.open("r+b") as handle:
            handle.write(secrets.token_bytes(size))
            handle.flush()
            os.fsync(handle.fileno())
    path.unlink(missing_ok=True)
