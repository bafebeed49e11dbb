"""The New order dialog: per-field errors from orders_form, keyboard use, queueing in the app."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QPushButton

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


# -- several packages -------------------------------------------------------------------------


def _focus(dialog: NewOrderDialog):
    return dialog.focusWidget()  # the dialog's focus, whether or not its window is active


def test_ctrl_shift_n_adds_a_package_and_tab_runs_through_it_in_order(qtbot) -> None:
    dialog = NewOrderDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)  # shortcuts work in the active window
    assert _focus(dialog) is dialog.edits["full_name"]
    assert not dialog.packages[0].remove.isVisibleTo(dialog)  # the lone package stays
    qtbot.keyClick(
        dialog,
        Qt.Key.Key_N,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert [p.title() for p in dialog.packages] == ["Package 1", "Package 2"]
    second = dialog.packages[1]
    assert _focus(dialog) is second.weight  # straight into the new package's weight
    assert all(p.remove.isVisibleTo(dialog) for p in dialog.packages)
    # Tab: the order's last field leads into package 1, package 1's last button into package 2.
    dialog.edits["total"].setFocus()
    qtbot.keyClick(_focus(dialog), Qt.Key.Key_Tab)
    assert _focus(dialog) is dialog.packages[0].weight
    dialog.packages[0].remove.setFocus()
    qtbot.keyClick(_focus(dialog), Qt.Key.Key_Tab)
    assert _focus(dialog) is second.weight
    second.remove.setFocus()
    qtbot.keyClick(_focus(dialog), Qt.Key.Key_Tab)
    assert _focus(dialog) is dialog.add_package
    # Alt+W goes to a package's weight, and on to the next package's.
    dialog.edits["full_name"].setFocus()
    qtbot.keyClick(_focus(dialog), Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    assert _focus(dialog) is dialog.packages[0].weight
    qtbot.keyClick(_focus(dialog), Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    assert _focus(dialog) is second.weight
    # Ctrl+Shift+Backspace removes the package holding the focus; numbering follows.
    dialog.packages[0].weight.setFocus()
    qtbot.keyClick(
        _focus(dialog),
        Qt.Key.Key_Backspace,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert dialog.packages == [second]
    assert second.title() == "Package 1"
    assert not second.remove.isVisibleTo(dialog)


def test_several_packages_with_contents_make_one_request(qtbot) -> None:
    dialog = NewOrderDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    _fill(dialog, _GOOD)
    first = dialog.packages[0]
    first.edits["height_mm"].setText("100")
    first.edits["width_mm"].setText("200")
    first.edits["depth_mm"].setText("50")
    qtbot.mouseClick(first.add_item, Qt.MouseButton.LeftButton)
    line = first.items[0]
    assert _focus(dialog) is line.edits["name"]
    line.edits["name"].setText("<b>Bold</b> mug")
    line.edits["sku"].setText("MUG-1")
    line.edits["quantity"].setText("2")
    qtbot.mouseClick(dialog.add_package, Qt.MouseButton.LeftButton)
    dialog.edits["packages[1].weight_grams"].setText("1200")
    second = dialog.packages[1]
    second.format_box.setCurrentIndex(second.format_box.findData("mediumParcel"))
    with qtbot.waitSignal(dialog.submitted, timeout=2000) as got:
        dialog.submit()
    packages = got.args[0].to_api()["packages"]
    assert packages == [
        {
            "weightInGrams": 750,
            "packageFormatIdentifier": "parcel",
            "dimensions": {"heightInMms": 100, "widthInMms": 200, "depthInMms": 50},
            "contents": [{"quantity": 2, "name": "<b>Bold</b> mug", "SKU": "MUG-1"}],
        },
        {"weightInGrams": 1200, "packageFormatIdentifier": "mediumParcel"},
    ]


def test_a_bad_second_package_is_named_shown_and_focused(qtbot) -> None:
    dialog = NewOrderDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    _fill(dialog, _GOOD)
    second = dialog.new_package()
    assert second is not None
    second.weight.setText("40000")
    line = second.add_item_row()
    line.edits["name"].setText("<i>Mug</i>")  # no SKU, no value: the spec refuses it
    dialog.submit()
    error = dialog.errors["packages[1].weight_grams"]
    assert error.text() == "Package 2: weight must be from 1 to 30000 grams"
    assert error.isVisibleTo(dialog)
    assert error.textFormat() == Qt.TextFormat.PlainText
    assert line.error.text().startswith("Package 2, item 1: line needs a SKU")
    assert line.error.textFormat() == Qt.TextFormat.PlainText
    assert not dialog.errors["packages[0].weight_grams"].isVisibleTo(dialog)
    assert _focus(dialog) is second.weight
    assert "2 fields" in dialog.status.text()
    _shot(dialog, "new_order_packages_errors.png")


def test_an_order_holds_at_most_twenty_packages(qtbot) -> None:
    dialog = NewOrderDialog()
    qtbot.addWidget(dialog)
    while dialog.new_package() is not None:
        pass
    assert len(dialog.packages) == 20
    assert not dialog.add_package.isEnabled()
    assert "at most 20" in dialog.status.text()
    dialog.remove_package(dialog.packages[3])
    assert dialog.add_package.isEnabled()
    assert [p.number for p in dialog.packages] == list(range(1, 20))


def test_a_multi_package_order_queued_in_the_app_reaches_the_sandbox(
    qtbot, app_window, demo_env
) -> None:
    w = app_window
    w.commands.new_order.trigger()
    dialog = _open_dialog()
    _fill(dialog, _GOOD | {"reference": "FORM-PKGS-1", "service_code": "TPN24"})
    dialog.new_package()
    dialog.new_package()
    dialog.edits["packages[1].weight_grams"].setText("300")
    dialog.edits["packages[2].weight_grams"].setText("2000")
    dialog.submit()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=10_000)

    def posted() -> list[dict]:
        return [
            item
            for entry in demo_env.info.requests()
            if entry["method"] == "POST" and entry["path"].endswith("/orders")
            for item in entry["body"]["items"]
            if item["orderReference"] == "FORM-PKGS-1"
        ]

    qtbot.waitUntil(lambda: bool(posted()), timeout=20_000)  # replayed once the app is online
    qtbot.waitUntil(lambda: w.outbox_panel.model.rows == [], timeout=20_000)  # nothing waits
    posts = posted()
    assert len(posts) == 1  # sent once
    assert [p["weightInGrams"] for p in posts[0]["packages"]] == [750, 300, 2000]


def _active(qtbot, dialog: NewOrderDialog) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)  # focus changes reach the dialog when it is active


def test_no_two_order_fields_or_buttons_share_an_alt_key(qtbot) -> None:
    dialog = NewOrderDialog()
    qtbot.addWidget(dialog)
    texts = [
        label.text()
        for label in dialog.findChildren(QLabel)
        if label.buddy() is not None and not any(p.isAncestorOf(label) for p in dialog.packages)
    ]
    texts += [button.text() for button in dialog.findChildren(QPushButton)]
    keys = [t[t.index("&") + 1].lower() for t in texts if "&" in t]
    assert len(keys) == len(set(keys)), sorted(keys)  # Alt+P once reached a button, not Postcode


def test_alt_p_goes_to_the_postcode(qtbot) -> None:
    dialog = NewOrderDialog()
    _active(qtbot, dialog)
    qtbot.keyClick(_focus(dialog), Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    assert _focus(dialog) is dialog.edits["postcode"]
    assert len(dialog.packages) == 1


def test_a_field_is_checked_when_left_and_its_error_goes_once_corrected(qtbot) -> None:
    dialog = NewOrderDialog()
    _active(qtbot, dialog)
    postcode, phone = dialog.edits["postcode"], dialog.edits["phone_number"]
    postcode.setFocus()
    postcode.setText("nope")
    phone.setFocus()
    qtbot.waitUntil(lambda: dialog.errors["postcode"].isVisibleTo(dialog))
    assert "postcode" in dialog.errors["postcode"].text()
    assert not dialog.errors["city"].isVisibleTo(dialog)  # not reached yet: no "required"
    assert _focus(dialog) is phone  # checking never moves the focus
    postcode.setFocus()
    postcode.setText("SW1A 1AA")
    phone.setFocus()
    qtbot.waitUntil(lambda: not dialog.errors["postcode"].isVisibleTo(dialog))
    # After Queue order every error shows; each goes when its field is put right and left.
    dialog.submit()
    assert dialog.errors["city"].isVisibleTo(dialog)
    dialog.edits["city"].setText("London")
    dialog.edits["county"].setFocus()
    qtbot.waitUntil(lambda: not dialog.errors["city"].isVisibleTo(dialog))
    assert dialog.errors["address_line1"].isVisibleTo(dialog)


def test_recipient_and_order_fields_start_in_one_column(qtbot) -> None:
    dialog = NewOrderDialog()
    _active(qtbot, dialog)
    left = {
        name: dialog.edits[name].mapTo(dialog, QPoint(0, 0)).x()
        for name in ("full_name", "postcode", "reference", "service_code", "total")
    }
    assert len(set(left.values())) == 1, left


def test_escape_asks_before_throwing_away_a_typed_order(qtbot) -> None:
    dialog = NewOrderDialog()
    _active(qtbot, dialog)
    answers: list[bool] = []
    asked: list[bool] = []

    def confirm() -> bool:
        asked.append(True)
        return answers.pop(0)

    dialog.confirm_discard = confirm
    dialog.edits["full_name"].setText("Ada Lovelace")
    answers[:] = [False]  # Keep editing
    qtbot.keyClick(_focus(dialog), Qt.Key.Key_Escape)
    assert dialog.isVisible()
    assert dialog.edits["full_name"].text() == "Ada Lovelace"
    answers[:] = [False]  # Cancel asks too
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert dialog.isVisible()
    answers[:] = [True]  # Discard order
    qtbot.keyClick(_focus(dialog), Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert len(asked) == 3


def test_escape_on_an_untouched_form_closes_without_asking(qtbot) -> None:
    dialog = NewOrderDialog()
    _active(qtbot, dialog)
    dialog.confirm_discard = lambda: pytest.fail("nothing was typed: no question")
    qtbot.keyClick(_focus(dialog), Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_the_title_bar_close_asks_as_escape_does(qtbot) -> None:
    """The window's close button (or Alt+F4) throws a typed-in order away only when agreed."""
    dialog = NewOrderDialog()
    _active(qtbot, dialog)
    answers = [False, True]
    dialog.confirm_discard = lambda: answers.pop(0)
    dialog.edits["full_name"].setText("Ada Lovelace")
    dialog.close()  # Keep editing
    assert dialog.isVisible()
    assert dialog.edits["full_name"].text() == "Ada Lovelace"
    dialog.close()  # Discard order
    assert not dialog.isVisible()
    assert answers == []


