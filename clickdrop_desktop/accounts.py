"""The account registry: which accounts are signed in on this machine, and the active one.

`accounts.json` in the data dir, written atomically (`paths.atomic_write`: 0600, fsync,
replace). It holds no secret: names, API URLs, capabilities, where the keys are kept (which
keyring backend, or "passphrase"), the store key's public fingerprint and the crypto parameters
(versioned, so they can be upgraded later). The keys themselves are the vault's business.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from clickdrop_desktop import paths

REGISTRY_FILE = "accounts.json"
REGISTRY_VERSION = 1
PASSPHRASE_STORAGE = "passphrase"  # noqa: S105 - the name of a key storage, not a secret
KEYRING_PREFIX = "keyring:"

CAP_FULL = "full"  # ChannelShipper: /orders/full (addresses, lines, status)
CAP_LABELS = "labels"  # OBA: labels through the API


class AccountError(Exception):
    """Base of registry and vault errors: `message` is one line, `exit_code` the CLI's."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NoSuchAccount(AccountError):
    """No account of that name (or none at all) is signed in on this machine."""


class AccountExists(AccountError):
    """An account of that name is already signed in."""


class RegistryDamaged(AccountError):
    """`accounts.json` cannot be read; nothing was changed."""


class RebuildPending(AccountError):
    """A cache rebuild of this account is under way or was interrupted: finish it first."""


class AccountInUse(AccountError):
    """The account's order cache is open in another process (or being rebuilt by one)."""


#: `AccountRecord.extra` key of a cache rebuild in progress (see `cache_repair`).
REBUILD_MARK = "cache_rebuild"


