"""Every customer string the GUI shows is plain text: markup in a name never renders.

The app runs as in demo mode (sandbox in a thread, real stores, virtual printer) with orders
whose names, companies, addresses, references, instructions and product names are HTML
(`<b>TOKEN</b><img src=x>`, links, tables). The test opens them everywhere they can appear
(the table in both accounts, the detail pane, the scan panel, the print queue, the outbox, the
label preview), then walks every widget of the application: labels, text edits, tool tips of
widgets and actions, and every cell (display and tool tip role) of every item view. A string
that holds a hostile token must show its markup literally: a `QLabel` or tool tip that Qt would
read as rich text (`RichText`, or `AutoText` and `Qt.mightBeRichText`), or a delegate that
feeds customer text to `QTextDocument.setHtml`, fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QTextDocument
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import (  # noqa: TID251 - this test inspects Qt widgets
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from clickdrop_desktop.api.models import OrderStatus
from clickdrop_desktop.paths import data_dir
from tests.helpers.fake_api import make_address, make_order
from tests.helpers.stubs import ScriptedDialogs, UiBeeps
from tests.reliability.ledger import Tally
from ui.context import AppContext
from ui.controllers.bundle import Controllers
from ui.demo import DemoAccounts, DemoEnvironment
from ui.feedback import Feedback
from ui.preferences import Preferences, open_settings
from ui.tasks import TaskRunner

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

TOKENS = [f"ZQX{n:02d}" for n in range(12)]
TIMEOUT_MS = 30_000
ORIGINAL_SET_HTML = QTextDocument.setHtml


def hostile(n: int) -> str:
    return f"<b>{TOKENS[n]}</b><img src=x>"


def hostile_order(n: int) -> dict[str, Any]:
    """An order whose every customer field is markup (references stay within 40 chars)."""
    address = make_address(
        full_name=f"{hostile(n)} <i>Lovelace</i>",
        company_name=f'<a href="http://evil.example/">{TOKENS[n]}</a>{hostile(n)}',
        address_line1=f"<table><tr><td>{hostile(n)}</td></tr></table>",
        address_line2=hostile(n),
        city=f"<u>Leeds</u>{hostile(n)}",
        county=hostile(n),
    )
    order = make_order(
        order_reference=hostile(n),
        special_instructions=f"<script>alert(1)</script>{hostile(n)}",
        postage_details=None,
        tags=None,
    )
    body = order.to_api()
    body["recipient"]["address"] = address.to_api()
    body["billing"] = {"address": address.to_api()}
    for package in body.get("packages", []):
        for item in package.get("contents", []):
            item["name"] = hostile(n)
            item["SKU"] = f"<s>{TOKENS[n]}</s>"
    return body


class Findings:
    """Rich-text renderings of hostile text, with where they were found."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.checked = 0
        self.html_calls: list[str] = []

    def text(self, where: str, text: str, *, rich: bool) -> None:
        """`text` as shown: rich means Qt parses it as HTML."""
        tokens = [t for t in TOKENS if t in text]
        if not tokens:
            return
        self.checked += 1
        shown = text
        if rich:
            document = QTextDocument()
            ORIGINAL_SET_HTML(document, text)  # as Qt would parse it (not a call of the app's)
            shown = document.toPlainText()
        for token in tokens:
            if f"<b>{token}</b>" in text and f"<b>{token}</b>" not in shown:
                self.problems.append(f"{where}: renders {text[:80]!r} as rich text")
                return


def auto_rich(text: str) -> bool:
    return bool(GuiQt.mightBeRichText(text))


def label_is_rich(label: QLabel) -> bool:
    fmt = label.textFormat()
    if fmt == Qt.TextFormat.RichText:
        return True
    return fmt == Qt.TextFormat.AutoText and auto_rich(label.text())


def describe(widget: QObject) -> str:
    name = widget.objectName() or ""
    return f"{type(widget).__name__}({name})"


def walk(app: QApplication, findings: Findings) -> None:
    for widget in app.allWidgets():
        where = describe(widget)
        if isinstance(widget, QLabel):
            findings.text(where, widget.text(), rich=label_is_rich(widget))
        if isinstance(widget, QTextEdit):
            # What the document holds as text: markup that was parsed is gone from it.
            findings.text(where, widget.toPlainText(), rich=False)
            findings.text(where + " (html)", widget.toHtml(), rich=True)
        if isinstance(widget, QPlainTextEdit):
            findings.text(where, widget.toPlainText(), rich=False)
        for kind, tip in (("tool tip", widget.toolTip()), ("what's this", widget.whatsThis())):
            findings.text(f"{where} {kind}", tip, rich=auto_rich(tip))
        for action in widget.actions():
            findings.text(f"{where} action", action.toolTip(), rich=auto_rich(action.toolTip()))
        if isinstance(widget, QAbstractItemView) and not isinstance(widget, QHeaderView):
            cells(widget, findings)
    for action in app.findChildren(QAction):
        findings.text("QAction", action.toolTip(), rich=auto_rich(action.toolTip()))


def indexes(view: QAbstractItemView, limit: int = 400) -> Iterator[Any]:
    model = view.model()
    if model is None:
        return
    for row in range(min(model.rowCount(), limit)):
        for column in range(model.columnCount()):
            yield model.index(row, column)


def cells(view: QAbstractItemView, findings: Findings) -> None:
    where = describe(view)
    for index in indexes(view):
        display = index.data(Qt.ItemDataRole.DisplayRole)
        if isinstance(display, str):
            # Item views paint DisplayRole as plain text unless a delegate parses it: the
            # delegates are caught painting through setHtml (see `html_watch`).
            findings.text(f"{where} cell", display, rich=False)
        tip = index.data(Qt.ItemDataRole.ToolTipRole)
        if isinstance(tip, str):
            findings.text(f"{where} cell tool tip", tip, rich=auto_rich(tip))
    view.viewport().grab()  # paint every visible cell through its delegate


