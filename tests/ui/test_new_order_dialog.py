"""The New order dialog: per-field errors from orders_form, keyboard use, queueing in the app."""

from __future__ import annotations

import os
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from ui.dialogs.new_order import NewOrderDialog

_GOOD = {
    "full_name": "Ada Lovelace",
    "address_line1": "1 Analytical Row",
    "city": "London",
    "postcode": "SW1A 1AA",
    "packages[0].weight_grams": "750",
    "reference": "FORM-TEST-1",
}


def _fill(dialog: NewOrderDialog, values: dict[str, str]) -> None:
    for name, text in values.items():
        dialog.edits[name].setText(text)


def _shot(dialog: NewOrderDialog, name: str) -> None:
    folder = os.environ.get("CLICKDROP_SHOTS")  # set by hand to look at the dialog
    if folder:
        dialog.grab().save(str(Path(folder) / name))


def _open_dialog() -> NewOrderDialog:
    shown = [
        x for x in QApplication.topLevelWidgets() if isinstance(x, NewOrderDialog) and x.isVisible()
    ]
    assert len(shown) == 1
    return shown[0]


def test_errors_show_under_their_fields_as_plain_text(qtbot) -> None:
    dialog = NewOrderDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    sent: list[object] = []
    dialog.submitted.connect(sent.append)
    _fill(dialog, _GOOD | {"postcode": "<b>nope</b>", "packages[0].weight_grams": "heavy"})
    dialog.submit()
    _shot(dialog, "new_order_errors.png")
    assert sent == []
    postcode = dialog.errors["postcode"]
    assert postcode.isVisibleTo(dialog)
    assert postcode.text()
    assert postcode.textFormat() == Qt.TextFormat.PlainText
    assert "grams" in dialog.errors["packages[0].weight_grams"].text()
    assert not dialog.errors["city"].isVisibleTo(dialog)
    assert "2 fields" in dialog.status.text()
    assert dialog.edits["postcode"].selectedText() == "<b>nope</b>"  # first bad field, selected


def test_a_valid_form_emits_the_request_and_disables_ok(qtbot) -> None:
    dialog = NewOrderDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    _fill(dialog, _GOOD)
    dialog.format_box.setCurrentIndex(dialog.format_box.findData("smallParcel"))
    with qtbot.waitSignal(dialog.submitted, timeout=2000) as got:
        qtbot.keyClick(dialog.edits["reference"], Qt.Key.Key_Return)  # Enter = Queue order
    request = got.args[0]
    assert request.order_reference == "FORM-TEST-1"
    assert request.recipient.address.postcode == "SW1A 1AA"
    assert request.packages[0].weight_in_grams == 750
    assert request.packages[0].package_format_identifier.value == "smallParcel"
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # no second submit while it is being queued
    assert "Queueing" in dialog.status.text()
    _shot(dialog, "new_order_ok.png")


def test_a_refusal_shows_under_the_reference_and_allows_retry(qtbot) -> None:
    dialog = NewOrderDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    _fill(dialog, _GOOD)
    dialog.submit()
    dialog.refuse("the reference 'FORM-TEST-1' is already used; nothing was queued")
    assert "already used" in dialog.errors["reference"].text()
    assert dialog.isVisible()


def test_ctrl_n_queues_a_new_order_into_the_outbox_and_the_table(qtbot, app_window) -> None:
    w = app_window
    before = w.model.rowCount()
    w.commands.new_order.trigger()
    dialog = _open_dialog()
    _fill(dialog, _GOOD | {"reference": "FORM-APP-1"})
    dialog.submit()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=10_000)  # deleted on close
    # the table is refreshed: the new order is there (a stand-in until Click & Drop has it)
    qtbot.waitUntil(lambda: w.model.settled and w.model.rowCount() == before + 1, timeout=10_000)
    # a second order with the same reference is refused and the dialog stays open
    w.commands.new_order.trigger()
    again = _open_dialog()
    _fill(again, _GOOD | {"reference": "FORM-APP-1"})
    again.submit()
    qtbot.waitUntil(lambda: bool(again.errors["reference"].text()), timeout=10_000)
    assert again.isVisible()
    again.reject()
    # sent once online: nothing left waiting (and no replay outlives the test)
    qtbot.waitUntil(
        lambda: all(row.state == "sent" for row in w.outbox_panel.model.rows), timeout=20_000
    )
