"""`cache --check` and `cache --rebuild` in the core: a damaged cache is found, moved aside (never
deleted), rebuilt under a NEW store key with its unsent changes, and the old key is destroyed."""

from __future__ import annotations

import json
import os

import pytest

from clickdrop_desktop import cache_repair
from clickdrop_desktop.accounts import RebuildPending
from clickdrop_desktop.cache_repair import check_cache, rebuild_cache
from clickdrop_desktop.store import JournalUnreadable, OutboxState, StoreCorrupt, journal_path
from clickdrop_desktop.store.journal import OutboxJournal
from clickdrop_desktop.sync.state import normalise_state
from clickdrop_desktop.sync.store_adapter import StoreSyncStorage
from clickdrop_desktop.vault import WRAPPED_FILE, Vault, store_path
from clickdrop_desktop.vault.keyring_entries import SERVICE
from clickdrop_desktop.vault.wrapping import unwrap
from tests.helpers.memory_keyring import MemoryKeyring
from tests.unit.vault.cache_fixtures import (
    NAME,
    PASSPHRASE,
    damage,
    passphrase_vault,
    populate,
)
from tests.unit.vault.conftest import make_vault


def _wrapped(vault: Vault) -> dict[str, str]:
    record = vault.registry.get(NAME)
    blob = (record.directory / WRAPPED_FILE).read_bytes()
    return unwrap(blob, passphrase=PASSPHRASE, account_id=record.account_id, name=NAME)


def test_check_reports_a_sound_cache_then_a_damaged_one() -> None:
    vault = passphrase_vault()
    populate(vault)
    report = check_cache(vault, NAME, passphrase=PASSPHRASE)
    assert report.ok
    assert report.orders == 40
    assert "\n" not in report.line
    damage(vault)
    report = check_cache(vault, NAME, passphrase=PASSPHRASE)
    assert not report.ok
    assert report.problems >= 1
    assert report.line.endswith("repair it with 'clickdrop-desktop cache --rebuild'")


def test_opening_a_damaged_cache_points_to_the_rebuild_command() -> None:
    vault = passphrase_vault()
    populate(vault)
    damage(vault, page=0)  # page 1 itself: the file no longer opens
    vault.unlock(NAME, passphrase=PASSPHRASE)
    with pytest.raises(StoreCorrupt) as caught:
        vault.open_store(NAME)
    assert "clickdrop-desktop cache --rebuild" in caught.value.message


def test_rebuild_rotates_the_key_keeps_the_outbox_and_the_old_files() -> None:
    vault = passphrase_vault()
    ident = populate(vault)
    before = vault.registry.get(NAME)
    old_key = vault.unlock(NAME, passphrase=PASSPHRASE).store_key
    path = damage(vault)

    report = rebuild_cache(vault, NAME, passphrase=PASSPHRASE)

    after = vault.registry.get(NAME)
    assert after.key_id != before.key_id
    assert cache_repair.MARK not in after.extra
    keys = _wrapped(vault)
    assert "store_key_next" not in keys
    assert bytes.fromhex(keys["store_key"]) != old_key  # the old key is gone from the vault
    assert report.restored == 1
    assert report.retention_days == 30
    assert sorted(report.aside) == sorted(
        p.name for p in path.parent.glob("*.damaged-*")
    )  # kept, and said where
    aside_db = [
        p for p in path.parent.glob("store.db.damaged-*") if not p.name.endswith(("-wal", "-shm"))
    ]
    assert len(aside_db) == 1
    assert aside_db[0].stat().st_size > 0
    assert "next sync fetches all of shop's orders" in report.next_sync()

    vault.lock()
    vault.unlock(NAME, passphrase=PASSPHRASE)
    with vault.open_store(NAME) as store:
        assert store.count_orders() == 0
        pending = store.outbox.list([OutboxState.PENDING])
        assert [p.order_identifier for p in pending] == [ident]
        assert store.retention.period_days() == 30
        state = normalise_state(StoreSyncStorage(store).load_state())
        assert state["trading_names"] == ["Acme Ltd"]
        assert state["high_water"] is None  # the next sync is a full one
    assert check_cache(vault, NAME, passphrase=PASSPHRASE).ok


