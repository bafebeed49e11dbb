"""Mark despatched (straight to the API online, into the outbox offline) and the outbox panel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from clickdrop_desktop.errors import describe
from ui.services.outbox_service import OutboxService
from ui.services.views import OutboxRow
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from ui.services.workspace import Workspace


class OutboxController(QObject):
    items_changed = Signal(list)  # list[OutboxRow]
    message = Signal(str)
    store_changed = Signal()

    def __init__(self, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._workspace: Workspace | None = None
        self._service: OutboxService | None = None

    def set_workspace(self, workspace: Workspace | None) -> None:
        self._workspace = workspace
        self._service = (
            OutboxService(workspace.store, workspace.session.client)
            if workspace is not None
            else None
        )
        if workspace is None:
            self.items_changed.emit([])
        else:
            self.refresh()

    def refresh(self) -> None:
        service = self._service
        if service is None:
            return
        self._tasks.run(
            lambda _ctx: service.items(),
            on_done=lambda items: self._emit(service, items),
            on_error=self._on_error,
            owner=self,
            lane="outbox",
        )

    def _emit(self, service: OutboxService, items: list[OutboxRow]) -> None:
        if service is self._service:
            self.items_changed.emit(items)

    def mark_despatched(self, order_ids: list[int]) -> None:
        service, workspace = self._service, self._workspace
        if service is None or workspace is None or not order_ids:
            return
        online = workspace.online

        def done(result: tuple[int, int]) -> None:
            sent, queued = result
            if queued:
                self.message.emit(
                    f"{queued} order{'s' if queued != 1 else ''} marked despatched here; the "
                    "change waits in the outbox until Click & Drop answers"
                )
            else:
                self.message.emit(f"{sent} order{'s' if sent != 1 else ''} marked despatched")
            self.store_changed.emit()
            self.refresh()

        self._tasks.run(
            lambda _ctx: service.mark_despatched(order_ids, online=online),
            on_done=done,
            on_error=self._on_error,
            owner=self,
            lane="outbox",
        )

    def flush(self) -> None:
        service = self._service
        if service is None:
            return

        def done(result: tuple[int, int]) -> None:
            sent, left = result
            self.message.emit(f"Outbox: {sent} sent, {left} still waiting")
            self.refresh()

        self._tasks.run(
            lambda _ctx: service.replay(),
            on_done=done,
            on_error=self._on_error,
            owner=self,
            key="outbox-flush",
            lane="outbox",
        )

    def discard(self, op_ids: list[str]) -> None:
        service = self._service
        if service is None:
            return
        self._tasks.run(
            lambda _ctx: service.discard(op_ids),
            on_done=lambda _r: self.refresh(),
            on_error=self._on_error,
            owner=self,
            lane="outbox",
        )

    def _on_error(self, exc: BaseException) -> None:
        self.message.emit(describe(exc)[0])
        self.refresh()
