"""The accounts on this machine for the GUI: `AccountDirectory` over the core's account
registry (`clickdrop_desktop.accounts`), vault (`clickdrop_desktop.vault`) and sessions.

Everything here blocks (keyring, scrypt, store open, network): the controller calls it from a
worker. One `Vault` lives as long as the app, so an unlocked account stays unlocked until the
user locks it or signs out. Without a trustworthy keyring the keys are wrapped with a
passphrase; the window asks for it (masked) on the GUI thread and hands it over with
`provide_passphrase` before the work starts. It is held in memory only, never written.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from clickdrop_desktop.accounts import (
    CAP_FULL,
    CAP_LABELS,
    AccountError,
    AccountRegistry,
    NoSuchAccount,
)
from ui.controllers.accounts import SignInOutcome
from ui.services.views import AccountInfo

if TYPE_CHECKING:
    from clickdrop_desktop.api.capabilities import Capabilities
    from clickdrop_desktop.cache_repair import RebuildReport
    from clickdrop_desktop.session import AccountSession
    from clickdrop_desktop.store import Store
    from clickdrop_desktop.vault import Vault

#: Seconds a sign-out waits for this window's own workers to close the account's store.
SIGN_OUT_WAIT_S = 10.0


class VaultAccounts:
    """`AccountDirectory` for real accounts."""

    def __init__(self, vault: Vault | None = None) -> None:
        self._vault = vault
        self._passphrase: str | None = None
        self._lock = threading.Lock()

    @property
    def vault(self) -> Vault:
        with self._lock:
            if self._vault is None:
                from clickdrop_desktop.vault import Vault  # keyring: first use, not start-up

                self._vault = Vault()
            return self._vault

    @property
    def registry(self) -> AccountRegistry:
        return self._vault.registry if self._vault is not None else AccountRegistry()

    def list_accounts(self) -> list[AccountInfo]:
        registry = self.registry
        active = registry.active_name()
        return [
            AccountInfo(r.name, r.account_type or "", r.api_url, r.name == active)
            for r in registry.list()
        ]

    def active_name(self) -> str | None:
        registry = self.registry
        name = registry.active_name()
        return name if name in set(registry.names()) else None

    def set_active(self, name: str) -> None:
        self.registry.set_active(name)

    # -- passphrase (only without a trustworthy keyring) ----------------------------------------

    def needs_passphrase(self, name: str | None) -> bool:
        """True when opening `name` (or adding an account, for None) needs a passphrase now."""
        from clickdrop_desktop.vault import passphrase_from_env

        if self._passphrase or passphrase_from_env():
            return False
        if name is None:
            return self.vault.keyring_choice().backend is None
        try:
            record = self.registry.get(name)
        except NoSuchAccount:
            return False
        return bool(record.uses_passphrase) and not self.vault.is_unlocked(name)

    def provide_passphrase(self, passphrase: str) -> None:
        self._passphrase = passphrase

    def uses_passphrase(self, name: str) -> bool:
        try:
            return bool(self.registry.get(name).uses_passphrase)
        except NoSuchAccount:
            return False

    def change_passphrase(self, name: str, old: str, new: str) -> None:
        """Re-wrap the keys under `new` (the store is not re-encrypted); a wrong `old` fails."""
        self.vault.change_passphrase(name, old, new)
        self._passphrase = new

    def _passphrase_or_env(self) -> str | None:
        from clickdrop_desktop.vault import passphrase_from_env

        return self._passphrase or passphrase_from_env()

    # -- sessions -------------------------------------------------------------------------------

    def open_session(self, name: str) -> AccountSession:
        from clickdrop_desktop.session import open_account  # httpx: in the worker

        return open_account(name, vault=self.vault, passphrase=self._passphrase_or_env())

    def open_store(self, name: str) -> Store:
        """The account's store alone (no HTTP client): the first screen shows while the session
        starts. The vault keeps the keys unlocked, so the session does not ask again."""
        vault = self.vault
        vault.unlock(name, passphrase=self._passphrase_or_env())
        return vault.open_store(name)

    def rebuild_cache(self, name: str) -> RebuildReport:
        """Replace a damaged order cache with a new one under a new key, keeping unsent changes
        (`clickdrop_desktop.cache_repair`); refuses while another process has it open."""
        from clickdrop_desktop.cache_repair import rebuild_cache

        return rebuild_cache(self.vault, name, passphrase=self._passphrase_or_env())

    def verify(self, api_url: str, api_key: str) -> Capabilities:
        from clickdrop_desktop.api.client import ClickDropClient

        with ClickDropClient(api_url, api_key, timeout=30.0) as client:
            return client.probe_capabilities()

    def sign_in(self, name: str, api_url: str, api_key: str) -> SignInOutcome:
        """Verify, probe, keep the keys (keyring or passphrase), create the encrypted store."""
        from clickdrop_desktop.api.client import ClickDropClient

        vault = self.vault
        passphrase = self._passphrase_or_env()
        vault.storage_for_new_account(passphrase)  # fails before the network if keys can't be kept
        with ClickDropClient(api_url, api_key, timeout=30.0) as client:
            caps = client.probe_capabilities()
            scheme = client.auth_scheme
            base_url = client.base_url
        if not caps.key_valid:
            raise AccountError("Click & Drop did not accept this API key")
        flags = {CAP_FULL} if caps.full else set()
        if caps.labels:
            flags.add(CAP_LABELS)
        vault.sign_in(
            name,
            base_url,
            api_key,
            passphrase=passphrase,
            capabilities=flags,
            account_type=caps.account_type,
            auth_scheme=scheme,
        )
        try:
            vault.open_store(name).close()  # the store exists from now on, stamped with the id
        except BaseException:
            vault.sign_out(name, force=True, passphrase=passphrase)
            raise
        return SignInOutcome(name, caps)

    def sign_out(self, name: str) -> None:
        """Crypto-shred: keys deleted, then the store, WAL and files (the window warned first).

        The window closed its own session just before; its workers may take a moment to close
        their stores, hence the wait. Another window or command holding the account open makes
        this refuse (`AccountInUse`, one line) instead of deleting files from under it.
        """
        self.vault.sign_out(
            name, force=True, passphrase=self._passphrase_or_env(), wait=SIGN_OUT_WAIT_S
        )

    def lock(self, name: str) -> None:
        self.vault.lock(name)
