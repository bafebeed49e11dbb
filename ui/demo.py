"""Demo mode: the embedded sandbox (OBA, ChannelShipper and pay-as-you-go accounts) and a
virtual printer, in this process, so a new user sees everything work with no account and no
hardware. Keys are throwaway and live only in memory; data goes to a temporary data dir."""

from __future__ import annotations

import dataclasses
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from clickdrop_desktop.api.capabilities import Capabilities
from clickdrop_desktop.api.client import ClickDropClient
from clickdrop_desktop.paths import account_dir
from clickdrop_desktop.sandbox.info import SandboxInfo
from clickdrop_desktop.sandbox.server import Sandbox
from clickdrop_desktop.session import AccountProfile, AccountSession, UnlockedKeys, store_path_for
from clickdrop_desktop.store import Store
from printing.virtual_printer import PrintedLabel, VirtualPrinter
from ui.controllers.accounts import SignInOutcome
from ui.preferences import Preferences
from ui.services.views import AccountInfo

#: The sandbox's account name -> the name the demo shows.
DEMO_ACCOUNTS = {
    "oba": "Demo shop",
    "channelshipper": "Demo marketplace",
    "olp": "Demo pay-as-you-go",
}
DEMO_ORDERS = 240
DEMO_SEED = 7


@dataclass
class _DemoAccount:
    profile: AccountProfile
    api_key: str
    store_key: bytes


class DemoPrinterBridge(QObject):
    """Labels decoded by the virtual printer (on its socket thread) as a queued Qt signal.

    Their `job` is renumbered 1, 2, 3... over the jobs that printed something: the printer
    counts every connection, and the status query before each print is one, so the first
    label a new user printed was captioned "Job 2" under "1 job printed"."""

    label_printed = Signal(object)  # PrintedLabel

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._numbers: dict[int, int] = {}  # the printer's connection number -> shown number

    def deliver(self, label: PrintedLabel) -> None:
        with self._lock:  # labels of two connections may arrive on two socket threads
            shown = self._numbers.setdefault(label.job, len(self._numbers) + 1)
        self.label_printed.emit(dataclasses.replace(label, job=shown))


class DemoEnvironment:
    """Starts and stops the sandbox and the virtual printer; owns nothing of the user's."""

    def __init__(
        self,
        data_dir: Path,
        *,
        orders: int = DEMO_ORDERS,
        rate_limit: float = 5.0,
        anchor: datetime | None = None,
    ):
        self.data_dir = data_dir
        # The demo's orders are the last 90 days' up to this hour (the sandbox's fixed default
        # date would age: a demo run months later would show nothing recent, and a retention
        # period would purge more of it every day).
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        self.sandbox = Sandbox(
            seed=DEMO_SEED, orders=orders, rate_limit=rate_limit, anchor=anchor or now
        )
        self.printer_bridge = DemoPrinterBridge()
        self.printer = VirtualPrinter(
            port=0,
            out_dir=data_dir / "virtual-printer",
            language="auto",
            on_label=self.printer_bridge.deliver,
        )
        self.info: SandboxInfo | None = None

    def start(self) -> SandboxInfo:
        self.info = self.sandbox.start()
        self.printer.start()
        return self.info

    def stop(self) -> None:
        self.printer.stop()
        self.sandbox.stop()

    def preferences(self, base: Preferences) -> Preferences:
        """The user's preferences with every document routed to the virtual printer."""
        uri = f"zpl+tcp://127.0.0.1:{self.printer.port}"
        return base.with_changes(
            printers={"postageLabel": uri, "packingSlip": uri, "despatchNote": uri}
        )


class DemoAccounts:
    """`AccountDirectory` over the sandbox's accounts: signed in already, keys in memory only."""

    def __init__(self, info: SandboxInfo) -> None:
        self._info = info
        self._accounts: dict[str, _DemoAccount] = {}
        self._active: str | None = None
        for sandbox_name, shown in DEMO_ACCOUNTS.items():
            account = info.account(sandbox_name)
            self._add(shown, info.url, account.api_key, account.type)
        self._active = DEMO_ACCOUNTS["oba"]

    def _add(self, name: str, url: str, api_key: str, account_type: str) -> None:
        store_key = secrets.token_bytes(32)
        profile = AccountProfile(
            name=name,
            api_url=url,
            account_id=f"demo-{secrets.token_hex(6)}",
            store_path=store_path_for(account_dir(name)),
            full=account_type == "ChannelShipper",
            labels=account_type == "OBA",
            rate_per_s=5.0,
        )
        self._accounts[name] = _DemoAccount(profile, api_key, store_key)

    keys_in_memory = True  # what the sign-in dialog tells the user about the key

    @property
    def default_api_url(self) -> str:
        """What "Add account…" offers: the demo's sandbox, not Royal Mail's real API."""
        return self._info.url

    def needs_passphrase(self, name: str | None) -> bool:
        return False  # demo keys live in memory only

    def provide_passphrase(self, passphrase: str) -> None:
        return None

    def list_accounts(self) -> list[AccountInfo]:
        return [
            AccountInfo(
                name,
                "ChannelShipper" if a.profile.full else "OBA" if a.profile.labels else "OLP",
                a.profile.api_url,
                name == self._active,
            )
            for name, a in self._accounts.items()
        ]

    def active_name(self) -> str | None:
        return self._active

    def set_active(self, name: str) -> None:
        self._active = name

    def open_session(self, name: str) -> AccountSession:
        account = self._accounts[name]
        keys = UnlockedKeys(api_key=account.api_key, store_key=bytearray(account.store_key))
        return AccountSession(account.profile, keys)

    def open_store(self, name: str) -> Store:
        """The account's store alone, so its first screen shows while the session starts."""
        account = self._accounts[name]
        return Store.open(
            account.profile.store_path,
            bytes(account.store_key),
            account_id=account.profile.account_id,
        )

    def verify(self, api_url: str, api_key: str) -> Capabilities:
        with ClickDropClient(api_url, api_key) as client:
            return client.probe_capabilities()

    def sign_in(self, name: str, api_url: str, api_key: str) -> SignInOutcome:
        caps = self.verify(api_url, api_key)
        if not caps.key_valid:
            raise ValueError("Click & Drop did not accept this key")
        self._add(name, api_url, api_key, caps.account_type or "OLP")
        return SignInOutcome(name, caps)

    def sign_out(self, name: str) -> None:
        account = self._accounts.pop(name, None)
        if account is None:
            return
        for suffix in ("", "-wal", "-shm"):
            path = Path(str(account.profile.store_path) + suffix)
            if path.exists():
                path.unlink()
        if self._active == name:
            self._active = next(iter(self._accounts), None)


def demo_data_dir() -> tuple[Path, bool]:
    """The data dir for a demo: `CLICKDROP_DATA_DIR` if set, else a fresh temporary one (which
    the caller removes at exit). Demo never touches the user's real accounts."""
    import tempfile

    configured = os.environ.get("CLICKDROP_DATA_DIR")
    if configured:
        return Path(configured), False
    path = Path(tempfile.mkdtemp(prefix="clickdrop-demo-"))
    os.environ["CLICKDROP_DATA_DIR"] = str(path)
    return path, True
