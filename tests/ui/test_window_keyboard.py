"""The window for a keyboard-only user, in demo mode: Down from the search and F6 land on a
selected row, the empty table says why it is empty, passing messages clear, the details follow
a scan, the account menu has a shortcut, and the layout fits the account (no label preview
where no label comes)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMenu

from clickdrop_desktop.api.models import OrderStatus
from tests.ui.conftest import wait_synced
from ui import window_dialogs
from ui.models.order_row import StatusFilter
from ui.widgets.scan_panel import ScanOutcome

TIMEOUT_MS = 30_000


def _settled(qtbot, w) -> None:
    qtbot.waitUntil(lambda: w.model.settled, timeout=TIMEOUT_MS)  # rows read off the GUI thread


def _on_first_row_of(qtbot, w, search: str) -> None:
    """Waits until the table shows `search`'s results with the first of them selected."""
    qtbot.waitUntil(
        lambda: (
            w.model.settled
            and w.model.query.search == search
            and w.model.rowCount() > 0
            and w.orders_view.selected_order_ids() == [w.model.row_at(0).order_id]
        ),
        timeout=TIMEOUT_MS,
    )
    assert w.model.row_at(0).reference == search


def test_down_from_the_search_selects_the_first_result(qtbot, app_window) -> None:
    w = app_window
    w.status_tabs.select(None)
    _settled(qtbot, w)
    reference = w.model.row_at(3).reference
    w.search.setFocus()
    qtbot.keyClicks(w.search, reference)
    qtbot.keyClick(w.search, Qt.Key.Key_Down)  # searched at once, not after the pause
    assert w.model.query.search == reference
    _on_first_row_of(qtbot, w, reference)


def test_f6_lands_on_a_row_so_the_next_key_acts(qtbot, app_window) -> None:
    w = app_window
    w.orders_view.clearSelection()
    w.orders_view.setCurrentIndex(w.model.index(-1, -1))
    w.commands.focus_orders.trigger()
    assert w.orders_view.selected_order_ids() == [w.model.row_at(0).order_id]


def test_the_empty_table_says_why(qtbot, app_window) -> None:
    w = app_window
    w.status_tabs.select(StatusFilter.ARCHIVED)
    _settled(qtbot, w)
    assert w.model.rowCount() == 0  # the demo archives nothing
    assert w.orders_view.empty_state.isVisibleTo(w.orders_view)
    assert w.orders_view.empty_state.text() == "No archived orders"
    w.status_tabs.select(StatusFilter.TO_PRINT)
    with qtbot.waitSignal(w.search.search_changed, timeout=10_000):
        qtbot.keyClicks(w.search, "no such order <b>x</b>")
    qtbot.waitUntil(lambda: w.model.settled and w.model.rowCount() == 0, timeout=TIMEOUT_MS)
    assert w.orders_view.empty_state.text() == (
        "No orders match “no such order <b>x</b>” in this tab (Alt+5: every tab)"
    )
    assert w.orders_view.empty_state.textFormat() is Qt.TextFormat.PlainText
    qtbot.keyClick(w.search, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: w.model.settled and w.model.rowCount() > 0, timeout=TIMEOUT_MS)
    assert not w.orders_view.empty_state.isVisibleTo(w.orders_view)


def test_passing_messages_clear_by_themselves(qtbot, app_window, monkeypatch) -> None:
    w = app_window
    monkeypatch.setattr(window_dialogs, "STATUS_MESSAGE_MS", 50)
    w.orders_view.clearSelection()
    w.commands.print.trigger()
    assert w.statusBar().currentMessage() == "Select the orders to print first"
    qtbot.waitUntil(lambda: w.statusBar().currentMessage() == "", timeout=TIMEOUT_MS)


def test_the_details_follow_a_scanned_order_as_it_prints(qtbot, app_window) -> None:
    w = app_window
    w.commands.bench.setChecked(True)
    # Over the table, not the whole page: the details keep their height.
    assert w.scan_panel.parentWidget() is w.left_layout.parentWidget()
    rows = w.logic.workspace.store.query_orders(status=OrderStatus.NEW, limit=50)
    reference = next(r.order_reference for r in rows if (r.order_reference or "").isascii())
    with qtbot.waitSignal(w.c.bench.result, timeout=20_000) as blocker:
        w.c.bench.scan(reference)
    assert blocker.args[0] is ScanOutcome.PRINTED, blocker.args[1]
    qtbot.waitUntil(
        lambda: (
            w.detail.order is not None
            and w.detail.order.order_reference == reference
            and w.detail.order.status is OrderStatus.PRINTED
        ),
        timeout=TIMEOUT_MS,
    )


# A popup menu under the offscreen platform: it cannot raise or grab the keyboard (no display).
@pytest.mark.qt_log_ignore(
    r"This plugin does not support propagateSizeHints\(\)",
    r"This plugin does not support raise\(\)",
    r"This plugin does not support grabbing the keyboard",
)
def test_the_account_menu_opens_from_the_keyboard(qtbot, app_window) -> None:
    w = app_window
    assert w.commands.switch_account.shortcut().toString() == "Ctrl+Shift+S"
    shown: list[bool] = []

    def look_and_close() -> None:
        menu = QApplication.activePopupWidget()
        shown.append(isinstance(menu, QMenu) and menu is w.account_switcher.menu())
        if menu is not None:
            menu.close()

    QTimer.singleShot(200, look_and_close)
    w.commands.switch_account.trigger()  # runs the menu until it is closed
    qtbot.waitUntil(lambda: shown == [True], timeout=TIMEOUT_MS)


def test_no_label_preview_for_an_account_without_labels(qtbot, app_window) -> None:
    w = app_window
    assert w.logic.workspace.profile.labels
    assert not w.preview_card.isHidden()
    w.c.accounts.open("Demo marketplace")
    qtbot.waitUntil(
        lambda: w.logic.workspace is not None and w.logic.workspace.name == "Demo marketplace",
        timeout=20_000,
    )
    wait_synced(qtbot, w)
    assert not w.logic.workspace.profile.labels  # ChannelShipper: labels come from the website
    assert w.preview_card.isHidden()


def test_column_widths_and_order_come_back_with_the_window(qtbot, app_window) -> None:
    w = app_window
    header = w.orders_view.horizontalHeader()
    header.resizeSection(0, 222)
    header.moveSection(1, 3)
    hidden = [header.isSectionHidden(c) for c in range(header.count())]
    sort = (header.sortIndicatorSection(), header.sortIndicatorOrder())
    w.save_state()
    header.resizeSection(0, 90)
    header.moveSection(3, 1)
    w.restore_state()
    assert header.sectionSize(0) == 222
    assert header.visualIndex(1) == 3
    # The sort is the model's, whatever was saved; which columns show is the account's.
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == sort
    profile = w.logic.workspace.profile  # as opening the account does
    w.orders_view.set_address_columns_visible(profile.full)
    w.orders_view.set_label_column_visible(profile.labels)
    assert [header.isSectionHidden(c) for c in range(header.count())] == hidden


def test_f6_right_after_typing_selects_the_first_of_the_rows_still_coming(
    qtbot, app_window
) -> None:
    w = app_window
    w.status_tabs.select(None)
    _settled(qtbot, w)
    reference = w.model.row_at(5).reference
    w.search.setFocus()
    qtbot.keyClicks(w.search, reference)
    w.commands.focus_orders.trigger()  # before the search has even started
    _on_first_row_of(qtbot, w, reference)
    qtbot.waitUntil(
        lambda: w.detail.order is not None and w.detail.order.order_reference == reference,
        timeout=TIMEOUT_MS,
    )
