"""Start the desktop app: QApplication, theme, crash handler, window, demo mode, quit timer."""

from __future__ import annotations

import gc
import logging
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from clickdrop_desktop.paths import data_dir

#: The log folder under the data dir (as `clickdrop_desktop.logging_setup.LOG_FOLDER`).
LOG_FOLDER = "logs"

# Everything else the window needs is imported in `start`, inside its garbage-collector pause.
if TYPE_CHECKING:
    from ui.context import AppContext
    from ui.controllers.accounts import AccountDirectory
    from ui.crash import CrashHandler
    from ui.demo import DemoEnvironment
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)

APP_NAME = "Click & Drop Desktop"
ORGANIZATION = "ClickDropDesktop"


#: How long a busy worker thread (sync, printing) may hold the GIL before the GUI thread gets
#: a turn. CPython's default is 5 ms; with several workers the GUI waited up to ~150 ms for it
#: during a sync (bench `ui.max_block_ms`); 1 ms halves that at a small cost in throughput.
GIL_SWITCH_INTERVAL_S = 0.001


def create_application(argv: list[str] | None = None) -> QApplication:
    from clickdrop_desktop import __version__
    from ui import theme
    from ui.icons import app_icon

    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
        theme.apply_theme(app)
    else:
        # The style as Qt's own `-style` option (Qt takes it out of the arguments again):
        # `setStyle("Fusion")` would hand Python the QStyle, whose enums PySide then builds,
        # 566 members and ~8 ms before the first frame (`ui.start_ratio`).
        app = QApplication([*(argv or sys.argv[:1]), "-style", theme.STYLE])
        theme.apply_theme(app, set_style=False)
    app.setApplicationName(ORGANIZATION)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("clickdrop-desktop")
    app.setWindowIcon(app_icon())
    return app