@pytest.fixture
def html_watch(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Customer text handed to `QTextDocument.setHtml` by our Python code (delegates, panes)."""
    calls: list[str] = []

    def watched(self: QTextDocument, html: str) -> None:
        calls.append(html)
        ORIGINAL_SET_HTML(self, html)

    monkeypatch.setattr(QTextDocument, "setHtml", watched)
    return calls


@pytest.fixture
def hostile_app(qtbot: Any) -> Iterator[Any]:
    env = DemoEnvironment(data_dir(), orders=12, rate_limit=0)
    info = env.start()
    for account in ("oba", "channelshipper"):
        for n in range(len(TOKENS)):
            info.create_upstream(account, hostile_order(n))
    from ui.main_window import MainWindow

    owner = QObject()
    ctx = AppContext(
        tasks=TaskRunner(owner),
        settings=open_settings(),
        feedback=Feedback(owner, beep=UiBeeps()),
        dialogs=ScriptedDialogs(),  # type: ignore[arg-type]
        demo=True,
        prefs=env.preferences(Preferences()),
    )
    window = MainWindow(ctx, Controllers.create(ctx, DemoAccounts(info), owner))
    qtbot.addWidget(window)
    window.resize(1600, 1000)
    window.show()
    window.c.accounts.restore_last()
    try:
        yield window, env
    finally:
        window.close()
        assert ctx.tasks.shutdown(10_000)
        owner.deleteLater()
        env.stop()


def synced(qtbot: Any, window: Any, name: str) -> None:
    qtbot.waitUntil(
        lambda: (
            window.logic.workspace is not None
            and window.logic.workspace.name == name
            and not window.c.sync.running
            and window.model.rowCount() > 0
        ),
        timeout=TIMEOUT_MS,
    )


def show_everything(qtbot: Any, window: Any, env: DemoEnvironment) -> None:
    """Put hostile orders in every place the window can show an order."""
    window.status_tabs.select(None)
    qtbot.waitUntil(lambda: window.model.settled, timeout=30_000)
    store = window.logic.workspace.store
    rows = [
        r
        for r in store.query_orders(status=OrderStatus.NEW, limit=1000)
        if r.order_reference and TOKENS[0] in r.order_reference
    ]
    assert rows, "the hostile orders did not reach the table"
    target = rows[0].order_identifier
    window.logic.show_scanned_order(target)
    qtbot.waitUntil(lambda: window.detail.order is not None, timeout=30_000)
    with qtbot.waitSignal(window.c.bench.result, timeout=20_000):
        window.c.bench.scan(rows[0].order_reference)
    with qtbot.waitSignal(window.c.bench.result, timeout=20_000):
        window.c.bench.scan(rows[0].order_reference)  # "already printed": names it again
    qtbot.waitUntil(lambda: len(window.queue_panel.model.rows) >= 1, timeout=30_000)
    env.info.set_fault("maintenance")
    window.c.sync.sync_now()
    qtbot.waitUntil(lambda: window.banner.state == "offline", timeout=TIMEOUT_MS)
    window.ctx.dialogs.confirm_answers = [True]
    window.orders_view.clearSelection()
    view_row = next(
        r
        for r in range(window.model.rowCount())
        if TOKENS[1] in (window.model.index(r, 0).data() or "")
    )
    window.orders_view.selectRow(view_row)
    qtbot.waitUntil(lambda: bool(window.logic.selected_rows()), timeout=30_000)
    window.logic.mark_despatched()
    qtbot.waitUntil(lambda: len(window.outbox_panel.model.rows) >= 1, timeout=30_000)
    env.info.clear_faults()
    window.search.setText(TOKENS[2])
    qtbot.wait(50)  # let the search settle; nothing depends on its outcome
    window.search.setText("")


def test_customer_text_never_renders_as_rich_text(
    qtbot: Any, hostile_app: Any, html_watch: list[str]
) -> None:
    window, env = hostile_app
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    findings = Findings()
    for name in ("Demo shop", "Demo marketplace"):
        if window.logic.workspace is None or window.logic.workspace.name != name:
            window.c.accounts.open(name)
        synced(qtbot, window, name)
        show_everything(qtbot, window, env)
        walk(app, findings)
    for html in list(html_watch):
        findings.text("QTextDocument.setHtml", html, rich=True)
    tally = Tally("hostile input: customer text in every Qt widget (plain text only)", unit="walks")
    tally.runs = 2
    tally.bad_inputs = findings.checked
    tally.leaked = len(findings.problems)
    tally.record()
    assert findings.checked > 50, "the walk never met the hostile text: it checked nothing"
    assert not findings.problems, "\n".join(findings.problems[:20])


def test_the_walk_catches_a_rich_label(qapp: QApplication) -> None:
    """The checker itself: an AutoText label or a tool tip with markup is caught."""
    findings = Findings()
    label = QLabel(hostile(0))
    widget = QWidget()
    widget.setToolTip(hostile(1))
    try:
        findings.text("label", label.text(), rich=label_is_rich(label))
        findings.text("tip", widget.toolTip(), rich=auto_rich(widget.toolTip()))
        label.setTextFormat(Qt.TextFormat.PlainText)
        findings.text("plain", label.text(), rich=label_is_rich(label))
    finally:
        label.deleteLater()
        widget.deleteLater()
    assert len(findings.problems) == 2
