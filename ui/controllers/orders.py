"""Reads for the orders view that may touch many rows: tab counts and one order's full record."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from ui.models.order_row import StatusFilter
from ui.models.orders_model import OrdersModel
from ui.tasks import TaskContext, TaskRunner
from ui.widgets.status_tabs import TABS

if TYPE_CHECKING:
    from clickdrop_desktop.store import StoredOrder
    from ui.services.workspace import Workspace


class OrdersController(QObject):
    counts_changed = Signal(dict)  # StatusFilter | None -> count
    order_loaded = Signal(int, object)  # order id, StoredOrder | None

    def __init__(self, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._workspace: Workspace | None = None
        self._wanted: int | None = None

    def set_workspace(self, workspace: Workspace | None) -> None:
        self._workspace = workspace
        self._wanted = None
        if workspace is not None:
            self.refresh_counts()

    def refresh_counts(self) -> None:
        workspace = self._workspace
        if workspace is None:
            return

        def job(_ctx: TaskContext) -> dict[StatusFilter | None, int]:
            from ui.services.store_source import store_status

            return {
                status: workspace.store.count_orders(status=store_status(status))
                for status, _title in TABS
            }

        self._tasks.run(
            job,
            on_done=lambda counts: self._emit_counts(workspace, counts),
            owner=self,
            key="counts",
            lane="reads",
        )

    def _emit_counts(self, workspace: Workspace, counts: dict[StatusFilter | None, int]) -> None:
        if workspace is self._workspace:
            self.counts_changed.emit(counts)

    def refresh_model(self, model: OrdersModel, on_applied: Callable[[], None]) -> None:
        """Re-read the table's count and visible rows (in a worker when the model has a loader:
        at most one read in flight and one more remembered), then `on_applied` on the GUI."""
        model.refresh(on_applied)

    def load_order(self, order_id: int | None) -> None:
        self._wanted = order_id
        workspace = self._workspace
        if workspace is None or order_id is None:
            return

        def done(stored: StoredOrder | None) -> None:
            if self._wanted == order_id and workspace is self._workspace:
                self.order_loaded.emit(order_id, stored)

        self._tasks.run(
            lambda _ctx: workspace.store.get_order(order_id),
            on_done=done,
            owner=self,
            lane="reads",
        )
