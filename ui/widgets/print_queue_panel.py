"""The print queue: every job with its state; retry a failed job, cancel or expire waiting ones."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from ui.models.rows_model import RowsModel
from ui.services.views import PrintJobRow
from ui.widgets.panel_base import TablePanel

_DOCUMENTS = {
    "postageLabel": "Label",
    "packingSlip": "Packing slip",
    "despatchNote": "Despatch note",
    "CN22": "CN22",
    "CN23": "CN23",
    "manifest": "Manifest",
}
_STATES = {
    "queued": "Waiting",
    "sending": "Printing…",
    "sent": "Printed",
    "failed": "Failed",
    "cancelled": "Cancelled",
    "expired": "Expired",
    "uncertain": "May have printed",
}

_RETRYABLE = {"failed", "expired", "cancelled", "uncertain"}
_CANCELLABLE = {"queued", "failed", "uncertain"}


def _tone(job: PrintJobRow) -> str:
    return {"failed": "bad", "sent": "ok", "expired": "warn", "cancelled": "warn"}.get(
        job.state, ""
    )


class PrintQueuePanel(TablePanel):
    retry_requested = Signal(list)  # job ids
    cancel_requested = Signal(list)  # job ids

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("No print jobs yet. Printed labels appear here.", parent)
        self.setObjectName("PrintQueuePanel")
        self.setAccessibleName("Print queue")
        self.model: RowsModel[PrintJobRow] = RowsModel(
            [
                ("Order", lambda j: j.order_reference),
                (
                    "Document",
                    lambda j: (
                        _DOCUMENTS.get(j.document, j.document) + (" (reprint)" if j.reprint else "")
                    ),
                ),
                ("State", lambda j: _STATES.get(j.state, j.state)),
                ("Tries", lambda j: str(j.attempts) if j.attempts else ""),
                ("Printer", lambda j: j.printer),
                ("Problem", lambda j: j.error),
            ],
            tone=_tone,
            parent=self,
        )
        self.table.setModel(self.model)
        for column, width in enumerate((120, 120, 90, 50, 200)):
            self.table.horizontalHeader().resizeSection(column, width)
        self.retry_button = self.add_button("Retry", "Send the selected failed jobs again")
        self.cancel_button = self.add_button(
            "Cancel", "Cancel the selected jobs that have not printed yet"
        )
        self.retry_button.clicked.connect(self._on_retry_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.set_jobs([])

    def set_jobs(self, jobs: list[PrintJobRow]) -> None:
        selected = {j.job_id for j in self.selected_jobs()}
        self.model.set_rows(jobs)
        for row, job in enumerate(jobs):
            if job.job_id in selected:
                self.table.selectRow(row)
        waiting = sum(1 for j in jobs if j.state in {"queued", "sending"})
        failed = sum(1 for j in jobs if j.state == "failed")
        parts = [f"{waiting} waiting"] if waiting else []
        parts += [f"{failed} failed"] if failed else []
        self.summary.setText(", ".join(parts))
        self.show_empty(not jobs)
        self._update_buttons()

    def selected_jobs(self) -> list[PrintJobRow]:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [j for j in (self.model.row_at(r) for r in rows) if j is not None]

    def _update_buttons(self) -> None:
        jobs = self.selected_jobs()
        self.retry_button.setEnabled(any(j.state in _RETRYABLE for j in jobs))
        self.cancel_button.setEnabled(any(j.state in _CANCELLABLE for j in jobs))

    def _on_retry_clicked(self) -> None:
        ids = [j.job_id for j in self.selected_jobs() if j.state in _RETRYABLE]
        if ids:
            self.retry_requested.emit(ids)

    def _on_cancel_clicked(self) -> None:
        ids = [j.job_id for j in self.selected_jobs() if j.state in _CANCELLABLE]
        if ids:
            self.cancel_requested.emit(ids)
