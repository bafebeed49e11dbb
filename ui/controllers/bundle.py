"""All controllers of one window, created and wired to each other in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from ui.context import AppContext
from ui.controllers.accounts import AccountDirectory, AccountsController
from ui.controllers.bench import BenchController
from ui.controllers.orders import OrdersController
from ui.controllers.outbox import OutboxController
from ui.controllers.printing import PrintController
from ui.controllers.sync import SyncController

if TYPE_CHECKING:
    from ui.services.workspace import Workspace


@dataclass
class Controllers:
    accounts: AccountsController
    sync: SyncController
    orders: OrdersController
    printing: PrintController
    bench: BenchController
    outbox: OutboxController

    @classmethod
    def create(cls, ctx: AppContext, directory: AccountDirectory, parent: QObject) -> Controllers:
        made = cls(
            accounts=AccountsController(ctx.tasks, directory, parent),
            sync=SyncController(ctx.tasks, parent),
            orders=OrdersController(ctx.tasks, parent),
            printing=PrintController(ctx.tasks, lambda: ctx.prefs, parent),
            bench=BenchController(ctx.tasks, lambda: ctx.prefs, ctx.feedback, parent),
            outbox=OutboxController(ctx.tasks, parent),
        )
        made.accounts.workspace_opened.connect(made._set_workspace)
        made.accounts.workspace_closed.connect(lambda: made._set_workspace(None))
        made.sync.store_changed.connect(made.orders.refresh_counts)
        made.sync.store_changed.connect(made.printing.refresh_jobs)
        made.outbox.store_changed.connect(made.orders.refresh_counts)
        made.printing.printed.connect(lambda _r: made.orders.refresh_counts())
        # A label made upstream sets printedOn there: fetch it so the status tabs follow.
        made.printing.labels_made.connect(made.sync.sync_now)
        made.bench.printed.connect(made._on_bench_printed)
        made.sync.finished.connect(lambda _text: made.outbox.after_sync(ctx.prefs.retention_days))
        made.sync.set_interval(ctx.prefs.sync_interval_minutes)
        return made

    def _on_bench_printed(self, label_made: bool) -> None:
        self.printing.refresh_jobs()
        self.orders.refresh_counts()
        if label_made:
            self.sync.sync_now()

    def _set_workspace(self, workspace: Workspace | None) -> None:
        # Sync first: it must stop before anything else lets go of the session.
        self.sync.set_workspace(workspace)
        self.orders.set_workspace(workspace)
        self.printing.set_workspace(workspace)
        self.bench.set_workspace(workspace)
        self.outbox.set_workspace(workspace)
