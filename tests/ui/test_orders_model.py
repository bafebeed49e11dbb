"""ui/models/orders_model.py: lazy blocks, queries, sorting, and Qt's model contract."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.helpers.stubs import FakeOrderStore, ui_make_orders
from ui.models.orders_model import (
    BLOCK_SIZE,
    MAX_BLOCKS,
    ORDER_ID_ROLE,
    OrdersModel,
    Sort,
    SortKey,
    StatusFilter,
)
from ui.services.store_source import StoreOrderSource


@pytest.fixture
def store() -> FakeOrderStore:
    return FakeOrderStore(ui_make_orders(1000))


@pytest.fixture
def model(qtbot, store) -> OrdersModel:
    m = OrdersModel()
    m.set_source(StoreOrderSource(store))
    return m


def test_passes_qtmodeltester_with_each_status_and_search(qtmodeltester, model) -> None:
    qtmodeltester.check(model)
    model.set_status(None)
    qtmodeltester.check(model)
    model.set_search("lovelace")
    qtmodeltester.check(model)
    model.sort(2, Qt.SortOrder.AscendingOrder)
    qtmodeltester.check(model)


def test_counts_come_from_the_store_and_rows_are_fetched_in_blocks(model, store) -> None:
    # A third of 1000 orders are "to print" (the default tab).
    assert model.rowCount() == 334
    store.calls.clear()
    model.data(model.index(5, 0))
    model.data(model.index(6, 1))
    queries = [c for c in store.calls if c[0] == "query"]
    assert len(queries) == 1
    assert queries[0][1][3:] == (0, BLOCK_SIZE)
    model.data(model.index(BLOCK_SIZE + 1, 0))
    assert [c[1][3] for c in store.calls if c[0] == "query"] == [0, BLOCK_SIZE]


def test_block_cache_is_bounded(qtbot) -> None:
    store = FakeOrderStore(ui_make_orders(BLOCK_SIZE * (MAX_BLOCKS + 2)))
    model = OrdersModel()
    model.set_source(StoreOrderSource(store))
    model.set_status(None)
    for row in range(0, model.rowCount(), BLOCK_SIZE):
        model.data(model.index(row, 0))
    assert model.cached_blocks == MAX_BLOCKS


def test_status_tab_search_and_sort_reach_the_store(model, store) -> None:
    model.set_status(StatusFilter.DESPATCHED)
    assert model.rowCount() == 333
    assert all(
        model.data(model.index(r, 5)) == "Despatched" for r in range(0, model.rowCount(), 37)
    )
    model.set_search("  REF-000005 ")
    assert model.rowCount() == 1
    assert model.data(model.index(0, 0)) == "REF-000005"
    model.set_search("")
    model.set_sort(Sort(SortKey.REFERENCE, descending=False))
    refs = [model.data(model.index(r, 0)) for r in range(5)]
    assert refs == sorted(refs)
    assert model.sort_column() == (0, Qt.SortOrder.AscendingOrder)


def test_sort_by_header_click(model) -> None:
    model.sort(0, Qt.SortOrder.DescendingOrder)
    refs = [model.data(model.index(r, 0)) for r in range(10)]
    assert refs == sorted(refs, reverse=True)


def test_order_id_role_and_cached_lookup(model) -> None:
    order_id = model.data(model.index(3, 0), ORDER_ID_ROLE)
    assert isinstance(order_id, int)
    assert model.order_id(3) == order_id
    assert model.cached_row_of(order_id) == 3


def test_refresh_grows_and_shrinks_with_the_store(qtbot, qtmodeltester, model, store) -> None:
    before = model.rowCount()
    store.orders += ui_make_orders(1003)[1000:]  # one more order to print
    with qtbot.waitSignal(model.rowsInserted):
        model.refresh()
    assert model.rowCount() == before + 1
    del store.orders[:30]
    with qtbot.waitSignal(model.rowsRemoved):
        model.refresh()
    assert model.rowCount() == before + 1 - 10
    qtmodeltester.check(model)


def test_source_none_clears_everything(model) -> None:
    model.data(model.index(0, 0))
    model.set_source(None)
    assert model.rowCount() == 0
    assert model.cached_blocks == 0


def test_a_failing_store_is_one_line_not_a_crash(qtbot, store) -> None:
    model = OrdersModel()
    store.fail_with = OSError("database disk image is malformed")
    with qtbot.waitSignal(model.load_failed) as blocker:
        model.set_source(StoreOrderSource(store))
    assert model.rowCount() == 0
    assert "malformed" in blocker.args[0]


def test_customer_text_is_returned_verbatim_for_plain_text_display(qtbot) -> None:
    store = FakeOrderStore(ui_make_orders(8))
    model = OrdersModel()
    model.set_source(StoreOrderSource(store))
    model.set_status(None)
    model.set_search("injector")
    assert model.data(model.index(0, 2)) == "<b>Bold</b> Injector"
