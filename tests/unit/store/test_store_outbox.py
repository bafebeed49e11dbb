"""The outbox and its journal: every change journalled before COMMIT, replayed into the store
after a crash between the two, and restored after a rebuild; damage is contained."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clickdrop_desktop.store import (
    JournalUnreadable,
    OrderSource,
    OutboxState,
    Store,
    StoreError,
    journal_path,
)
from clickdrop_desktop.store.journal import JournalState, OutboxJournal
from tests.helpers.order_factory import full_orders
from tests.unit.store.conftest import ACCOUNT


def _journal(path: Path, key: bytes, account: str = ACCOUNT) -> OutboxJournal:
    return OutboxJournal(journal_path(path), key, account)


def test_enqueue_list_mark(store: Store) -> None:
    first = store.outbox.enqueue("despatch", {"orderIdentifier": 1}, order_identifier=1)
    second = store.outbox.enqueue("create", {"orderReference": "R-2"}, order_reference="R-2")
    assert [i.seq for i in store.outbox.list()] == [first.seq, second.seq]
    assert first.state is OutboxState.PENDING
    sending = store.outbox.mark(first.op_id, OutboxState.SENDING, count_attempt=True)
    assert sending.attempts == 1
    store.outbox.mark(first.op_id, OutboxState.DONE)
    assert [i.op_id for i in store.outbox.list([OutboxState.PENDING])] == [second.op_id]
    assert store.outbox.unsynced_count() == 1
    failed = store.outbox.mark(second.op_id, OutboxState.FAILED, error="400 bad postcode")
    assert failed.last_error == "400 bad postcode"
    assert store.outbox.unsynced_count() == 1  # failed still needs the user
    with pytest.raises(StoreError):
        store.outbox.mark("no-such-op", OutboxState.DONE)


def test_every_change_is_in_the_journal(store: Store, store_path: Path, key: bytes) -> None:
    item = store.outbox.enqueue("despatch", {"orderIdentifier": 7})
    store.outbox.mark(item.op_id, OutboxState.SENDING, count_attempt=True)
    contents = _journal(store_path, key).read()
    assert contents.state is JournalState.OK
    assert contents.records == 4  # two snapshots, each followed by its commit marker
    assert contents.ops[item.op_id]["state"] == "sending"
    assert contents.ops[item.op_id]["revision"] == 2
    assert contents.ops[item.op_id]["payload"] == {"orderIdentifier": 7}


def test_a_change_and_its_op_commit_together(store: Store, store_path: Path, key: bytes) -> None:
    store.upsert_orders(full_orders(1), OrderSource.FULL)

    def despatch_then_fail() -> None:
        with store.transaction() as tx:
            tx.sync_state.set("despatched", "1000001")
            tx.outbox.enqueue("despatch", {"orderIdentifier": 1_000_001})
            raise RuntimeError("crash before commit")

    with pytest.raises(RuntimeError):
        despatch_then_fail()
    assert store.outbox.list() == []
    assert store.sync_state.get("despatched") is None
    assert _journal(store_path, key).read().records == 0  # journal untouched on rollback


def test_committed_journal_entries_the_store_lost_are_applied(
    store: Store, store_path: Path, key: bytes
) -> None:
    item = store.outbox.enqueue("despatch", {"orderIdentifier": 1})
    store.close()
    journal = _journal(store_path, key)
    done = {**journal.read().ops[item.op_id], "state": "done", "revision": 2, "txn": "t-kept"}
    journal.append([done])
    journal.commit("t-kept")  # committed, but the store lost it (restored file, say)
    with Store.open(store_path, key, account_id=ACCOUNT) as reopened:
        assert reopened.outbox.get(item.op_id).state is OutboxState.DONE  # type: ignore[union-attr]


def test_uncommitted_journal_entries_are_never_resurrected(
    store: Store, store_path: Path, key: bytes
) -> None:
    item = store.outbox.enqueue("despatch", {"orderIdentifier": 1})
    store.close()
    journal = _journal(store_path, key)
    base = journal.read().ops[item.op_id]
    # Killed between the journal's fsync and COMMIT: no marker, and the store never had it.
    journal.append([{**base, "op_id": "op-rolled-back", "seq": 2, "txn": "t-lost"}])
    journal.append([{**base, "state": "done", "revision": 2, "txn": "t-lost"}])
    with Store.open(store_path, key, account_id=ACCOUNT) as reopened:
        states = {i.op_id: i.state for i in reopened.outbox.list()}
    assert states == {item.op_id: OutboxState.PENDING}
    assert set(_journal(store_path, key).read().ops) == {item.op_id}


def test_a_lost_commit_marker_leaves_the_store_in_charge(
    store: Store, store_path: Path, key: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = store.outbox.enqueue("despatch", {"orderIdentifier": 1})
    monkeypatch.setattr(OutboxJournal, "commit", _fail_commit)
    store.outbox.mark(item.op_id, OutboxState.SENDING, count_attempt=True)  # store: revision 2
    monkeypatch.undo()
    store.close()
    assert _journal(store_path, key).read().ops[item.op_id]["revision"] == 1
    with Store.open(store_path, key, account_id=ACCOUNT) as reopened:
        assert reopened.outbox.get(item.op_id).state is OutboxState.SENDING  # type: ignore[union-attr]
    assert _journal(store_path, key).read().ops[item.op_id]["revision"] == 2  # caught up


def _fail_commit(self: OutboxJournal, txn: str) -> None:
    raise OSError("disk full")


def test_rebuild_restores_unsynced_changes_only(store: Store, store_path: Path, key: bytes) -> None:
    store.upsert_orders(full_orders(10), OrderSource.FULL)
    keep = store.outbox.enqueue("despatch", {"orderIdentifier": 1_000_001})
    fail = store.outbox.enqueue("create", {"orderReference": "R"}, order_reference="R")
    store.outbox.mark(fail.op_id, OutboxState.FAILED, error="rejected")
    finished = store.outbox.enqueue("despatch", {"orderIdentifier": 1_000_002})
    store.outbox.mark(finished.op_id, OutboxState.DONE)
    store.close()
    store_path.write_bytes(os.urandom(8192))  # damaged beyond use
    with Store.rebuild(store_path, key, account_id=ACCOUNT) as fresh:
        assert fresh.count_orders() == 0
        restored = {i.op_id: i for i in fresh.outbox.list()}
    assert set(restored) == {keep.op_id, fail.op_id}
    assert restored[fail.op_id].state is OutboxState.FAILED
    assert restored[keep.op_id].payload == {"orderIdentifier": 1_000_001}
    assert restored[keep.op_id].seq < restored[fail.op_id].seq


def test_deleted_store_restores_from_the_journal_on_open(
    store: Store, store_path: Path, key: bytes
) -> None:
    item = store.outbox.enqueue("despatch", {"orderIdentifier": 1})
    store.close()
    store_path.unlink()
    with Store.open(store_path, key, account_id=ACCOUNT) as fresh:
        assert [i.op_id for i in fresh.outbox.list()] == [item.op_id]


def test_a_torn_last_record_is_ignored_and_trimmed(
    store: Store, store_path: Path, key: bytes
) -> None:
    item = store.outbox.enqueue("despatch", {"orderIdentifier": 1})
    store.close()
    path = journal_path(store_path)
    with path.open("ab") as handle:
        handle.write((500).to_bytes(4, "big") + os.urandom(100))  # power cut mid-append
    assert _journal(store_path, key).read().state is JournalState.TORN
    with Store.open(store_path, key, account_id=ACCOUNT) as reopened:
        assert [i.op_id for i in reopened.outbox.list()] == [item.op_id]
        reopened.outbox.enqueue("despatch", {"orderIdentifier": 2})
    contents = _journal(store_path, key).read()
    assert contents.state is JournalState.OK
    assert len(contents.ops) == 2


def test_a_damaged_journal_is_rewritten_from_a_healthy_store(
    store: Store, store_path: Path, key: bytes
) -> None:
    first = store.outbox.enqueue("despatch", {"orderIdentifier": 1})
    second = store.outbox.enqueue("despatch", {"orderIdentifier": 2})
    store.close()
    path = journal_path(store_path)
    data = bytearray(path.read_bytes())
    data[30] ^= 0xFF  # inside the first record
    path.write_bytes(bytes(data))
    with Store.open(store_path, key, account_id=ACCOUNT) as reopened:
        assert {i.op_id for i in reopened.outbox.list()} == {first.op_id, second.op_id}
    assert set(_journal(store_path, key).read().ops) == {first.op_id, second.op_id}
    assert any(p.name.startswith("store.outbox-journal.unreadable-") for p in path.parent.iterdir())


def test_another_accounts_journal_does_not_open(store: Store, store_path: Path, key: bytes) -> None:
    store.outbox.enqueue("despatch", {"orderIdentifier": 1})
    assert _journal(store_path, key, "acct-other").read().state is JournalState.UNREADABLE
    assert _journal(store_path, os.urandom(32)).read().state is JournalState.UNREADABLE


def test_rebuild_refuses_when_the_journal_cannot_be_read(
    store: Store, store_path: Path, key: bytes
) -> None:
    store.outbox.enqueue("despatch", {"orderIdentifier": 1})
    store.close()
    other = os.urandom(32)
    with pytest.raises(JournalUnreadable):
        Store.rebuild(store_path, other, account_id=ACCOUNT)
    assert store_path.exists()  # nothing was deleted
    with Store.rebuild(store_path, other, account_id=ACCOUNT, force=True) as fresh:
        assert fresh.outbox.list() == []


def test_the_journal_is_compacted(store: Store, store_path: Path, key: bytes) -> None:
    for n in range(80):
        item = store.outbox.enqueue("despatch", {"orderIdentifier": n})
        store.outbox.mark(item.op_id, OutboxState.DONE)
    live = store.outbox.enqueue("despatch", {"orderIdentifier": 999})
    store.close()
    assert _journal(store_path, key).read().records == 322  # snapshot + marker per change
    with Store.open(store_path, key, account_id=ACCOUNT) as reopened:
        assert reopened.outbox.unsynced_count() == 1
    contents = _journal(store_path, key).read()
    assert contents.records == 1
    assert set(contents.ops) == {live.op_id}


def test_journal_bytes_hold_no_plaintext(store: Store, store_path: Path) -> None:
    store.outbox.enqueue("create", {"recipient": "Zebedee Quillfeather", "postcode": "ZZ9 9ZZ"})
    data = journal_path(store_path).read_bytes()
    assert b"Zebedee" not in data
    assert b"ZZ9" not in data
    assert b"create" not in data
