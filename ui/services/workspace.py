"""One signed-in account as the GUI sees it: the core session plus its Qt-facing services.

`Workspace` wraps `clickdrop_desktop.session.AccountSession` (its own store, HTTP client and
connectivity) and adds what the window needs: the print service, the table's order source, and
connectivity changes as a Qt signal (emitted from whatever thread the client ran on, delivered
queued on the GUI thread). Closing a workspace closes the session entirely; nothing of it
survives an account switch.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from clickdrop_desktop.api.models import parse_datetime
from clickdrop_desktop.connectivity import BackoffProbe, Snapshot, State
from ui.services.print_service import PrintService
from ui.services.store_source import StoreOrderSource

if TYPE_CHECKING:
    from clickdrop_desktop.session import AccountSession
    from clickdrop_desktop.store import Store
    from clickdrop_desktop.sync.engine import SyncProgress, SyncResult


def read_facts(store: Store) -> tuple[datetime | None, int]:
    """When the last sync finished (the encrypted store's sync state) and how many changes wait
    in the outbox; blocking, for a worker."""
    from clickdrop_desktop.sync.engine import normalise_state
    from clickdrop_desktop.sync.store_adapter import StoreSyncStorage

    state = normalise_state(StoreSyncStorage(store).load_state())
    last = parse_datetime(state["last_sync"]) if state["last_sync"] else None
    return last, store.outbox.unsynced_count()


class Workspace(QObject):
    """The open account. `connectivity_changed(Snapshot)` follows the one connectivity state."""

    connectivity_changed = Signal(object)

    def __init__(
        self,
        session: AccountSession,
        parent: QObject | None = None,
        *,
        facts: tuple[datetime | None, int] | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.profile = session.profile
        self.store = session.store
        self.connectivity = session.connectivity
        self.orders = StoreOrderSource(session.store)
        self.printing = PrintService(
            session.store,
            client=session.client,
            labels_available=session.profile.labels,
            online=lambda: self.connectivity.state is State.ONLINE,
        )
        self._unsubscribe = session.connectivity.subscribe(self._on_connectivity)
        # While not online, `GET /version` with backoff brings the state back by itself.
        self._probe = BackoffProbe(session.connectivity, self._probe_version)
        self._probe.start()
        self.closed = False
        # Facts the window shows, read by workers (`read_facts`) so painting never waits for
        # the store while a sync holds it.
        self._last_sync, self._waiting = facts if facts is not None else (None, 0)

    # -- facts the window shows -----------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def account_type(self) -> str:
        if self.profile.full:
            return "ChannelShipper"
        return "OBA" if self.profile.labels else "OLP"

    @property
    def online(self) -> bool:
        return self.connectivity.state is State.ONLINE

    def snapshot(self) -> Snapshot:
        return self.connectivity.snapshot()

    def last_sync(self) -> datetime | None:
        """When the last sync finished, as last read by `read_facts`."""
        return self._last_sync

    def waiting_changes(self) -> int:
        """Changes made here not yet acknowledged by Click & Drop, as last read."""
        return self._waiting

    def read_facts(self) -> None:
        """Re-read the last sync time and the waiting changes (blocking: call from a worker)."""
        self._last_sync, self._waiting = read_facts(self.store)

    # -- work (blocking: call from a worker) ----------------------------------------------------

    def sync(
        self, on_progress: Callable[[SyncProgress], None], cancel: threading.Event
    ) -> SyncResult:
        try:
            return self.session.sync(on_progress=on_progress, cancel=cancel)
        finally:
            # What the banner shows; best effort, never masking the sync's own outcome.
            with contextlib.suppress(Exception):
                if not self.closed:
                    self.read_facts()

    # -- life -----------------------------------------------------------------------------------

    def _probe_version(self) -> bool:
        self.session.client.version()
        return True

    def _on_connectivity(self, snapshot: Snapshot, _previous: State) -> None:
        # Any thread: the signal is queued to the GUI thread (this object lives there).
        if not self.closed:
            self.connectivity_changed.emit(snapshot)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._unsubscribe()
        self._probe.stop()
        try:
            self.printing.close()
        finally:
            self.session.close()
