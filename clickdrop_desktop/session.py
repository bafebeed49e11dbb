"""One signed-in account's session: its keys, its store, its own HTTP client, its connectivity.

Isolation by construction (security notes §4.3.1): every session builds its OWN
`ClickDropClient` (so its own `httpx.Client`: no connection pool, cookie jar or cache shared
with another account; httpx has no HTTP cache and none is added) and opens only its own store.
`Sessions` holds at most one open session: switching account closes the previous one entirely
(client, store, listeners) before the next is opened, so nothing of account A can be reached
through account B's session.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from clickdrop_desktop.accounts import AccountRecord, check_no_rebuild
from clickdrop_desktop.api.client import ClickDropClient
from clickdrop_desktop.api.events import CallEvent
from clickdrop_desktop.api.http import AuthScheme
from clickdrop_desktop.closing import Closing
from clickdrop_desktop.connectivity import Connectivity
from clickdrop_desktop.listeners import Listeners
from clickdrop_desktop.store import CIPHER_V1, STORE_FILE, CipherSettings, Store
from clickdrop_desktop.sync.api_adapter import ClientSyncApi
from clickdrop_desktop.sync.engine import SyncEngine, SyncOptions, SyncProgress, SyncResult
from clickdrop_desktop.sync.store_adapter import StoreSyncStorage
from clickdrop_desktop.vault import Vault, passphrase_from_env, store_path


@dataclass(frozen=True, slots=True)
class AccountProfile:
    """What a session needs to know about an account (no secrets)."""

    name: str
    api_url: str
    account_id: str  # stamped in the store: a store of another account refuses to open
    store_path: Path
    full: bool = False  # ChannelShipper: sync through /orders/full
    labels: bool = False  # OBA: labels through the API
    auth_scheme: AuthScheme | None = None  # as found at sign-in
    rate_per_s: float = 5.0
    key_id: str | None = None  # fingerprint of the store key (tells a wrong key from damage)
    cipher: CipherSettings = CIPHER_V1  # the store's pinned cipher settings, as recorded
    trading_names: tuple[str, ...] = ()  # recorded at sign-in, if any (the guard learns too)


@dataclass(slots=True)
class UnlockedKeys:
    """The account's secrets, held only while the session is open. Never printed (repr off)."""

    api_key: str = field(repr=False)
    store_key: bytearray = field(repr=False)

    def wipe(self) -> None:
        """Overwrite the store key in place (best effort: Python may hold other copies)."""
        for i in range(len(self.store_key)):
            self.store_key[i] = 0
        self.api_key = ""


def store_path_for(account_dir: Path) -> Path:
    return account_dir / STORE_FILE


