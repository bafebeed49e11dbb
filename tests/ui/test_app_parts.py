"""Preferences, crash handler, theme, icons, feedback tones, actions and the app entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QObject
from PySide6.QtGui import QPalette

from clickdrop_desktop.api.errors import AuthError
from clickdrop_desktop.paths import data_dir
from tests.helpers.stubs import UiBeeps
from ui import preferences, theme
from ui.actions import Actions
from ui.crash import CrashHandler
from ui.feedback import Feedback, Tone
from ui.icons import app_icon, icon
from ui.preferences import Preferences

ROOT = Path(__file__).resolve().parents[2]


def test_preferences_round_trip_in_the_data_dir(qtbot) -> None:
    settings = preferences.open_settings()
    assert Path(settings.fileName()).parent == data_dir()
    prefs = Preferences(
        printers={"postageLabel": "tspl+usb://2d37:ef02", "packingSlip": "pdf+spool://Office"},
        dpi=300,
        darkness=8,
        a4_start_position=4,
        auto_print=True,
        retention_days=45,
    )
    preferences.save(settings, prefs)
    assert preferences.load(preferences.open_settings()) == prefs


def test_malformed_preferences_fall_back_to_defaults(qtbot) -> None:
    settings = preferences.open_settings()
    settings.setValue("preferences/dpi", "lots")
    settings.setValue("preferences/media", "papyrus")
    settings.setValue("preferences/a4_start_position", 9)
    settings.sync()
    prefs = preferences.load(preferences.open_settings())
    assert (prefs.dpi, prefs.media, prefs.a4_start_position) == (203, "4x6", 1)


def test_printer_uri_adds_profile_options_without_overriding_the_uri() -> None:
    prefs = Preferences(printers={"postageLabel": "zpl+tcp://10.0.0.5:9100?dpi=300"}, dpi=203)
    assert prefs.printer_uri("CN22") == "zpl+tcp://10.0.0.5:9100?dpi=300&media=4x6"
    assert Preferences().printer_uri("postageLabel") is None


def test_crash_handler_logs_the_traceback_and_shows_one_line(tmp_path: Path) -> None:
    shown: list[tuple[str, str, Path]] = []
    log = tmp_path / "logs" / "crash.log"
    handler = CrashHandler(log, lambda t, m, p: shown.append((t, m, p)))
    try:
        raise AuthError("Click & Drop refused the API key (401).")
    except AuthError as exc:
        handler.handle(type(exc), exc, exc.__traceback__)
    assert len(shown) == 1
    assert "\n" not in shown[0][1]
    assert "API key" in shown[0][1]
    assert "Traceback" in log.read_text()
    assert (log.stat().st_mode & 0o777) == 0o600


def test_theme_follows_the_override_and_has_both_palettes(qtbot, monkeypatch) -> None:
    monkeypatch.setenv(theme.THEME_ENV, "dark")
    assert theme.tokens() is theme.DARK
    monkeypatch.setenv(theme.THEME_ENV, "light")
    assert theme.tokens() is theme.LIGHT
    dark = theme.palette_for(theme.DARK)
    light = theme.palette_for(theme.LIGHT)
    role = QPalette.ColorRole.Window
    assert dark.color(role).lightness() < 60 < light.color(role).lightness()
    assert "#Banner" in theme.stylesheet_for(theme.DARK)


def test_icons_render_in_the_palette_colour(qtbot) -> None:
    pm = icon("print", "#ff0000").pixmap(24, 24).toImage()
    colours = {
        (c.red(), c.green(), c.blue())
        for c in (pm.pixelColor(x, y) for x in range(24) for y in range(24))
        if c.alpha() > 200
    }
    assert colours
    assert all(r > 200 and g < 60 and b < 60 for r, g, b in colours)
    assert not app_icon().pixmap(64, 64).isNull()


def test_tones_are_told_by_the_number_of_beeps(qtbot) -> None:
    beeps = UiBeeps()
    owner = QObject()
    feedback = Feedback(owner, beep=beeps)
    feedback.play(Tone.PROBLEM)
    qtbot.waitUntil(lambda: beeps.count == 3, timeout=10_000)
    feedback.play(Tone.OK)
    qtbot.waitUntil(lambda: beeps.count == 4, timeout=10_000)


def test_every_command_has_a_shortcut_or_a_menu_and_none_collide(qtbot) -> None:
    owner = QObject()
    actions = Actions.create(owner)
    keys = [a.shortcut().toString() for a in actions.all() if not a.shortcut().isEmpty()]
    assert len(keys) == len(set(keys))
    assert len(keys) >= 18
    table = dict(actions.shortcut_table())
    assert table["Print labels"] == "Ctrl+P"
    actions.set_api_available(False, "Click & Drop is down for maintenance (503)")
    assert "not now" in actions.sync.toolTip()


@pytest.mark.timeout(120)
def test_the_app_starts_in_demo_mode_and_quits_by_itself(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CLICKDROP_DATA_DIR=str(tmp_path / "d"))
    result = subprocess.run(
        [sys.executable, "-m", "clickdrop_desktop", "--demo", "--quit-after", "4"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    unexpected = [
        line
        for line in result.stderr.splitlines()
        if line.strip() and "propagateSizeHints" not in line
    ]
    assert unexpected == []
    assert (tmp_path / "d" / "desktop.ini").exists()
    # The log file opens once the first screen is up, still well within the run.
    assert (tmp_path / "d" / "logs" / "clickdrop-desktop.log").exists()


def test_crash_log_goes_where_the_log_does() -> None:
    from clickdrop_desktop import logging_setup
    from ui import app

    assert app.LOG_FOLDER == logging_setup.LOG_FOLDER


def test_idle_lock_watches_input_only_while_armed(qtbot) -> None:
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    from ui.idle_lock import IdleLock

    app = QApplication.instance()
    assert app is not None
    fired: list[int] = []
    lock = IdleLock(lambda: fired.append(1))
    # Not armed: no filter, so no Python call in front of every event the app handles.
    assert not lock.watching
    # A key restarts the count. Observed on the count itself, not by racing a short interval
    # with timed key presses (a busy CI machine can stall the loop past it). 10 s: a coarse
    # timer may fire 5 % early or late, so 1 s gone is beyond its slack.
    lock.set_interval_ms(10_000)
    assert lock.watching
    qtbot.waitUntil(lambda: lock.remaining_ms < 9_000, timeout=5000)
    before = lock.remaining_ms
    app.sendEvent(
        app, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier)
    )
    assert lock.remaining_ms > before
    assert fired == []
    lock.set_interval_ms(50)  # no input now: it locks
    qtbot.waitUntil(lambda: fired == [1], timeout=5000)
    assert not lock.watching  # locked: watching stops until a time is set again
    lock.set_minutes(0)
    assert not lock.watching
