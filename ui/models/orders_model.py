"""The orders table's model as Qt sees it: columns, roles, headers and sorting.

The query and the cache of row blocks it reads from the store are `OrderCacheModel`
(`ui.models.order_cache`); this adds what the view asks for. Painting asks Python as little as
it can: one `multiData` per cell instead of one `data()` per role (Qt asks seven), and
`index()` without the two count calls Qt's own makes, because each call from the view must
take the GIL, which a busy sync worker holds (`ui.max_block_ms`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from PySide6.QtCore import (
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QPersistentModelIndex,
    Qt,
)

from ui.models.order_blocks import (
    BLOCK_SIZE,
    COLUMN_COUNT,
    COLUMNS,
    MAX_BLOCKS,
    STATUS_COLUMN,
    STATUS_TEXT,
)
from ui.models.order_cache import Loader, OrderCacheModel
from ui.models.order_row import (
    OrderQuery,
    OrderRow,
    Sort,
    SortKey,
    StatusFilter,
)
from ui.models.rows_model import plain_tooltip

ORDER_ID_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2
ROW_ROLE = Qt.ItemDataRole.UserRole + 3
# Plain ints: compared in every paint, where an enum comparison costs three times as much.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ORDER_ID, _STATUS, _ROW = int(ORDER_ID_ROLE), int(STATUS_ROLE), int(ROW_ROLE)

_Index = QModelIndex | QPersistentModelIndex


class OrdersModel(OrderCacheModel):
    """Read-only, lazily loaded orders of the signed-in account (see `OrderCacheModel`)."""

    # -- QAbstractTableModel -------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMN_COUNT

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        # Qt's own asks rowCount() and columnCount() first: two more GIL round trips per cell.
        if 0 <= row < self._count and 0 <= column < COLUMN_COUNT and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or int(role) not in _ROLES:
            return None
        found = self._painted(index.row())
        return None if found is None else _value(*found, index.column(), int(role))

    def multiData(self, index: _Index, role_data: QModelRoleDataSpan | QModelRoleData) -> None:
        found = self._painted(index.row()) if index.isValid() else None
        column = index.column()
        # A span iterates at run time; PySide's stubs do not say so.
        items: Iterable[QModelRoleData] = (
            (role_data,) if isinstance(role_data, QModelRoleData) else cast(Any, role_data)
        )
        for item in items:
            role = item.role()
            if found is None or role not in _ROLES:
                item.clearData()
            else:
                item.setData(_value(*found, column, role))

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < COLUMN_COUNT:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None

    # flags(): Qt's own (enabled, selectable) is what this model wants, without a Python call.

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < COLUMN_COUNT:
            return
        key = COLUMNS[column][1]
        if key is None:
            return  # not sortable in the store: keep the current order
        self.set_sort(Sort(key, order == Qt.SortOrder.DescendingOrder))

    @staticmethod
    def is_sortable(column: int) -> bool:
        return 0 <= column < COLUMN_COUNT and COLUMNS[column][1] is not None

    def sort_column(self) -> tuple[int, Qt.SortOrder]:
        keys = [c[1] for c in COLUMNS]
        column = keys.index(self._query.sort.key)
        order = (
            Qt.SortOrder.DescendingOrder
            if self._query.sort.descending
            else Qt.SortOrder.AscendingOrder
        )
        return column, order


_ROLES = frozenset({_DISPLAY, _TOOLTIP, _ORDER_ID, _STATUS, _ROW})


def _value(row: OrderRow, cells: tuple[str, ...], column: int, role: int) -> Any:
    if role == _DISPLAY:
        return cells[column] if 0 <= column < COLUMN_COUNT else None
    if role == _TOOLTIP:  # customer text: never markup (see `plain_tooltip`)
        return plain_tooltip(cells[column]) if 0 <= column < COLUMN_COUNT else None
    if role == _ORDER_ID:
        return row.order_id
    if role == _STATUS:
        return row.status
    return row  # _ROW


__all__ = [
    "BLOCK_SIZE",
    "COLUMNS",
    "MAX_BLOCKS",
    "ORDER_ID_ROLE",
    "ROW_ROLE",
    "STATUS_COLUMN",
    "STATUS_ROLE",
    "STATUS_TEXT",
    "Loader",
    "OrderQuery",
    "OrderRow",
    "OrdersModel",
    "Sort",
    "SortKey",
    "StatusFilter",
]
