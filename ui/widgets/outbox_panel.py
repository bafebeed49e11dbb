"""Changes waiting to reach Click & Drop (made offline, or that failed): send now, or resolve."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from ui.models.rows_model import RowsModel
from ui.services.views import OutboxRow
from ui.widgets.panel_base import TablePanel

_STATES = {
    "waiting": "Waiting",
    "sending": "Sending…",
    "conflict": "Needs you",
    "failed": "Failed",
    "sent": "Sent",
}


class OutboxPanel(TablePanel):
    flush_requested = Signal()
    discard_requested = Signal(list)  # item ids

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Nothing waiting. Changes made while offline wait here.", parent)
        self.setObjectName("OutboxPanel")
        self.setAccessibleName("Outbox")
        self.model: RowsModel[OutboxRow] = RowsModel(
            [
                ("Change", lambda i: i.kind),
                ("Order", lambda i: i.order_reference),
                ("State", lambda i: _STATES.get(i.state, i.state)),
                ("Detail", lambda i: i.detail),
            ],
            tone=lambda i: "bad" if i.needs_user else "",
            parent=self,
        )
        self.table.setModel(self.model)
        for column, width in enumerate((140, 120, 90)):
            self.table.horizontalHeader().resizeSection(column, width)
        self.send_button = self.add_button("Send now", "Send every waiting change now")
        self.discard_button = self.add_button(
            "Discard…", "Drop the selected changes (they will not reach Click & Drop)"
        )
        self.send_button.clicked.connect(self.flush_requested)
        self.discard_button.clicked.connect(self._on_discard_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._online = True
        self.set_items([])

    def set_items(self, items: list[OutboxRow]) -> None:
        self.model.set_rows(items)
        conflicts = sum(1 for i in items if i.needs_user)
        waiting = len(items) - conflicts
        parts = [f"{waiting} waiting"] if waiting else []
        parts += [f"{conflicts} need{'s' if conflicts == 1 else ''} you"] if conflicts else []
        self.summary.setText(", ".join(parts))
        self.show_empty(not items)
        self._update_buttons()

    def set_online(self, online: bool) -> None:
        self._online = online
        self._update_buttons()

    def selected_items(self) -> list[OutboxRow]:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [i for i in (self.model.row_at(r) for r in rows) if i is not None]

    def _update_buttons(self) -> None:
        self.send_button.setEnabled(self._online and self.model.rowCount() > 0)
        self.send_button.setToolTip(
            "Send every waiting change now"
            if self._online
            else "Click & Drop cannot be reached; changes are sent when it answers again"
        )
        self.discard_button.setEnabled(bool(self.selected_items()))

    def _on_discard_clicked(self) -> None:
        ids = [i.item_id for i in self.selected_items()]
        if ids:
            self.discard_requested.emit(ids)
