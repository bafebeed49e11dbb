"""Opening a store: wrong key, truncated, corrupted, another account's file, permissions."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from clickdrop_desktop.store import (
    ForeignStore,
    OrderSource,
    Store,
    StoreClosed,
    StoreCorrupt,
    StoreError,
    StoreMissing,
    WrongStoreKey,
)
from clickdrop_desktop.store.crypto import key_id
from tests.helpers.order_factory import full_orders

KEY = os.urandom(32)
ACCOUNT = "acct-a"
PAGE = 4096


def _filled(path: Path, count: int = 300) -> Path:
    with Store.open(path, KEY, account_id=ACCOUNT) as store:
        for start in range(0, count, 100):
            store.upsert_orders(full_orders(100, start=1_000_001 + start), OrderSource.FULL)
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return _filled(tmp_path / "store.db")


def _errors_have_no_key(error: StoreError) -> None:
    for text in (str(error), repr(error), error.message):
        assert KEY.hex() not in text
        assert "\n" not in text


def test_reopen_with_the_right_key(db: Path) -> None:
    with Store.open(db, KEY, account_id=ACCOUNT, key_id=key_id(KEY)) as store:
        assert store.count_orders() == 300


def test_wrong_key(db: Path) -> None:
    other = os.urandom(32)
    with pytest.raises(WrongStoreKey) as caught:
        Store.open(db, other, account_id=ACCOUNT)
    _errors_have_no_key(caught.value)
    # With the account's recorded fingerprint, a key that is not the account's is named as such
    # before the file is even read.
    with pytest.raises(WrongStoreKey):
        Store.open(db, other, account_id=ACCOUNT, key_id=key_id(KEY))


def test_keys_must_be_256_bit(db: Path) -> None:
    with pytest.raises(ValueError, match="32 random bytes"):
        Store.open(db, b"short", account_id=ACCOUNT)


def test_truncated_mid_page_is_corrupt(db: Path) -> None:
    size = db.stat().st_size
    with db.open("r+b") as handle:
        handle.truncate(size // 2 + 100)
    with pytest.raises(StoreCorrupt) as caught:
        Store.open(db, KEY, account_id=ACCOUNT)
    _errors_have_no_key(caught.value)


def test_truncated_on_a_page_boundary_is_found_by_the_check(db: Path) -> None:
    pages = db.stat().st_size // PAGE
    with db.open("r+b") as handle:
        handle.truncate((pages // 2) * PAGE)
    with pytest.raises(StoreCorrupt):
        Store.open(db, KEY, account_id=ACCOUNT, verify=True)
    # Without the full check, opening (or the first read that touches a missing page) says
    # the same: never a raw sqlite error.
    with pytest.raises(StoreCorrupt):
        _read_everything(db)


def _read_everything(db: Path) -> None:
    with Store.open(db, KEY, account_id=ACCOUNT) as store:
        for search in ("ORD", "a", "e", "o"):
            store.count_orders(search)
            store.query_orders(search, limit=1000)
        for ident in range(1_000_001, 1_000_301):
            store.get_order(ident)


def test_damaged_first_page_with_the_right_key_is_corrupt_not_wrong_key(db: Path) -> None:
    with db.open("r+b") as handle:
        handle.seek(100)
        handle.write(os.urandom(64))
    with pytest.raises(StoreCorrupt):
        Store.open(db, KEY, account_id=ACCOUNT, key_id=key_id(KEY))


def test_damaged_inner_page_fails_the_integrity_check(db: Path) -> None:
    pages = db.stat().st_size // PAGE
    with db.open("r+b") as handle:
        handle.seek((pages // 2) * PAGE + 200)
        handle.write(os.urandom(32))
    with pytest.raises(StoreCorrupt):
        Store.open(db, KEY, account_id=ACCOUNT, verify=True)
    store = Store.open(db, KEY, account_id=ACCOUNT)
    with pytest.raises(StoreCorrupt):
        store.verify()
    store.close()


def test_another_accounts_store_is_refused_and_left_untouched(db: Path) -> None:
    before = db.read_bytes()
    with pytest.raises(ForeignStore) as caught:
        Store.open(db, KEY, account_id="acct-b")
    assert "another account" in caught.value.message
    assert db.read_bytes() == before


def test_missing_store_is_created_unless_told_not_to(tmp_path: Path) -> None:
    with pytest.raises(StoreMissing):
        Store.open(tmp_path / "none.db", KEY, account_id=ACCOUNT, create=False)
    assert not (tmp_path / "none.db").exists()
    with Store.open(tmp_path / "new.db", KEY, account_id=ACCOUNT) as store:
        assert store.count_orders() == 0


def test_files_are_private(tmp_path: Path) -> None:
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    path = tmp_path / "store.db"
    store = Store.open(path, KEY, account_id=ACCOUNT)
    store.upsert_orders(full_orders(3), OrderSource.FULL)
    store.outbox.enqueue("despatch", {"orderIdentifier": 1})
    names = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
    assert set(names) >= {"store.db", "store.db-wal", "store.db-shm", "store.outbox-journal"}
    assert set(names.values()) == {0o600}
    store.close()


def test_clean_close_leaves_no_wal(tmp_path: Path) -> None:
    path = _filled(tmp_path / "store.db", 100)
    assert not (tmp_path / "store.db-wal").exists()
    assert path.exists()


def test_a_closed_store_says_so(db: Path) -> None:
    store = Store.open(db, KEY, account_id=ACCOUNT)
    store.close()
    with pytest.raises(StoreClosed):
        store.count_orders()
    assert "closed" in repr(store)


def test_plain_sqlite_cannot_read_it(db: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(db)
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.close()


def test_rebuild_replaces_a_corrupt_store(db: Path) -> None:
    with Store.open(db, KEY, account_id=ACCOUNT) as store:
        store.outbox.enqueue("despatch", {"orderIdentifier": 1_000_001})
    with db.open("r+b") as handle:
        handle.truncate(db.stat().st_size // 2 + 1)
    with pytest.raises(StoreCorrupt):
        Store.open(db, KEY, account_id=ACCOUNT)
    with Store.rebuild(db, KEY, account_id=ACCOUNT) as store:
        assert store.count_orders() == 0
        assert [i.payload for i in store.outbox.list()] == [{"orderIdentifier": 1_000_001}]
