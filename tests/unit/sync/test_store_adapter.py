"""The engine over the real encrypted store: pages merged with their state, incidents, archive."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from clickdrop_desktop.api.models import Order, OrderStatus
from clickdrop_desktop.store import Store
from clickdrop_desktop.sync.engine import (
    SyncEngine,
    SyncIsolationAlert,
    SyncOptions,
    SyncPaused,
    acknowledge,
)
from clickdrop_desktop.sync.ports import Fetched
from clickdrop_desktop.sync.store_adapter import StoreSyncStorage
from tests.helpers.sync_fakes import BASE as SYNC_BASE
from tests.helpers.sync_fakes import ScriptedApi, make_order

OPTIONS = SyncOptions(page_size=10, batch_size=7, confirm_new_ids=False, prefetch=0)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "store.db", secrets.token_bytes(32), account_id="acct-1") as s:
        yield s


def run(api: ScriptedApi, storage: StoreSyncStorage, *, full: bool = False) -> object:
    return SyncEngine(api, storage, account="shop", full=full, options=OPTIONS).run()


def test_sync_into_the_real_store(store: Store) -> None:
    storage = StoreSyncStorage(store)
    orders = [make_order(i, minutes=i * 3) for i in range(1, 36)]
    run(ScriptedApi(orders), storage)
    assert store.count_orders() == 35
    assert storage.load_state()["phase"] == "idle"

    upstream = [o for o in orders if o.order_identifier not in (4, 9)]
    upstream[0] = make_order(1, minutes=3, printed=True)
    upstream.append(make_order(36, minutes=200))
    api = ScriptedApi(upstream)
    run(api, storage)
    assert store.count_orders() == 34
    assert store.count_orders(status=OrderStatus.ARCHIVED) == 2
    one = store.get_order(1)
    assert one is not None
    assert one.order.printed_on is not None
    assert next(c[1] for c in api.calls if c[0] == "ids")[:3] == (1, 2, 3)


def test_incident_in_the_real_store_pauses_until_acknowledged(store: Store) -> None:
    storage = StoreSyncStorage(store)
    mine = [make_order(i, minutes=i, trading_name="Acme Ltd") for i in range(1, 5)]
    run(ScriptedApi(mine), storage, full=True)

    def leak(number: int, fetched: Fetched) -> Fetched:
        foreign = make_order(9001, minutes=30, trading_name="Other Shop Ltd")
        return dataclasses.replace(fetched, orders=(*fetched.orders, foreign))

    with pytest.raises(SyncIsolationAlert) as caught:
        run(ScriptedApi(mine, tamper=leak), storage, full=True)
    saved = storage.incidents()
    assert [i.incident_id for i in saved] == [caught.value.incident.incident_id]
    assert saved[0].kinds == ("foreign_trading_name",)
    assert saved[0].foreign_hashed_ids == saved[0].hashed_ids
    assert store.get_order(9001) is None
    assert storage.load_state()["paused_incident"] == saved[0].incident_id
    with pytest.raises(SyncPaused):
        run(ScriptedApi(mine), storage, full=True)
    assert acknowledge(storage) == 1
    assert storage.incidents()[0].acknowledged_at
    run(ScriptedApi(mine), storage, full=True)
    # The same foreign order listed again later is still refused (known foreign).
    with pytest.raises(SyncIsolationAlert):
        run(
            ScriptedApi([*mine, make_order(9001, minutes=30, trading_name="Acme Ltd")]),
            storage,
            full=True,
        )
    assert store.get_order(9001) is None


def _shipped_days_ago(ident: int, days: float, *, trading_name: str | None = None) -> Order:
    """An order created and despatched `days` before now (the retention clock is real time)."""
    shipped = datetime.now(UTC) - timedelta(days=days)
    minutes = int((shipped - SYNC_BASE).total_seconds() // 60) - 2
    return make_order(ident, minutes=minutes, shipped=True, trading_name=trading_name)


def _forget_high_water(storage: StoreSyncStorage) -> None:
    """Make the next run a full re-sync (list everything), as a user-requested one is."""
    state = storage.load_state()
    state.update(high_water=None, phase="idle")
    storage.commit(orders=(), archive=(), state=state)


def test_a_full_resync_does_not_bring_back_purged_orders(store: Store) -> None:
    old = [_shipped_days_ago(i, 60 + i) for i in range(1, 6)]
    recent = [_shipped_days_ago(i, 3) for i in range(6, 9)]
    upstream = old + recent + [make_order(20, minutes=int(1e6) // 60)]
    storage = StoreSyncStorage(store)
    run(ScriptedApi(upstream), storage)
    assert store.count_orders() == 9
    assert store.retention.purge_despatched(30) == 5

    # A full re-sync: the sync state is gone (as in a rebuilt store), everything is listed.
    store.sync_state.delete("sync")
    fresh = StoreSyncStorage(store)
    result = run(ScriptedApi(upstream), fresh)
    assert result.fetched == 9  # type: ignore[attr-defined]
    assert fresh.expired == 5
    assert store.count_orders() + store.count_orders(status=OrderStatus.ARCHIVED) == 4
    assert all(store.get_order(o.order_identifier) is None for o in old)
    assert all(store.get_order(o.order_identifier) is not None for o in recent)


def test_a_rebuilt_store_with_a_period_never_stores_old_orders(store: Store) -> None:
    store.retention.set_period(30)
    stored_ids: list[set[int]] = []
    storage = StoreSyncStorage(store)
    upstream = [_shipped_days_ago(i, 90.5 - i) for i in range(1, 80)]  # 1..60 are too old
    original = storage.commit

    def watch(**kwargs: object) -> int:
        stored = original(**kwargs)  # type: ignore[arg-type]
        stored_ids.append(store.all_order_ids())
        return stored

    storage.commit = watch  # type: ignore[method-assign]
    run(ScriptedApi(upstream), storage)
    # After every page commit (not only at the end), no expired order is in the cache.
    assert all(ids <= set(range(61, 80)) for ids in stored_ids)
    assert store.all_order_ids() == set(range(61, 80))
    assert storage.expired == 60


def test_an_old_foreign_record_is_still_an_incident_not_silently_dropped(store: Store) -> None:
    store.retention.set_period(30)
    storage = StoreSyncStorage(store)
    mine = [_shipped_days_ago(i, 2, trading_name="Acme Ltd") for i in range(1, 5)]
    run(ScriptedApi(mine), storage, full=True)

    def leak(number: int, fetched: Fetched) -> Fetched:
        foreign = _shipped_days_ago(9001, 400, trading_name="Other Shop Ltd")
        return dataclasses.replace(fetched, orders=(*fetched.orders, foreign))

    _forget_high_water(storage)
    with pytest.raises(SyncIsolationAlert):
        run(ScriptedApi(mine, tamper=leak), storage, full=True)
    assert store.get_order(9001) is None
    assert len(storage.incidents()) == 1