def _show_crash(title: str, message: str, log_path: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox()
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(message)
    box.setInformativeText(f"Your data is safe. The details were saved to {log_path}.")
    box.exec()


def build_context(app: QApplication, *, demo: bool) -> AppContext:
    from ui import preferences
    from ui.context import AppContext
    from ui.dialogs.factory import Dialogs
    from ui.feedback import Feedback
    from ui.tasks import TaskRunner

    settings = preferences.open_settings()
    ctx = AppContext(
        tasks=TaskRunner(app),
        settings=settings,
        feedback=Feedback(app),
        dialogs=Dialogs(),
        demo=demo,
        prefs=preferences.load(settings),
    )
    return ctx


@dataclass
class Started:
    """What `start` made: the app, its helpers and the window, shown (its first frame queued)."""

    app: QApplication
    ctx: AppContext
    window: MainWindow
    crash: CrashHandler


def start(
    configure: Callable[[AppContext], AccountDirectory], *, base: Path, demo: bool = False
) -> Started:
    """Everything up to the first frame, in the order that makes it soonest.

    `configure(ctx)` returns the account directory (the vault's, the demo's, a bench's). The
    last active account starts opening before the event loop runs, so the first frame is that
    account's page (its orders loading), never the welcome page; its store is read in workers.
    """
    # No cyclic garbage collection until the first frame is painted: building the window
    # (and PySide's enum classes for it) makes tens of thousands of objects, each collection
    # walks them all again, and nothing made before the first frame is garbage yet.
    collecting = gc.isenabled()
    gc.disable()
    try:
        started = _build(configure, base=base, demo=demo)
    except BaseException:
        if collecting:
            gc.enable()
        raise
    if collecting:
        started.window.after_first_frame(_collect_again)
    # Before the event loop paints: the first frame is the account's page (a passphrase
    # prompt, if its keys need one, opens over the window).
    started.window.c.accounts.restore_last()
    # The welcome page only if no account is opening (built now, before the first paint).
    started.window.settle_first_page()
    # Right after the account's work has started (its store opens in a worker meanwhile).
    started.window.after_first_frame(_load_style_classes)
    # The log file opens once the first screen is up (its module loads the stdlib's handler
    # stack: ~10 ms). Before that, a crash still reaches crash.log (the handler above writes
    # it itself) and warnings reach stderr.
    started.window.later(lambda: _start_log(base))
    # The tray icon (none where the desktop has no tray) once the first screen is up.
    started.window.later(lambda: _install_tray(started.window))
    return started


def _install_tray(window: MainWindow) -> None:
    from ui.tray import install_tray

    window.tray = install_tray(window, window.c, window.commands, workspace=window.logic.workspace)


def _load_style_classes() -> None:
    """The classes the first rows paint with, imported in a turn of the event loop of their
    own: PySide builds QStyle's enums on its first import (566 members, ~8 ms), which kept out
    of the first frame must not land in the first paint of rows or in a sync's repaint
    (`ui.max_block_ms`) either."""
    from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

    del QStyle, QStyleOptionViewItem


def _collect_again() -> None:
    """After the first frame: what start-up made lives as long as the app, so it is frozen out
    of collections (one collection over all of it would land on the way to the first rows)."""
    from ui import heap

    heap.freeze_long_lived()
    gc.enable()


def _build(
    configure: Callable[[AppContext], AccountDirectory], *, base: Path, demo: bool
) -> Started:
    from ui import theme
    from ui.controllers.bundle import Controllers
    from ui.crash import CrashHandler
    from ui.main_window import MainWindow

    app = create_application()
    crash = CrashHandler(base / LOG_FOLDER / "crash.log", _show_crash)
    crash.install()
    watcher = theme.ThemeWatcher(app)
    ctx = build_context(app, demo=demo)
    directory = configure(ctx)
    window = MainWindow(ctx, Controllers.create(ctx, directory, app))
    watcher.theme_changed.connect(lambda _t: window.update())
    window.restore_state()
    window.defer_welcome()  # `start` opens the last account first: its page, not the welcome
    window.show()
    return Started(app, ctx, window, crash)


def _start_log(base: Path) -> None:
    from clickdrop_desktop.logging_setup import setup_logging

    setup_logging(base)  # rotating, redacted, 0600 (clickdrop_desktop/logging_setup.py)


def run_app(demo: bool, quit_after: float | None) -> int:
    """The GUI entry point (`clickdrop-desktop [--demo] [--quit-after S]`)."""
    from ui.preflight import display_problem

    problem = display_problem()
    if problem is not None:  # Qt would abort the process (a core dump, no line of why)
        print(f"clickdrop-desktop: {problem}", file=sys.stderr)
        return 1
    temp_dir: Path | None = None
    if demo:
        from ui.demo import demo_data_dir

        folder, is_temp = demo_data_dir()
        temp_dir = folder if is_temp else None
    base = data_dir()
    environments: list[DemoEnvironment] = []

    def configure(ctx: AppContext) -> AccountDirectory:
        if demo:
            from ui.demo import DemoAccounts, DemoEnvironment

            environment = DemoEnvironment(base)
            environments.append(environment)
            info = environment.start()
            ctx.prefs = environment.preferences(ctx.prefs)  # not saved: demo routes only
            return DemoAccounts(info)
        from ui.services.accounts_adapter import VaultAccounts

        return VaultAccounts()

    started: Started | None = None
    try:
        started = start(configure, base=base, demo=demo)
        app, ctx, window = started.app, started.ctx, started.window
        if environments and window.printer_view is not None:
            view = window.printer_view
            environments[0].printer_bridge.label_printed.connect(
                lambda label: view.add_label(label.bitmap, f"Job {label.job} ({label.language})")
            )
        if quit_after is not None:
            QTimer.singleShot(max(0, int(quit_after * 1000)), app.quit)
        code = app.exec()
        window.c.sync.cancel()
        window.c.accounts.close_current()
        ctx.tasks.shutdown(10_000)
        return int(code)
    finally:
        if started is not None:
            started.crash.uninstall()
        for environment in environments:
            environment.stop()
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)
