"""The reliability suite's plain-text walk over this session's widgets: the multi-package New
order dialog (hostile text typed everywhere and echoed in errors), the kept-manifests dialog and
the tray menu show markup literally, never as rich text."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from tests.reliability.test_plaintext_widgets import TOKENS, Findings, hostile, walk
from ui.dialogs.new_order import NewOrderDialog
from ui.services.views import PrintJobRow
from ui.tray import TrayIcon


def test_new_order_dialog_and_tray_show_customer_text_plainly(qtbot, app_window) -> None:
    w = app_window
    dialog = NewOrderDialog(w)
    qtbot.addWidget(dialog)
    dialog.show()
    for n, edit in enumerate(dialog.edits.values()):
        edit.setText(hostile(n % len(TOKENS)))
    second = dialog.new_package()
    assert second is not None
    for n in range(2):
        line = dialog.packages[n].add_item_row()
        for name, edit in line.edits.items():
            edit.setText(hostile(n) if name != "quantity" else f"{hostile(3)}\x1b")
    dialog.submit()
    dialog.refuse(f"the reference {hostile(4)!r} is already used; nothing was queued")
    assert TOKENS[4] in dialog.errors["reference"].text()
    tray = TrayIcon(w, w.c, w.commands, show=False)
    tray.set_jobs(
        [
            PrintJobRow("1", hostile(5), hostile(6), hostile(7), "failed", error=hostile(8)),
            PrintJobRow("2", hostile(9), "postageLabel", "ZPL", "queued"),
        ]
    )
    assert "<" not in tray.icon.toolTip()
    findings = Findings()
    walk(QApplication.instance(), findings)
    assert findings.checked >= 1  # the echoed reference was seen (line edits are plain anyway)
    assert findings.problems == []
