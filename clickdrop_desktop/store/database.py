"""The open connection shared by the store's repositories: one lock, transactions, the journal."""

from __future__ import annotations

import contextlib
import logging
import secrets
import threading
from collections.abc import Iterator
from typing import Any

from clickdrop_desktop.store.connection import Connection, DatabaseError, damaged, translate
from clickdrop_desktop.store.errors import StoreClosed, StoreCorrupt, StoreError
from clickdrop_desktop.store.journal import OutboxJournal

log = logging.getLogger(__name__)


class Database:
    """Serialises use of one connection across threads and runs transactions.

    A transaction is `BEGIN IMMEDIATE` (the write lock is taken up front, so a busy store fails
    fast instead of dead-locking mid-transaction). Nested `transaction()` blocks join the
    outer one. Outbox snapshots queued during a transaction go to the journal just before
    COMMIT (tagged with a transaction id) and its commit marker right after (journal.py).
    """

    def __init__(
        self, conn: Connection, journal: OutboxJournal | None, *, account_id: str | None = None
    ) -> None:
        self._conn: Connection | None = conn
        self.journal = journal
        self.account_id = account_id  # named in a `StoreCorrupt`, for the front end
        #: A page failed its check: SQLite keeps this connection failing (later writes even
        #: read "attempt to write a readonly database"), so every later error is that damage.
        self.damage_seen = False
        self._lock = threading.RLock()
        self._depth = 0
        self._journal_queue: list[dict[str, Any]] = []

    @property
    def closed(self) -> bool:
        return self._conn is None

    def _live(self) -> Connection:
        if self._conn is None:
            raise StoreClosed("the order cache is closed (account locked or signed out)")
        return self._conn

    def _translate(self, exc: BaseException) -> StoreError:
        error = translate(exc, account_id=self.account_id)
        if isinstance(error, StoreCorrupt):
            self.damage_seen = True
        elif self.damage_seen:
            error = damaged(self.account_id)
        return error

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        with self._lock:
            conn = self._live()
            try:
                yield conn
            except StoreError:
                raise
            except DatabaseError as exc:
                raise self._translate(exc) from None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self._lock:
            conn = self._live()
            if self._depth:
                self._depth += 1
                try:
                    yield conn
                finally:
                    self._depth -= 1
                return
            try:
                conn.execute("BEGIN IMMEDIATE")
            except DatabaseError as exc:
                raise self._translate(exc) from None
            self._depth = 1
            txn: str | None = None
            try:
                yield conn
                if self._journal_queue and self.journal is not None:
                    txn = secrets.token_hex(8)
                    self.journal.append([{**s, "txn": txn} for s in self._journal_queue])
                conn.execute("COMMIT")
            except BaseException as exc:
                with contextlib.suppress(Exception):
                    conn.execute("ROLLBACK")
                if isinstance(exc, DatabaseError):
                    raise self._translate(exc) from None
                raise
            finally:
                self._depth = 0
                self._journal_queue = []
            if txn is not None and self.journal is not None:
                try:
                    self.journal.commit(txn)
                except OSError:
                    # Committed in the store already; the next open sees the journal behind
                    # the store and rewrites it. Failing the caller now would be a lie.
                    log.warning("outbox journal: commit marker not written")

    def queue_journal(self, snapshot: dict[str, Any]) -> None:
        """Queue an outbox snapshot for the journal; only valid inside `transaction()`."""
        if not self._depth:
            raise StoreError("outbox changes must be made inside a transaction")
        self._journal_queue.append(snapshot)

    def close(self) -> None:
        with self._lock:
            if self._conn is None:
                return
            conn, self._conn = self._conn, None
            # Checkpoint so the WAL is folded back and removed: a clean close leaves one file.
            with contextlib.suppress(Exception):
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.close()
