"""The main window: its parts, the panels built when first needed, and its saved state.

How it is put together is in `ui.window_build`, what is connected to what in
`ui.window_wiring`, what it does in response to the user in `ui.window_logic`, and when
start-up work runs in `ui.first_frame`. What happens is in `ui/controllers/`, how it looks is
in `ui/widgets/`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QPaintEvent, QShowEvent
from PySide6.QtWidgets import QMainWindow

from ui import window_build
from ui.actions import Actions
from ui.context import AppContext
from ui.controllers.bundle import Controllers
from ui.first_frame import FIRST_FRAME_WAIT_MS, FirstFrame
from ui.icons import app_icon
from ui.idle_lock import IdleLock
from ui.models.orders_model import OrdersModel
from ui.window_logic import WindowLogic
from ui.window_wiring import WindowWiring

if TYPE_CHECKING:  # start-up imports only what the first paint needs
    from PySide6.QtWidgets import (
        QDockWidget,
        QSplitter,
        QStackedWidget,
        QToolBar,
        QVBoxLayout,
        QWidget,
    )

    from clickdrop_desktop.store import Store
    from ui.models.order_row import OrderQuery, OrderRow
    from ui.tray import TrayIcon
    from ui.widgets.account_switcher import AccountSwitcher
    from ui.widgets.connectivity_banner import ConnectivityBanner
    from ui.widgets.detail_pane import DetailPane
    from ui.widgets.label_preview import LabelPreview
    from ui.widgets.orders_view import OrdersView
    from ui.widgets.outbox_panel import OutboxPanel
    from ui.widgets.plain import PlainLabel
    from ui.widgets.print_queue_panel import PrintQueuePanel
    from ui.widgets.scan_panel import ScanPanel
    from ui.widgets.search_field import SearchField
    from ui.widgets.status_tabs import StatusTabs
    from ui.widgets.sync_status import SyncStatus
    from ui.widgets.virtual_printer_view import VirtualPrinterView
    from ui.widgets.welcome import WelcomePanel

#: Arrowing through rows loads only the row the user stops on.
SELECTION_SETTLE_MS = 120

__all__ = ["FIRST_FRAME_WAIT_MS", "SELECTION_SETTLE_MS", "MainWindow"]


class MainWindow(QMainWindow):
    # Built by `ui.window_build` (the first frame's parts).
    toolbar: QToolBar
    account_switcher: AccountSwitcher
    stack: QStackedWidget
    search: SearchField
    status_tabs: StatusTabs
    orders_view: OrdersView
    detail: DetailPane
    preview: LabelPreview
    splitter: QSplitter
    page_layout: QVBoxLayout
    work_layout: QVBoxLayout
    left_layout: QVBoxLayout
    preview_card: QWidget
    queue_dock: QDockWidget
    outbox_dock: QDockWidget
    printer_dock: QDockWidget | None
    printer_view: VirtualPrinterView | None
    sync_status: SyncStatus
    count_label: PlainLabel
    connection_label: PlainLabel

    def __init__(self, ctx: AppContext, controllers: Controllers) -> None:
        super().__init__()
        self.ctx = ctx
        self.c = controllers
        self.setWindowTitle("Click & Drop Desktop")
        self.setWindowIcon(app_icon())
        self.setObjectName("MainWindow")
        self.first_frame = FirstFrame(self, lambda: self.c.accounts.is_opening)
        self.logic = WindowLogic(self)
        self._welcome: WelcomePanel | None = None  # built when first shown
        self._welcome_deferred = False
        self._banner: ConnectivityBanner | None = None  # hidden while online: built when needed
        self._scan_panel: ScanPanel | None = None  # bench mode builds it, not the first frame
        self._queue_panel: PrintQueuePanel | None = None  # the docks fill in after the first
        self._outbox_panel: OutboxPanel | None = None  # frame (`later`)
        self.tray: TrayIcon | None = None  # ui.app installs it after the first frame
        self._init_widgets()
        self._init_layout()
        self._init_connections()
        self.logic.show_workspace(None)
        self.later(self._build_queue_panel)
        self.later(self._build_outbox_panel)

    # -- construction ----------------------------------------------------------------------------

    def _init_widgets(self) -> None:
        self.commands = Actions.create(self)
        self.model = OrdersModel(self, loader=self._read_orders)
        self.idle_lock = IdleLock(self.c.accounts.lock, self)
        self.selection_timer = QTimer(self)
        self.selection_timer.setSingleShot(True)
        self.selection_timer.setInterval(SELECTION_SETTLE_MS)

    def _init_layout(self) -> None:
        self.toolbar = window_build.build_toolbar(self, self.commands)
        window_build.build_pages(self)
        window_build.build_docks(self)
        window_build.build_status_bar(self)
        window_build.build_menus(self, self.commands)

    def _init_connections(self) -> None:
        self.wiring = WindowWiring(self)
        self.wiring.connect()

    # -- panels built when first needed ----------------------------------------------------------

    @property
    def welcome(self) -> WelcomePanel:
        if self._welcome is None:
            self._welcome = window_build.build_welcome(self)
        return self._welcome

    def show_welcome(self) -> None:
        """The welcome page; before the window is shown only its place (built on show)."""
        if self.isVisible() or self._welcome is not None:
            self.stack.setCurrentWidget(self.welcome)
        else:
            self.stack.setCurrentIndex(0)

    def defer_welcome(self) -> None:
        """The caller shows the window, then opens the last account, then calls
        `settle_first_page` (as `ui.app.start` does): no welcome page is built on show."""
        self._welcome_deferred = True

    def showEvent(self, event: QShowEvent) -> None:
        if not self._welcome_deferred:
            self.settle_first_page()
        super().showEvent(event)

    def settle_first_page(self) -> None:
        """No account is opening: the welcome page (until now only its place) is built."""
        self._welcome_deferred = False
        if self._welcome is None and self.stack.currentIndex() == 0:
            self.stack.setCurrentWidget(self.welcome)

    @property
    def banner(self) -> ConnectivityBanner:
        """The degraded/offline banner over the account's page (hidden while online)."""
        if self._banner is None:
            from ui.widgets.connectivity_banner import ConnectivityBanner

            page = self.page_layout.parentWidget()
            banner = ConnectivityBanner(page)
            banner.setVisible(False)
            self.page_layout.insertWidget(0, banner)
            banner.retry_requested.connect(self.c.sync.sync_now)
            self._banner = banner
        return self._banner

    @property
    def banner_built(self) -> bool:
        return self._banner is not None

    @property
    def scan_panel(self) -> ScanPanel:
        """Bench mode's scan panel, built the first time it is needed (hidden until then)."""
        if self._scan_panel is None:
            from ui.widgets.scan_panel import ScanPanel

            # Over the table, not the whole page: the details and the label preview beside it
            # keep their height (a full-width panel squeezed the details to a few lines).
            panel = ScanPanel(self.left_layout.parentWidget())
            panel.setVisible(False)
            self.left_layout.insertWidget(0, panel)
            panel.scanned.connect(self.c.bench.scan)
            panel.reprint_requested.connect(lambda code: self.c.bench.scan(code, reprint=True))
            self._scan_panel = panel
        return self._scan_panel

    @property
    def queue_panel(self) -> PrintQueuePanel:
        """The print queue dock's panel (built after the first frame, or when first needed)."""
        if self._queue_panel is None:
            from ui.widgets.print_queue_panel import PrintQueuePanel

            panel = PrintQueuePanel(self.queue_dock)
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

            panel = OutboxPanel(self.outbox_dock)
            panel.flush_requested.connect(self.c.outbox.flush)
            panel.discard_requested.connect(lambda ids: self.logic.discard_outbox(ids))
            panel.set_online(self.logic.workspace is not None and self.logic.workspace.online)
            self.outbox_dock.setWidget(panel)
            self._outbox_panel = panel
        return self._outbox_panel

    @property
    def outbox_panel_built(self) -> bool:
        return self._outbox_panel is not None

    def build_panels(self) -> None:
        self._build_queue_panel()
        self._build_outbox_panel()

    def _build_queue_panel(self) -> None:
        _ = self.queue_panel

    def _build_outbox_panel(self) -> None:
        _ = self.outbox_panel

    # -- the first frame first ------------------------------------------------------------------

    def after_first_frame(self, work: Callable[[], None]) -> None:
        """Run `work` once the window's first frame is painted (see `FirstFrame`)."""
        self.first_frame.after_first_frame(work)

    def later(self, work: Callable[[], None]) -> None:
        """Run `work`, which the first screen does not need, after the account's first rows."""
        self.first_frame.later(work)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self.first_frame.window_painted()

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

    def read_first_screen(self, store: Store) -> tuple[OrderQuery, int, dict[int, list[OrderRow]]]:
        """In a worker, from the store opened ahead of the session: the table's first block."""
        from ui.services.store_source import StoreOrderSource

        query = self.model.query
        count, blocks = OrdersModel.read_snapshot(
            StoreOrderSource(store), query, [0], unknown_count=True
        )
        return query, count, blocks

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
        columns = self.ctx.settings.value("window/orders_columns")
        if isinstance(columns, QByteArray) and not columns.isEmpty():
            self.orders_view.restore_columns(columns)

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
        self.ctx.settings.setValue("window/orders_columns", self.orders_view.save_columns())
        self.ctx.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        if self._scan_panel is not None:
            self._scan_panel.set_keep_focus(False)
        self.c.sync.cancel()
        self.c.accounts.close_current()
        super().closeEvent(event)
