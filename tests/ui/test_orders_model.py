"""ui/models/orders_model.py over the real encrypted store: lazy blocks, queries, Qt's contract."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from PySide6.QtCore import Qt

from clickdrop_desktop.store import OrderSource, Store
from tests.helpers.stubs import UiFailingSource, ui_make_orders, ui_open_store
from ui.models.orders_model import (
    BLOCK_SIZE,
    MAX_BLOCKS,
    ORDER_ID_ROLE,
    STATUS_COLUMN,
    OrdersModel,
    Sort,
    SortKey,
    StatusFilter,
)
from ui.services.store_source import StoreOrderSource


@pytest.fixture
def store(tmp_path: Path):
    s = ui_open_store(tmp_path, 1000)
    yield s
    s.close()


@pytest.fixture
def model(qtbot, store: Store) -> OrdersModel:
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
    with mock.patch.object(store, "query_orders", wraps=store.query_orders) as spy:
        model.data(model.index(5, 0))
        model.data(model.index(6, 1))
        assert spy.call_count == 1
        assert spy.call_args.kwargs["offset"] == 0
        assert spy.call_args.kwargs["limit"] == BLOCK_SIZE
        model.data(model.index(BLOCK_SIZE + 1, 0))
        assert spy.call_count == 2
        assert spy.call_args.kwargs["offset"] == BLOCK_SIZE


def test_block_cache_is_bounded(qtbot, tmp_path: Path) -> None:
    store = ui_open_store(tmp_path, BLOCK_SIZE * (MAX_BLOCKS + 2))
    model = OrdersModel()
    model.set_source(StoreOrderSource(store))
    model.set_status(None)
    for row in range(0, model.rowCount(), BLOCK_SIZE):
        model.data(model.index(row, 0))
    assert model.cached_blocks == MAX_BLOCKS
    store.close()


def test_status_tab_search_and_sort_reach_the_store(model) -> None:
    model.set_status(StatusFilter.DESPATCHED)
    assert model.rowCount() == 333
    assert all(
        model.data(model.index(r, STATUS_COLUMN)) == "Despatched"
        for r in range(0, model.rowCount(), 37)
    )
    model.set_search("  REF-000005 ")
    assert model.rowCount() == 1
    assert model.data(model.index(0, 0)) == "REF-000005"
    model.set_search("")
    model.set_sort(Sort(SortKey.REFERENCE, descending=False))
    refs = [model.data(model.index(r, 0)) for r in range(5)]
    assert refs == sorted(refs)
    assert model.sort_column() == (0, Qt.SortOrder.AscendingOrder)


def test_date_sorts_both_ways_and_names_sort_a_to_z(model) -> None:
    model.set_status(None)
    model.sort(1, Qt.SortOrder.DescendingOrder)
    newest = model.data(model.index(0, 0))
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert model.data(model.index(0, 0)) == "REF-000000"
    assert newest == "REF-000999"
    # Z to A is not an index the store has: the model says A to Z instead of lying.
    model.sort(2, Qt.SortOrder.DescendingOrder)
    assert model.sort_column() == (2, Qt.SortOrder.AscendingOrder)
    names = [model.data(model.index(r, 2)) for r in range(0, 200, 20)]
    assert names == sorted(names, key=str.lower)


def test_unsortable_columns_keep_the_current_order(model) -> None:
    before = model.query
    model.sort(3, Qt.SortOrder.AscendingOrder)  # postcode: no index in the store
    assert model.query == before


def test_order_id_role_and_cached_lookup(model) -> None:
    order_id = model.data(model.index(3, 0), ORDER_ID_ROLE)
    assert isinstance(order_id, int)
    assert model.order_id(3) == order_id
    assert model.cached_row_of(order_id) == 3


def test_refresh_grows_and_shrinks_with_the_store(qtbot, qtmodeltester, model, store) -> None:
    before = model.rowCount()
    store.upsert_orders(ui_make_orders(1003)[1000:], OrderSource.FULL)  # one more to print
    with qtbot.waitSignal(model.rowsInserted):
        model.refresh()
    assert model.rowCount() == before + 1
    store.archive_orders(range(1000, 1030))  # ten of them were to print
    with qtbot.waitSignal(model.rowsRemoved):
        model.refresh()
    assert model.rowCount() == before + 1 - 10
    qtmodeltester.check(model)


def test_source_none_clears_everything(model) -> None:
    model.data(model.index(0, 0))
    model.set_source(None)
    assert model.rowCount() == 0
    assert model.cached_blocks == 0


def test_a_failing_store_is_one_line_not_a_crash(qtbot) -> None:
    model = OrdersModel()
    with qtbot.waitSignal(model.load_failed) as blocker:
        model.set_source(UiFailingSource(OSError("database disk image is malformed")))
    assert model.rowCount() == 0
    assert "malformed" in blocker.args[0]


def test_a_closed_store_is_one_line_not_a_crash(qtbot, tmp_path: Path) -> None:
    store = ui_open_store(tmp_path, 10)
    model = OrdersModel()
    model.set_source(StoreOrderSource(store))
    store.close()
    with qtbot.waitSignal(model.load_failed):
        model.set_status(None)
    assert model.rowCount() == 0


def test_customer_text_is_returned_verbatim_for_plain_text_display(model) -> None:
    model.set_status(None)
    model.set_search("injector")
    assert model.rowCount() > 0
    assert model.data(model.index(0, 2)) == "<b>Bold</b> Injector"


def test_snapshot_refresh_reads_in_a_worker_and_drops_stale_results(
    qtbot, qtmodeltester, model, store
) -> None:
    model.data(model.index(0, 0))
    source, query, blocks = model.snapshot_request()
    assert blocks == [0]
    store.upsert_orders(ui_make_orders(1003)[1000:], OrderSource.FULL)
    count, read = OrdersModel.read_snapshot(source, query, blocks)
    assert count == model.rowCount() + 1
    with qtbot.waitSignal(model.rowsInserted):
        assert model.apply_snapshot(source, query, count, read)
    assert model.cached_blocks == 1
    qtmodeltester.check(model)
    # A snapshot read for another tab is never applied.
    model.set_status(StatusFilter.PRINTED)
    assert not model.apply_snapshot(source, query, count, read)


# -- with a loader: every store read off the GUI thread ------------------------------------------


@pytest.fixture
def runner(qtbot):
    from PySide6.QtCore import QObject

    from ui.tasks import TaskRunner

    owner = QObject()
    tasks = TaskRunner(owner)
    yield tasks
    assert tasks.shutdown(5000)


def _async_model(runner, store: Store, reads: list[str] | None = None) -> OrdersModel:
    import threading

    gui = threading.get_ident()

    def loader(work, deliver, fail) -> None:
        def job(_ctx):
            if reads is not None:
                reads.append("worker" if threading.get_ident() != gui else "gui")
            return work()

        runner.run(job, on_done=deliver, on_error=fail, lane="rows")

    model = OrdersModel(loader=loader)
    model.set_source(StoreOrderSource(store))
    return model


def test_async_model_reads_only_in_workers_and_passes_qtmodeltester(
    qtbot, qtmodeltester, runner, store
) -> None:
    reads: list[str] = []
    model = _async_model(runner, store, reads)
    assert model.loading
    assert model.rowCount() == 0
    qtbot.waitUntil(lambda: model.settled, timeout=30_000)
    assert model.rowCount() == 334
    assert model.is_row_loaded(0)
    assert not model.is_row_loaded(BLOCK_SIZE)
    # A block not read yet paints blank, is read in a worker, then announced.
    assert model.data(model.index(BLOCK_SIZE + 1, 0)) is None
    with qtbot.waitSignal(model.dataChanged):
        pass
    assert model.data(model.index(BLOCK_SIZE + 1, 0)).startswith("REF-")
    qtmodeltester.check(model)
    assert reads
    assert set(reads) == {"worker"}


def test_async_query_change_keeps_rows_until_the_new_ones_arrive(qtbot, runner, store) -> None:
    model = _async_model(runner, store)
    qtbot.waitUntil(lambda: model.settled, timeout=30_000)
    model.set_status(StatusFilter.DESPATCHED)
    assert not model.settled
    assert model.rowCount() == 334  # the old rows stay on screen meanwhile, not a blank flash
    qtbot.waitUntil(lambda: model.settled, timeout=30_000)
    assert model.rowCount() == 333
    assert model.data(model.index(0, STATUS_COLUMN)) == "Despatched"


def test_async_stale_reads_are_dropped(qtbot, runner, store) -> None:
    model = _async_model(runner, store)
    model.set_search("lovelace")
    model.set_search("")  # a burst: only the last query's rows may be shown
    model.set_status(StatusFilter.PRINTED)
    qtbot.waitUntil(lambda: model.settled, timeout=30_000)
    assert model.query.status is StatusFilter.PRINTED
    rows = [model.data(model.index(r, STATUS_COLUMN)) for r in range(min(20, model.rowCount()))]
    assert rows
    assert set(rows) == {"Printed"}


def test_rows_read_ahead_stay_when_the_same_store_arrives(qtbot, runner, store) -> None:
    model = OrdersModel(loader=_async_model(runner, store)._loader)
    source = StoreOrderSource(store)
    count, blocks = OrdersModel.read_snapshot(source, model.query, [0], unknown_count=True)
    model.expect_rows()
    assert model.loading
    assert model.show_snapshot(model.query, count, blocks)
    assert model.rowCount() == 334
    assert not model.loading
    first = model.data(model.index(0, 0))
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    with qtbot.waitSignal(model.dataChanged):
        model.set_source(source, keep_rows=True)  # re-read in the background, no blanking
    assert resets == []
    assert model.data(model.index(0, 0)) == first


def test_multi_data_answers_as_data_does(qtbot, model) -> None:
    from PySide6.QtCore import QModelRoleData, QModelRoleDataSpan

    index = model.index(2, 0)
    roles = [Qt.ItemDataRole.DisplayRole, ORDER_ID_ROLE, Qt.ItemDataRole.FontRole]
    items = [QModelRoleData(r) for r in roles]
    for item in items:
        model.multiData(index, item)
    assert [i.data() for i in items] == [model.data(index, r) for r in roles]
    model.multiData(index, QModelRoleDataSpan(items[0]))
    assert items[0].data() == model.data(index)
