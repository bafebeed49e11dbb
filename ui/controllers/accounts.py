"""Signing in, switching and signing out: one open account at a time, nothing left behind.

The account directory (vault + account list) does the blocking work (keyring, store open, API
probe) on a worker; the controller only decides what happens and when, and hands the window a
`Workspace`. Switching closes the current workspace before the next one opens, and the window
clears every model when `workspace_closed` fires. An account whose order cache is damaged (or
whose rebuild did not finish) is not just an error: the user is offered a rebuild (what it keeps
and loses, ui/dialogs/rebuild_cache.py), which runs on a worker and then opens the account.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal

from clickdrop_desktop.errors import describe
from ui.services.views import AccountInfo
from ui.tasks import TaskContext, TaskRunner

if TYPE_CHECKING:
    from clickdrop_desktop.api.capabilities import Capabilities
    from clickdrop_desktop.cache_repair import RebuildReport
    from clickdrop_desktop.session import AccountSession as CoreSession
    from clickdrop_desktop.store import Store
    from ui.services.workspace import Workspace

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


class StoreOpener(Protocol):
    """Optional on a directory: the account's encrypted store alone, opened without the network
    session (no HTTP client), so the first screen of orders shows while the session starts."""

    def open_store(self, name: str) -> Store: ...


class CacheRebuilder(Protocol):
    """Optional on a directory: rebuild an account's damaged order cache (`cache_repair`)."""

    def rebuild_cache(self, name: str) -> RebuildReport: ...


#: Asks the user whether to rebuild (account, the one-line problem, a rebuild is pending).
ConfirmRebuild = Callable[[str, str, bool], bool]


def _ask_rebuild(account: str, problem: str, pending: bool) -> bool:
    from PySide6.QtWidgets import QApplication

    from ui.dialogs.rebuild_cache import ask_rebuild

    return ask_rebuild(account, problem, QApplication.activeWindow(), pending=pending)


def needs_rebuild(exc: BaseException) -> bool | None:
    """True: a rebuild was left unfinished; False: the cache is damaged; None: neither."""
    from clickdrop_desktop.accounts import RebuildPending
    from clickdrop_desktop.store.errors import StoreCorrupt

    if isinstance(exc, RebuildPending):
        return True
    if isinstance(exc, StoreCorrupt):
        return False
    return None


def _without_cli_hint(message: str) -> str:
    from clickdrop_desktop.store.errors import REPAIR_HINT

    return message.replace(f"; {REPAIR_HINT}", "").replace(
        "; finish it with 'clickdrop-desktop cache --rebuild'", ""
    )


