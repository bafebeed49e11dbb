"""Check and rebuild an account's encrypted order cache (`clickdrop-desktop cache`).

A rebuild replaces a damaged or unreadable cache with a new one under a NEW store key, keeps
the outbox (changes not yet sent), and is safe to interrupt at any point (kill -9, power cut):
run it again and it carries on. Its progress is a marker in the account record (`extra`):

1. staged: a new random key is kept in the vault beside the old one. The new cache is built
   in `rebuild.db` beside the old files, from what the old journal (old key) and the old file
   (when it still reads) hold: settings (`salvage`), and cached labels with their print jobs
   and orders, row by row (`store.carry`; the report counts labels that could not be read).
   Nothing old has been touched: a re-run starts this step over.
2. built: the old database, WAL, SHM and journal are moved aside (`*.damaged-<time>`; never
   deleted), and the new cache takes their place. Each move is idempotent.
3. switched: the record names the new key (one atomic write: from here on the new key is the
   live one; the vault hands out whichever key the record names). The old key is then
   destroyed in the vault and the marker cleared.

The account's own API key is untouched; no network is used. The next sync refills the cache.
Labels matter most: printing one that was not carried makes Click & Drop generate it again,
which can be billed.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from clickdrop_desktop.accounts import REBUILD_MARK as MARK
from clickdrop_desktop.accounts import AccountInUse, AccountRecord
from clickdrop_desktop.filelock import in_use_lock
from clickdrop_desktop.store import (
    CIPHER_V1,
    CipherSettings,
    JournalUnreadable,
    Store,
    StoreError,
    journal_path,
)
from clickdrop_desktop.store import salvage as salvage_mod
from clickdrop_desktop.store.carry import CarryReport, carry_lines
from clickdrop_desktop.store.connection import (
    DatabaseError,
    connect,
    database_files,
    integrity_problems,
    shred_files,
)
from clickdrop_desktop.store.crypto import key_id
from clickdrop_desktop.store.errors import REPAIR_HINT
from clickdrop_desktop.store.journal import JournalContents, JournalState, OutboxJournal
from clickdrop_desktop.vault import Vault, rotation, store_path

BUILD_FILE = "rebuild.db"


def cipher_of(record: AccountRecord) -> CipherSettings:
    return CipherSettings.from_dict(dict(record.crypto.get("store") or CIPHER_V1.to_dict()))


# -- check --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckReport:
    account: str
    ok: bool
    line: str  # the one line the CLI prints
    problems: int = 0
    orders: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "ok": self.ok,
            "problems": self.problems,
            "orders": self.orders,
            "message": self.line,
        }


def check_cache(vault: Vault, name: str | None, *, passphrase: str | None) -> CheckReport:
    """`PRAGMA quick_check` and `cipher_integrity_check` on the account's cache (read only)."""
    record = vault.registry.find(name)
    who = record.name
    if record.extra.get(MARK):
        return CheckReport(
            who,
            False,
            f"{who}: a cache rebuild was interrupted; run 'clickdrop-desktop cache "
            "--rebuild' to finish it",
            1,
        )
    keys = vault.unlock(record.name, passphrase=passphrase)
    path = store_path(record)
    if not path.exists():
        return CheckReport(who, True, f"{who}: no order cache yet (the next sync makes one)")
    try:
        conn = connect(path, keys.store_key, cipher_of(record), create=False)
    except StoreError as exc:
        return CheckReport(who, False, f"{who}: {exc.message}", 1)
    try:
        try:
            problems = len(integrity_problems(conn))
            orders = int(conn.execute("SELECT count(*) FROM orders").fetchone()[0])
        except DatabaseError:
            problems, orders = 1, None
    finally:
        with contextlib.suppress(Exception):
            conn.close()
    journal = OutboxJournal(journal_path(path), keys.store_key, record.account_id).read()
    if problems:
        return CheckReport(
            who,
            False,
            f"{who}: the order cache is damaged ({problems} problem(s) found by "
            f"quick_check and cipher_integrity_check); {REPAIR_HINT}",
            problems,
            orders,
        )
    note = ""
    if journal.state in (JournalState.UNREADABLE, JournalState.DAMAGED):
        note = f"; the outbox journal is {journal.state.value} (rewritten at the next open)"
    return CheckReport(
        who,
        True,
        f"{who}: the order cache is sound (quick_check and cipher_integrity_check "
        f"passed; {orders} order(s)){note}",
        0,
        orders,
    )


# -- rebuild ------------------------------------------------------------------------------------


