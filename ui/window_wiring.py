"""The main window's wiring: which signal goes to which controller, and the slots between.

No behaviour lives here beyond "this signal goes to that controller": each `_on_<source>_<event>`
slot makes one call. Decisions are in `ui.window_logic`, work in `ui/controllers/`.

Adding a command: its `QAction` in `ui.actions`, its menu place in `ui.window_build.MENUS`,
and one line in `_connect_commands` here. Something outside the window (a tray icon) connects
to the same controllers and `window.logic`, never to widgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from ui import heap

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDockWidget

    from clickdrop_desktop.connectivity import Snapshot
    from clickdrop_desktop.store import StoredOrder
    from printing.bitmap import Bitmap
    from ui.dialogs.manifest_print import ManifestPrintService
    from ui.main_window import MainWindow
    from ui.models.order_row import OrderQuery, OrderRow, StatusFilter
    from ui.services.views import OutboxRow
    from ui.services.workspace import Workspace


class WindowWiring:
    """Connects the window's commands and widgets to the controllers, and back."""

    def __init__(self, window: MainWindow) -> None:
        self.w = window

    def connect(self) -> None:
        self._connect_commands()
        self._connect_widgets()
        self._connect_controllers()

    def _connect_commands(self) -> None:
        w, a, c, logic = self.w, self.w.commands, self.w.c, self.w.logic
        a.sync.triggered.connect(c.sync.sync_now)
        a.cancel_sync.triggered.connect(self._on_sync_cancel_requested)
        a.prepare.triggered.connect(lambda: logic.prepare_labels())
        a.print.triggered.connect(lambda: logic.print_selected(reprint=False))
        a.reprint.triggered.connect(lambda: logic.print_selected(reprint=True))
        a.slip.triggered.connect(lambda: logic.print_slips())
        a.batch.triggered.connect(lambda: logic.batch_print())
        a.despatch.triggered.connect(lambda: logic.mark_despatched())
        a.new_order.triggered.connect(self._on_new_order_triggered)
        a.import_csv.triggered.connect(self._on_import_csv_triggered)
        a.manifest.triggered.connect(self._on_manifest_triggered)
        a.manifests.triggered.connect(self._on_manifests_triggered)
        a.find.triggered.connect(self._on_find_triggered)
        a.focus_orders.triggered.connect(self._on_focus_orders_triggered)
        a.bench.toggled.connect(self._on_bench_toggled)
        a.show_queue.triggered.connect(lambda: self._show_dock(w.queue_dock))
        a.show_outbox.triggered.connect(lambda: self._show_dock(w.outbox_dock))
        a.flush_outbox.triggered.connect(c.outbox.flush)
        a.settings.triggered.connect(lambda: logic.open_settings())
        a.add_account.triggered.connect(lambda: logic.sign_in())
        a.switch_account.triggered.connect(w.account_switcher.showMenu)
        a.lock.triggered.connect(c.accounts.lock)
        a.sign_out.triggered.connect(lambda: logic.sign_out())
        a.incidents.triggered.connect(lambda: logic.show_incidents())
        a.shortcuts.triggered.connect(lambda: logic.show_shortcuts())
        a.quit.triggered.connect(w.close)

    def _connect_widgets(self) -> None:
        w, c, logic = self.w, self.w.c, self.w.logic
        # The welcome page's sign-in button is connected where that page is built.
        w.account_switcher.switch_requested.connect(c.accounts.open)
        w.account_switcher.add_requested.connect(lambda: logic.sign_in())
        w.account_switcher.lock_requested.connect(c.accounts.lock)
        w.account_switcher.sign_out_requested.connect(lambda name: logic.sign_out(name))
        w.search.search_changed.connect(w.model.set_search)
        w.search.to_results.connect(w.orders_view.focus_rows)
        w.status_tabs.status_changed.connect(self._on_status_tabs_changed)
        w.orders_view.painted.connect(w.first_frame.table_painted)
        w.orders_view.selection_changed.connect(lambda _ids: w.selection_timer.start())
        w.orders_view.order_activated.connect(lambda oid: logic.print_ids([oid]))
        w.selection_timer.timeout.connect(self._on_selection_settled)
        w.sync_status.cancel_requested.connect(self._on_sync_cancel_requested)
        w.model.count_changed.connect(self._on_model_count_changed)
        w.model.load_failed.connect(logic.status)

    def _connect_controllers(self) -> None:
        w, c, logic = self.w, self.w.c, self.w.logic
        c.accounts.ask_passphrase = logic.ask_passphrase
        c.accounts.preview = w.read_first_screen
        c.accounts.start_work = w.after_first_frame
        c.accounts.opening.connect(logic.show_opening)
        c.accounts.preview_ready.connect(self._on_accounts_preview_ready)
        c.accounts.workspace_opened.connect(self._on_accounts_workspace_opened)
        c.accounts.workspace_closed.connect(self._on_accounts_workspace_closed)
        c.accounts.accounts_changed.connect(w.account_switcher.set_accounts)
        c.accounts.open_failed.connect(self._on_accounts_open_failed)
        c.accounts.busy.connect(lambda text: w.statusBar().showMessage(text, 4000))
        c.accounts.cache_rebuilt.connect(
            lambda _name, lines: logic.status(lines[0] if lines else "")
        )
        c.sync.started.connect(lambda: w.sync_status.start("Syncing…"))
        c.sync.progress.connect(w.sync_status.set_progress)
        c.sync.finished.connect(self._on_sync_finished)
        c.sync.failed.connect(self._on_sync_failed)
        c.sync.store_changed.connect(logic.refresh_orders)
        c.sync.isolation_alert.connect(lambda exc: logic.show_isolation_alert(exc))
        c.orders.counts_changed.connect(self._on_orders_counts_changed)
        c.orders.order_loaded.connect(self._on_orders_order_loaded)
        c.printing.jobs_changed.connect(lambda jobs: w.queue_panel.set_jobs(jobs))
        c.printing.message.connect(logic.status)
        c.printing.preview_ready.connect(self._on_printing_preview_ready)
        c.printing.printed.connect(lambda _r: logic.refresh_orders())
        c.printing.labels_prepared.connect(lambda _m, _p: logic.refresh_orders())
        c.bench.result.connect(lambda outcome, text: w.scan_panel.show_result(outcome, text))
        c.bench.order_scanned.connect(logic.show_scanned_order)
        c.bench.printed.connect(lambda _made: logic.refresh_orders())
        c.outbox.items_changed.connect(self._on_outbox_items_changed)
        c.outbox.message.connect(logic.status)
        c.outbox.store_changed.connect(logic.refresh_orders)

    # -- slots: one call each --------------------------------------------------------------------

    def _on_accounts_preview_ready(
        self, _name: str, preview: tuple[OrderQuery, int, dict[int, list[OrderRow]]]
    ) -> None:
        self.w.model.show_snapshot(*preview)
        self.w.first_frame.settled()

    def _on_accounts_open_failed(self, text: str) -> None:
        if self.w.logic.workspace is None:
            self.w.logic.show_workspace(None)  # leave the "opening" page
        self.w.first_frame.settled(shown=False)
        self.w.logic.show_error(text)

    def _on_outbox_items_changed(self, items: list[OutboxRow]) -> None:
        self.w.outbox_panel.set_items(items)
        self.w.logic.refresh_banner()

    def _on_accounts_workspace_opened(self, workspace: Workspace) -> None:
        self.w.logic.show_workspace(workspace)
        self.w.first_frame.settled()
        self.w.idle_lock.set_minutes(self.w.ctx.prefs.lock_after_idle_minutes)
        heap.freeze_long_lived()  # the session and its stack: out of the sync's collections

    def _on_accounts_workspace_closed(self) -> None:
        self.w.logic.show_workspace(None)
        heap.thaw()

    def on_workspace_connectivity_changed(self, snapshot: Snapshot) -> None:
        self.w.logic.show_connectivity(snapshot)

    def _on_sync_cancel_requested(self) -> None:
        self.w.sync_status.cancelling()
        self.w.c.sync.cancel()

    def _on_sync_finished(self, text: str) -> None:
        self.w.sync_status.set_idle(text)

    def _on_sync_failed(self, text: str) -> None:
        self.w.sync_status.set_idle(text)

    def _on_new_order_triggered(self) -> None:
        from ui.dialogs.new_order import open_new_order  # built when first asked for

        open_new_order(self.w, self.w.c.outbox)

    def _on_import_csv_triggered(self) -> None:
        from ui.dialogs.csv_import import open_csv_import  # built when first asked for

        open_csv_import(self.w, self.w.c.outbox)

    def _on_manifest_triggered(self) -> None:
        from ui.dialogs.manifest import ManifestFlow  # built when first asked for

        w = self.w
        flow = ManifestFlow(
            w, w.ctx.tasks, w.ctx.dialogs, lambda: w.logic.workspace, printing=self._manifests()
        )
        flow.finished.connect(self.w.logic.status)
        flow.finished.connect(lambda _t: flow.deleteLater())
        flow.start()

    def _on_manifests_triggered(self) -> None:
        from ui.dialogs.manifest_dialog import open_manifests  # built when first asked for

        open_manifests(self.w, self._manifests(), self.w.ctx.tasks, self.w.ctx.dialogs)

    def _manifests(self) -> ManifestPrintService:
        """Kept manifests of the open account and the printer they go to (also offline)."""
        from ui.dialogs.manifest_print import ManifestPrintService

        w = self.w
        return ManifestPrintService(
            lambda: w.logic.workspace, lambda: w.ctx.prefs, printed=w.c.printing.refresh_jobs
        )

    def _on_focus_orders_triggered(self) -> None:
        self.w.search.flush()  # F6 straight after typing: the table shows what was typed
        self.w.orders_view.focus_rows()

    def _on_find_triggered(self) -> None:
        self.w.search.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _on_bench_toggled(self, on: bool) -> None:
        self.w.logic.set_bench_mode(on)

    def _on_status_tabs_changed(self, status: StatusFilter | None) -> None:
        self.w.model.set_status(status)

    def _on_model_count_changed(self, count: int) -> None:
        self.w.count_label.setText(f"{count:,} order{'s' if count != 1 else ''}")

    def _on_orders_counts_changed(self, counts: dict[StatusFilter | None, int]) -> None:
        for status, count in counts.items():
            self.w.status_tabs.set_count(status, count)

    def _on_selection_settled(self) -> None:
        self.w.logic.selection_settled(self.w.orders_view.selected_order_ids())

    def _on_orders_order_loaded(self, order_id: int, stored: StoredOrder | None) -> None:
        self.w.detail.show_order(stored.order if stored is not None else None)

    def _on_printing_preview_ready(self, order_id: int, bitmap: Bitmap | None, text: str) -> None:
        self.w.logic.show_preview(order_id, bitmap, text)

    def _show_dock(self, dock: QDockWidget) -> None:
        self.w.build_panels()
        dock.show()
        dock.raise_()
        dock.widget().setFocus()
