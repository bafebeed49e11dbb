"""The orders table: fixed row heights (smooth at 100,000 rows), status pills, multi-select."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFocusEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QTableView,
    QWidget,
)

from ui import theme
from ui.models.order_row import StatusFilter
from ui.models.orders_model import COLUMNS, STATUS_COLUMN, STATUS_TEXT, OrdersModel
from ui.widgets.plain import PlainLabel

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStyleOptionViewItem

_ROW_HEIGHT = 30
_WIDTHS = (125, 115, 170, 85, 105, 140, 70)
LABEL_COLUMN = 6
ADDRESS_COLUMNS = (2, 3)  # recipient, postcode: only /full (ChannelShipper) accounts have them
_STATUS_OF_TEXT = {text: status for status, text in STATUS_TEXT.items()}
_TONES = {
    "new": ("info_bg", "info_fg"),
    "printed": ("warn_bg", "warn_fg"),
    "despatched": ("ok_bg", "ok_fg"),
    "manifested": ("ok_bg", "ok_fg"),
    "archived": ("border", "muted"),
}


class StatusDelegate(QStyledItemDelegate):
    """Paints the status as a small coloured pill, so a column of statuses scans at a glance."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tokens: theme.Tokens | None = None  # per palette: asking the OS per cell is slow

    def palette_changed(self) -> None:
        self._tokens = None

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        # Imported on the first status cell painted, after the first frame: PySide builds
        # QStyle's 566 enum members when it is first imported (~8 ms, `ui.start_ratio`).
        from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        status = _STATUS_OF_TEXT.get(text)  # from the text: no second call into the model
        if status is None:
            return
        tokens = self._tokens
        if tokens is None:
            tokens = self._tokens = theme.tokens()
        bg_name, fg_name = _TONES.get(status, ("border", "muted"))
        metrics = opt.fontMetrics
        width = metrics.horizontalAdvance(text) + 16
        height = metrics.height() + 4
        rect = QRect(
            opt.rect.left() + 6,
            opt.rect.center().y() - height // 2 + 1,
            min(width, opt.rect.width() - 12),
            height,
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(getattr(tokens, bg_name)))
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setPen(QColor(getattr(tokens, fg_name)))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


