"""Shared frame for the dock panels: a compact table with a row of buttons under it."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui import theme
from ui.models.rows_model import TONE_ROLE
from ui.widgets.plain import PlainLabel


class _ToneDelegate(QStyledItemDelegate):
    """Colours a row's text by its tone (ok / warn / bad) without a rich-text label."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        tone = index.data(TONE_ROLE)
        if tone:
            t = theme.tokens()
            color = {"ok": t.ok_fg, "warn": t.warn_fg, "bad": t.bad_fg}.get(tone)
            if color:
                opt.palette.setColor(opt.palette.ColorRole.Text, QColor(color))
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(style.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)


class TablePanel(QWidget):
    """A titled-by-dock table, a hint shown when empty, and action buttons."""

    def __init__(self, empty_hint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableView(self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        self.table.setItemDelegate(_ToneDelegate(self.table))
        self.hint = PlainLabel(empty_hint, object_name="Muted", wrap=True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(6)
        self.summary = PlainLabel("", object_name="Muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hint, 1)
        row = QHBoxLayout()
        row.addWidget(self.summary, 1)
        row.addLayout(self.buttons)
        layout.addLayout(row)

    def add_button(self, text: str, tooltip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setToolTip(tooltip)
        self.buttons.addWidget(button)
        return button

    def show_empty(self, empty: bool) -> None:
        self.table.setVisible(not empty)
        self.hint.setVisible(empty)
