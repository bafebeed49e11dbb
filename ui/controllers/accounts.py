"""Signing in, switching and signing out: one open account at a time, nothing left behind.

The account directory (vault + account list) does the blocking work (keyring, store open, API
probe) on a worker; the controller only decides what happens and when, and hands the window a
`Workspace`. Switching closes the current workspace before the next one opens, and the window
clears every model when `workspace_closed` fires.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal

from clickdrop_desktop.errors import describe
from ui.services.views import AccountInfo
from ui.services.workspace import Workspace
from ui.tasks import TaskContext, TaskRunner

if TYPE_CHECKING:
    from clickdrop_desktop.api.capabilities import Capabilities
    from clickdrop_desktop.session import AccountSession as CoreSession

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SignInOutcome:
    """What signing in found out (shown in the sign-in dialog before it closes)."""

    name: str
    capabilities: Capabilities
    trading_names: list[str] = field(default_factory=list)


class AccountDirectory(Protocol):
    """The accounts on this machine (`clickdrop_desktop.accounts` + vault, or demo's)."""

    def list_accounts(self) -> list[AccountInfo]: ...

    def active_name(self) -> str | None: ...

    def set_active(self, name: str) -> None: ...

    def open_session(self, name: str) -> CoreSession: ...

    def verify(self, api_url: str, api_key: str) -> Capabilities: ...

    def sign_in(self, name: str, api_url: str, api_key: str) -> SignInOutcome: ...

    def sign_out(self, name: str) -> None: ...

    def needs_passphrase(self, name: str | None) -> bool: ...

    def provide_passphrase(self, passphrase: str) -> None: ...


class AccountsController(QObject):
    workspace_opened = Signal(object)  # Workspace
    workspace_closed = Signal()
    accounts_changed = Signal(list)  # list[AccountInfo]
    open_failed = Signal(str)
    busy = Signal(str)  # "Opening Acme…" while a session opens

    def __init__(
        self, tasks: TaskRunner, directory: AccountDirectory, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self.directory = directory
        self.workspace: Workspace | None = None
        #: Asks the user for the passphrase (GUI thread); None when they cancel. Set by the window.
        self.ask_passphrase: Callable[[str], str | None] = lambda _why: None

    # -- listing ----------------------------------------------------------------------------------

    def refresh_accounts(self) -> None:
        self._tasks.run(
            lambda _ctx: self.directory.list_accounts(),
            on_done=self._on_accounts_listed,
            on_error=lambda exc: log.warning("could not list accounts: %s", describe(exc)[0]),
            owner=self,
            lane="accounts",
        )

    def _on_accounts_listed(self, accounts: list[AccountInfo]) -> None:
        current = self.workspace.name if self.workspace else None
        marked = [
            AccountInfo(a.name, a.account_type, a.api_url, a.name == current, a.locked)
            for a in accounts
        ]
        self.accounts_changed.emit(marked)

    # -- opening and switching --------------------------------------------------------------------

    def restore_last(self) -> None:
        """Open the account that was active last time, if there is one.

        The active name is one small JSON read, done here so the session starts opening
        without waiting for the event loop (start-up time).
        """
        try:
            name = self.directory.active_name()
        except Exception as exc:  # noqa: BLE001 - a damaged account list is one line, not a crash
            self.open_failed.emit(describe(exc)[0])
            return
        if name:
            self.open(name)
        else:
            self.refresh_accounts()

    def open(self, name: str, on_opened: Callable[[Workspace], None] | None = None) -> None:
        if self.workspace is not None and self.workspace.name == name:
            return
        if not self.unlock_keys(name):
            return
        self.close_current()
        self.busy.emit(f"Opening {name}…")

        def job(_ctx: TaskContext) -> CoreSession:
            session = self.directory.open_session(name)
            self.directory.set_active(name)
            return session

        def done(session: CoreSession) -> None:
            if self.workspace is not None:  # another open won the race: keep only one
                session.close()
                return
            self.workspace = Workspace(session, self)
            self.workspace_opened.emit(self.workspace)
            self.refresh_accounts()
            if on_opened is not None:
                on_opened(self.workspace)

        self._tasks.run(
            job,
            on_done=done,
            on_error=lambda exc: self._on_open_failed(name, exc),
            owner=self,
            lane="accounts",
        )

    def unlock_keys(self, name: str | None) -> bool:
        """Get the passphrase first when the keys need one (no secure keyring); False: cancelled."""
        if not self.directory.needs_passphrase(name):
            return True
        why = (
            f"The keys of {name} are protected by a passphrase."
            if name
            else "This computer has no secure keyring, so a passphrase protects the keys."
        )
        passphrase = self.ask_passphrase(why)
        if not passphrase:
            return False
        self.directory.provide_passphrase(passphrase)
        return True

    def _on_open_failed(self, name: str, exc: BaseException) -> None:
        message, _code = describe(exc)
        self.open_failed.emit(f"Could not open {name}: {message}")
        self.refresh_accounts()

    def close_current(self) -> None:
        """Close the open account (client, store, keys) and tell every view to clear."""
        workspace, self.workspace = self.workspace, None
        if workspace is None:
            return
        self.workspace_closed.emit()
        workspace.close()
        workspace.deleteLater()

    # -- signing in and out -----------------------------------------------------------------------

    def signed_in(self, outcome: SignInOutcome) -> None:
        """After the sign-in dialog succeeded: open the new account."""
        self.open(outcome.name)

    def sign_out(self, name: str, on_done: Callable[[], None] | None = None) -> None:
        if self.workspace is not None and self.workspace.name == name:
            self.close_current()

        def finished(_result: object) -> None:
            self.refresh_accounts()
            if on_done is not None:
                on_done()

        self._tasks.run(
            lambda _ctx: self.directory.sign_out(name),
            on_done=finished,
            on_error=lambda exc: self.open_failed.emit(describe(exc)[0]),
            owner=self,
            lane="accounts",
        )

    def lock(self) -> None:
        """Drop the keys from memory (the data stays); reopening asks the vault again."""
        name = self.workspace.name if self.workspace is not None else None
        self.close_current()
        lock = getattr(self.directory, "lock", None)
        if name is not None and lock is not None:
            self._tasks.run(lambda _ctx: lock(name), owner=self, lane="accounts")
        self.refresh_accounts()
