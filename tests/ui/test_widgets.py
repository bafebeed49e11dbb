"""One test group per widget in ui/widgets/: signals, states, plain-text safety."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget

from clickdrop_desktop.api.models import Order
from printing.bitmap import Bitmap
from tests.helpers.stubs import ui_order_json
from ui.models.order_row import StatusFilter
from ui.services.views import AccountInfo, OutboxRow, PrintJobRow
from ui.tasks import Progress
from ui.widgets.account_switcher import AccountSwitcher
from ui.widgets.connectivity_banner import ConnectivityBanner, banner_text
from ui.widgets.detail_pane import DetailPane
from ui.widgets.label_preview import LabelPreview, bitmap_to_qimage
from ui.widgets.outbox_panel import OutboxPanel
from ui.widgets.plain import PlainLabel
from ui.widgets.print_queue_panel import PrintQueuePanel
from ui.widgets.scan_panel import ScanOutcome, ScanPanel, clean_scan
from ui.widgets.search_field import SearchField
from ui.widgets.status_tabs import StatusTabs
from ui.widgets.sync_status import SyncStatus
from ui.widgets.virtual_printer_view import VirtualPrinterView
from ui.widgets.welcome import WelcomePanel

HOSTILE = '<img src="http://evil.example/x.png"><b>Bold</b> & co'


def _all_labels_plain(widget: QWidget) -> bool:
    from PySide6.QtWidgets import QLabel

    return all(
        label.textFormat() == Qt.TextFormat.PlainText
        for label in widget.findChildren(QLabel)
        if label.text()
    )


# -- search ------------------------------------------------------------------------------------


def test_search_waits_for_typing_to_pause_then_emits_once(qtbot) -> None:
    field = SearchField()
    qtbot.addWidget(field)
    with qtbot.waitSignal(field.search_changed, timeout=10_000) as blocker:
        qtbot.keyClicks(field, "lovelace")
    assert blocker.args == ["lovelace"]


def test_search_escape_clears_and_emits_at_once(qtbot) -> None:
    field = SearchField()
    qtbot.addWidget(field)
    with qtbot.waitSignal(field.search_changed, timeout=10_000):
        qtbot.keyClicks(field, "ab")
    with qtbot.waitSignal(field.search_changed, timeout=100) as blocker:
        qtbot.keyClick(field, Qt.Key.Key_Escape)
    assert blocker.args == [""]
    assert field.text() == ""


def test_search_reset_is_silent(qtbot) -> None:
    field = SearchField()
    qtbot.addWidget(field)
    field.setText("x")
    with qtbot.assertNotEmitted(field.search_changed, wait=400):
        field.reset()
    assert field.text() == ""


# -- status tabs -------------------------------------------------------------------------------


def test_status_tabs_emit_the_status_and_show_counts(qtbot) -> None:
    tabs = StatusTabs()
    qtbot.addWidget(tabs)
    assert tabs.status is StatusFilter.TO_PRINT
    with qtbot.waitSignal(tabs.status_changed) as blocker:
        tabs.select(StatusFilter.DESPATCHED)
    assert blocker.args == [StatusFilter.DESPATCHED]
    tabs.set_count(StatusFilter.TO_PRINT, 12345)
    assert tabs.tabText(0) == "To print  12,345"
    with qtbot.waitSignal(tabs.status_changed) as blocker:
        tabs.select_index(4)
    assert blocker.args == [None]


# -- plain text --------------------------------------------------------------------------------


def test_plain_label_cannot_be_switched_to_rich_text(qtbot) -> None:
    label = PlainLabel(HOSTILE)
    qtbot.addWidget(label)
    label.setTextFormat(Qt.TextFormat.RichText)
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.text() == HOSTILE


def test_detail_pane_shows_customer_text_verbatim_as_plain_text(qtbot) -> None:
    data = ui_order_json(3, status="printed")
    data["shippingInfo"]["firstName"] = HOSTILE
    data["specialInstructions"] = "<script>alert(1)</script>"
    order = Order.from_api_full(data)
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.show_order(order)
    texts = [lbl.text() for lbl in pane.findChildren(PlainLabel)]
    assert any(HOSTILE in t for t in texts)
    assert "<script>alert(1)</script>" in texts
    assert "RM000000003GB" in " ".join(texts)
    assert _all_labels_plain(pane)
    pane.show_order(None)
    assert pane.order is None


def test_detail_pane_explains_missing_addresses_for_plain_accounts(qtbot) -> None:
    order = Order.from_api(ui_order_json(4, full=False))
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.show_order(order)
    texts = " ".join(lbl.text() for lbl in pane.findChildren(PlainLabel))
    assert "ChannelShipper" in texts


# -- label preview -----------------------------------------------------------------------------


def test_label_preview_shows_the_exact_dots(qtbot) -> None:
    image = Image.new("1", (812, 1218), 1)
    for x in range(0, 812, 3):
        image.putpixel((x, 5), 0)
    bitmap = Bitmap.from_image(image)
    shown = bitmap_to_qimage(bitmap)
    assert (shown.width(), shown.height()) == (812, 1218)
    for x in range(0, 30):
        dot = shown.pixelColor(x, 5).black() > 128
        assert dot == (x % 3 == 0)
    assert shown.pixelColor(1, 6).black() < 128
    preview = LabelPreview()
    qtbot.addWidget(preview)
    preview.show_bitmap(bitmap)
    assert "812 × 1218 dots at 203 dpi" in preview.caption
    assert preview.bitmap is bitmap
    preview.show_message("No label")
    assert preview.image is None


# -- connectivity banner -----------------------------------------------------------------------


def test_banner_hidden_online_and_says_what_still_works_offline(qtbot) -> None:
    banner = ConnectivityBanner()
    qtbot.addWidget(banner)
    banner.show()
    banner.set_state("online", "", None, 0)
    assert not banner.isVisible()
    cached = datetime(2026, 3, 1, 14, 2, tzinfo=UTC)
    banner.set_state("offline", "Click & Drop is down for maintenance (503)", cached, 3)
    assert banner.isVisible()
    assert banner.property("state") == "offline"
    local = cached.astimezone().strftime("%H:%M")
    assert f"showing orders cached at {local}, 3 changes waiting".lower() in banner.text.lower()
    with qtbot.waitSignal(banner.retry_requested):
        qtbot.mouseClick(banner._retry, Qt.MouseButton.LeftButton)


def test_banner_text_degraded_and_singular() -> None:
    text = banner_text("degraded", "", None, 1)
    assert text.startswith("Click & Drop is slow or failing.")
    assert "1 change waiting" in text


# -- sync status -------------------------------------------------------------------------------


def test_sync_status_progress_and_cancel(qtbot) -> None:
    status = SyncStatus()
    qtbot.addWidget(status)
    status.show()
    status.start()
    assert status.bar.isVisible()
    status.set_progress(Progress(3, 10, "Fetching orders: 300 fetched"))
    assert (status.bar.value(), status.bar.maximum()) == (3, 10)
    assert "300 fetched" in status.label.text()
    with qtbot.waitSignal(status.cancel_requested):
        qtbot.mouseClick(status.cancel, Qt.MouseButton.LeftButton)
    status.set_idle("Synced at 14:02")
    assert not status.bar.isVisible()


# -- account switcher --------------------------------------------------------------------------


def test_account_switcher_shows_active_account_and_emits_choices(qtbot) -> None:
    switcher = AccountSwitcher()
    qtbot.addWidget(switcher)
    assert switcher.text() == "Not signed in"
    switcher.set_accounts([AccountInfo("Shop", "OBA", active=True), AccountInfo("Other", "OLP")])
    assert switcher.text().startswith("Shop")
    actions = {a.text(): a for a in switcher.menu().actions()}
    with qtbot.waitSignal(switcher.switch_requested) as blocker:
        actions["Other  (Pay as you go)"].trigger()
    assert blocker.args == ["Other"]
    with qtbot.waitSignal(switcher.sign_out_requested) as blocker:
        actions["Sign out of Shop…"].trigger()
    assert blocker.args == ["Shop"]
    with qtbot.waitSignal(switcher.add_requested):
        actions["Add account…"].trigger()


# -- panels ------------------------------------------------------------------------------------


def _job(job_id: str, state: str) -> PrintJobRow:
    return PrintJobRow(job_id, f"REF-{job_id}", "postageLabel", "ZPL · 127.0.0.1:9100", state)


def test_print_queue_panel_enables_retry_and_cancel_by_state(qtbot) -> None:
    panel = PrintQueuePanel()
    qtbot.addWidget(panel)
    panel.show()
    assert panel.hint.isVisible()
    panel.set_jobs([_job("1", "sent"), _job("2", "failed"), _job("3", "queued")])
    assert panel.table.isVisible()
    assert panel.summary.text() == "1 waiting, 1 failed"
    panel.table.selectRow(0)
    assert not panel.retry_button.isEnabled()
    assert not panel.cancel_button.isEnabled()
    panel.table.selectRow(1)
    assert panel.retry_button.isEnabled()
    with qtbot.waitSignal(panel.retry_requested) as blocker:
        qtbot.mouseClick(panel.retry_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [["2"]]
    panel.table.selectRow(2)
    with qtbot.waitSignal(panel.cancel_requested) as blocker:
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [["3"]]


def test_outbox_panel_send_needs_online_and_discard_needs_selection(qtbot) -> None:
    panel = OutboxPanel()
    qtbot.addWidget(panel)
    items = [
        OutboxRow("a", "Mark despatched", "REF-1", "waiting"),
        OutboxRow("b", "Mark despatched", "REF-2", "conflict", "already despatched"),
    ]
    panel.set_items(items)
    assert panel.summary.text() == "1 waiting, 1 needs you"
    assert panel.send_button.isEnabled()
    panel.set_online(False)
    assert not panel.send_button.isEnabled()
    assert "cannot be reached" in panel.send_button.toolTip()
    assert not panel.discard_button.isEnabled()
    panel.table.selectRow(1)
    with qtbot.waitSignal(panel.discard_requested) as blocker:
        qtbot.mouseClick(panel.discard_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [["b"]]


# -- bench scan --------------------------------------------------------------------------------


def test_scan_enter_prints_and_ctrl_enter_reprints(qtbot) -> None:
    panel = ScanPanel()
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.scanned) as blocker:
        qtbot.keyClicks(panel.field, " REF-000001\t")
        qtbot.keyClick(panel.field, Qt.Key.Key_Return)
    assert blocker.args == ["REF-000001"]
    assert panel.field.text() == ""
    with qtbot.waitSignal(panel.reprint_requested) as blocker:
        qtbot.keyClicks(panel.field, "REF-000001")
        qtbot.keyClick(panel.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args == ["REF-000001"]
    with qtbot.assertNotEmitted(panel.scanned):
        qtbot.keyClick(panel.field, Qt.Key.Key_Return)  # empty scan: nothing


def test_scan_feedback_colours_the_field(qtbot) -> None:
    panel = ScanPanel()
    qtbot.addWidget(panel)
    panel.show_result(ScanOutcome.ALREADY_PRINTED, "REF-1: already printed")
    assert panel.field.property("feedback") == "warn"
    assert panel.result.text() == "REF-1: already printed"
    panel.show_result(ScanOutcome.UNKNOWN_ORDER, "nope")
    assert panel.result.property("feedback") == "bad"
    panel.show_result(ScanOutcome.PRINTED, "ok")
    assert panel.field.property("feedback") == "ok"


def test_scan_field_keeps_the_focus_from_buttons_but_not_from_inputs(qtbot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    from PySide6.QtWidgets import QPushButton, QVBoxLayout

    layout = QVBoxLayout(host)
    panel = ScanPanel()
    button = QPushButton("x")
    other = QLineEdit()
    for w in (panel, button, other):
        layout.addWidget(w)
    host.show()
    qtbot.waitExposed(host)
    host.activateWindow()
    panel.set_keep_focus(True)
    qtbot.waitUntil(panel.field.hasFocus)
    button.setFocus()
    qtbot.waitUntil(panel.field.hasFocus)
    other.setFocus()
    qtbot.wait(50)
    assert other.hasFocus()
    panel.set_keep_focus(False)


def test_clean_scan_strips_control_characters() -> None:
    assert clean_scan("\x02CD:123\r\n") == "CD:123"


# -- virtual printer and welcome ---------------------------------------------------------------


def test_virtual_printer_view_lists_labels_newest_first(qtbot) -> None:
    view = VirtualPrinterView()
    qtbot.addWidget(view)
    first = Bitmap.blank(812, 1218)
    second = Bitmap.from_image(Image.new("1", (812, 1218), 0))
    view.add_label(first, "Job 1")
    view.add_label(second, "Job 2")
    assert view.count == 2
    assert view.preview.bitmap is second
    assert view.status.text() == "2 jobs printed"
    view.history.setCurrentRow(1)
    assert view.preview.bitmap is first


def test_welcome_asks_to_sign_in(qtbot) -> None:
    panel = WelcomePanel()
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.sign_in_requested):
        qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)


@pytest.mark.parametrize("state", ["online", "degraded", "offline"])
def test_banner_states_are_plain_text(qtbot, state: str) -> None:
    banner = ConnectivityBanner()
    qtbot.addWidget(banner)
    banner.set_state(state, HOSTILE, None, 0)
    assert _all_labels_plain(banner)


def test_orders_view_starts_sorted_newest_first(qtbot, tmp_path) -> None:
    from tests.helpers.stubs import ui_open_store
    from ui.models.orders_model import OrdersModel
    from ui.services.store_source import StoreOrderSource
    from ui.widgets.orders_view import OrdersView

    store = ui_open_store(tmp_path, 30)
    model = OrdersModel()
    model.set_source(StoreOrderSource(store))
    view = OrdersView(model)
    qtbot.addWidget(view)
    assert model.sort_column() == (1, Qt.SortOrder.DescendingOrder)
    header = view.horizontalHeader()
    assert header.sortIndicatorSection() == 1
    view.sortByColumn(2, Qt.SortOrder.DescendingOrder)  # names: A to Z only
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    view.selectRow(0)
    view.selectRow(1)
    assert view.selected_order_ids() == [model.order_id(1)]
    store.close()


def test_welcome_text_is_never_clipped(qtbot) -> None:
    panel = WelcomePanel()
    qtbot.addWidget(panel)
    for width in (700, 1000, 1366):
        panel.resize(width, 560)
        panel.show()
        qtbot.waitExposed(panel)
        label = panel.message
        qtbot.waitUntil(lambda label=label: label.height() >= label.heightForWidth(label.width()))
        assert label.width() <= 460
