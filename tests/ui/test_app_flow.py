"""The app end to end in demo mode: real sandbox (HTTP), real encrypted store, real printer
bytes over TCP to the virtual printer. Scan -> job -> bytes; offline banner; account switch."""

from __future__ import annotations

import json
import socket

from clickdrop_desktop.api.models import OrderStatus
from printing.encoded_cache import PREFIX as ENCODED_PREFIX
from printing.virtual_printer import VirtualPrinter
from tests.ui.conftest import wait_synced
from ui.models.order_row import StatusFilter
from ui.widgets.scan_panel import ScanOutcome


def _first_new_reference(window) -> str:
    rows = window.logic.workspace.store.query_orders(status=OrderStatus.NEW, limit=50)
    # QTest types ASCII only; the sandbox also has references in other scripts.
    return next(
        r.order_reference for r in rows if r.order_reference and r.order_reference.isascii()
    )


def _jobs(printer) -> set[int]:
    """Print jobs the virtual printer received (an international label has a customs page)."""
    return {label.job for label in printer.printed}


def _scan(qtbot, window, code: str, *, reprint: bool = False):
    with qtbot.waitSignal(window.c.bench.result, timeout=20_000) as blocker:
        window.c.bench.scan(code, reprint=reprint)
    return blocker.args


def test_demo_opens_the_oba_account_syncs_and_lists_orders(app_window) -> None:
    w = app_window
    assert w.account_switcher.text().startswith("Demo shop")
    assert w.stack.currentIndex() == 1
    store = w.logic.workspace.store
    assert w.model.rowCount() == store.count_orders(status=OrderStatus.NEW)
    # OBA accounts get no addresses from the API: those columns are hidden, not empty.
    assert w.orders_view.isColumnHidden(2)
    assert w.commands.sync.isEnabled()


def test_scan_prints_the_label_to_the_virtual_printer(qtbot, app_window, demo_env, beeps) -> None:
    w = app_window
    w.commands.bench.setChecked(True)
    reference = _first_new_reference(w)
    outcome, text = _scan(qtbot, w, reference)
    assert outcome is ScanOutcome.PRINTED, text
    labels = demo_env.printer.wait_for_labels(1)
    assert labels[0].language == "zpl"
    assert (labels[0].bitmap.width, labels[0].bitmap.height) == (812, 1218)
    assert labels[0].bitmap.ink_dots() > 1000
    assert w.scan_panel.field.property("feedback") == "ok"
    assert beeps.count == 1
    # The preview shows the very bitmap the printer decoded.
    qtbot.waitUntil(lambda: w.preview.bitmap is not None, timeout=30_000)
    assert w.preview.bitmap.same_dots(labels[0].bitmap)


def test_a_second_scan_never_prints_twice_but_ctrl_enter_reprints(
    qtbot, app_window, demo_env, beeps
) -> None:
    w = app_window
    reference = _first_new_reference(w)
    assert _scan(qtbot, w, reference)[0] is ScanOutcome.PRINTED
    demo_env.printer.wait_for_labels(1)
    qtbot.waitUntil(lambda: len(_jobs(demo_env.printer)) == 1, timeout=30_000)
    outcome, text = _scan(qtbot, w, reference)
    assert outcome is ScanOutcome.ALREADY_PRINTED
    assert "Ctrl+Enter" in text
    # Refused before a job was recorded (not "nothing arrived yet"): no job can print later.
    assert len(w.logic.workspace.store.print_jobs.recent()) == 1
    assert len(_jobs(demo_env.printer)) == 1
    assert _scan(qtbot, w, reference, reprint=True)[0] is ScanOutcome.PRINTED
    qtbot.waitUntil(lambda: len(_jobs(demo_env.printer)) == 2, timeout=30_000)
    qtbot.waitUntil(lambda: beeps.count == 1 + 2 + 1, timeout=10_000)  # ok, attention, ok


def test_our_packing_slip_barcode_prints_the_order(qtbot, app_window, demo_env) -> None:
    w = app_window
    rows = w.logic.workspace.store.query_orders(status=OrderStatus.NEW, limit=1)
    outcome, _text = _scan(qtbot, w, f"CD:{rows[0].order_identifier}")
    assert outcome is ScanOutcome.PRINTED
    demo_env.printer.wait_for_labels(1)


def test_an_unknown_scan_is_loud_and_prints_nothing(qtbot, app_window, demo_env, beeps) -> None:
    w = app_window
    outcome, text = _scan(qtbot, w, "NOT-AN-ORDER-42")
    assert outcome is ScanOutcome.UNKNOWN_ORDER
    assert "no such order" in text
    qtbot.waitUntil(lambda: beeps.count == 3, timeout=10_000)
    assert demo_env.printer.printed == []


