"""How the main window is put together: toolbar, the account page, docks, status bar, menus.

Built top-down: every widget is created with the parent it ends up in. Under the app's
stylesheet, moving a built subtree into another parent re-resolves the style of every widget
in it (Qt's `inheritStyle`), which nearly doubled the cost of building the window
(`ui.start_ratio`). Panels that are hidden at start (bench mode's scan panel, the dock panels,
the offline banner) are built by `MainWindow` when first needed, not here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.account_switcher import AccountSwitcher
from ui.widgets.detail_pane import DetailPane
from ui.widgets.label_preview import LabelPreview
from ui.widgets.orders_view import OrdersView
from ui.widgets.plain import PlainLabel
from ui.widgets.search_field import SearchField
from ui.widgets.status_tabs import StatusTabs
from ui.widgets.sync_status import SyncStatus

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from ui.actions import Actions
    from ui.main_window import MainWindow
    from ui.widgets.welcome import WelcomePanel

#: The toolbar, left to right (None: the stretch that pushes the rest to the right edge).
TOOLBAR: tuple[str | None, ...] = (
    "sync",
    "prepare",
    "print",
    "reprint",
    "slip",
    "despatch",
    None,
    "bench",
    "settings",
)
#: Secondary toolbar commands: icon only, the text in the tooltip.
ICON_ONLY = ("reprint", "slip")

#: The menus, top to bottom: command names ("-": a separator, "<docks>": the docks' toggles). A new command is one entry here, one in
#: `ui.actions._SPECS` and one connection in `ui.window_wiring`.
MENUS: tuple[tuple[str, str], ...] = (
    ("&File", "add_account switch_account lock sign_out - import_csv incidents - settings - quit"),
    ("&Orders", "sync cancel_sync - new_order find focus_orders - despatch manifest manifests"),
    ("&Print", "prepare - print reprint slip batch - bench"),
    ("&View", "<docks> - show_queue show_outbox flush_outbox"),
    ("&Help", "shortcuts"),
)


def build_welcome(w: MainWindow) -> WelcomePanel:
    """The welcome page, put in place of the stand-in at index 0 (shown if that was)."""
    from ui.widgets.welcome import WelcomePanel

    stand_in = w.stack.widget(0)
    assert stand_in is not None  # build_pages put it there
    showing = w.stack.currentIndex() == 0
    welcome = WelcomePanel(w.stack)
    w.stack.insertWidget(0, welcome)
    if showing:
        w.stack.setCurrentWidget(welcome)
    w.stack.removeWidget(stand_in)
    stand_in.deleteLater()
    welcome.sign_in_requested.connect(lambda: w.logic.sign_in())
    return welcome


def build_toolbar(w: MainWindow, actions: Actions) -> QToolBar:
    toolbar = QToolBar("Main", w)
    toolbar.setObjectName("MainToolBar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    w.account_switcher = AccountSwitcher(toolbar)
    toolbar.addWidget(w.account_switcher)
    toolbar.addSeparator()
    for name in TOOLBAR:
        if name is None:
            spacer = QWidget(toolbar)
            spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            toolbar.addWidget(spacer)
        else:
            toolbar.addAction(getattr(actions, name))
    w.addToolBar(toolbar)
    for name in ICON_ONLY:
        button = toolbar.widgetForAction(getattr(actions, name))
        if button is not None:
            button.setProperty("iconOnly", True)
    return toolbar


def build_pages(w: MainWindow) -> None:
    """The stack: the welcome page (index 0) and the account's page (index 1).

    Index 0 holds an empty stand-in until the welcome page is first needed (`build_welcome`):
    a start that opens the last account never shows it, and its logo (an SVG render) and
    widgets were ~0.04x of `ui.start_ratio`.
    """
    w.stack = QStackedWidget(w)
    w.setCentralWidget(w.stack)
    w.stack.addWidget(QWidget(w.stack))
    page = QWidget(w.stack)
    w.stack.addWidget(page)
    page_layout = QVBoxLayout(page)
    page_layout.setContentsMargins(0, 0, 0, 0)
    page_layout.setSpacing(0)
    w.page_layout = page_layout  # the offline banner goes on top when first needed
    work = QWidget(page)
    page_layout.addWidget(work, 1)
    work_layout = QVBoxLayout(work)
    work_layout.setContentsMargins(12, 10, 12, 8)
    work_layout.setSpacing(10)
    w.work_layout = work_layout

    w.splitter = QSplitter(Qt.Orientation.Horizontal, work)
    w.splitter.setObjectName("MainSplitter")
    work_layout.addWidget(w.splitter, 1)
    left = QWidget(w.splitter)
    w.splitter.addWidget(left)
    left_layout = QVBoxLayout(left)
    left_layout.setContentsMargins(0, 0, 0, 0)
    left_layout.setSpacing(6)
    w.left_layout = left_layout  # bench mode's scan panel goes on top when first needed
    w.search = SearchField(left)
    left_layout.addWidget(w.search)
    w.status_tabs = StatusTabs(left)
    left_layout.addWidget(w.status_tabs)
    w.orders_view = OrdersView(w.model, left)
    left_layout.addWidget(w.orders_view, 1)

    right = QSplitter(Qt.Orientation.Vertical, w.splitter)
    right.setObjectName("RightSplitter")
    w.splitter.addWidget(right)
    w.detail = DetailPane(right)
    right.addWidget(w.detail)
    card = QWidget(right)
    card.setObjectName("PreviewCard")
    w.preview_card = card  # hidden for accounts that get no labels through the API
    right.addWidget(card)
    card_layout = QVBoxLayout(card)
    card_layout.setContentsMargins(0, 6, 0, 0)
    title = QLabel("Label preview", card)
    title.setObjectName("CardTitle")
    card_layout.addWidget(title)
    w.preview = LabelPreview(card)
    card_layout.addWidget(w.preview, 1)
    right.setStretchFactor(0, 1)
    right.setStretchFactor(1, 1)
    right.setSizes([330, 300])
    right.setChildrenCollapsible(False)
    right.setMinimumWidth(300)

    w.splitter.setStretchFactor(0, 3)
    w.splitter.setStretchFactor(1, 1)
    w.splitter.setSizes([900, 380])
    w.splitter.setChildrenCollapsible(False)


def build_docks(w: MainWindow) -> None:
    """The print queue and outbox docks (their panels fill in after the first frame) and, in
    demo mode, the virtual printer's."""
    w.queue_dock = _dock(w, "Print queue", "PrintQueueDock", None)
    w.outbox_dock = _dock(w, "Outbox", "OutboxDock", None)
    w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, w.queue_dock)
    w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, w.outbox_dock)
    w.tabifyDockWidget(w.queue_dock, w.outbox_dock)
    w.queue_dock.raise_()
    w.printer_view = None
    w.printer_dock = None
    if w.ctx.demo:
        from ui.widgets.virtual_printer_view import VirtualPrinterView

        w.printer_dock = _dock(w, "Virtual printer", "PrinterDock", None)
        w.printer_view = VirtualPrinterView(w.printer_dock)
        w.printer_dock.setWidget(w.printer_view)
        w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, w.printer_dock)


