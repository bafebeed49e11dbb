"""The engine over the real encrypted store: pages merged with their state, incidents, archive."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from clickdrop_desktop.api.models import OrderStatus
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
