"""The tray icon: none without a tray; otherwise connectivity and job counts at a glance, a menu
of window commands, and plain-text balloons for failed prints and isolation alerts while the
window is minimised."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from ui.services.views import PrintJobRow
from ui.tray import TrayIcon, install_tray, render_icon, tray_text

HOSTILE = "<b>ZQX01</b><img src=x>&amp;\x1b[2J"


def _job(job_id: int, state: str, error: str = "", reference: str = "REF-1") -> PrintJobRow:
    return PrintJobRow(
        job_id=str(job_id),
        order_reference=reference,
        document="postageLabel",
        printer="ZPL · 127.0.0.1:9100",
        state=state,
        error=error,
    )


def _tray(w) -> TrayIcon:
    tray = TrayIcon(w, w.c, w.commands, show=False)  # offscreen has no tray to show it in
    tray.follow_workspace(w.logic.workspace)
    return tray


def test_no_tray_means_nothing_at_all(qtbot, app_window) -> None:
    w = app_window
    assert not QSystemTrayIcon.isSystemTrayAvailable()  # offscreen
    before = len(w.findChildren(QSystemTrayIcon))
    assert install_tray(w, w.c, w.commands) is None
    assert len(w.findChildren(QSystemTrayIcon)) == before
    from ui.app import _install_tray  # what the app runs after its first frame

    _install_tray(w)
    assert w.tray is None
    assert len(w.findChildren(QSystemTrayIcon)) == before


def test_installed_where_a_tray_exists(qtbot, app_window) -> None:
    w = app_window
    # Shown only where a tray exists; building it offscreen must stay silent (no Qt warning).
    made: list[TrayIcon] = []
    original = TrayIcon.__init__

    def quiet(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        original(self, *args, **{**kwargs, "show": False})
        made.append(self)

    TrayIcon.__init__ = quiet  # type: ignore[method-assign]
    try:
        tray = install_tray(w, w.c, w.commands, workspace=w.logic.workspace, available=lambda: True)
    finally:
        TrayIcon.__init__ = original  # type: ignore[method-assign]
    assert tray is not None
    assert made == [tray]
    assert tray.state == "online"


def test_icon_and_tooltip_follow_connectivity(qtbot, app_window, demo_env) -> None:
    w = app_window
    tray = _tray(w)
    assert tray.state == "online"
    online = render_icon("online", 0, 0).toImage()
    assert tray.icon.icon().pixmap(64, 64).toImage() == online
    demo_env.info.set_fault("maintenance")
    w.c.sync.sync_now()
    qtbot.waitUntil(lambda: tray.state == "offline", timeout=20_000)
    assert "offline" in tray.icon.toolTip()
    assert tray.icon.icon().pixmap(64, 64).toImage() != online
    demo_env.info.clear_faults()
    w.c.sync.sync_now()
    qtbot.waitUntil(lambda: tray.state == "online", timeout=20_000)
    w.c.accounts.lock()  # the account closes: no state, no counts
    qtbot.waitUntil(lambda: tray.state is None, timeout=30_000)
    assert "no account open" in tray.icon.toolTip()


def test_counts_and_a_balloon_only_for_new_failures_while_minimised(qtbot, app_window) -> None:
    w = app_window
    tray = _tray(w)
    shown: list[tuple[str, str]] = []
    tray.notified.connect(lambda title, text: shown.append((title, text)))
    tray.set_jobs([_job(1, "failed", "old"), _job(2, "queued")])  # the first list: not news
    assert (tray.waiting, tray.failed) == (1, 1)
    assert tray.icon.toolTip().endswith("Print jobs: 1 waiting, 1 failed")
    tray.set_jobs([_job(3, "failed", "paper out"), _job(1, "failed", "old")])
    assert shown == []  # the window is in front: it shows the failure itself
    w.showMinimized()
    qtbot.waitUntil(w.isMinimized)
    tray.set_jobs(
        [_job(4, "uncertain", HOSTILE, HOSTILE), _job(3, "failed", "paper out"), _job(2, "sent")]
    )
    assert len(shown) == 1
    title, text = shown[0]
    assert title == "Print failed"
    assert "ZQX01" in text
    assert not any(ch in text for ch in "<>&\x1b")
    assert text.startswith("Label for b ZQX01 /b img src=x amp; [2J on ZPL · 127.0.0.1:9100")
    assert text.endswith("Open the print queue to retry.")
    assert (tray.waiting, tray.failed) == (0, 2)
    w.showNormal()


def test_an_isolation_alert_while_minimised_is_a_balloon(qtbot, app_window, demo_env) -> None:
    w = app_window
    tray = _tray(w)
    shown: list[tuple[str, str]] = []
    tray.notified.connect(lambda title, text: shown.append((title, text)))
    w.showMinimized()
    qtbot.waitUntil(w.isMinimized)
    demo_env.info.set_fault("leak_mixed", from_account="olp")
    with qtbot.waitSignal(w.c.sync.isolation_alert, timeout=30_000):
        w.c.sync.sync_now()
    assert shown
    assert shown[0][0] == "Sync paused: isolation alert"
    demo_env.info.clear_faults()
    w.showNormal()


# qoffscreen cannot raise a window; it says so, which says nothing about the tray.
@pytest.mark.qt_log_ignore(
    r"This plugin does not support raise\(\)",
    r"This plugin does not support propagateSizeHints\(\)",
)
def test_the_menu_drives_the_window_commands(qtbot, app_window) -> None:
    w = app_window
    tray = _tray(w)
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert texts == ["Show window", "Sync now", "Resume bench mode", "Quit"]
    tray.bench_action.trigger()
    assert w.commands.bench.isChecked()
    assert tray.bench_action.text() == "Pause bench mode"
    tray.bench_action.trigger()
    assert not w.commands.bench.isChecked()
    assert tray.sync_action.isEnabled() == w.commands.sync.isEnabled()
    with qtbot.waitSignal(w.c.sync.started, timeout=30_000):
        tray.sync_action.trigger()
    w.showMinimized()
    qtbot.waitUntil(w.isMinimized)
    tray.show_action.trigger()
    qtbot.waitUntil(lambda: not w.isMinimized())
    assert QApplication.activeWindow() in (w, None)


def test_tray_text_is_one_plain_line() -> None:
    assert tray_text(HOSTILE) == "b ZQX01 /b img src=x amp; [2J"
    assert tray_text("a\nb\u2028c") == "a b c"
    assert len(tray_text("x" * 500, 40)) == 40
    badge = render_icon("online", 3, 0).toImage()
    assert badge != render_icon("online", 0, 0).toImage()
    assert render_icon("online", 3, 1).toImage() != badge  # red when any failed
