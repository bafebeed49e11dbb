"""Reads for the orders view that may touch many rows: tab counts and one order's full record."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from ui.models.order_row import OrderRow, StatusFilter
from ui.models.orders_model import OrdersModel
from ui.services.store_source import store_status
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
        self._refreshing = False
        self._refresh_again = False

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
        """Re-read the table's count and visible rows in a worker, then apply on the GUI thread.

        During a sync this runs after every committed page; at most one read is in flight and
        one more is remembered, so a burst of pages costs two reads, not one per page.
        """
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        source, query, blocks = model.snapshot_request()

        def done(result: tuple[int, dict[int, list[OrderRow]]]) -> None:
            self._refreshing = False
            if model.apply_snapshot(source, query, *result):
                on_applied()
            if self._refresh_again:
                self._refresh_again = False
                self.refresh_model(model, on_applied)

        def failed(exc: BaseException) -> None:
            self._refreshing = False
            self._refresh_again = False
            model.load_failed.emit(str(exc).splitlines()[0] if str(exc) else "store error")

        self._tasks.run(
            lambda _ctx: OrdersModel.read_snapshot(source, query, blocks),
            on_done=done,
            on_error=failed,
            owner=self,
            lane="reads",
        )

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
