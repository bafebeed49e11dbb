"""The main window: it creates the widgets, lays them out and wires them to the controllers.

No behaviour lives here beyond "this signal goes to that controller": each `_on_<source>_<event>`
slot makes one call. What happens is in `ui/controllers/`, how it looks is in `ui/widgets/`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QPaintEvent, QShortcut
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ui import heap, window_logic
from ui.actions import Actions
from ui.context import AppContext
from ui.controllers.bundle import Controllers
from ui.icons import app_icon
from ui.idle_lock import IdleLock
from ui.models.order_row import OrderQuery, OrderRow, StatusFilter
from ui.models.orders_model import OrdersModel
from ui.widgets.account_switcher import AccountSwitcher
from ui.widgets.connectivity_banner import ConnectivityBanner
from ui.widgets.detail_pane import DetailPane
from ui.widgets.label_preview import LabelPreview
from ui.widgets.orders_view import OrdersView
from ui.widgets.plain import PlainLabel
from ui.widgets.search_field import SearchField
from ui.widgets.status_tabs import StatusTabs
from ui.widgets.sync_status import SyncStatus
from ui.widgets.welcome import WelcomePanel

if TYPE_CHECKING:  # start-up imports only what the first paint needs
    from clickdrop_desktop.connectivity import Snapshot
    from clickdrop_desktop.store import Store, StoredOrder
    from printing.bitmap import Bitmap
    from ui.services.views import OutboxRow
    from ui.services.workspace import Workspace
    from ui.widgets.outbox_panel import OutboxPanel
    from ui.widgets.print_queue_panel import PrintQueuePanel
    from ui.widgets.scan_panel import ScanPanel
    from ui.widgets.virtual_printer_view import VirtualPrinterView

SELECTION_SETTLE_MS = 120
FIRST_FRAME_WAIT_MS = 1000  # a window never painted still opens its account after this  # arrowing through rows loads only the row the user stops on


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, controllers: Controllers) -> None:
        super().__init__()
        self.ctx = ctx
        self.c = controllers
        self.setWindowTitle("Click & Drop Desktop")
        self.setWindowIcon(app_icon())
        self.setObjectName("MainWindow")
        self.logic = window_logic.WindowLogic(self)
        self._painted = False
        self._after_paint: list[Callable[[], None]] = []
        self._later_done = False
        self._later_on_paint = False
        self._later: list[Callable[[], None]] = []
        self._init_widgets()
        self._init_layout()
        self._init_connections()
        self.logic.show_workspace(None)

    # -- construction ----------------------------------------------------------------------------

    def _init_widgets(self) -> None:
        self.commands = Actions.create(self)
        self.account_switcher = AccountSwitcher(self)
        self.banner = ConnectivityBanner(self)
        self._scan_panel: ScanPanel | None = None  # bench mode builds it, not the first frame
        self.search = SearchField(self)
        self.status_tabs = StatusTabs(self)
        self.model = OrdersModel(self, loader=self._read_orders)
        self.orders_view = OrdersView(self.model, self)
        self.detail = DetailPane(self)
        self.preview = LabelPreview(self)
        self.welcome = WelcomePanel(self)
        # The dock panels fill in once the first frame is up (`_build_panels`).
        self._queue_panel: PrintQueuePanel | None = None
        self._outbox_panel: OutboxPanel | None = None
        self.sync_status = SyncStatus(self)
        self.connection_label = PlainLabel("", object_name="Muted")
        self.count_label = PlainLabel("", object_name="Muted")
        self.printer_view: VirtualPrinterView | None = None
        if self.ctx.demo:
            from ui.widgets.virtual_printer_view import VirtualPrinterView

            self.printer_view = VirtualPrinterView(self)
        self.idle_lock = IdleLock(self._on_idle_lock_fired, self)
        self.selection_timer = QTimer(self)
        self.selection_timer.setSingleShot(True)
        self.selection_timer.setInterval(SELECTION_SETTLE_MS)

    def _init_layout(self) -> None:
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("MainToolBar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addWidget(self.account_switcher)
        toolbar.addSeparator()
        a = self.commands
        for action in (a.sync, a.prepare, a.print, a.reprint, a.slip, a.despatch):
            toolbar.addAction(action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addAction(a.bench)
        toolbar.addAction(a.settings)
        self.addToolBar(toolbar)
        self.toolbar = toolbar
        for name in ("reprint", "slip"):
            button = toolbar.widgetForAction(getattr(a, name))
            if button is not None:  # secondary commands: icon only, text in the tooltip
                button.setProperty("iconOnly", True)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(6)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.status_tabs)
        left_layout.addWidget(self.orders_view, 1)

        preview_card = QWidget()
        preview_card.setObjectName("PreviewCard")
        preview_layout = QVBoxLayout(preview_card)
        preview_layout.setContentsMargins(0, 6, 0, 0)
        title = QLabel("Label preview")
        title.setObjectName("CardTitle")
        preview_layout.addWidget(title)
        preview_layout.addWidget(self.preview, 1)
        right = QSplitter(Qt.Orientation.Vertical)
        right.setObjectName("RightSplitter")
        right.addWidget(self.detail)
        right.addWidget(preview_card)
        right.setStretchFactor(0, 1)
        right.setStretchFactor(1, 1)
        right.setSizes([330, 300])
        right.setChildrenCollapsible(False)
        right.setMinimumWidth(300)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("MainSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([900, 380])
        self.splitter.setChildrenCollapsible(False)

        work = QWidget()
        work_layout = QVBoxLayout(work)
        work_layout.setContentsMargins(12, 10, 12, 8)
        work_layout.setSpacing(10)
        work_layout.addWidget(self.splitter, 1)
        self._work_layout = work_layout
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.setSpacing(0)
        page_layout.addWidget(self.banner)
        page_layout.addWidget(work, 1)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(page)
        self.setCentralWidget(self.stack)

        self.queue_dock = self._dock("Print queue", "PrintQueueDock", None)
        self.outbox_dock = self._dock("Outbox", "OutboxDock", None)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.queue_dock)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.outbox_dock)
        self.tabifyDockWidget(self.queue_dock, self.outbox_dock)
        self.queue_dock.raise_()
        self.printer_dock: QDockWidget | None = None
        if self.printer_view is not None:
            self.printer_dock = self._dock("Virtual printer", "PrinterDock", self.printer_view)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.printer_dock)

        bar = self.statusBar()
        bar.setSizeGripEnabled(True)
        bar.addPermanentWidget(self.sync_status)
        bar.addPermanentWidget(self.count_label)
        bar.addPermanentWidget(self.connection_label)
        self._init_menus()

    def _dock(self, title: str, name: str, widget: QWidget | None) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        if widget is not None:
            dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        return dock

    def _init_menus(self) -> None:
        a = self.commands
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for action in (a.add_account, a.lock, a.sign_out):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(a.import_csv)
        file_menu.addAction(a.incidents)
        file_menu.addSeparator()
        file_menu.addAction(a.settings)
        file_menu.addSeparator()
        file_menu.addAction(a.quit)
        orders_menu = bar.addMenu("&Orders")
        for entry in (
            a.sync,
            a.cancel_sync,
            None,
            a.new_order,
            a.find,
            a.focus_orders,
            None,
            a.despatch,
            a.manifest,
        ):
            orders_menu.addSeparator() if entry is None else orders_menu.addAction(entry)
        print_menu = bar.addMenu("&Print")
        for entry in (a.prepare, None, a.print, a.reprint, a.slip, a.batch, None, a.bench):
            print_menu.addSeparator() if entry is None else print_menu.addAction(entry)
        view_menu = bar.addMenu("&View")
        for dock in (self.queue_dock, self.outbox_dock, self.printer_dock):
            if dock is not None:
                toggle = dock.toggleViewAction()
                view_menu.addAction(toggle)
        view_menu.addSeparator()
        view_menu.addAction(a.show_queue)
        view_menu.addAction(a.show_outbox)
        view_menu.addAction(a.flush_outbox)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(a.shortcuts)
        for action in a.all():
            self.addAction(action)  # shortcuts work even with the menu bar hidden
        for index in range(5):
            shortcut = QShortcut(QKeySequence(f"Alt+{index + 1}"), self)
            shortcut.activated.connect(lambda i=index: self.status_tabs.select_index(i))

    def _init_connections(self) -> None:
        a, c = self.commands, self.c
        # toolbar and menu commands
        a.sync.triggered.connect(c.sync.sync_now)
        a.cancel_sync.triggered.connect(self._on_sync_cancel_requested)
        a.prepare.triggered.connect(lambda: self.logic.prepare_labels())
        a.print.triggered.connect(lambda: self.logic.print_selected(reprint=False))
        a.reprint.triggered.connect(lambda: self.logic.print_selected(reprint=True))
        a.slip.triggered.connect(lambda: self.logic.print_slips())
        a.batch.triggered.connect(lambda: self.logic.batch_print())
        a.despatch.triggered.connect(lambda: self.logic.mark_despatched())
        a.new_order.triggered.connect(self._on_new_order_triggered)
        a.import_csv.triggered.connect(self._on_import_csv_triggered)
        a.manifest.triggered.connect(self._on_manifest_triggered)
        a.find.triggered.connect(self._on_find_triggered)
        a.focus_orders.triggered.connect(self.orders_view.setFocus)
        a.bench.toggled.connect(self._on_bench_toggled)
        a.show_queue.triggered.connect(lambda: self._show_dock(self.queue_dock))
        a.show_outbox.triggered.connect(lambda: self._show_dock(self.outbox_dock))
        a.flush_outbox.triggered.connect(c.outbox.flush)
        a.settings.triggered.connect(lambda: self.logic.open_settings())
        a.add_account.triggered.connect(lambda: self.logic.sign_in())
        a.lock.triggered.connect(c.accounts.lock)
        a.sign_out.triggered.connect(lambda: self.logic.sign_out())
        a.incidents.triggered.connect(lambda: self.logic.show_incidents())
        a.shortcuts.triggered.connect(lambda: self.logic.show_shortcuts())
        a.quit.triggered.connect(self.close)
        # widgets -> controllers
        self.welcome.sign_in_requested.connect(lambda: self.logic.sign_in())
        self.account_switcher.switch_requested.connect(c.accounts.open)
        self.account_switcher.add_requested.connect(lambda: self.logic.sign_in())
        self.account_switcher.lock_requested.connect(c.accounts.lock)
        self.account_switcher.sign_out_requested.connect(lambda name: self.logic.sign_out(name))
        self.search.search_changed.connect(self.model.set_search)
        self.status_tabs.status_changed.connect(self._on_status_tabs_changed)
        self.orders_view.painted.connect(self._on_orders_view_painted)
        self.orders_view.selection_changed.connect(lambda _ids: self.selection_timer.start())
        self.orders_view.order_activated.connect(lambda oid: self.logic.print_ids([oid]))
        self.selection_timer.timeout.connect(self._on_selection_settled)
        self.sync_status.cancel_requested.connect(self._on_sync_cancel_requested)
        self.banner.retry_requested.connect(c.sync.sync_now)
        self.model.count_changed.connect(self._on_model_count_changed)
        self.model.load_failed.connect(self.statusBar().showMessage)
        c.accounts.ask_passphrase = self.logic.ask_passphrase
        c.accounts.preview = self._read_first_screen
        c.accounts.start_work = self.after_first_frame
        # controllers -> widgets
        c.accounts.opening.connect(self.logic.show_opening)
        c.accounts.preview_ready.connect(self._on_accounts_preview_ready)
        c.accounts.workspace_opened.connect(self._on_accounts_workspace_opened)
        c.accounts.workspace_closed.connect(self._on_accounts_workspace_closed)
        c.accounts.accounts_changed.connect(self.account_switcher.set_accounts)
        c.accounts.open_failed.connect(self._on_accounts_open_failed)
        c.accounts.busy.connect(lambda text: self.statusBar().showMessage(text, 4000))
        c.sync.started.connect(lambda: self.sync_status.start("Syncing…"))
        c.sync.progress.connect(self.sync_status.set_progress)
        c.sync.finished.connect(self._on_sync_finished)
        c.sync.failed.connect(self._on_sync_failed)
        c.sync.store_changed.connect(self.logic.refresh_orders)
        c.sync.isolation_alert.connect(lambda exc: self.logic.show_isolation_alert(exc))
        c.orders.counts_changed.connect(self._on_orders_counts_changed)
        c.orders.order_loaded.connect(self._on_orders_order_loaded)
        c.printing.jobs_changed.connect(lambda jobs: self.queue_panel.set_jobs(jobs))
        c.printing.message.connect(self.statusBar().showMessage)
        c.printing.preview_ready.connect(self._on_printing_preview_ready)
        c.printing.printed.connect(lambda _r: self.logic.refresh_orders())
        c.printing.labels_prepared.connect(lambda _m, _p: self.logic.refresh_orders())
        c.bench.result.connect(lambda outcome, text: self.scan_panel.show_result(outcome, text))
        c.bench.order_scanned.connect(self.logic.show_scanned_order)
        c.bench.printed.connect(lambda _made: self.logic.refresh_orders())
        c.outbox.items_changed.connect(self._on_outbox_items_changed)
        c.outbox.message.connect(self.statusBar().showMessage)
        c.outbox.store_changed.connect(self.logic.refresh_orders)

    @property
    def scan_panel(self) -> ScanPanel:
        """Bench mode's scan panel, built the first time it is needed (hidden until then)."""
        if self._scan_panel is None:
            from ui.widgets.scan_panel import ScanPanel

            panel = ScanPanel(self)
            panel.setVisible(False)
            self._work_layout.insertWidget(0, panel)
            panel.scanned.connect(self.c.bench.scan)
            panel.reprint_requested.connect(lambda code: self.c.bench.scan(code, reprint=True))
            self._scan_panel = panel
        return self._scan_panel

    @property
    def queue_panel(self) -> PrintQueuePanel:
        """The print queue dock's panel (built after the first frame, or when first needed)."""
        if self._queue_panel is None:
            from ui.widgets.print_queue_panel import PrintQueuePanel

            panel = PrintQueuePanel(self)
            panel.retry_requested.connect(self.c.printing.retry)
            panel.cancel_requested.connect(self.c.printing.cancel)
            self.queue_dock.setWidget(panel)
            self._queue_panel = panel
        return self._queue_panel

    @property
    def outbox_panel(self) -> OutboxPanel:
        """The outbox dock's panel (built after the first frame, or when first needed)."""
        if self._outbox_panel is None:
            from ui.widgets.outbox_panel import OutboxPanel

            panel = OutboxPanel(self)
            panel.flush_requested.connect(self.c.outbox.flush)
            panel.discard_requested.connect(lambda ids: self.logic.discard_outbox(ids))
            panel.set_online(self.logic.workspace is not None and self.logic.workspace.online)
            self.outbox_dock.setWidget(panel)
            self._outbox_panel = panel
        return self._outbox_panel

    def _build_panels(self) -> None:
        _ = self.queue_panel, self.outbox_panel

    # -- the first frame first ------------------------------------------------------------------

    def after_first_frame(self, work: Callable[[], None]) -> None:
        """Run `work` once the window's first frame is painted (at once if it was, or if the
        window is not shown): opening the account must not slow that frame down. A window
        that is never painted (hidden by the desktop) runs it after `FIRST_FRAME_WAIT_MS`."""
        if self._painted or not self.isVisible():
            work()
            return
        if not self._after_paint:
            QTimer.singleShot(FIRST_FRAME_WAIT_MS, self._run_after_paint)
        self._after_paint.append(work)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            # Queued: runs once this frame, every widget of it, has been painted.
            QTimer.singleShot(0, self._run_after_paint)

    def _run_after_paint(self) -> None:
        if self._painted:
            return
        self._painted = True
        work, self._after_paint = self._after_paint, []
        for item in work:  # the account's store first: its rows are what the user waits for
            item()
        if not self.c.accounts.is_opening:
            QTimer.singleShot(0, self._run_later)
        QTimer.singleShot(FIRST_FRAME_WAIT_MS, self._run_later)  # whatever happens meanwhile

    def later(self, work: Callable[[], None]) -> None:
        """Run `work`, which the first screen does not need, once the account's first rows (or
        its failure to open) are shown, so it never delays them; at once if they were."""
        if self._later_done:
            work()
        else:
            self._later.append(work)

    def _settled(self, *, shown: bool = True) -> None:
        """The first screen is decided: `shown`, it is the table's next paint that shows it."""
        if not self._painted or self._later_done:
            return
        if shown:
            self._later_on_paint = True
        else:
            QTimer.singleShot(0, self._run_later)

    def _on_orders_view_painted(self) -> None:
        if self._later_on_paint:
            self._later_on_paint = False
            QTimer.singleShot(0, self._run_later)  # queued: after the rest of this frame

    def _run_later(self) -> None:
        if self._later_done:
            return
        self._later_done = True
        work = [lambda: self.queue_panel, lambda: self.outbox_panel, *self._later]
        self._later = []
        # One item per turn of the event loop: each takes 5-10 ms, together they would be a
        # stall, and a sync may be starting at the same moment.
        for n, item in enumerate(work):
            QTimer.singleShot(n, item)

    # -- store reads for the table: off the GUI thread ----------------------------------------

    def _read_orders(
        self,
        work: Callable[[], Any],
        deliver: Callable[[Any], None],
        fail: Callable[[BaseException], None],
    ) -> None:
        # Its own lane: a block the view paints never queues behind the tab counts.
        self.ctx.tasks.run(
            lambda _ctx: work(), on_done=deliver, on_error=fail, owner=self.model, lane="rows"
        )

    def _read_first_screen(self, store: Store) -> tuple[OrderQuery, int, dict[int, list[OrderRow]]]:
        """In a worker, from the store opened ahead of the session: the table's first block."""
        from ui.services.store_source import StoreOrderSource

        query = self.model.query
        count, blocks = OrdersModel.read_snapshot(
            StoreOrderSource(store), query, [0], unknown_count=True
        )
        return query, count, blocks

    # -- slots: one call each --------------------------------------------------------------------

    def _on_accounts_preview_ready(
        self, _name: str, preview: tuple[OrderQuery, int, dict[int, list[OrderRow]]]
    ) -> None:
        self.model.show_snapshot(*preview)
        self._settled()

    def _on_accounts_open_failed(self, text: str) -> None:
        if self.logic.workspace is None:
            self.logic.show_workspace(None)  # leave the "opening" page
        self._settled(shown=False)
        self.logic.show_error(text)

    def _on_outbox_items_changed(self, items: list[OutboxRow]) -> None:
        self.outbox_panel.set_items(items)
        self.logic.refresh_banner()

    def _on_accounts_workspace_opened(self, workspace: Workspace) -> None:
        self.logic.show_workspace(workspace)
        self._settled()
        self.idle_lock.set_minutes(self.ctx.prefs.lock_after_idle_minutes)
        heap.freeze_long_lived()  # the session and its stack: out of the sync's collections

    def _on_accounts_workspace_closed(self) -> None:
        self.logic.show_workspace(None)
        heap.thaw()

    def _on_idle_lock_fired(self) -> None:
        self.c.accounts.lock()

    def _on_workspace_connectivity_changed(self, snapshot: Snapshot) -> None:
        self.logic.show_connectivity(snapshot)

    def _on_sync_cancel_requested(self) -> None:
        self.sync_status.cancelling()
        self.c.sync.cancel()

    def _on_sync_finished(self, text: str) -> None:
        self.sync_status.set_idle(text)

    def _on_sync_failed(self, text: str) -> None:
        self.sync_status.set_idle(text)

    def _on_new_order_triggered(self) -> None:
        from ui.dialogs.new_order import open_new_order  # built when first asked for

        open_new_order(self, self.c.outbox)

    def _on_import_csv_triggered(self) -> None:
        from ui.dialogs.csv_import import open_csv_import  # built when first asked for

        open_csv_import(self, self.c.outbox)

    def _on_manifest_triggered(self) -> None:
        from ui.dialogs.manifest import ManifestFlow  # built when first asked for

        flow = ManifestFlow(self, self.ctx.tasks, self.ctx.dialogs, lambda: self.logic.workspace)
        flow.finished.connect(self.statusBar().showMessage)
        flow.finished.connect(lambda _t: flow.deleteLater())
        flow.start()

    def _on_find_triggered(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _on_bench_toggled(self, on: bool) -> None:
        self.logic.set_bench_mode(on)

    def _on_status_tabs_changed(self, status: StatusFilter | None) -> None:
        self.model.set_status(status)

    def _on_model_count_changed(self, count: int) -> None:
        self.count_label.setText(f"{count:,} order{'s' if count != 1 else ''}")

    def _on_orders_counts_changed(self, counts: dict[StatusFilter | None, int]) -> None:
        for status, count in counts.items():
            self.status_tabs.set_count(status, count)

    def _on_selection_settled(self) -> None:
        self.logic.selection_settled(self.orders_view.selected_order_ids())

    def _on_orders_order_loaded(self, order_id: int, stored: StoredOrder | None) -> None:
        self.detail.show_order(stored.order if stored is not None else None)

    def _on_printing_preview_ready(self, order_id: int, bitmap: Bitmap | None, text: str) -> None:
        self.logic.show_preview(order_id, bitmap, text)

    def _show_dock(self, dock: QDockWidget) -> None:
        self._build_panels()
        dock.show()
        dock.raise_()
        dock.widget().setFocus()

    # -- window state ----------------------------------------------------------------------------

    def restore_state(self) -> None:
        geometry = self.ctx.settings.value("window/geometry")
        state = self.ctx.settings.value("window/state")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self._default_size()
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        else:
            self.resizeDocks([self.queue_dock], [150], Qt.Orientation.Vertical)
            if self.printer_dock is not None:
                self.resizeDocks([self.printer_dock], [290], Qt.Orientation.Horizontal)
        splitter = self.ctx.settings.value("window/splitter")
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self.splitter.restoreState(splitter)

    def _default_size(self) -> None:
        """First run: most of the screen, and maximised on a small laptop (1366x768)."""
        screen = self.screen().availableGeometry()
        if screen.width() <= 1440 or screen.height() <= 820:
            self.resize(screen.width(), screen.height())
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
            return
        width, height = min(1480, int(screen.width() * 0.85)), min(920, int(screen.height() * 0.85))
        self.resize(width, height)
        self.move(screen.center().x() - width // 2, screen.center().y() - height // 2)

    def save_state(self) -> None:
        self.ctx.settings.setValue("window/geometry", self.saveGeometry())
        self.ctx.settings.setValue("window/state", self.saveState())
        self.ctx.settings.setValue("window/splitter", self.splitter.saveState())
        self.ctx.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        if self._scan_panel is not None:
            self._scan_panel.set_keep_focus(False)
        self.c.sync.cancel()
        self.c.accounts.close_current()
        super().closeEvent(event)