class OrdersView(QTableView):
    """Table over `OrdersModel`. Emits the selected order ids (in row order) on every change."""

    selection_changed = Signal(list)  # list[int]
    order_activated = Signal(int)
    painted = Signal()  # after each paint of the table

    def __init__(self, model: OrdersModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OrdersView")
        self.setAccessibleName("Orders")
        self.setModel(model)
        self._orders = model
        self._want_row = False  # `focus_rows` waits for rows to select the first
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setCornerButtonEnabled(False)
        # Tab leaves the table (to the details, the search) instead of walking its cells.
        self.setTabKeyNavigation(False)
        vheader = self.verticalHeader()
        vheader.setVisible(False)
        # Fixed: Qt never measures rows, so 100,000 rows cost what the viewport shows.
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(_ROW_HEIGHT)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column, width in enumerate(_WIDTHS[: len(COLUMNS)]):
            header.resizeSection(column, width)
        self._status_delegate = StatusDelegate(self)
        self.setItemDelegateForColumn(STATUS_COLUMN, self._status_delegate)
        # Over the empty table: loading while the account opens or a query runs (not "no
        # orders"), and once it is known, why it is empty and what to do. A child of the view,
        # not painted on its viewport: the first wrapper of the viewport costs PySide ~10 ms of
        # enum set-up at start.
        self.empty_state = PlainLabel("Loading orders…", object_name="Muted")
        self.empty_state.setParent(self)
        self.empty_state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_state.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.empty_state.hide()
        column, order = model.sort_column()
        header.setSortIndicator(column, order)
        # After the indicator: enabling sorting sorts by the indicator's column at once.
        self.setSortingEnabled(True)
        model.query_changed.connect(lambda _query: self.show_model_sort())
        self.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.activated.connect(self._on_activated)
        model.modelReset.connect(self._on_model_reset)
        model.loading_changed.connect(self._update_empty_state)
        model.modelReset.connect(self._update_empty_state)
        model.rowsInserted.connect(self._update_empty_state)
        model.rowsRemoved.connect(self._update_empty_state)

    def paintEvent(self, event: QPaintEvent) -> None:
        # Overridden so the whole paint runs holding the GIL once: Qt's own calls back into the
        # model per cell, and each callback would wait for the GIL a busy worker holds.
        super().paintEvent(event)
        self.painted.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.empty_state.setGeometry(self.rect())

    def _update_empty_state(self, *_args: object) -> None:
        text = empty_text(self._orders)
        if text:
            self.empty_state.setText(text)
        self.empty_state.setVisible(bool(text))
        if self._want_row:
            self._select_first_row()

    def focus_rows(self) -> None:
        """The keyboard to the table, on a row: the selected one, or the first (so Space, Enter
        and Ctrl+P act at once instead of saying nothing is selected). Until the rows of a
        query still on its way have arrived (a search just typed, a tab just chosen), the
        first of them is selected when they replace what is shown."""
        self.setFocus()
        self._want_row = True
        self._select_first_row()

    def _select_first_row(self) -> None:
        model = self._orders
        selection = self.selectionModel()
        if model.rowCount() and not selection.hasSelection():
            self.selectRow(0)
        if model.settled and selection.hasSelection():
            self._want_row = False  # the rows the query asked for, one selected: done

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._want_row = False  # the user went elsewhere: rows arriving later select nothing
        super().focusOutEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._status_delegate.palette_changed()  # the OS switched dark/light
        super().changeEvent(event)

    def selected_order_ids(self) -> list[int]:
        rows = sorted(i.row() for i in self.selectionModel().selectedRows())
        ids = [self._orders.order_id(r) for r in rows]
        return [i for i in ids if i is not None]

    def current_order_id(self) -> int | None:
        index = self.currentIndex()
        return self._orders.order_id(index.row()) if index.isValid() else None

    def select_order_ids(self, order_ids: list[int]) -> None:
        """Re-select orders after a refresh, by id (only those in cached blocks)."""
        selection = QItemSelection()
        last = len(COLUMNS) - 1
        for order_id in order_ids:
            row = self._orders.cached_row_of(order_id)
            if row is not None:
                selection.select(self._orders.index(row, 0), self._orders.index(row, last))
        self.selectionModel().select(selection, self.selectionModel().SelectionFlag.ClearAndSelect)

    def set_label_column_visible(self, visible: bool) -> None:
        """Accounts that get no labels through the API (non-OBA) never have one cached."""
        self.setColumnHidden(LABEL_COLUMN, not visible)

    def set_address_columns_visible(self, visible: bool) -> None:
        """Plain (non-ChannelShipper) accounts get no addresses from the API: hide empty columns."""
        for column in ADDRESS_COLUMNS:
            self.setColumnHidden(column, not visible)
        header = self.horizontalHeader()
        # The recipient column takes the spare width when shown, so no sideways scrolling.
        header.setStretchLastSection(not visible)
        header.setSectionResizeMode(
            2,
            QHeaderView.ResizeMode.Stretch if visible else QHeaderView.ResizeMode.Interactive,
        )

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.selection_changed.emit(self.selected_order_ids())

    def _on_activated(self, index: QModelIndex) -> None:
        order_id = self._orders.order_id(index.row())
        if order_id is not None:
            self.order_activated.emit(order_id)

    def save_columns(self) -> QByteArray:
        """Column widths and order as the user left them (saved with the window)."""
        return self.horizontalHeader().saveState()

    def restore_columns(self, state: QByteArray) -> None:
        """Widths and order from `save_columns`; which columns show stays the account's, and
        the sort stays the model's (the saved indicator would re-sort before the first rows)."""
        header = self.horizontalHeader()
        header.blockSignals(True)
        restored = header.restoreState(state)
        header.blockSignals(False)
        if restored:
            for column in range(header.count()):
                header.showSection(column)  # the account decides (`set_*_visible`)
            self.show_model_sort()

    def show_model_sort(self) -> None:
        """The header's sort indicator shows the model's sort (which may have corrected the
        order asked for: the store sorts names A to Z only), without sorting again."""
        column, order = self._orders.sort_column()
        header = self.horizontalHeader()
        if (header.sortIndicatorSection(), header.sortIndicatorOrder()) != (column, order):
            header.blockSignals(True)
            header.setSortIndicator(column, order)
            header.blockSignals(False)
            header.viewport().update()

    def _on_model_reset(self) -> None:
        self.selection_changed.emit([])


_EMPTY_TAB = {
    StatusFilter.TO_PRINT: "No orders to print",
    StatusFilter.PRINTED: "No printed orders",
    StatusFilter.DESPATCHED: "No despatched orders",
    StatusFilter.ARCHIVED: "No archived orders",
    None: "No orders cached yet: F5 syncs them from Click & Drop",
}


def empty_text(model: OrdersModel) -> str:
    """What the empty table says ("" when it has rows or no account is open)."""
    if model.rowCount():
        return ""
    if model.loading:
        return "Loading orders…"
    if not model.has_source or not model.settled:
        return ""
    query = model.query
    if query.search:
        where = " in this tab (Alt+5: every tab)" if query.status is not None else ""
        return f"No orders match “{query.search}”{where}"
    return _EMPTY_TAB[query.status]
