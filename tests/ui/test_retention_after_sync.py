"""After a sync, despatched orders past the retention period leave the store and the table."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from clickdrop_desktop.store import OrderSource
from tests.helpers.order_factory import full_orders


def test_sync_finish_purges_despatched_orders_past_retention(qtbot, app_window) -> None:
    w = app_window
    store = w.logic.workspace.store
    old = dataclasses.replace(
        full_orders(1, start=9_000_001)[0], shipped_on=datetime.now(UTC) - timedelta(days=400)
    )
    store.upsert_orders([old], OrderSource.FULL)
    store.documents.put(old.order_identifier, "postageLabel", b"%PDF-label")
    assert w.ctx.prefs.retention_days < 400
    w.c.sync.sync_now()
    qtbot.waitUntil(lambda: store.get_order(old.order_identifier) is None, timeout=30_000)
    assert store.documents.get(old.order_identifier, "postageLabel") is None
    # orders inside the period stay
    assert w.model.rowCount() > 0


def _idle(w) -> bool:
    return w.ctx.tasks.active_count == 0


def _old_order(identifier: int):
    return dataclasses.replace(
        full_orders(1, start=identifier)[0], shipped_on=datetime.now(UTC) - timedelta(days=400)
    )


def test_a_store_set_to_keep_everything_purges_nothing(qtbot, app_window) -> None:
    w = app_window
    store = w.logic.workspace.store
    # The first sync's own after-sync work (a purge at the preferences' 90 days) can still be
    # queued when its rows show; it would rightly purge the old order added below.
    qtbot.waitUntil(lambda: _idle(w), timeout=20_000)
    store.retention.set_period(None)  # 'cache --retention off'
    old = _old_order(9_000_002)
    store.upsert_orders([old], OrderSource.FULL)
    w.c.outbox.after_sync(90)  # the preference's default does not override the store's 'off'
    # Waited for, not shut down: shutdown() cancels jobs that have not started yet.
    qtbot.waitUntil(lambda: _idle(w), timeout=20_000)
    assert store.get_order(old.order_identifier) is not None


def test_a_keep_everything_preference_still_purges_at_the_store_period(qtbot, app_window) -> None:
    """The preference (0: keep everything) is only a default: a period the store records
    (`cache --retention 30`, or Settings for this account) is purged to after every sync."""
    w = app_window
    store = w.logic.workspace.store
    qtbot.waitUntil(lambda: _idle(w), timeout=20_000)
    store.retention.set_period(30)
    old = _old_order(9_000_003)
    store.upsert_orders([old], OrderSource.FULL)
    w.c.outbox.after_sync(0)
    qtbot.waitUntil(lambda: store.get_order(old.order_identifier) is None, timeout=30_000)
    assert store.retention.period_days() == 30
