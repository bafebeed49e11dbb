"""The store's retention record is the one setting: "keep everything" is recorded (told apart
from a store that never had a choice), a front end's default is adopted only by the latter, and
a rebuild carries "keep everything" as it carries a number of days."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from clickdrop_desktop.store import OrderSource, Store
from clickdrop_desktop.store.retention import META_KEY, OFF
from clickdrop_desktop.store.salvage import Salvage
from tests.helpers.order_factory import full_orders


def _raw(store: Store) -> str | None:
    with store._db.read() as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()
    return None if row is None else str(row[0])


def test_keep_everything_is_recorded_not_forgotten(store: Store) -> None:
    assert not store.retention.recorded()
    assert store.retention.period_or(90) == 90  # nothing recorded: the caller's default
    store.retention.set_period(None)
    assert store.retention.recorded()
    assert _raw(store) == OFF
    assert store.retention.period_days() is None
    assert store.retention.period_or(90) is None  # recorded off wins over any default


def test_adopt_records_a_default_only_where_no_choice_was_made(store: Store) -> None:
    assert store.retention.adopt(90) == 90
    assert store.retention.period_days() == 90
    store.retention.set_period(None)  # `cache --retention off`
    assert store.retention.adopt(90) is None  # a later GUI sync's default changes nothing
    assert _raw(store) == OFF
    store.retention.set_period(30)
    assert store.retention.adopt(90) == 30
    assert store.retention.period_days() == 30
    with pytest.raises(ValueError, match="at least"):
        store.retention.adopt(0)


def test_purge_keeps_to_the_record_and_never_changes_it(store: Store) -> None:
    old = dataclasses.replace(full_orders(1)[0], shipped_on=datetime.now(UTC) - timedelta(days=400))
    store.upsert_orders([old], OrderSource.FULL)
    store.retention.set_period(None)
    assert store.retention.purge() == 0
    assert store.get_order(old.order_identifier) is not None
    assert _raw(store) == OFF
    store.retention.set_period(30)
    assert store.retention.purge() == 1
    assert store.retention.period_days() == 30


def test_a_damaged_record_keeps_everything(store: Store) -> None:
    with store.transaction(), store._db.transaction() as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES (?, 'soon')", (META_KEY,))
    assert store.retention.recorded()
    assert store.retention.period_days() is None
    assert store.retention.adopt(90) is None  # a record, if unreadable, is still a record


def test_a_rebuild_carries_keep_everything(store: Store, tmp_path) -> None:
    store.retention.set_period(None)
    salvage = Salvage(retention_days=None, retention_recorded=True)
    with Store.open(
        tmp_path / "other" / "store.db", bytes(range(32)), account_id=store.account_id
    ) as fresh:
        assert not fresh.retention.recorded()
        fresh.carry_over(salvage)
        assert fresh.retention.recorded()
        assert fresh.retention.period_or(90) is None