class _SlowOutbox:
    """Keeps the queue's callbacks, to answer after the dialog is gone."""

    def __init__(self) -> None:
        self.done: list[object] = []
        self.failed: list[object] = []

    def queue_new_orders(self, _requests: list[object], *, source: str, on_done, on_error) -> bool:
        self.done.append(on_done)
        self.failed.append(on_error)
        return True


def test_an_answer_after_the_dialog_was_closed_is_harmless(qtbot) -> None:
    """Cancel stays usable while "Queueing…": the queue's answer may come after the dialog was
    discarded and deleted, and must not raise on the deleted dialog (a crash report)."""
    from ui.dialogs.new_order import open_new_order

    outbox = _SlowOutbox()
    for answer in ("done", "failed"):
        dialog = open_new_order(None, outbox)  # type: ignore[arg-type]
        dialog.confirm_discard = lambda: True
        _fill(dialog, _GOOD)
        dialog.submit()
        assert outbox.done, "the form did not reach the queue"
        dialog.reject()
        qtbot.waitUntil(lambda d=dialog: not shiboken6.isValid(d), timeout=10_000)
        if answer == "done":
            outbox.done.pop()(1)  # type: ignore[operator]
        else:
            outbox.failed.pop()("the reference is taken")  # type: ignore[operator]