def check_no_rebuild(record: AccountRecord) -> None:
    """Refuse to open an account's cache while a rebuild of it is unfinished (its files are
    being replaced: a change written to the old ones now could be sent twice)."""
    if record.extra.get(REBUILD_MARK):
        raise RebuildPending(
            f"a rebuild of the order cache of {record.name!r} is unfinished; finish it with "
            "'clickdrop-desktop cache --rebuild'"
        )


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """One signed-in account. No secret: safe to print, log and show."""

    name: str
    account_id: str  # random, stamped inside the store and used as AEAD associated data
    api_url: str
    folder: str  # under paths.accounts_dir(): store, journal, wrapped keys, label files
    key_backend: str  # "keyring:<module.Class>" or "passphrase"
    key_id: str  # public fingerprint of the store key (store.crypto.key_id)
    crypto: Mapping[str, Any] = field(default_factory=dict)  # versioned parameters
    capabilities: frozenset[str] = frozenset()
    account_type: str | None = None  # OLP / OBA / ChannelShipper, as probed at sign-in
    auth_scheme: str | None = None  # "bearer" or "bare", as found at sign-in
    trading_names: tuple[str, ...] = ()  # the account's own, for the isolation guard
    created_at: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)  # room for later, kept verbatim

    @property
    def directory(self) -> Path:
        return paths.accounts_dir() / self.folder

    @property
    def full(self) -> bool:
        return CAP_FULL in self.capabilities

    @property
    def labels(self) -> bool:
        return CAP_LABELS in self.capabilities

    @property
    def uses_passphrase(self) -> bool:
        return self.key_backend == PASSPHRASE_STORAGE

    @property
    def keyring_backend(self) -> str | None:
        """The keyring backend's class path, or None for passphrase-protected keys."""
        if self.key_backend.startswith(KEYRING_PREFIX):
            return self.key_backend.removeprefix(KEYRING_PREFIX)
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "account_id": self.account_id,
            "api_url": self.api_url,
            "folder": self.folder,
            "key_backend": self.key_backend,
            "key_id": self.key_id,
            "crypto": dict(self.crypto),
            "capabilities": sorted(self.capabilities),
            "account_type": self.account_type,
            "auth_scheme": self.auth_scheme,
            "trading_names": list(self.trading_names),
            "created_at": self.created_at,
            "extra": dict(self.extra),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AccountRecord:
        try:
            capabilities = set(data.get("capabilities") or ())
            # Records written by the interim account directory kept capabilities as flags.
            if data.get("full"):
                capabilities.add(CAP_FULL)
            if data.get("labels"):
                capabilities.add(CAP_LABELS)
            return cls(
                name=str(data["name"]),
                account_id=str(data["account_id"]),
                api_url=str(data["api_url"]),
                folder=str(data["folder"]),
                key_backend=str(data["key_backend"]),
                key_id=str(data["key_id"]),
                crypto=dict(data.get("crypto") or {}),
                capabilities=frozenset(str(c) for c in capabilities),
                account_type=data.get("account_type"),
                auth_scheme=data.get("auth_scheme"),
                trading_names=tuple(str(t) for t in data.get("trading_names") or ()),
                created_at=str(data.get("created_at") or ""),
                extra=dict(data.get("extra") or {}),
            )
        except (KeyError, TypeError, ValueError):
            raise RegistryDamaged("an entry of the account list is damaged") from None


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class AccountRegistry:
    """Read and change `accounts.json`. Each change re-reads the file and writes it atomically,
    so two processes (GUI and CLI) never lose each other's accounts (last writer wins per
    change, never a half-written file)."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self._path or paths.data_dir() / REGISTRY_FILE

    def __repr__(self) -> str:
        return f"AccountRegistry(path={str(self.path)!r})"

    # -- reading ---------------------------------------------------------------------------------

    def _load(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"version": REGISTRY_VERSION, "active": None, "accounts": []}
        except OSError as exc:
            raise RegistryDamaged(f"the account list cannot be read ({exc.strerror})") from None
        try:
            data = json.loads(text)
        except ValueError:
            raise RegistryDamaged(f"the account list {self.path} is damaged") from None
        if not isinstance(data, dict) or not isinstance(data.get("accounts"), list):
            raise RegistryDamaged(f"the account list {self.path} is damaged")
        if int(data.get("version", 1)) > REGISTRY_VERSION:
            raise RegistryDamaged("the account list was written by a newer version of the app")
        return data

    def _save(self, data: Mapping[str, Any]) -> None:
        body = json.dumps({**data, "version": REGISTRY_VERSION}, indent=2, ensure_ascii=False)
        paths.atomic_write(self.path, (body + "\n").encode("utf-8"))

    def list(self) -> list[AccountRecord]:
        return [AccountRecord.from_dict(a) for a in self._load()["accounts"]]

    def active_name(self) -> str | None:
        data = self._load()
        active = data.get("active")
        names = {a.get("name") for a in data["accounts"]}
        return str(active) if active in names else None

    def get(self, name: str) -> AccountRecord:
        for record in self.list():
            if record.name == name:
                return record
        raise NoSuchAccount(f"no account named {name!r} on this machine (see 'account list')")

    def find(self, name: str | None = None) -> AccountRecord:
        """The named account, else the active one, else the only one."""
        records = self.list()
        if not records:
            raise NoSuchAccount(
                "no account signed in; run 'clickdrop-desktop account add NAME --api-url URL'"
            )
        if name is None:
            name = self.active_name() or records[0].name
        return self.get(name)

    # -- changing --------------------------------------------------------------------------------

    def add(self, record: AccountRecord, *, make_active: bool = False) -> None:
        with self._lock:
            data = self._load()
            taken = {a.get("name") for a in data["accounts"]}
            folders = {a.get("folder") for a in data["accounts"]}
            if record.name in taken:
                raise AccountExists(f"an account named {record.name!r} is already signed in")
            if record.folder in folders:
                raise AccountExists(f"the folder of account {record.name!r} is already in use")
            data["accounts"].append(record.to_dict())
            if make_active or not data.get("active"):
                data["active"] = record.name
            self._save(data)

    def update(self, record: AccountRecord) -> None:
        with self._lock:
            data = self._load()
            for index, entry in enumerate(data["accounts"]):
                if entry.get("name") == record.name:
                    if entry.get("account_id") != record.account_id:
                        raise AccountExists(f"account {record.name!r} was replaced meanwhile")
                    data["accounts"][index] = record.to_dict()
                    self._save(data)
                    return
            raise NoSuchAccount(f"no account named {record.name!r} on this machine")

    def remove(self, name: str) -> None:
        """Forget an account (its keys and files are the vault's to destroy first)."""
        with self._lock:
            data = self._load()
            kept = [a for a in data["accounts"] if a.get("name") != name]
            if len(kept) == len(data["accounts"]):
                raise NoSuchAccount(f"no account named {name!r} on this machine")
            data["accounts"] = kept
            if data.get("active") == name:
                data["active"] = kept[0]["name"] if kept else None
            self._save(data)

    def set_active(self, name: str) -> None:
        with self._lock:
            data = self._load()
            if not any(a.get("name") == name for a in data["accounts"]):
                raise NoSuchAccount(f"no account named {name!r} on this machine")
            data["active"] = name
            self._save(data)

    def names(self) -> Iterable[str]:
        return [record.name for record in self.list()]


def with_crypto(record: AccountRecord, **changes: Any) -> AccountRecord:
    """A copy of `record` with some crypto parameters replaced (e.g. after a re-wrap)."""
    return replace(record, crypto={**record.crypto, **changes})
