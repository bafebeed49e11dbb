"""A lazy table model over the account's orders: rows fetched in blocks, blocks kept in an LRU.

At 100,000 orders only the count and the blocks the view actually paints are ever read: the
view asks for the rows in its viewport, the model fetches the block (`BLOCK_SIZE` rows, one
indexed store query) that holds them and keeps the last `MAX_BLOCKS` blocks. Searching,
filtering and sorting ask the store again (it has the indexes and full-text search); nothing is
sorted or filtered in Python.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
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

BLOCK_SIZE = 200
MAX_BLOCKS = 40  # 8,000 rows cached at most: a few MB whatever the store holds

ORDER_ID_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2
ROW_ROLE = Qt.ItemDataRole.UserRole + 3

_Index = QModelIndex | QPersistentModelIndex

STATUS_TEXT = {
    "new": "To print",
    "printed": "Printed",
    "despatched": "Despatched",
    "manifested": "Manifested",
    "archived": "Archived",
}


def _date(value: datetime | None) -> str:
    """`18 Nov 12:18` this year, `18 Nov 2025` before: short enough for a narrow column."""
    if value is None:
        return ""
    local = value.astimezone()
    if local.year == datetime.now().year:
        return local.strftime("%d %b %H:%M")
    return local.strftime("%d %b %Y")


# (header, sort key or None when the store cannot sort by it, cell text)
COLUMNS: tuple[tuple[str, SortKey | None, Callable[[OrderRow], str]], ...] = (
    ("Reference", SortKey.REFERENCE, lambda r: r.reference),
    ("Order date", SortKey.ORDER_DATE, lambda r: _date(r.order_date)),
    ("Recipient", SortKey.RECIPIENT, lambda r: r.recipient),
    ("Postcode", None, lambda r: r.postcode),
    ("Status", None, lambda r: STATUS_TEXT.get(r.status, r.status)),
    ("Tracking number", None, lambda r: r.tracking),
    ("Label", None, lambda r: "Cached" if r.has_label else ""),
)
STATUS_COLUMN = 4


class _EmptySource:
    def rows(self, query: OrderQuery, offset: int, limit: int) -> list[OrderRow]:
        return []

    def count(self, query: OrderQuery) -> int:
        return 0


class OrdersModel(QAbstractTableModel):
    """Read-only, lazily loaded orders of the signed-in account.

    `set_source(None)` (sign-out, account switch) drops every cached row at once.
    """

    query_changed = Signal(object)  # OrderQuery
    count_changed = Signal(int)
    load_failed = Signal(str)  # one line: the store could not be read

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source: OrderSource = _EmptySource()
        self._query = OrderQuery()
        self._count = 0
        self._blocks: OrderedDict[int, list[OrderRow]] = OrderedDict()

    # -- the query -----------------------------------------------------------------------------

    @property
    def query(self) -> OrderQuery:
        return self._query

    def set_source(self, source: OrderSource | None) -> None:
        self._source = source if source is not None else _EmptySource()
        self._reset()

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
        self._reset()
        self.query_changed.emit(query)

    def _reset(self) -> None:
        self.beginResetModel()
        self._blocks.clear()
        self._count = self._safe_count()
        self.endResetModel()
        self.count_changed.emit(self._count)

    def refresh(self) -> None:
        """Re-read after the store changed (a sync page, a print): keeps the view's scroll place.

        Rows are positions in the current query, so a refresh says "rows were added or
        removed at the end, and every row may have changed"; the view keeps its selection by
        order id (see `OrdersView`).
        """
        self._apply(self._safe_count(), {})

    # -- refresh without touching the store on the GUI thread --------------------------------------

    def snapshot_request(self, blocks: int = 3) -> tuple[OrderSource, OrderQuery, list[int]]:
        """What a worker must read to refresh: the source, the query, the recently shown blocks."""
        return self._source, self._query, list(self._blocks)[-blocks:]

    @staticmethod
    def read_snapshot(
        source: OrderSource, query: OrderQuery, block_numbers: list[int]
    ) -> tuple[int, dict[int, list[OrderRow]]]:
        """Run in a worker: the new count and fresh copies of the given blocks."""
        count = max(0, int(source.count(query)))
        blocks = {
            b: list(source.rows(query, b * BLOCK_SIZE, BLOCK_SIZE))
            for b in block_numbers
            if b * BLOCK_SIZE < count
        }
        return count, blocks

    def apply_snapshot(
        self,
        source: OrderSource,
        query: OrderQuery,
        count: int,
        blocks: dict[int, list[OrderRow]],
    ) -> bool:
        """On the GUI thread: show what `read_snapshot` read; False if it is stale by now."""
        if source is not self._source or query != self._query:
            return False
        self._apply(count, blocks)
        return True

    def _apply(self, new_count: int, blocks: dict[int, list[OrderRow]]) -> None:
        self._blocks = OrderedDict(blocks)
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
            self.dataChanged.emit(self.index(0, 0), self.index(self._count - 1, len(COLUMNS) - 1))
        if new_count != old:
            self.count_changed.emit(new_count)

    def _safe_count(self) -> int:
        try:
            return max(0, int(self._source.count(self._query)))
        except Exception as exc:  # noqa: BLE001 - a broken store shows as an empty table + one line
            log.warning("could not count orders: %s", exc.__class__.__name__)
            self.load_failed.emit(str(exc).splitlines()[0] if str(exc) else "store error")
            return 0

    # -- rows ----------------------------------------------------------------------------------

    def row_at(self, row: int) -> OrderRow | None:
        if not 0 <= row < self._count:
            return None
        block_no, offset = divmod(row, BLOCK_SIZE)
        block = self._blocks.get(block_no)
        if block is None:
            block = self._load_block(block_no)
        else:
            self._blocks.move_to_end(block_no)
        return block[offset] if offset < len(block) else None

    def _load_block(self, block_no: int) -> list[OrderRow]:
        try:
            rows = list(self._source.rows(self._query, block_no * BLOCK_SIZE, BLOCK_SIZE))
        except Exception as exc:  # noqa: BLE001 - shown as blank rows + one line, never a crash
            log.warning("could not read orders: %s", exc.__class__.__name__)
            self.load_failed.emit(str(exc).splitlines()[0] if str(exc) else "store error")
            rows = []
        self._blocks[block_no] = rows
        while len(self._blocks) > MAX_BLOCKS:
            self._blocks.popitem(last=False)
        return rows

    def order_id(self, row: int) -> int | None:
        found = self.row_at(row)
        return found.order_id if found else None

    def cached_row_of(self, order_id: int) -> int | None:
        """The row showing `order_id`, if it is in a cached block (no store query)."""
        for block_no, block in self._blocks.items():
            for offset, row in enumerate(block):
                if row.order_id == order_id:
                    return block_no * BLOCK_SIZE + offset
        return None

    @property
    def cached_blocks(self) -> int:
        return len(self._blocks)

    # -- QAbstractTableModel -------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.column() >= len(COLUMNS):
            return None
        if role not in _ROLES:
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return COLUMNS[index.column()][2](row)
        if role == ORDER_ID_ROLE:
            return row.order_id
        if role == STATUS_ROLE:
            return row.status
        if role == ROW_ROLE:
            return row
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        key = COLUMNS[column][1]
        if key is None:
            return  # not sortable in the store: keep the current order
        self.set_sort(Sort(key, order == Qt.SortOrder.DescendingOrder))

    @staticmethod
    def is_sortable(column: int) -> bool:
        return 0 <= column < len(COLUMNS) and COLUMNS[column][1] is not None

    def sort_column(self) -> tuple[int, Qt.SortOrder]:
        keys = [c[1] for c in COLUMNS]
        column = keys.index(self._query.sort.key)
        order = (
            Qt.SortOrder.DescendingOrder
            if self._query.sort.descending
            else Qt.SortOrder.AscendingOrder
        )
        return column, order


_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        ORDER_ID_ROLE,
        STATUS_ROLE,
        ROW_ROLE,
    }
)


__all__ = [
    "BLOCK_SIZE",
    "COLUMNS",
    "ORDER_ID_ROLE",
    "ROW_ROLE",
    "STATUS_ROLE",
    "OrderQuery",
    "OrderRow",
    "OrdersModel",
    "Sort",
    "SortKey",
    "StatusFilter",
]
