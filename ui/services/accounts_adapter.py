"""The accounts on this machine for the GUI: the core vault and account list behind
`AccountDirectory`. Until the core vault lands, signing in says so in one clear line."""

from __future__ import annotations

from clickdrop_desktop.api.capabilities import Capabilities
from clickdrop_desktop.api.client import ClickDropClient
from ui.controllers.accounts import SignInOutcome
from ui.services.views import AccountInfo
from ui.services.workspace import CoreSession


class VaultUnavailable(RuntimeError):
    """The keyring vault is not part of this build yet."""


class VaultAccounts:
    """`AccountDirectory` over `clickdrop_desktop.accounts` / vault (adapter)."""

    def list_accounts(self) -> list[AccountInfo]:
        return []

    def active_name(self) -> str | None:
        return None

    def set_active(self, name: str) -> None:
        return None

    def open_session(self, name: str) -> CoreSession:
        raise VaultUnavailable("this build cannot open saved accounts yet (no keyring vault)")

    def verify(self, api_url: str, api_key: str) -> Capabilities:
        with ClickDropClient(api_url, api_key) as client:
            return client.probe_capabilities()

    def sign_in(self, name: str, api_url: str, api_key: str) -> SignInOutcome:
        raise VaultUnavailable(
            "this build cannot keep API keys yet (no keyring vault); try `--demo`"
        )

    def sign_out(self, name: str) -> None:
        return None
