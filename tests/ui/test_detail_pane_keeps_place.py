"""The details pane is re-read whenever the store changes (a sync page, a print, a scan): the
same order read again unchanged keeps the pane as it is (scroll place, selection, focus); a
changed one is shown anew."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from tests.helpers.order_factory import full_orders
from ui.widgets.detail_pane import DetailPane


def test_the_same_order_read_again_keeps_the_pane(qtbot) -> None:
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.resize(300, 200)  # shorter than the details: the pane scrolls
    pane.show()
    order = full_orders(1)[0]
    pane.show_order(order)
    shown = pane.widget()
    pane.verticalScrollBar().setValue(pane.verticalScrollBar().maximum())
    place = pane.verticalScrollBar().value()
    assert place > 0

    pane.show_order(dataclasses.replace(order))  # an equal copy, as a re-read returns

    assert pane.widget() is shown
    assert pane.verticalScrollBar().value() == place

    changed = dataclasses.replace(order, printed_on=datetime(2026, 3, 1, 14, 2, tzinfo=UTC))
    pane.show_order(changed)
    assert pane.widget() is not shown
    assert pane.order == changed