@dataclass(slots=True)
class RebuildReport:
    account: str
    restored: int = 0  # unsent outbox changes restored from the journal
    aside: list[str] = field(default_factory=list)  # where the old files went
    retention_days: int | None = None
    carried: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    resumed: bool = False
    labels: int = 0  # cached labels carried into the new cache
    labels_lost: int | None = 0  # cached labels that could not be (None: how many is unknown)

    def next_sync(self) -> str:
        kept = (
            f", keeping none despatched more than {self.retention_days} day(s) ago"
            if self.retention_days
            else ""
        )
        return f"the next sync fetches all of {self.account}'s orders from Click & Drop{kept}"

    def lines(self) -> list[str]:
        lost = ""
        if self.labels_lost is None:
            lost = "; its cached labels could not be carried"
        elif self.labels_lost:
            lost = f"; {self.labels_lost} cached label(s) could not be carried"
        out = [
            f"{self.account}: the order cache was rebuilt under a new key"
            + (" (an interrupted rebuild was finished)" if self.resumed else "")
            + lost
        ]
        if self.aside:
            out.append(f"  old files kept as: {', '.join(self.aside)} (delete them when you like)")
        out.append(f"  outbox: {self.restored} unsent change(s) restored")
        if self.carried:
            out.append(f"  carried over: {', '.join(self.carried)}")
        if self.missing:
            out.append(f"  not recoverable: {', '.join(self.missing)}")
        out.append(f"  {self.next_sync()}; a label not carried is fetched again only when printed")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "restored": self.restored,
            "aside": self.aside,
            "retention_days": self.retention_days,
            "carried": self.carried,
            "missing": self.missing,
            "resumed": self.resumed,
            "labels": self.labels,
            "labels_lost": self.labels_lost,
            "next_sync": self.next_sync(),
        }


def _stamp() -> str:
    # Random tail: two rebuilds in one second must never move a file onto an earlier one.
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + secrets.token_hex(3)


def _save(vault: Vault, record: AccountRecord, **changes: Any) -> AccountRecord:
    updated = replace(record, **changes)
    vault.registry.update(updated)
    return updated


def _with_mark(record: AccountRecord, mark: dict[str, Any] | None) -> dict[str, Any]:
    extra = {k: v for k, v in record.extra.items() if k != MARK}
    if mark is not None:
        extra[MARK] = mark
    return extra


def _aside_name(original: Path, stem: str, stamp: str) -> Path:
    # `store.db-wal` -> `store.db.damaged-<stamp>-wal`: the pair still opens together.
    return original.with_name(f"{stem}.damaged-{stamp}{original.name[len(stem) :]}")


def _swap_in(path: Path, build: Path, stamp: str) -> None:
    """Move the old files aside and the new ones into place; repeatable after a crash."""
    journal, new_journal = journal_path(path), journal_path(build)
    if build.exists():
        for old in (*database_files(path), journal):
            if old.exists():
                stem = journal.name if old == journal else path.name
                target = _aside_name(old, stem, stamp)
                os.replace(old, target)
        # Invariant: once `rebuild.db` is gone, the old journal is aside (moved just above).
        os.replace(build, path)
    if new_journal.exists():
        os.replace(new_journal, journal)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _read_old(
    record: AccountRecord, key: bytes, *, force: bool
) -> tuple[JournalContents, salvage_mod.Salvage]:
    path = store_path(record)
    contents = OutboxJournal(journal_path(path), key, record.account_id).read()
    if contents.state is JournalState.UNREADABLE and not force:
        raise JournalUnreadable(
            "the outbox journal cannot be decrypted with this account's key, so unsent changes "
            "cannot be restored; 'clickdrop-desktop cache --rebuild --force' discards them"
        )
    # No old file (never synced, or already gone): nothing to salvage, nothing lost.
    found = (
        salvage_mod.read(path, key, cipher_of(record)) if path.exists() else salvage_mod.Salvage()
    )
    return contents, found


def _build(
    record: AccountRecord,
    new_key: bytes,
    old_key: bytes,
    contents: JournalContents,
    found: salvage_mod.Salvage,
) -> tuple[int, CarryReport | None]:
    build = store_path(record).with_name(BUILD_FILE)
    shred_files(build)  # a half-built one from an interrupted run
    with contextlib.suppress(FileNotFoundError):
        journal_path(build).unlink()
    with Store.open(
        build,
        new_key,
        account_id=record.account_id,
        key_id=key_id(new_key),
        cipher=cipher_of(record),
    ) as fresh:
        restored = fresh.restore_outbox(contents)
        fresh.carry_over(found)
        labels = _carry_documents(record, old_key, fresh)
    return restored, labels


