"""Sign-out helpers: count what would be lost, then shred the account's folder."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

from clickdrop_desktop.accounts import AccountInUse, AccountRecord
from clickdrop_desktop.filelock import FileLock, in_use_lock
from clickdrop_desktop.store import STORE_FILE, Store, StoreError, journal_path
from clickdrop_desktop.store.journal import JournalState, OutboxJournal
from clickdrop_desktop.vault.errors import UnsyncedChanges, VaultError
from clickdrop_desktop.vault.secrets import AccountKeys

if TYPE_CHECKING:
    from clickdrop_desktop.vault.vault import Vault


def take_in_use(record: AccountRecord, *, wait: float = 0.0) -> FileLock:
    """The account's in-use lock, held exclusively for a sign-out (see `filelock`).

    Every opener of the store (a window, a command, a sync worker) holds it shared, so while
    any of them has the account open this refuses (`AccountInUse`) rather than delete files
    from under it. `wait`: seconds to keep trying, for a caller (the window) that has just
    asked its own workers to close the store.
    """
    lock = in_use_lock(record.directory / STORE_FILE)
    if not record.directory.is_dir():
        return lock  # nothing on disk to protect (an interrupted sign-in); nothing to hold
    deadline = time.monotonic() + max(wait, 0.0)
    while not lock.try_acquire(shared=False):
        if time.monotonic() >= deadline:
            raise AccountInUse(
                f"the account {record.name!r} is open in another Click & Drop Desktop window "
                "or command; close it there and sign out again"
            )
        time.sleep(0.05)
    return lock


def count_unsynced(
    record: AccountRecord, keys: AccountKeys, *, held: FileLock | None = None
) -> int:
    """Unsynced outbox items: the journal's count (it is never behind the store), and the
    store's when it opens; raises `VaultError` if neither can be read. `held`: the in-use lock
    when the caller holds it exclusively (a sign-out)."""
    path = record.directory / STORE_FILE
    contents = OutboxJournal(journal_path(path), keys.store_key, record.account_id).read()
    counts: list[int] = []
    if contents.state is not JournalState.UNREADABLE:
        counts.append(sum(1 for op in contents.ops.values() if op.get("state") != "done"))
    if path.exists():
        with (
            contextlib.suppress(StoreError),
            Store.open(
                path,
                keys.store_key,
                account_id=record.account_id,
                key_id=record.key_id,
                create=False,
                held=held if held is not None and held.held else None,
            ) as store,
        ):
            counts.append(store.outbox.unsynced_count())
    if not counts:
        raise VaultError("the outbox of this account cannot be read")
    return max(counts)


def check_unsynced(
    vault: Vault,
    record: AccountRecord,
    *,
    passphrase: str | None,
    force: bool,
    held: FileLock | None = None,
) -> int | None:
    """How many unsynced changes a sign-out discards; refuses without `force` if any (or if
    they cannot be counted)."""
    try:
        keys = vault.unlock(record.name, passphrase=passphrase)
        pending: int | None = count_unsynced(record, keys, held=held)
    except VaultError as exc:
        if not force:
            raise UnsyncedChanges(
                f"cannot check {record.name!r} for unsynced changes ({exc.message}); "
                "sign out with force to discard them",
                pending=None,
            ) from None
        return None
    if pending and not force:
        raise UnsyncedChanges(
            f"{record.name!r} has {pending} change(s) not yet sent to Click & Drop; send them "
            "first, or sign out with force to discard them",
            pending=pending,
        )
    return pending


def scrub(path: Path) -> None:
    """Overwrite a small secret-bearing file with random bytes (best effort), then fsync."""
    # Overwriting matters only for the wrapped keys (small, and the one secret-bearing file
    # besides ciphertext whose key is already gone); on SSDs it is best effort.
    with contextlib.suppress(OSError):
        size = path.stat().st_size
        with path.open("r+b") as handle:
            handle.write(secrets.token_bytes(size))
            handle.flush()
            os.fsync(handle.fileno())


def shred_folder(folder: Path, *, wrapped_file: str) -> None:
    """Delete the account's folder: store, WAL, SHM, journal(s), wrapped keys, label files."""
    if not folder.exists():
        return
    wrapped = folder / wrapped_file
    if wrapped.exists():
        scrub(wrapped)
    shutil.rmtree(folder, ignore_errors=True)
    if folder.exists():
        raise VaultError(f"could not delete {folder}; delete it by hand")
