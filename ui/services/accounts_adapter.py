"""The accounts on this machine for the GUI: `AccountDirectory` over the core's account list
and keys (`clickdrop_desktop.account_directory`, the interim vault) and `session.open_account`.

Everything here blocks (keyring, scrypt, store open, network): the controller calls it from a
worker. When no secure keyring exists the keys are wrapped with a passphrase; the window asks
for it (masked) on the GUI thread and hands it over with `provide_passphrase` before the work.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from clickdrop_desktop.account_directory import PASSPHRASE_BACKEND, PASSPHRASE_ENV, AccountError

from clickdrop_desktop import account_directory
from ui.controllers.accounts import SignInOutcome
from ui.services.views import AccountInfo

if TYPE_CHECKING:
    from clickdrop_desktop.api.capabilities import Capabilities
    from clickdrop_desktop.session import AccountSession


class VaultAccounts:
    """`AccountDirectory` for real accounts."""

    def list_accounts(self) -> list[AccountInfo]:
        active = account_directory.active_name()
        return [
            AccountInfo(r.name, r.account_type or "", r.api_url, r.name == active)
            for r in account_directory.list_accounts()
        ]

    def active_name(self) -> str | None:
        name = account_directory.active_name()
        known = {r.name for r in account_directory.list_accounts()}
        return name if name in known else None

    def set_active(self, name: str) -> None:
        account_directory.set_active(name)

    # -- passphrase (only without a secure keyring) ---------------------------------------------

    def needs_passphrase(self, name: str | None) -> bool:
        """True when opening `name` (or adding an account, for None) needs a passphrase now."""
        if os.environ.get(PASSPHRASE_ENV):
            return False
        if name is None:
            try:
                account_directory.choose_backend()
            except AccountError:
                return True
            return False
        try:
            record = account_directory.find(name)
        except AccountError:
            return False
        return bool(record.key_backend == PASSPHRASE_BACKEND)

    def provide_passphrase(self, passphrase: str) -> None:
        # The interim directory reads it from the environment; it never reaches a file or log.
        os.environ[PASSPHRASE_ENV] = passphrase

    # -- sessions -------------------------------------------------------------------------------

    def open_session(self, name: str) -> AccountSession:
        from clickdrop_desktop.session import open_account  # httpx: in the worker, not at start

        return open_account(name)

    def verify(self, api_url: str, api_key: str) -> Capabilities:
        from clickdrop_desktop.api.client import ClickDropClient

        with ClickDropClient(api_url, api_key, timeout=30.0) as client:
            return client.probe_capabilities()

    def sign_in(self, name: str, api_url: str, api_key: str) -> SignInOutcome:
        if any(a.name == name for a in account_directory.list_accounts()):
            raise AccountError(f"an account named {name!r} exists already; pick another name")
        from clickdrop_desktop.api.client import ClickDropClient
        from clickdrop_desktop.session import open_account

        account_directory.choose_backend()  # fail before the network if keys cannot be kept
        with ClickDropClient(api_url, api_key, timeout=30.0) as client:
            caps = client.probe_capabilities()
            scheme = client.auth_scheme
            base_url = client.base_url
        if not caps.key_valid:
            raise AccountError("Click & Drop did not accept this API key", 4)
        record, keys = account_directory.add(
            name,
            base_url,
            api_key,
            account_type=caps.account_type,
            full=caps.full,
            labels=caps.labels,
            auth_scheme=scheme,
        )
        keys.store_key[:] = bytes(len(keys.store_key))  # the session unlocks its own copy
        try:
            open_account(name).close()  # creates the encrypted store, stamped with the id
        except BaseException:
            account_directory.remove(record)
            raise
        return SignInOutcome(name, caps)

    def sign_out(self, name: str) -> None:
        account_directory.remove(account_directory.find(name))