def _dock(w: MainWindow, title: str, name: str, widget: QWidget | None) -> QDockWidget:
    dock = QDockWidget(title, w)
    dock.setObjectName(name)
    if widget is not None:
        dock.setWidget(widget)
    dock.setFeatures(
        QDockWidget.DockWidgetFeature.DockWidgetMovable
        | QDockWidget.DockWidgetFeature.DockWidgetClosable
        | QDockWidget.DockWidgetFeature.DockWidgetFloatable
    )
    return dock


def build_status_bar(w: MainWindow) -> None:
    bar = w.statusBar()
    bar.setSizeGripEnabled(True)
    w.sync_status = SyncStatus(bar)
    w.count_label = PlainLabel("", bar, object_name="Muted")
    w.connection_label = PlainLabel("", bar, object_name="Muted")
    bar.addPermanentWidget(w.sync_status)
    bar.addPermanentWidget(w.count_label)
    bar.addPermanentWidget(w.connection_label)


def build_menus(w: MainWindow, actions: Actions) -> None:
    """The menu bar from `MENUS`, and every command's shortcut on the window itself, so
    shortcuts work even with the menu bar hidden."""
    bar = w.menuBar()
    for title, entries in MENUS:
        menu = bar.addMenu(title)
        for entry in entries.split():
            if entry == "-":
                menu.addSeparator()
            elif entry == "<docks>":
                for dock in (w.queue_dock, w.outbox_dock, w.printer_dock):
                    if dock is not None:
                        menu.addAction(dock.toggleViewAction())
            else:
                action: QAction = getattr(actions, entry)
                menu.addAction(action)
    for action in actions.all():
        w.addAction(action)
    for index in range(5):
        shortcut = QShortcut(QKeySequence(f"Alt+{index + 1}"), w)
        shortcut.activated.connect(lambda i=index: w.status_tabs.select_index(i))
