"""ui/first_frame.py (the start-up schedule) and ui/window_build.py (toolbar and menu tables)."""

from __future__ import annotations

from dataclasses import fields

from PySide6.QtWidgets import QWidget

from ui.actions import Actions
from ui.first_frame import FirstFrame
from ui.window_build import MENUS, TOOLBAR


def test_every_command_is_in_a_menu_and_every_entry_is_a_command() -> None:
    names = {f.name for f in fields(Actions)}
    in_menus = {
        e for _title, entries in MENUS for e in entries.split() if e not in ("-", "<docks>")
    }
    on_toolbar = {e for e in TOOLBAR if e is not None}
    assert in_menus <= names
    assert on_toolbar <= names
    # A command only reachable by its shortcut would be undiscoverable.
    assert names - in_menus == set()


def test_work_waits_for_the_first_paint_then_later_work_for_the_rows(qtbot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    opening = [True]
    frame = FirstFrame(widget, lambda: opening[0])
    widget.show()
    ran: list[str] = []
    frame.after_first_frame(lambda: ran.append("account"))
    frame.later(lambda: ran.append("log"))
    assert ran == []  # shown but not painted yet
    frame.window_painted()
    qtbot.waitUntil(lambda: ran == ["account"])
    assert frame.painted
    frame.settled()  # the rows arrived: the table's next paint shows them
    frame.table_painted()
    qtbot.waitUntil(lambda: ran == ["account", "log"])
    frame.later(lambda: ran.append("after"))  # once done, later work runs at once
    assert ran[-1] == "after"


def test_a_failed_open_runs_later_work_without_a_table_paint(qtbot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    frame = FirstFrame(widget, lambda: True)
    widget.show()
    ran: list[str] = []
    frame.later(lambda: ran.append("panels"))
    frame.window_painted()
    qtbot.waitUntil(lambda: frame.painted)
    frame.settled(shown=False)
    qtbot.waitUntil(lambda: ran == ["panels"])


def test_a_hidden_window_runs_account_work_at_once(qtbot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    frame = FirstFrame(widget, lambda: False)
    ran: list[int] = []
    frame.after_first_frame(lambda: ran.append(1))
    assert ran == [1]


def test_every_command_icon_exists() -> None:
    # Icons read their SVG at their first paint, so a missing file must be caught here.
    from ui.actions import _SPECS
    from ui.resources import icon_path

    missing = [spec[2] for spec in _SPECS.values() if spec[2] and not icon_path(spec[2]).exists()]
    assert missing == []
    assert icon_path("app").exists()