class AccountsController(QObject):
    workspace_opened = Signal(object)  # Workspace
    workspace_closed = Signal()
    accounts_changed = Signal(list)  # list[AccountInfo]
    open_failed = Signal(str)
    busy = Signal(str)  # "Opening Acme…" while a session opens
    opening = Signal(str)  # the account now opening: the window shows it, loading
    preview_ready = Signal(str, object)  # account, what `preview` read from its store
    cache_rebuilt = Signal(str, list)  # account, the rebuild report's lines

    def __init__(
        self, tasks: TaskRunner, directory: AccountDirectory, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self.directory = directory
        self.workspace: Workspace | None = None
        self._opening: str | None = None  # the account last asked for
        #: Asks the user for the passphrase (GUI thread); None when they cancel. Set by the window.
        self.ask_passphrase: Callable[[str], str | None] = lambda _why: None
        #: Reads the first screen from a store opened before its session (worker); the window
        #: sets it. With it, and a directory that can open a store alone, rows show early.
        self.preview: Callable[[Store], object] | None = None
        #: Starts the blocking work of opening an account; the window holds it until its first
        #: frame is on screen, so that frame is not slowed down by the store's start-up.
        self.start_work: Callable[[Callable[[], None]], None] = lambda work: work()
        #: Offers a rebuild when the cache is damaged (GUI thread); tests swap it.
        self.confirm_rebuild: ConfirmRebuild = _ask_rebuild
        # Damage deep in a store file opens normally and surfaces from whatever reads it
        # later (a sync, the table, a print): any job that fails on it offers the rebuild.
        self._damage_offered: Workspace | None = None
        tasks.job_failed.connect(self._on_job_failed)

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

    @property
    def is_opening(self) -> bool:
        """An account was asked for and its session is not open (nor has it failed) yet."""
        return self._opening is not None and self.workspace is None

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
        self._opening = name
        self.busy.emit(f"Opening {name}…")
        self.opening.emit(name)
        self.start_work(lambda: self._start_opening(name, on_opened))

    def _start_opening(
        self, name: str, on_opened: Callable[[Workspace], None] | None = None
    ) -> None:
        if self._opening != name:
            return  # another account was asked for before this one's work began
        self._start_preview(name)

        def job(_ctx: TaskContext) -> tuple[CoreSession, tuple[datetime | None, int]]:
            from ui.services.workspace import read_facts  # the core session's stack: here

            session = self.directory.open_session(name)
            try:
                self.directory.set_active(name)
                return session, read_facts(session.store)
            except BaseException:
                session.close()
                raise

        def done(opened: tuple[CoreSession, tuple[datetime | None, int]]) -> None:
            from ui.services.workspace import Workspace

            session, facts = opened
            if self.workspace is not None:  # another open won the race: keep only one
                session.close()
                return
            self.workspace = Workspace(session, self, facts=facts)
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

    def _start_preview(self, name: str) -> None:
        """Open the store alone and read the first screen, ahead of the session (same lane, so
        the store is closed again before the session opens it)."""
        preview = self.preview
        open_store = getattr(self.directory, "open_store", None)
        if preview is None or open_store is None:
            return

        def job(_ctx: TaskContext) -> object:
            store = open_store(name)
            try:
                return preview(store)
            finally:
                store.close()

        def done(result: object) -> None:
            # Still the account being opened, and its session has not overtaken the preview:
            # nothing read for one account may ever show under another's name.
            if self.workspace is None and self._opening == name:
                self.preview_ready.emit(name, result)

        self._tasks.run(
            job,
            on_done=done,
            # The session opening next reports what went wrong (same keys, same store).
            on_error=lambda exc: log.info("no early preview: %s", describe(exc)[0]),
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
        if self._opening == name:
            self._opening = None
        message, _code = describe(exc)
        pending = needs_rebuild(exc)
        if (
            pending is not None
            and self._opening is None
            and self.workspace is None
            and getattr(self.directory, "rebuild_cache", None) is not None
            # The dialog is the repair: the command-line hint would only confuse.
            and self.confirm_rebuild(name, _without_cli_hint(message), pending)
        ):
            self.rebuild_cache(name)
            return
        self.open_failed.emit(f"Could not open {name}: {message}")
        self.refresh_accounts()

    # -- repairing --------------------------------------------------------------------------------

    def _on_job_failed(self, exc: BaseException) -> None:
        """A job found the open account's cache damaged: offer the rebuild, once per opening
        (every read after it fails the same way; the answer stands until the account reopens)."""
        from clickdrop_desktop.store.errors import cache_damage

        damage = cache_damage(exc)
        workspace = self.workspace
        if damage is None or workspace is None or self._damage_offered is workspace:
            return
        if damage.account_id is not None and damage.account_id != workspace.profile.account_id:
            return  # another account's store (one that was closed meanwhile)
        self._damage_offered = workspace
        name = workspace.name
        can_rebuild = getattr(self.directory, "rebuild_cache", None) is not None
        if can_rebuild and self.confirm_rebuild(name, damage.problem, False):
            self.rebuild_cache(name)  # closes this workspace first, then reopens the account
            return
        self.open_failed.emit(
            f"{name}: {damage.problem} (the rebuild is offered again when the account reopens)"
        )

    def rebuild_cache(self, name: str) -> None:
        """Rebuild `name`'s order cache on a worker, then open the account.

        The rebuild refuses (one line) while another window or command has the account open;
        this window holds nothing of it here (the failed open closed its store, and the work
        runs in the accounts lane, after any preview that was still reading).
        """
        rebuild: Callable[[str], RebuildReport] | None = getattr(
            self.directory, "rebuild_cache", None
        )
        if rebuild is None:
            return
        if self.workspace is not None and self.workspace.name == name:
            self.close_current()
        self._opening = name
        self.busy.emit(f"Rebuilding the order cache of {name}…")
        self.opening.emit(name)

        def done(report: RebuildReport) -> None:
            lines = report.lines()
            for line in lines:
                log.info("%s", line)
            self.cache_rebuilt.emit(name, lines)
            if self._opening == name:
                self._opening = None  # so `open` below is not taken for a repeat
                self.open(name)

        def failed(exc: BaseException) -> None:
            if self._opening == name:
                self._opening = None
            message, _code = describe(exc)
            self.open_failed.emit(f"Could not rebuild the order cache of {name}: {message}")
            self.refresh_accounts()

        self._tasks.run(
            lambda _ctx: rebuild(name),
            on_done=done,
            on_error=failed,
            owner=self,
            lane="accounts",
        )

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