class AccountSession(Closing):
    """An open account. Use as a context manager, or call `close()`.

    Args:
        profile: the account's non-secret settings.
        keys: its API key and store key (the session wipes its copy on close).
        connectivity: the state machine the client's calls feed (a new one if None).
        transport: an httpx transport for tests.
        timeout: the client's network timeout in seconds.
    """

    def __init__(
        self,
        profile: AccountProfile,
        keys: UnlockedKeys,
        *,
        connectivity: Connectivity | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        max_retries: int = 3,
    ) -> None:
        self.profile = profile
        self.connectivity = connectivity or Connectivity()
        self._listeners: Listeners[[CallEvent]] = Listeners()
        self._rate_listeners: Listeners[[float]] = Listeners()
        self._keys = keys
        self.store = Store.open(
            profile.store_path,
            bytes(keys.store_key),
            account_id=profile.account_id,
            key_id=profile.key_id,
            cipher=profile.cipher,
        )
        try:
            self.client = ClickDropClient(
                profile.api_url,
                keys.api_key,
                rate_per_s=profile.rate_per_s,
                timeout=timeout,
                transport=transport,
                max_retries=max_retries,
                auth_scheme=profile.auth_scheme,
                on_event=self._on_event,
                on_rate_wait=self._on_rate_wait,
            )
        except BaseException:
            self.store.close()
            raise
        self._closed = False

    # -- events ---------------------------------------------------------------------------------

    def _on_event(self, event: CallEvent) -> None:
        self.connectivity.record(event.outcome, event.detail)
        self._listeners.tell(event)

    def _on_rate_wait(self, seconds: float) -> None:
        self._rate_listeners.tell(seconds)

    def add_rate_wait_listener(self, listener: Callable[[float], None]) -> Callable[[], None]:
        """Also tell `listener` each time the client waits for its rate limit (seconds)."""
        return self._rate_listeners.add(listener)

    def add_listener(self, listener: Callable[[CallEvent], None]) -> Callable[[], None]:
        """Also tell `listener` about every HTTP attempt; returns a function that removes it."""
        return self._listeners.add(listener)

    @contextmanager
    def listening(self, listener: Callable[[CallEvent], None]) -> Iterator[None]:
        remove = self.add_listener(listener)
        try:
            yield
        finally:
            remove()

    # -- sync -------------------------------------------------------------------------------------

    def sync_storage(self) -> StoreSyncStorage:
        return StoreSyncStorage(self.store)

    def sync_engine(
        self,
        *,
        options: SyncOptions | None = None,
        on_progress: Callable[[SyncProgress], None] | None = None,
        cancel: threading.Event | None = None,
        storage: StoreSyncStorage | None = None,
    ) -> SyncEngine:
        return SyncEngine(
            ClientSyncApi(self.client),
            storage or self.sync_storage(),
            account=self.profile.name,
            full=self.profile.full,
            trading_names=self.profile.trading_names,
            options=options,
            on_progress=on_progress,
            cancel=cancel,
        )

    def sync(
        self,
        *,
        options: SyncOptions | None = None,
        on_progress: Callable[[SyncProgress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> SyncResult:
        """Run one sync with rate-limit waits counted; returns the engine's `SyncResult`
        (its extra: `expired`, fetched orders not kept because they were despatched before the
        retention cut-off; `purged`, cached ones that aged past it and were deleted)."""
        storage = self.sync_storage()
        engine = self.sync_engine(
            options=options, on_progress=on_progress, cancel=cancel, storage=storage
        )
        remove_rate = self.add_rate_wait_listener(engine.on_rate_wait)
        try:
            with self.listening(engine.on_call_event):
                result = engine.run()
        finally:
            remove_rate()
        result.extra["expired"] = storage.expired
        # Orders that aged past the period since the last run go too, whichever front end syncs.
        result.extra["purged"] = self.store.retention.purge()
        return result

    # -- life cycle -------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Close the client (its connection pool) and the store, and wipe the keys."""
        if self._closed:
            return
        self._closed = True
        self._listeners.clear()
        self._rate_listeners.clear()
        try:
            self.client.close()
        finally:
            try:
                self.store.close()
            finally:
                self._keys.wipe()

    def __repr__(self) -> str:
        return f"AccountSession({self.profile.name!r}, {'closed' if self._closed else 'open'})"


class Sessions:
    """At most one open account at a time (owned by the app or a CLI command, not global)."""

    def __init__(self, opener: Callable[[str], AccountSession]) -> None:
        self._opener = opener
        self._current: AccountSession | None = None
        self._lock = threading.Lock()

    @property
    def current(self) -> AccountSession | None:
        return self._current

    def switch(self, name: str) -> AccountSession:
        """Close the current session entirely, then open `name`'s."""
        with self._lock:
            previous, self._current = self._current, None
            if previous is not None:
                previous.close()
            self._current = self._opener(name)
            return self._current

    def close(self) -> None:
        with self._lock:
            previous, self._current = self._current, None
        if previous is not None:
            previous.close()


def profile_of(record: AccountRecord) -> AccountProfile:
    """The session's view of a registry record (no secrets)."""
    scheme: AuthScheme | None = (
        "bearer" if record.auth_scheme == "bearer" else "bare" if record.auth_scheme else None
    )
    return AccountProfile(
        name=record.name,
        api_url=record.api_url,
        account_id=record.account_id,
        store_path=store_path(record),
        full=record.full,
        labels=record.labels,
        auth_scheme=scheme,
        key_id=record.key_id,
        cipher=CipherSettings.from_dict(dict(record.crypto.get("store") or CIPHER_V1.to_dict())),
        trading_names=tuple(record.trading_names),
    )


def open_account(
    name: str | None = None,
    *,
    vault: Vault | None = None,
    passphrase: str | None = None,
    connectivity: Connectivity | None = None,
    timeout: float = 30.0,
    max_retries: int = 3,
) -> AccountSession:
    """Unlock the named (or active) account's keys and open its session.

    With no `vault`, a vault is made for this call and its copy of the keys is dropped once
    the session holds its own (the CLI's one-shot use). The passphrase defaults to
    `CLICKDROP_PASSPHRASE`. Raises the registry's and vault's `AccountError`s (no account,
    passphrase required or wrong, keyring changed: each one line with its exit code) and the
    store's typed errors (wrong key, damaged file, another account's store).
    """
    own_vault = vault is None
    vault = vault or Vault()
    record = vault.registry.find(name)
    check_no_rebuild(record)
    keys = vault.unlock(
        record.name, passphrase=passphrase if passphrase is not None else passphrase_from_env()
    )
    unlocked = UnlockedKeys(keys.api_key, bytearray(keys.store_key))
    if own_vault:
        vault.lock(record.name)
    try:
        return AccountSession(
            profile_of(record),
            unlocked,
            connectivity=connectivity,
            timeout=timeout,
            max_retries=max_retries,
        )
    except BaseException:
        unlocked.wipe()
        raise
