"""A cache rebuild keeps the cached labels (reprinting would make Click & Drop generate them
again, which can be billed) byte for byte, with their print jobs and history and the orders they
belong to; a damaged page loses only the labels on it, and the report says how many."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from clickdrop_desktop.cache_repair import rebuild_cache
from clickdrop_desktop.store import POSTAGE_LABEL, PrintJobState, Store
from clickdrop_desktop.vault import Vault, store_path
from tests.unit.vault.cache_fixtures import NAME, PASSPHRASE, passphrase_vault, populate

PAGE = 4096


def _label(n: int, size: int = 6000) -> bytes:
    # Random bytes: a real PDF's streams are compressed; large enough to need overflow pages.
    return b"%PDF-1.7\n" + hashlib.sha256(str(n).encode()).digest() + os.urandom(size)


def _open(vault: Vault) -> Store:
    vault.unlock(NAME, passphrase=PASSPHRASE)
    return vault.open_store(NAME)


def _pages(vault: Vault) -> int:
    return store_path(vault.registry.get(NAME)).stat().st_size // PAGE


def _order_ids(vault: Vault) -> list[int]:
    with _open(vault) as store:
        return sorted(store.all_order_ids())


def test_a_rebuild_keeps_cached_labels_byte_for_byte_with_their_print_history() -> None:
    vault = passphrase_vault()
    pending = populate(vault)
    ids = _order_ids(vault)[:12]
    labels = {ident: _label(ident) for ident in ids}
    with _open(vault) as store:
        for ident, data in labels.items():
            store.documents.put(ident, POSTAGE_LABEL, data, page_count=1)
        printed = store.print_jobs.insert(ids[0], POSTAGE_LABEL, "zpl+file:///tmp/x.zpl")
        store.print_jobs.mark(printed.id, PrintJobState.SENT)
        history = [(e.action, e.state) for e in store.print_jobs.events(printed.id)]
        documents_before = {i: store.documents.list_for(i) for i in ids}
    assert len(history) >= 2

    report = rebuild_cache(vault, NAME, passphrase=PASSPHRASE)

    assert report.labels == len(labels)
    assert report.labels_lost == 0
    assert f"{len(labels)} cached label(s)" in report.carried
    assert "1 print job(s) with their history" in report.carried
    assert "could not be carried" not in report.lines()[0]
    with _open(vault) as store:
        for ident, data in labels.items():
            kept = store.documents.get(ident, POSTAGE_LABEL)
            assert kept is not None
            assert kept.data == data  # byte-identical
            assert store.documents.list_for(ident) == documents_before[ident]
            assert store.get_order(ident) is not None  # the order it belongs to came along
        assert store.print_jobs.was_printed(ids[0], POSTAGE_LABEL)
        assert [(e.action, e.state) for e in store.print_jobs.events(printed.id)] == history
        # A new job does not collide with a carried id (AUTOINCREMENT follows the carried ids).
        fresh = store.print_jobs.insert(ids[1], POSTAGE_LABEL, "zpl+file:///tmp/x.zpl")
        assert fresh.id > printed.id
        assert store.outbox.unsynced_count() == 1  # and the unsent change, as before
        assert pending in store.all_order_ids()
        assert not store.verify()


def test_a_damaged_page_loses_only_its_label_and_the_report_says_how_many() -> None:
    vault = passphrase_vault()
    populate(vault)
    ids = _order_ids(vault)
    victim, others = ids[0], ids[1:9]
    with _open(vault) as store:
        for ident in others[:4]:
            store.documents.put(ident, POSTAGE_LABEL, _label(ident))
    before = _pages(vault)  # closed: the WAL is checkpointed into the file
    with _open(vault) as store:
        store.documents.put(victim, POSTAGE_LABEL, _label(victim, size=40_000))
    after = _pages(vault)
    with _open(vault) as store:
        for ident in others[4:]:
            store.documents.put(ident, POSTAGE_LABEL, _label(ident))
    # The victim's 40 kB went into pages appended for it (its overflow chain): damage one in
    # the middle, far from every other row.
    assert after - before >= 8
    path: Path = store_path(vault.registry.get(NAME))
    with path.open("r+b") as handle:
        handle.seek(PAGE * ((before + after) // 2) + 300)
        handle.write(os.urandom(64))

    report = rebuild_cache(vault, NAME, passphrase=PASSPHRASE)

    assert report.labels == len(others)
    assert report.labels_lost == 1
    assert report.lines()[0].endswith("; 1 cached label(s) could not be carried")
    assert any(
        m.startswith("1 cached label(s) (printing one fetches it again") for m in report.missing
    )
    assert report.to_dict()["labels_lost"] == 1
    with _open(vault) as store:
        assert store.documents.get(victim, POSTAGE_LABEL) is None
        for ident in others:
            assert store.documents.get(ident, POSTAGE_LABEL) is not None


def test_an_old_file_that_does_not_open_reports_its_labels_lost() -> None:
    vault = passphrase_vault()
    populate(vault)
    with _open(vault) as store:
        store.documents.put(_order_ids(vault)[0], POSTAGE_LABEL, _label(1))
    path = store_path(vault.registry.get(NAME))
    with path.open("r+b") as handle:
        handle.seek(100)
        handle.write(os.urandom(64))  # page 1: nothing opens

    report = rebuild_cache(vault, NAME, passphrase=PASSPHRASE)

    assert report.labels == 0
    assert report.labels_lost is None
    assert report.lines()[0].endswith("; its cached labels could not be carried")
    assert report.to_dict()["labels_lost"] is None


def test_a_damaged_order_index_loses_no_label() -> None:
    """Each label's order is looked up by its identifier, through the orders' unique index: a
    damaged index page must not lose the labels of orders whose own rows read (the table is
    scanned instead)."""
    vault = passphrase_vault()
    populate(vault)
    ids = _order_ids(vault)[:6]
    with _open(vault) as store:
        for ident in ids:
            store.documents.put(ident, POSTAGE_LABEL, _label(ident))
        with store._db.read() as conn:
            root = conn.execute(
                "SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_orders_1'"
            ).fetchone()[0]
    path = store_path(vault.registry.get(NAME))
    with path.open("r+b") as handle:
        handle.seek(PAGE * (int(root) - 1) + 300)
        handle.write(os.urandom(64))

    report = rebuild_cache(vault, NAME, passphrase=PASSPHRASE)

    assert (report.labels, report.labels_lost) == (len(ids), 0)
    with _open(vault) as store:
        for ident in ids:
            assert store.documents.get(ident, POSTAGE_LABEL) is not None
            assert store.get_order(ident) is not None