def _carry_documents(record: AccountRecord, old_key: bytes, fresh: Store) -> CarryReport | None:
    """Cached labels and print jobs from the old file; None when it does not open at all."""
    path = store_path(record)
    if not path.exists():
        return CarryReport()  # never synced, or already moved aside: nothing to carry
    try:
        connect(path, old_key, cipher_of(record), create=False).close()
    except (StoreError, OSError):
        return None
    return fresh.carry_documents(lambda: connect(path, old_key, cipher_of(record), create=False))


def _carried(found: salvage_mod.Salvage) -> list[str]:
    carried = []
    if found.retention_days is not None:
        carried.append(f"retention period ({found.retention_days} days)")
    elif found.retention_recorded:
        carried.append("retention period (off: everything kept)")
    if found.sync_identity.get("trading_names"):
        carried.append(f"{len(found.sync_identity['trading_names'])} trading name(s)")
    if found.incidents:
        carried.append(f"{found.incidents} isolation incident record(s)")
    return carried


def rebuild_cache(
    vault: Vault, name: str | None, *, passphrase: str | None, force: bool = False
) -> RebuildReport:
    """Rebuild the account's cache under a new store key (see the module docstring).

    Holds the account's in-use lock exclusively throughout: if a window or command has the
    account open, it refuses at once (`AccountInUse`) rather than move files from under it.
    Raises `JournalUnreadable` (unless `force`), the vault's errors (passphrase, keyring),
    `StoreError` when the new cache cannot be made.
    """
    record = vault.registry.find(name)
    path = store_path(record)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with in_use_lock(path) as lock:
        if not lock.try_acquire(shared=False):
            raise AccountInUse(
                f"the account {record.name!r} is open in another Click & Drop Desktop window "
                "or command; close it and run 'clickdrop-desktop cache --rebuild' again"
            )
        return _rebuild(vault, record, passphrase=passphrase, force=force)


def _rebuild(
    vault: Vault, record: AccountRecord, *, passphrase: str | None, force: bool
) -> RebuildReport:
    mark: dict[str, Any] = dict(record.extra.get(MARK) or {})
    report = RebuildReport(record.name, resumed=bool(mark))
    keys = vault.unlock(record.name, passphrase=passphrase)  # the key the record names
    path = store_path(record)
    if mark.get("phase") in (None, "staged"):
        contents, found = _read_old(record, keys.store_key, force=force)
        new_key = rotation.read_staged(vault, record, passphrase) if mark else None
        if new_key is None or key_id(new_key) != mark.get("key_id"):
            new_key = rotation.new_store_key()
            rotation.stage(vault, record, new_key, passphrase)
            mark = {"phase": "staged", "key_id": key_id(new_key), "stamp": _stamp()}
            record = _save(vault, record, extra=_with_mark(record, mark))
        restored, labels = _build(record, new_key, keys.store_key, contents, found)
        carried, missing, lost = carry_lines(labels)
        mark = {
            **mark,
            "phase": "built",
            "restored": restored,
            "retention_days": found.retention_days,
            "carried": _carried(found) + carried,
            "missing": list(found.missing) + missing,
            "labels": labels.documents if labels is not None else 0,
            "labels_lost": lost,
        }
        record = _save(vault, record, extra=_with_mark(record, mark))
    if mark["phase"] == "built":
        _swap_in(path, path.with_name(BUILD_FILE), str(mark["stamp"]))
        # Listed from the folder: a swap interrupted half-way moved some files in a former run.
        aside = path.parent.glob(f"*.damaged-{mark['stamp']}*")
        mark["aside"] = sorted(p.name for p in aside)
        mark["phase"] = "switched"
        # The commit point: from this write on, the new key is the account's live key.
        record = _save(vault, record, key_id=mark["key_id"], extra=_with_mark(record, mark))
    rotation.promote(vault, record, passphrase)  # destroys the old key; no-op when done
    _save(vault, record, extra=_with_mark(record, None))
    report.restored = int(mark.get("restored") or 0)
    report.aside = list(mark.get("aside") or [])
    report.retention_days = mark.get("retention_days")
    report.carried = list(mark.get("carried") or [])
    report.missing = list(mark.get("missing") or [])
    report.labels = int(mark.get("labels") or 0)
    lost = mark.get("labels_lost", 0)
    report.labels_lost = None if lost is None else int(lost)
    return report
