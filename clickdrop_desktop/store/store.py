"""`Store`: one account's encrypted order cache (SQLCipher), with its outbox journal beside it.

Open it with the account's raw 256-bit store key (from the vault). Every public method is
thread-safe (one lock around one connection); a sync worker may also open its own `Store` on
the same file, since WAL lets readers and one writer work side by side.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from clickdrop_desktop.accounts import AccountInUse
from clickdrop_desktop.api.models import Order, OrderStatus
from clickdrop_desktop.closing import Closing
from clickdrop_desktop.filelock import FileLock, in_use_lock
from clickdrop_desktop.store import carry, order_queries, orders
from clickdrop_desktop.store.codec import dumps, now_db
from clickdrop_desktop.store.connection import (
    CIPHER_V1,
    CipherSettings,
    Connection,
    connect,
    integrity_problems,
    shred_files,
    translated,
    wal_path,
)
from clickdrop_desktop.store.crypto import check_store_key
from clickdrop_desktop.store.crypto import key_id as fingerprint
from clickdrop_desktop.store.database import Database
from clickdrop_desktop.store.documents import Documents
from clickdrop_desktop.store.errors import (
    REPAIR_HINT,
    ForeignStore,
    JournalUnreadable,
    StoreCorrupt,
    WrongStoreKey,
)
from clickdrop_desktop.store.incidents import Incidents
from clickdrop_desktop.store.jobs import PrintJobs
from clickdrop_desktop.store.journal import JournalContents, JournalState, OutboxJournal
from clickdrop_desktop.store.migrations import migrate, schema_version
from clickdrop_desktop.store.order_queries import OrderRow, OrderSort, StoredOrder
from clickdrop_desktop.store.orders import OrderSource, UpsertCounts
from clickdrop_desktop.store.outbox import (
    Outbox,
    journal_matches,
    reconcile_with_journal,
    unsynced_snapshots,
)
from clickdrop_desktop.store.retention import Retention
from clickdrop_desktop.store.salvage import Salvage
from clickdrop_desktop.store.salvage import apply as apply_salvage
from clickdrop_desktop.store.state import SyncState

STORE_FILE = "store.db"
_COMPACT_SLACK = 64


def journal_path(path: Path) -> Path:
    """The outbox journal that belongs to the store at `path`."""
    return path.with_name(path.stem + ".outbox-journal")


def _check_identity(conn: Connection, account_id: str) -> None:
    """Refuse a store written for another account before touching anything in it."""
    if schema_version(conn) < 1:
        raise StoreCorrupt(f"the order cache has no schema; {REPAIR_HINT}", account_id=account_id)
    row = conn.execute("SELECT value FROM meta WHERE key = 'account_id'").fetchone()
    if row is None:
        raise StoreCorrupt(
            f"the order cache has no account id; {REPAIR_HINT}", account_id=account_id
        )
    if row[0] != account_id:
        raise ForeignStore("this order cache belongs to another account; it was not opened")


def _stamp_identity(conn: Connection, account_id: str, cipher: CipherSettings) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [
                ("account_id", account_id),
                ("created_at", now_db()),
                ("cipher", dumps(cipher.to_dict())),
            ],
        )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class Store(Closing):
    """One account's order cache. Create with `Store.open(...)`; close it (or use `with`)."""

    def __init__(
        self, db: Database, *, path: Path, account_id: str, in_use: FileLock | None = None
    ) -> None:
        self._db = db
        self._in_use = in_use  # held shared while open: a cache rebuild waits for it (filelock)
        self.path = path
        self.account_id = account_id
        self.documents = Documents(db)
        self.outbox = Outbox(db)
        self.print_jobs = PrintJobs(db)
        self.retention = Retention(db)
        self.sync_state = SyncState(db)
        self.incidents = Incidents(db)

    # -- life cycle ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path,
        key: bytes | bytearray,
        *,
        account_id: str,
        key_id: str | None = None,
        cipher: CipherSettings = CIPHER_V1,
        create: bool = True,
        verify: bool | None = None,
        held: FileLock | None = None,
    ) -> Store:
        """Open (or create) the store, migrate it, check it is this account's, sync the journal.

        Args:
            key: the raw 256-bit store key.
            account_id: the account this store must belong to (stamped in it on creation).
            key_id: the key fingerprint recorded for the account; lets a decryption failure
                be told apart: a key that is not the account's raises `WrongStoreKey`, the
                right key failing means a damaged file (`StoreCorrupt`).
            verify: run the full integrity check (quick_check + per-page HMAC); by default only
                after an unclean shutdown (a WAL left behind).
            held: the account's in-use lock, already held EXCLUSIVELY by the caller (a sign-out
                counting the outbox it is about to destroy); the store neither takes nor
                releases it. Taking it shared again here would conflict with the caller's own
                exclusive hold (flock locks belong to the open file, not the process).

        Raises `StoreMissing`, `WrongStoreKey`, `StoreCorrupt`, `ForeignStore`, `StoreTooNew`.
        """
        raw = check_store_key(key)
        if key_id is not None and fingerprint(raw) != key_id:
            raise WrongStoreKey("this key is not the one this account's order cache was made with")
        if create:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if held is not None:
            if not held.held or held.shared or held.path != in_use_lock(path).path:
                raise ValueError("`held` must be this store's in-use lock, held exclusively")
            return cls._open(path, raw, account_id, cipher, create, verify, key_id, None)
        in_use = in_use_lock(path)
        # No folder and nothing to create: `connect` raises `StoreMissing` (no lock needed).
        if path.parent.is_dir() and not in_use.try_acquire(shared=True):
            raise AccountInUse(
                "this account's order cache is being rebuilt (or signed out) by another "
                "Click & Drop Desktop command; open it again when that has finished"
            )
        try:
            return cls._open(path, raw, account_id, cipher, create, verify, key_id, in_use)
        except BaseException:
            in_use.release()
            raise

    @classmethod
    def _open(
        cls,
        path: Path,
        raw: bytes,
        account_id: str,
        cipher: CipherSettings,
        create: bool,
        verify: bool | None,
        key_id: str | None,
        in_use: FileLock | None,
    ) -> Store:
        fresh = not path.exists() or path.stat().st_size == 0
        wal = wal_path(path)
        unclean = wal.exists() and wal.stat().st_size > 0
        try:
            conn = connect(path, raw, cipher, create=create)
        except WrongStoreKey:
            if key_id is not None:
                raise StoreCorrupt(
                    "the order cache file is damaged (its first page fails authentication); "
                    f"{REPAIR_HINT}",
                    account_id=account_id,
                ) from None
            raise
        try:
            with translated():
                if fresh:
                    migrate(conn)
                    _stamp_identity(conn, account_id, cipher)
                else:
                    _check_identity(conn, account_id)
                    migrate(conn)
                if verify or (verify is None and unclean):
                    problems = integrity_problems(conn)
                    if problems:
                        raise StoreCorrupt(
                            "the order cache file is damaged (integrity check failed); "
                            f"{REPAIR_HINT}",
                            account_id=account_id,
                        )
            journal = OutboxJournal(journal_path(path), raw, account_id)
            db = Database(conn, journal, account_id=account_id)
            store = cls(db, path=path, account_id=account_id, in_use=in_use)
            store._sync_journal()
        except BaseException:
            conn.close()
            raise
        return store

    def _sync_journal(self) -> None:
        """Apply what the journal has and the store lacks, then make the journal match."""
        journal = self._db.journal
        assert journal is not None
        contents = journal.read()
        with self._db.transaction() as conn:
            reconcile_with_journal(conn, contents)
            live = unsynced_snapshots(conn)
            state = contents.state
            if state is JournalState.UNREADABLE:
                journal.set_aside()  # perhaps readable with another key: keep, never overwrite
                if live:
                    journal.rewrite(live)
            elif state is JournalState.MISSING:
                if live:
                    journal.rewrite(live)
            elif (
                state is not JournalState.OK
                or not journal_matches(contents, live)
                or contents.records > 2 * len(live) + _COMPACT_SLACK
            ):
                # Damaged, torn, behind the store (a lost commit marker), or just long.
                journal.rewrite(live)

    @classmethod
    def rebuild(
        cls,
        path: Path,
        key: bytes | bytearray,
        *,
        account_id: str,
        key_id: str | None = None,
        cipher: CipherSettings = CIPHER_V1,
        force: bool = False,
    ) -> Store:
        """Replace a damaged or unreadable store with an empty one, keeping the outbox.

        The old database, WAL and SHM are deleted (they are ciphertext; sign-out destroys the
        key for good). Unsynced outbox items are restored from the journal when the new store
        opens. If the journal cannot be decrypted with `key`, this refuses unless `force`
        (which discards it). The store must not be open anywhere (close it first). The caller
        then syncs from the API to refill the cache.
        """
        raw = check_store_key(key)
        journal = OutboxJournal(journal_path(path), raw, account_id)
        if journal.read().state is JournalState.UNREADABLE:
            if not force:
                raise JournalUnreadable(
                    "the outbox journal cannot be decrypted with this key, so unsynced changes "
                    "cannot be restored; rebuild with force to discard them"
                )
            journal.delete()
        shred_files(path)
        return cls.open(path, raw, account_id=account_id, key_id=key_id, cipher=cipher)

    def restore_outbox(self, contents: JournalContents) -> int:
        """Apply another journal's committed changes (a rebuild under a new key read the old
        journal with the old key), then write this store's own journal to match."""
        with self._db.transaction() as conn:
            applied = reconcile_with_journal(conn, contents)
        self._sync_journal()
        return applied

    def carry_over(self, salvage: Salvage) -> None:
        """Take what a rebuild salvaged from the old file (settings, trading names, incidents)."""
        with self._db.transaction() as conn:
            apply_salvage(conn, salvage)

    def carry_documents(self, open_old: Callable[[], Connection]) -> carry.CarryReport:
        """Take a rebuild's cached labels, print jobs and history (with their orders) from the
        old file (`open_old` connects to it), row by row; what does not read is counted."""
        return carry.copy(open_old, self._db)

    def close(self) -> None:
        """Close the connection (checkpointing the WAL) and drop the journal key."""
        try:
            self._db.close()
            self._db.journal = None
        finally:
            if self._in_use is not None:
                self._in_use.release()

    @property
    def closed(self) -> bool:
        return self._db.closed

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"Store(account_id={self.account_id!r}, path={str(self.path)!r}, {state})"

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """One atomic unit across repositories (e.g. mark an order despatched and enqueue the
        outbox op; or upsert a page and save its continuation token)."""
        with self._db.transaction():
            yield self

    def verify(self) -> None:
        """Full integrity check; raises `StoreCorrupt` if any page is damaged."""
        with self._db.read() as conn:
            if integrity_problems(conn):
                raise StoreCorrupt(
                    f"the order cache file is damaged; {REPAIR_HINT}", account_id=self.account_id
                )

    @property
    def schema_version(self) -> int:
        with self._db.read() as conn:
            return schema_version(conn)

    # -- orders ----------------------------------------------------------------------------------

    def upsert_orders(self, records: Sequence[Order], source: OrderSource) -> UpsertCounts:
        """Insert or update a batch in ONE transaction (all or nothing).

        Raises `ImmutableFieldChanged` (nothing written) if a cached order's reference or
        creation date would change.
        """
        with self._db.transaction() as conn:
            return orders.upsert(conn, records, source=OrderSource(source), now=now_db())

    def get_order(self, identifier: int) -> StoredOrder | None:
        with self._db.read() as conn:
            return order_queries.get(conn, identifier)

    def find_order(self, text: str) -> StoredOrder | None:
        """By identifier, reference or tracking number (what a bench scanner reads)."""
        with self._db.read() as conn:
            return order_queries.find(conn, text)

    def query_orders(
        self,
        search: str | None = None,
        status: OrderStatus | None = None,
        sort: OrderSort = OrderSort.NEWEST,
        offset: int = 0,
        limit: int = 100,
    ) -> list[OrderRow]:
        """Light rows for the table view. `status=None` lists active (non-archived) orders;
        `OrderStatus.ARCHIVED` lists archived ones. `search` is prefix full-text search."""
        with self._db.read() as conn:
            return order_queries.query(
                conn, search=search, status=status, sort=sort, offset=offset, limit=limit
            )

    def count_orders(self, search: str | None = None, status: OrderStatus | None = None) -> int:
        with self._db.read() as conn:
            return order_queries.count(conn, search=search, status=status)

    def all_order_ids(self) -> set[int]:
        with self._db.read() as conn:
            return order_queries.all_ids(conn)

    def open_order_ids(
        self,
        *,
        created_before: datetime | None = None,
        after_id: int = 0,
        limit: int | None = None,
    ) -> list[int]:
        """Active orders still new or printed (the ones a sync refreshes by id), ascending,
        past `after_id`, optionally only those created before `created_before`."""
        with self._db.read() as conn:
            return order_queries.open_ids(
                conn, created_before=created_before, after_id=after_id, limit=limit
            )

    def archive_orders(self, identifiers: Iterable[int]) -> int:
        """Archive orders gone upstream (404); returns how many changed."""
        with self._db.transaction() as conn:
            return orders.archive(conn, identifiers, now=now_db())

    def forget_local_orders(self, identifiers: Iterable[int]) -> int:
        """Delete orders created here (negative ids, source `local`) once the API holds them
        under their real id, or once their create was discarded; returns how many went.
        Orders that came from the API are never deleted by this (they are archived)."""
        wanted = [i for i in dict.fromkeys(identifiers) if i < 0]
        count = 0
        with self._db.transaction() as conn:
            for ident in wanted:
                cursor = conn.execute(
                    "DELETE FROM orders WHERE order_identifier = ? AND source = ?",
                    (ident, OrderSource.LOCAL.value),
                )
                count += max(cursor.rowcount, 0)
        return count

    def immutable_fields(
        self, identifiers: Iterable[int]
    ) -> dict[int, tuple[str | None, datetime]]:
        """Cached id -> (order reference, created on), for the isolation guard."""
        with self._db.read() as conn:
            return order_queries.immutable_fields(conn, identifiers)

    def stats(self) -> dict[str, Any]:
        """Counts for `status` output (no personal data)."""
        with self._db.read() as conn:
            active, archived = conn.execute(
                "SELECT coalesce(sum(archived = 0), 0), coalesce(sum(archived = 1), 0) FROM orders"
            ).fetchone()
        return {
            "orders": int(active),
            "archived": int(archived),
            "outbox": self.outbox.unsynced_count(),
            "print_queue": sum(
                n for s, n in self.print_jobs.counts().items() if s.value in ("queued", "sending")
            ),
        }
