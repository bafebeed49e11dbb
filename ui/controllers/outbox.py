"""Mark despatched (straight to the API online, into the outbox offline) and the outbox panel."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from clickdrop_desktop.errors import describe
from ui.services.views import OutboxRow
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from pathlib import Path

    from clickdrop_desktop.csv_import import ImportPreview
    from ui.services.outbox_service import OutboxService
    from ui.services.workspace import Workspace


class OutboxController(QObject):
    items_changed = Signal(list)  # list[OutboxRow]
    replayed = Signal()  # an automatic replay pass ran (any thread)
    message = Signal(str)
    store_changed = Signal()

    def __init__(self, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._workspace: Workspace | None = None
        self._service: OutboxService | None = None
        self.replayed.connect(self._on_replayed)

    def _on_replayed(self) -> None:
        self.refresh()
        self.store_changed.emit()

    def set_workspace(self, workspace: Workspace | None) -> None:
        if self._service is not None:
            self._service.stop()
        self._workspace = workspace
        self._service = None
        if workspace is None:
            self.items_changed.emit([])
            return
        from ui.services.outbox_service import OutboxService  # the outbox stack: with an account

        # Reports come from the runner's own thread: hop to the GUI thread by a queued signal.
        self._service = OutboxService(
            workspace.store,
            workspace.session.client,
            workspace.connectivity,
            on_report=lambda _report: self.replayed.emit(),
        )
        self._service.start()
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

        def done(result: tuple[int, list[str]]) -> None:
            queued, skipped = result
            plural = "s" if queued != 1 else ""
            if online:
                text = f"{queued} order{plural} marked despatched; sending to Click & Drop"
            else:
                text = (
                    f"{queued} order{plural} marked despatched here; the change waits in the "
                    "outbox until Click & Drop answers"
                )
            if skipped:
                text += f"; {len(skipped)} left alone ({skipped[0]})"
            self.message.emit(text)
            self.store_changed.emit()
            self.refresh()

        self._tasks.run(
            lambda _ctx: service.mark_despatched(order_ids, online=online),
            on_done=done,
            on_error=self._on_error,
            owner=self,
            lane="outbox",
        )

    def queue_new_orders(
        self,
        requests: list[Any],
        *,
        source: str = "form",
        on_done: Callable[[int], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> bool:
        """Queue new orders in a worker (all or none); False when no account is open."""
        service, workspace = self._service, self._workspace
        if service is None or workspace is None:
            return False
        online = workspace.online

        def done(count: int) -> None:
            plural = "s" if count != 1 else ""
            where = "sending to Click & Drop" if online else "waiting in the outbox"
            self.message.emit(f"{count} new order{plural} queued; {where}")
            self.store_changed.emit()
            self.refresh()
            if on_done is not None:
                on_done(count)

        def failed(exc: BaseException) -> None:
            text = describe(exc)[0]
            if on_error is not None:
                on_error(text)
            else:
                self.message.emit(text)

        self._tasks.run(
            lambda _ctx: service.queue_new_orders(requests, source=source, online=online),
            on_done=done,
            on_error=failed,
            owner=self,
            lane="outbox",
        )
        return True

    def preview_csv(
        self,
        path: Path,
        *,
        on_done: Callable[[ImportPreview], None],
        on_error: Callable[[str], None],
    ) -> bool:
        """Read a CSV file for the import preview in a worker; False when no account is open."""
        service = self._service
        if service is None:
            return False
        self._tasks.run(
            lambda _ctx: service.preview_csv(path),
            on_done=on_done,
            on_error=lambda exc: on_error(describe(exc)[0]),
            owner=self,
            lane="outbox",
        )
        return True

    def import_csv(
        self,
        preview: ImportPreview,
        *,
        on_done: Callable[[int], None],
        on_error: Callable[[str], None],
    ) -> bool:
        """Queue a clean preview's orders in a worker, all or none."""
        service, workspace = self._service, self._workspace
        if service is None or workspace is None:
            return False
        online = workspace.online

        def done(count: int) -> None:
            plural = "s" if count != 1 else ""
            self.message.emit(f"{count} order{plural} imported from CSV; queued to send")
            self.store_changed.emit()
            self.refresh()
            on_done(count)

        self._tasks.run(
            lambda _ctx: service.import_csv(preview, online=online),
            on_done=done,
            on_error=lambda exc: on_error(describe(exc)[0]),
            owner=self,
            lane="outbox",
        )
        return True

    def flush(self) -> None:
        service = self._service
        if service is None:
            return

        def done(_result: None) -> None:
            self.message.emit("Sending waiting changes to Click & Drop…")

        self._tasks.run(
            lambda _ctx: service.replay(),
            on_done=done,
            on_error=self._on_error,
            owner=self,
            key="outbox-flush",
            lane="outbox",
        )

    def after_sync(self, retention_days: int | None = None) -> None:
        """Send what waits, then purge despatched orders past the retention period."""
        service = self._service
        if service is None:
            return
        self._tasks.run(lambda _ctx: service.after_sync(), owner=self, lane="outbox")

        def purged(count: int) -> None:
            if count:
                self.store_changed.emit()

        # Always: the period is the store's record (`cache --retention` or Settings), which
        # a preference of "Keep everything" (0) must not switch off; `retention_days` is only
        # the default a store that never recorded one adopts.
        self._tasks.run(
            lambda _ctx: service.purge_expired(retention_days),
            on_done=purged,
            on_error=self._on_error,
            owner=self,
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
