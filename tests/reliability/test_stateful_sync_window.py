"""An order deleted upstream inside the sync's overlap window must not stay open forever.

Found by the simulated hour (test_load.py): the refresh pass only looked at open orders
created before the list window (newest order minus the overlap), and the list pass cannot
see an order that is gone. An order created in the last minutes before a sync and cancelled
in the website afterwards therefore stayed "to print" at the bench until newer orders pushed
the window past it: in a quiet shop, for good.
"""

from __future__ import annotations

from clickdrop_desktop.sync.engine import SyncEngine, SyncOptions
from tests.helpers.sync_fakes import MemoryStorage, ScriptedApi, make_order

OPTIONS = SyncOptions(page_size=5, batch_size=5, prefetch=0)


def test_an_order_deleted_upstream_inside_the_overlap_window_is_archived() -> None:
    orders = [make_order(i, minutes=i * 3) for i in range(1, 13)]  # the last 4 in the window
    api = ScriptedApi(orders)
    storage = MemoryStorage()
    SyncEngine(api, storage, account="shop", full=False, options=OPTIONS).run()
    api.orders = [o for o in orders if o.order_identifier != 11]  # cancelled in the website
    for _ in range(2):  # a quiet shop: no newer order ever moves the window on
        SyncEngine(api, storage, account="shop", full=False, options=OPTIONS).run()
    assert storage.archived == {11}