def test_a_printer_that_is_off_fails_visibly_and_retry_prints(qtbot, app_window) -> None:
    w = app_window
    # The printer is switched off: a port held bound but not listening refuses every connection,
    # and no other process on a busy machine can take it meanwhile (a closed probe's port can).
    off = socket.socket()
    off.bind(("127.0.0.1", 0))
    port = off.getsockname()[1]
    try:
        w.ctx.prefs = w.ctx.prefs.with_changes(
            printers={"postageLabel": f"zpl+tcp://127.0.0.1:{port}"}
        )
        outcome, text = _scan(qtbot, w, _first_new_reference(w))
        assert outcome is ScanOutcome.PRINTER_PROBLEM, text
        qtbot.waitUntil(
            lambda: any(j.state == "failed" for j in w.queue_panel.model.rows), timeout=30_000
        )
    finally:
        off.close()
    failed = [j.job_id for j in w.queue_panel.model.rows if j.state == "failed"]
    # The printer is switched on; the failed job (kept in the queue) is retried by hand.
    with VirtualPrinter(port=port) as printer:
        w.c.printing.retry(failed)
        printer.wait_for_labels(1)
        qtbot.waitUntil(lambda: w.queue_panel.model.rows[0].state == "sent", timeout=30_000)
    assert w.queue_panel.model.rows[0].attempts >= 2  # the failed tries, then the retry


def test_offline_banner_follows_the_sandbox_maintenance_switch(qtbot, app_window, demo_env) -> None:
    w = app_window
    assert not w.banner.isVisible()
    demo_env.info.set_fault("maintenance")
    w.c.sync.sync_now()
    qtbot.waitUntil(lambda: w.banner.state == "offline", timeout=20_000)
    assert w.banner.isVisible()
    assert "cached" in w.banner.text
    assert not w.commands.sync.isEnabled()
    assert "not now" in w.commands.prepare.toolTip()
    # Offline, cached orders stay browsable and searchable.
    assert w.model.rowCount() > 0
    demo_env.info.clear_faults()
    w.c.sync.sync_now()
    qtbot.waitUntil(lambda: w.banner.state == "online", timeout=20_000)
    assert not w.banner.isVisible()
    assert w.commands.sync.isEnabled()


def test_switching_account_leaves_nothing_of_the_previous_one(qtbot, app_window) -> None:
    w = app_window
    w.status_tabs.select(None)
    qtbot.waitUntil(lambda: w.model.settled, timeout=30_000)  # the table reads off the GUI thread
    shop_ids = {w.model.order_id(r) for r in range(w.model.rowCount())}
    w.orders_view.selectRow(0)
    qtbot.waitUntil(lambda: w.detail.order is not None, timeout=30_000)
    seen_empty: list[int] = []
    w.c.accounts.workspace_closed.connect(lambda: seen_empty.append(w.model.rowCount()))
    w.c.accounts.open("Demo marketplace")
    qtbot.waitUntil(
        lambda: w.logic.workspace is not None and w.logic.workspace.name == "Demo marketplace",
        timeout=20_000,
    )
    assert seen_empty == [0]
    wait_synced(qtbot, w)
    assert w.detail.order is None
    assert w.preview.bitmap is None
    assert w.search.text() == ""
    w.status_tabs.select(None)
    qtbot.waitUntil(lambda: w.model.settled, timeout=30_000)
    other_ids = {w.model.order_id(r) for r in range(w.model.rowCount())}
    assert other_ids
    assert not (shop_ids & other_ids)
    # ChannelShipper: addresses come with /full, so the columns show.
    assert not w.orders_view.isColumnHidden(2)
    assert w.account_switcher.text().startswith("Demo marketplace")


def test_status_tabs_and_search_filter_the_table(qtbot, app_window) -> None:
    w = app_window
    store = w.logic.workspace.store
    w.status_tabs.select(StatusFilter.DESPATCHED)
    qtbot.waitUntil(lambda: w.model.settled, timeout=30_000)  # the table reads off the GUI thread
    assert w.model.rowCount() == store.count_orders(status=OrderStatus.DESPATCHED)
    w.status_tabs.select(None)
    qtbot.waitUntil(lambda: w.model.settled, timeout=30_000)
    reference = _first_new_reference(w)
    with qtbot.waitSignal(w.search.search_changed, timeout=10_000):
        qtbot.keyClicks(w.search, reference)
    qtbot.waitUntil(lambda: w.model.settled and w.model.rowCount() >= 1, timeout=30_000)
    assert w.model.rowCount() >= 1
    assert w.model.row_at(0).reference == reference


def _select_rows(window, rows: list[int]) -> None:
    from PySide6.QtCore import QItemSelectionModel

    view = window.orders_view
    view.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in rows:
        view.selectionModel().select(window.model.index(row, 0), flags)


def test_prepare_labels_asks_with_the_count_then_auto_prints(qtbot, app_window, demo_env) -> None:
    w = app_window
    w.ctx.prefs = w.ctx.prefs.with_changes(auto_print=True)
    w.ctx.dialogs.confirm_answers = [True]
    _select_rows(w, [0, 1])
    with qtbot.waitSignal(w.c.printing.labels_prepared, timeout=20_000) as blocker:
        w.logic.prepare_labels()
    assert blocker.args[0] == 2
    assert w.ctx.dialogs.asked[-1][0] == "confirm"
    assert "Generate 2 labels" in w.ctx.dialogs.asked[-1][1]
    qtbot.waitUntil(lambda: len(_jobs(demo_env.printer)) == 2, timeout=20_000)


