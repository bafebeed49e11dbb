"""The CSV import dialog: preview with encoding and delimiter, bad rows marked, all or nothing."""

from __future__ import annotations

import os
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt

from ui.dialogs.csv_import import CsvImportDialog

HEADER = "Order Number;Name;Address 1;City;Post Code;Country;Weight;Service\r\n"
GOOD = "CSV-UI-1;Zoë Brontë;1 Moor Lane;Haworth;BD22 8DR;GB;750;\r\n"
BAD = "CSV-UI-2;<b>Bob</b>;;York;NOT A CODE;GB;heavy;\r\n"


def _shot(dialog: CsvImportDialog, name: str) -> None:
    folder = os.environ.get("CLICKDROP_SHOTS")  # set by hand to look at the dialog
    if folder:
        dialog.grab().save(str(Path(folder) / name))


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("cp1252"))
    return path


def test_bad_rows_are_marked_and_import_stays_disabled(qtbot, app_window, tmp_path) -> None:
    dialog = CsvImportDialog(app_window.c.outbox, app_window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.load(_write(tmp_path, "shop.csv", HEADER + GOOD + BAD))
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=30_000)
    _shot(dialog, "csv_import_errors.png")
    assert dialog.table.rowCount() == 2
    assert "semicolon" in dialog.summary.text()
    assert "1 with errors" in dialog.summary.text()
    assert "Windows-1252" in dialog.summary.text() or "1252" in dialog.summary.text()
    assert dialog.table.item(1, 2).text() == "<b>Bob</b>"  # plain text, never markup
    assert dialog.table.item(1, 0).background().color().alpha() > 0  # highlighted
    assert dialog.table.item(0, 0).background().style() == Qt.BrushStyle.NoBrush
    assert dialog.table.item(1, 7).text()  # the row's problems
    assert "nothing was imported" in dialog.problem.text()
    assert not dialog.import_button.isEnabled()
    dialog.run_import()  # refused even if called: all or nothing
    assert dialog.isVisible()


def test_a_clean_file_imports_in_a_worker_and_reaches_the_table(
    qtbot, app_window, tmp_path
) -> None:
    w = app_window
    before = w.model.rowCount()
    dialog = CsvImportDialog(w.c.outbox, w)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.path_edit.setText(str(_write(tmp_path, "good.csv", HEADER + GOOD)))
    qtbot.keyClick(dialog.path_edit, Qt.Key.Key_Return)  # keyboard: type the path, Enter
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=30_000)
    _shot(dialog, "csv_import_ok.png")
    assert dialog.summary.text().startswith("1 order, none with errors")  # not "order(s)"
    dialog.import_button.click()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=30_000)
    qtbot.waitUntil(lambda: w.model.settled and w.model.rowCount() == before + 1, timeout=30_000)
    qtbot.waitUntil(
        lambda: all(row.state == "sent" for row in w.outbox_panel.model.rows), timeout=20_000
    )


def test_an_unreadable_file_says_so_in_one_line(qtbot, app_window, tmp_path) -> None:
    dialog = CsvImportDialog(app_window.c.outbox, app_window)
    qtbot.addWidget(dialog)
    dialog.load(tmp_path / "missing.csv")
    qtbot.waitUntil(lambda: bool(dialog.problem.text()), timeout=30_000)
    assert "\n" not in dialog.problem.text()
    assert not dialog.import_button.isEnabled()


def test_file_menu_ctrl_i_opens_the_dialog(qtbot, app_window) -> None:
    from PySide6.QtWidgets import QApplication

    action = app_window.commands.import_csv
    assert action.shortcut().toString() == "Ctrl+I"
    action.trigger()
    shown = [
        x
        for x in QApplication.topLevelWidgets()
        if isinstance(x, CsvImportDialog) and x.isVisible()
    ]
    assert len(shown) == 1
    shown[0].reject()