def test_rebuild_with_the_keyring_replaces_the_store_key_entry(
    memory_keyring: MemoryKeyring,
) -> None:
    vault = make_vault()
    populate(vault, passphrase=None)
    record = vault.registry.get(NAME)
    old_hex = memory_keyring.entries[(SERVICE, f"{record.account_id}:store-key")]
    damage(vault)
    rebuild_cache(vault, NAME, passphrase=None)
    entries = {u: v for (s, u), v in memory_keyring.entries.items() if s == SERVICE}
    assert f"{record.account_id}:store-key-next" not in entries
    assert entries[f"{record.account_id}:store-key"] != old_hex
    vault.lock()
    vault.unlock(NAME)
    with vault.open_store(NAME) as store:
        assert store.outbox.unsynced_count() == 1


def test_rebuild_refuses_an_unreadable_journal_unless_forced() -> None:
    vault = passphrase_vault()
    populate(vault)
    record = vault.registry.get(NAME)
    journal = journal_path(store_path(record))
    # Written under another key: its first record does not decrypt with this account's.
    OutboxJournal(journal, os.urandom(32), record.account_id).rewrite([{"op_id": "x", "seq": 1}])
    before = vault.registry.get(NAME)
    with pytest.raises(JournalUnreadable) as caught:
        rebuild_cache(vault, NAME, passphrase=PASSPHRASE)
    assert "--force" in caught.value.message
    assert vault.registry.get(NAME) == before  # nothing started
    report = rebuild_cache(vault, NAME, passphrase=PASSPHRASE, force=True)
    assert report.restored == 0
    assert any(name.startswith("store.outbox-journal.damaged-") for name in report.aside)


def test_an_interrupted_rebuild_blocks_opening_and_finishes_when_run_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vault = passphrase_vault()
    populate(vault)
    damage(vault)

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("power cut")

    with monkeypatch.context() as m:
        m.setattr(cache_repair, "_swap_in", crash)
        with pytest.raises(OSError, match="power cut"):
            rebuild_cache(vault, NAME, passphrase=PASSPHRASE)
    assert vault.registry.get(NAME).extra[cache_repair.MARK]["phase"] == "built"
    with pytest.raises(RebuildPending) as caught:
        vault.open_store(NAME)
    assert "cache --rebuild" in caught.value.message
    assert not check_cache(vault, NAME, passphrase=PASSPHRASE).ok

    report = rebuild_cache(vault, NAME, passphrase=PASSPHRASE)
    assert report.resumed
    assert report.restored == 1
    vault.lock()
    vault.unlock(NAME, passphrase=PASSPHRASE)
    with vault.open_store(NAME) as store:
        assert store.outbox.unsynced_count() == 1


def test_a_record_switched_before_the_key_was_promoted_still_opens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vault = passphrase_vault()
    populate(vault)
    damage(vault)

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("power cut")

    with monkeypatch.context() as m:
        m.setattr(cache_repair.rotation, "promote", crash)
        with pytest.raises(OSError, match="power cut"):
            rebuild_cache(vault, NAME, passphrase=PASSPHRASE)
    # The record names the new key; the vault still holds the old one as live and the new one
    # staged: unlock hands out the one the record names.
    assert "store_key_next" in _wrapped(vault)
    vault.lock()
    keys = vault.unlock(NAME, passphrase=PASSPHRASE)
    assert keys.key_id == vault.registry.get(NAME).key_id
    rebuild_cache(vault, NAME, passphrase=PASSPHRASE)
    assert "store_key_next" not in _wrapped(vault)
    assert json.dumps(_wrapped(vault))  # still a well-formed blob


def test_two_rebuilds_in_a_row_keep_both_old_files() -> None:
    vault = passphrase_vault()
    populate(vault)
    path = damage(vault)
    first = rebuild_cache(vault, NAME, passphrase=PASSPHRASE)
    second = rebuild_cache(vault, NAME, passphrase=PASSPHRASE)  # same second, most likely
    assert set(first.aside).isdisjoint(second.aside)
    assert all((path.parent / name).exists() for name in first.aside + second.aside)
    assert second.restored == 1


def test_rebuild_of_an_account_never_synced_loses_nothing() -> None:
    vault = passphrase_vault()
    vault.sign_in(NAME, "http://127.0.0.1:9/api/v1", "k" * 36, passphrase=PASSPHRASE)
    report = rebuild_cache(vault, NAME, passphrase=PASSPHRASE)
    assert (report.restored, report.aside, report.missing) == (0, [], [])
    assert check_cache(vault, NAME, passphrase=PASSPHRASE).ok