def test_prepared_labels_are_encoded_for_the_settings_label_printer(qtbot, app_window) -> None:
    w = app_window
    w.ctx.prefs = w.ctx.prefs.with_changes(auto_print=False)
    w.ctx.dialogs.confirm_answers = [True]
    _select_rows(w, [0])
    printing = w.logic.workspace.printing
    assert printing.label_printer is None  # nothing printed yet this session
    with qtbot.waitSignal(w.c.printing.labels_prepared, timeout=20_000):
        w.logic.prepare_labels()
    label_printer = w.ctx.prefs.printer_uri("postageLabel")
    assert label_printer
    assert printing.label_printer == label_printer
    kept = w.logic.workspace.store.documents.list_for(w.model.order_id(0))
    # Encoded for that printer and kept: a scan of it now only sends these bytes.
    assert [d for d in kept if d.document_type.startswith(ENCODED_PREFIX)]


def test_despatch_offline_waits_in_the_outbox_and_is_sent_once(qtbot, app_window, demo_env) -> None:
    w = app_window
    order_id = w.model.order_id(0)
    demo_env.info.set_fault("maintenance")
    w.c.sync.sync_now()
    qtbot.waitUntil(lambda: w.banner.state == "offline", timeout=20_000)
    w.ctx.dialogs.confirm_answers = [True]
    _select_rows(w, [0])
    w.logic.mark_despatched()
    qtbot.waitUntil(lambda: len(w.outbox_panel.model.rows) == 1, timeout=30_000)
    assert w.outbox_panel.model.rows[0].state == "waiting"
    assert "1 change waiting" in w.banner.text or w.banner.state == "offline"
    demo_env.info.clear_faults()
    w.c.sync.sync_now()  # back online: the waiting change is replayed
    qtbot.waitUntil(lambda: w.banner.state == "online", timeout=20_000)
    qtbot.waitUntil(lambda: len(w.outbox_panel.model.rows) == 0, timeout=20_000)
    # Counted over the whole log, not since a reset: the backoff probe can bring the app back
    # online (and replay) between clear_faults() and a reset, which would erase the one send.
    # Tries refused by the maintenance fault are not sends.
    sent = [
        r
        for r in demo_env.info.requests()
        if r["path"].endswith("/orders/status")
        and str(order_id) in json.dumps(r["body"])
        and r["fault"] is None
    ]
    assert len(sent) == 1


def test_idle_lock_closes_the_account(qtbot, app_window) -> None:
    w = app_window
    w.idle_lock.set_interval_ms(150)
    qtbot.waitUntil(lambda: w.logic.workspace is None, timeout=30_000)
    assert w.model.rowCount() == 0
    assert w.stack.currentWidget() is w.welcome


def test_back_online_by_itself_after_maintenance(qtbot, app_window, demo_env) -> None:
    w = app_window
    demo_env.info.set_fault("maintenance")
    w.c.sync.sync_now()
    qtbot.waitUntil(lambda: w.banner.state == "offline", timeout=20_000)
    demo_env.info.clear_faults()
    # Nobody clicks: the backoff probe (GET /version) notices Click & Drop is back.
    qtbot.waitUntil(lambda: w.banner.state == "online", timeout=20_000)


def test_the_first_frame_is_the_account_page_and_its_rows_come_before_the_session(
    qtbot, demo_env
) -> None:
    import gc

    from PySide6.QtCore import QObject

    from tests.helpers.stubs import ScriptedDialogs
    from ui.context import AppContext
    from ui.controllers.bundle import Controllers
    from ui.demo import DemoAccounts
    from ui.feedback import Feedback
    from ui.main_window import MainWindow
    from ui.preferences import Preferences, open_settings
    from ui.tasks import TaskRunner

    owner = QObject()
    ctx = AppContext(
        tasks=TaskRunner(owner),
        settings=open_settings(),
        feedback=Feedback(owner),
        dialogs=ScriptedDialogs(),  # type: ignore[arg-type]
        demo=True,
        prefs=demo_env.preferences(Preferences()),
    )
    window = MainWindow(ctx, Controllers.create(ctx, DemoAccounts(demo_env.info), owner))
    qtbot.addWidget(window)
    previews: list[str] = []
    window.c.accounts.preview_ready.connect(lambda name, _p: previews.append(name))
    window.show()
    window.c.accounts.restore_last()
    # Before any event is processed: the account's page, loading, nothing of the store read.
    assert window.stack.currentIndex() == 1
    assert window.windowTitle().startswith("Demo shop")
    assert window.model.loading
    assert window.c.accounts.workspace is None
    assert not window.commands.sync.isEnabled()  # actions wait for the session
    qtbot.waitUntil(lambda: window.c.accounts.workspace is not None, timeout=20_000)
    assert previews == ["Demo shop"]  # the store was read ahead of the session
    assert gc.get_freeze_count() > 0  # the session's stack is kept out of full collections
    window.close()
    assert gc.get_freeze_count() == 0  # closed: its garbage can be collected again
    assert ctx.tasks.shutdown(10_000)
    owner.deleteLater()
