"""The status tabs above the orders table: To print, Printed, Despatched, Archived, All."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabBar, QWidget

from ui.models.order_row import StatusFilter

TABS: tuple[tuple[StatusFilter | None, str], ...] = (
    (StatusFilter.TO_PRINT, "To print"),
    (StatusFilter.PRINTED, "Printed"),
    (StatusFilter.DESPATCHED, "Despatched"),
    (StatusFilter.ARCHIVED, "Archived"),
    (None, "All"),
)


class StatusTabs(QTabBar):
    """Emits `status_changed(StatusFilter | None)`; `set_count()` shows a count on a tab."""

    status_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StatusTabs")
        self.setDrawBase(False)
        self.setExpanding(False)
        self.setDocumentMode(True)
        self.setAccessibleName("Order status")
        for _status, title in TABS:
            self.addTab(title)
        self.currentChanged.connect(self._on_current_changed)

    def _on_current_changed(self, index: int) -> None:
        if 0 <= index < len(TABS):
            self.status_changed.emit(TABS[index][0])

    @property
    def status(self) -> StatusFilter | None:
        return TABS[self.currentIndex()][0]

    def select(self, status: StatusFilter | None) -> None:
        for i, (s, _title) in enumerate(TABS):
            if s == status:
                self.setCurrentIndex(i)
                return

    def select_index(self, index: int) -> None:
        if 0 <= index < len(TABS):
            self.setCurrentIndex(index)

    def set_count(self, status: StatusFilter | None, count: int | None) -> None:
        for i, (s, title) in enumerate(TABS):
            if s == status:
                self.setTabText(i, title if count is None else f"{title}  {count:,}")
                return
