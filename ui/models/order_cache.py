"""The orders table's query and row cache: what to read from the store, when, and what is kept.

At 100,000 orders only the count and the blocks the view actually paints are ever read: the
view asks for the rows in its viewport, the model fetches the block (`BLOCK_SIZE` rows, one
indexed store query) that holds them and keeps the last `MAX_BLOCKS` blocks. Searching,
filtering and sorting ask the store again (it has the indexes and full-text search); nothing is
sorted or filtered in Python.

Given a `loader` (the window passes one over its task runner), every store read runs off the
GUI thread: a new query keeps the rows on screen until its count and first block arrive, and a
block not read yet paints blank until it does. Without one (tests, tools) reads are inline.
How rows look to Qt (columns, roles, sorting) is `ui.models.orders_model.OrdersModel`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Signal

from ui.models.order_blocks import (
    BLOCK_SIZE,
    COLUMN_COUNT,
    BlockCache,
    EmptySource,
    Snapshot,
    read_snapshot,
)
from ui.models.order_row import (
    OrderQuery,
    OrderRow,
    OrderSource,
    Sort,
    SortKey,
    StatusFilter,
)

log = logging.getLogger(__name__)

#: `loader(work, deliver, fail)`: run `work()` off the GUI thread, then `deliver(result)` or
#: `fail(error)` on it.
Loader = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[BaseException], None]], None]


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else "store error"


class OrderCacheModel(QAbstractTableModel):
    """Read-only, lazily loaded orders of the signed-in account: the query and its rows.

    `set_source(None)` (sign-out, account switch) drops every cached row at once. `loading`
    is True while the current query's count has not arrived (the view shows "Loading orders").
    """

    query_changed = Signal(object)  # OrderQuery
    count_changed = Signal(int)
    loading_changed = Signal(bool)
    load_failed = Signal(str)  # one line: the store could not be read

    def __init__(self, parent: QObject | None = None, *, loader: Loader | None = None) -> None:
        super().__init__(parent)
        self._loader = loader
        self._source: OrderSource = EmptySource()
        self._query = OrderQuery()
        self._shown = self._query  # the query the rows on screen belong to
        self._count = 0
        self._blocks = BlockCache()
        self._generation = 0  # bumped on every source or query change: late reads are dropped
        self._pending: set[int] = set()
        self._loading = False
        self._refreshing = False
        self._refresh_again = False

    # -- the query -----------------------------------------------------------------------------

    @property
    def query(self) -> OrderQuery:
        return self._query

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def has_source(self) -> bool:
        """An account's orders are behind this model (not the empty stand-in)."""
        return not isinstance(self._source, EmptySource)

    @property
    def settled(self) -> bool:
        """The rows on screen belong to the current query and its count is known."""
        return self._shown == self._query and not self._loading

    def set_source(self, source: OrderSource | None, *, keep_rows: bool = False) -> None:
        """Read from `source`. `keep_rows`: it holds what is on screen already (the same store
        opened again), so keep the rows and re-read in the background instead of blanking."""
        self._source = source if source is not None else EmptySource()
        if keep_rows and source is not None and self._loader is not None and self._count:
            self._generation += 1
            self._pending.clear()
            self.refresh()
            return
        self._reset()

    def expect_rows(self) -> None:
        """The source is on its way (an account is opening): show the loading state."""
        if isinstance(self._source, EmptySource) and not self._count:
            self._set_loading(True)

    def show_snapshot(
        self, query: OrderQuery, count: int, blocks: dict[int, list[OrderRow]]
    ) -> bool:
        """Show rows read before the source is set (the first screen, read while the account
        opens); False if the query changed meanwhile."""
        if query != self._query:
            return False
        self._generation += 1
        self._show_first(query, count, blocks)
        return True

    def set_search(self, text: str) -> None:
        self._set_query(OrderQuery(text.strip(), self._query.status, self._query.sort))

    def set_status(self, status: StatusFilter | None) -> None:
        self._set_query(OrderQuery(self._query.search, status, self._query.sort))

    def set_sort(self, sort: Sort) -> None:
        if sort.key is not SortKey.ORDER_DATE and sort.descending:
            # The store sorts names and references A to Z only (its indexes); say so honestly.
            sort = Sort(sort.key, descending=False)
        self._set_query(OrderQuery(self._query.search, self._query.status, sort))

    def _set_query(self, query: OrderQuery) -> None:
        if query == self._query:
            return
        self._query = query
        self._reset(keep_on_screen=True)
        self.query_changed.emit(query)

    def _reset(self, *, keep_on_screen: bool = False) -> None:
        self._generation += 1
        self._pending.clear()
        if self._loader is None:
            self.beginResetModel()
            self._blocks.clear()
            self._shown = self._query
            self._count = self._safe_count()
            self.endResetModel()
            self.count_changed.emit(self._count)
            return
        if not keep_on_screen or isinstance(self._source, EmptySource):
            # Nothing of another source may stay visible, not even for a frame.
            self.beginResetModel()
            self._blocks.clear()
            self._count = 0
            self._shown = self._query
            self.endResetModel()
            self.count_changed.emit(0)
        if isinstance(self._source, EmptySource):
            self._set_loading(False)
            return
        self._set_loading(True)
        generation, source, query = self._generation, self._source, self._query
        self._loader(
            lambda: self.read_snapshot(source, query, [0], unknown_count=True),
            lambda result: self._first_read(generation, query, result),
            lambda exc: self._read_failed(generation, exc),
        )

    def _first_read(self, generation: int, query: OrderQuery, result: Snapshot) -> None:
        if generation == self._generation:
            self._show_first(query, *result)

    def _show_first(self, query: OrderQuery, count: int, blocks: dict[int, list[OrderRow]]) -> None:
        self.beginResetModel()
        self._blocks.replace(blocks)
        self._count = count
        self._shown = query
        self.endResetModel()
        self.count_changed.emit(count)
        self._set_loading(False)

    def _read_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        log.warning("could not read orders: %s", exc.__class__.__name__)
        if self._count and self._shown != self._query:
            self.beginResetModel()
            self._blocks.clear()
            self._count = 0
            self._shown = self._query
            self.endResetModel()
            self.count_changed.emit(0)
        self._set_loading(False)
        self.load_failed.emit(_first_line(exc))

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    def refresh(self, on_applied: Callable[[], None] | None = None) -> None:
        """Re-read after the store changed (a sync page, a print): keeps the view's scroll place.

        Rows are positions in the current query, so a refresh says "rows were added or
        removed at the end, and every row may have changed"; the view keeps its selection by
        order id (see `OrdersView`). With a loader the read runs in a worker; at most one is in
        flight and one more is remembered, so a burst of changes costs two reads.
        """
        if self._loader is None:
            self._apply(self._safe_count(), {})
            if on_applied is not None:
                on_applied()
            return
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        source, query, blocks = self.snapshot_request()

        def done(result: Snapshot) -> None:
            self._refreshing = False
            if self.apply_snapshot(source, query, *result) and on_applied is not None:
                on_applied()
            self._again(on_applied)

        def failed(exc: BaseException) -> None:
            self._refreshing = False
            self.load_failed.emit(_first_line(exc))
            self._again(on_applied)

        self._loader(lambda: self.read_snapshot(source, query, blocks), done, failed)

    def _again(self, on_applied: Callable[[], None] | None) -> None:
        if self._refresh_again:
            self._refresh_again = False
            self.refresh(on_applied)

    # -- refresh without touching the store on the GUI thread --------------------------------------

    def snapshot_request(self, blocks: int = 3) -> tuple[OrderSource, OrderQuery, list[int]]:
        """What a worker must read to refresh: the source, the query, the recently shown blocks."""
        return self._source, self._query, self._blocks.recent(blocks)

    @staticmethod
    def read_snapshot(
        source: OrderSource,
        query: OrderQuery,
        block_numbers: list[int],
        *,
        unknown_count: bool = False,
    ) -> Snapshot:
        """Run in a worker: the new count and fresh copies of the given blocks."""
        return read_snapshot(source, query, block_numbers, unknown_count=unknown_count)

    def apply_snapshot(
        self,
        source: OrderSource,
        query: OrderQuery,
        count: int,
        blocks: dict[int, list[OrderRow]],
    ) -> bool:
        """On the GUI thread: show what `read_snapshot` read; False if it is stale by now."""
        if source is not self._source or query != self._query or query != self._shown:
            return False
        self._apply(count, blocks)
        return True

    def _apply(self, new_count: int, blocks: dict[int, list[OrderRow]]) -> None:
        self._generation += 1  # a block read before this refresh would be older than it
        self._pending.clear()
        self._blocks.replace(blocks)
        old = self._count
        if new_count > old:
            self.beginInsertRows(QModelIndex(), old, new_count - 1)
            self._count = new_count
            self.endInsertRows()
        elif new_count < old:
            self.beginRemoveRows(QModelIndex(), new_count, old - 1)
            self._count = new_count
            self.endRemoveRows()
        if self._count:
            self.dataChanged.emit(self.index(0, 0), self.index(self._count - 1, COLUMN_COUNT - 1))
        if new_count != old:
            self.count_changed.emit(new_count)
        self._set_loading(False)

    def _safe_count(self) -> int:
        try:
            return max(0, int(self._source.count(self._query)))
        except Exception as exc:  # noqa: BLE001 - a broken store shows as an empty table + one line
            log.warning("could not count orders: %s", exc.__class__.__name__)
            self.load_failed.emit(_first_line(exc))
            return 0

    # -- rows ----------------------------------------------------------------------------------

    def row_at(self, row: int) -> OrderRow | None:
        """The row, read now if its block is not cached (for actions on a selection)."""
        if not 0 <= row < self._count:
            return None
        block_no, offset = divmod(row, BLOCK_SIZE)
        block = self._blocks.get(block_no)
        if block is None:
            block = self._load_block(block_no)
        return block[offset] if offset < len(block) else None

    def _painted(self, row: int) -> tuple[OrderRow, tuple[str, ...]] | None:
        """The row and its cell texts, for painting: never waits for the store with a loader
        (a block not read yet is requested and paints blank until it arrives)."""
        if not 0 <= row < self._count:
            return None
        block_no, offset = divmod(row, BLOCK_SIZE)
        block = self._blocks.get(block_no)
        if block is None:
            if self._loader is not None:
                self._request_block(block_no)
                return None
            block = self._load_block(block_no)
        if offset >= len(block):
            return None
        return block[offset], self._blocks.cells(block_no, offset, block)

    def _request_block(self, block_no: int) -> None:
        if block_no in self._pending or self._shown != self._query or self._loader is None:
            return
        self._pending.add(block_no)
        generation, source, query = self._generation, self._source, self._query
        self._loader(
            lambda: list(source.rows(query, block_no * BLOCK_SIZE, BLOCK_SIZE)),
            lambda rows: self._block_read(generation, block_no, rows),
            lambda exc: self._read_failed(generation, exc),
        )

    def _block_read(self, generation: int, block_no: int, rows: list[OrderRow]) -> None:
        if generation != self._generation:
            return
        self._pending.discard(block_no)
        self._blocks.store(block_no, rows)
        first = block_no * BLOCK_SIZE
        last = min(self._count, first + BLOCK_SIZE) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, COLUMN_COUNT - 1))

    def _load_block(self, block_no: int) -> list[OrderRow]:
        if self._shown != self._query:
            return []  # the new query's rows arrive with its first read; none mixed in
        try:
            rows = list(self._source.rows(self._query, block_no * BLOCK_SIZE, BLOCK_SIZE))
        except Exception as exc:  # noqa: BLE001 - shown as blank rows + one line, never a crash
            log.warning("could not read orders: %s", exc.__class__.__name__)
            self.load_failed.emit(_first_line(exc))
            rows = []
        self._blocks.store(block_no, rows)
        return rows

    def is_row_loaded(self, row: int) -> bool:
        return self._blocks.is_loaded(row)

    def order_id(self, row: int) -> int | None:
        found = self.row_at(row)
        return found.order_id if found else None

    def cached_row_of(self, order_id: int) -> int | None:
        """The row showing `order_id`, if it is in a cached block (no store query)."""
        return self._blocks.row_of(order_id)

    @property
    def cached_blocks(self) -> int:
        return len(self._blocks)
