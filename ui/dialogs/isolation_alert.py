"""The isolation alert: Click & Drop sent data that was not this account's. Explains what
happened and what was not stored, and exports the incident record for the user's breach log."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clickdrop_desktop.paths import atomic_write
from clickdrop_desktop.sync.incidents import Incident, export_json
from ui import theme
from ui.icons import icon
from ui.widgets.plain import PlainLabel

#: Asks where to save (title, suggested name, filters) -> a path or None.
AskPath = Callable[[str, str, str], Path | None]

_KIND_TEXT = {
    "unrequested_ids": "orders we did not ask for came back",
    "foreign_trading_name": "orders of another trading name came back",
    "immutable_changed": "an order's reference or creation date changed",
    "shared_cache": "the answer looked like it came from a shared cache",
    "conflicting_duplicate": "the same order came back twice, with different contents",
    "known_foreign": "orders already known to be someone else's came back",
    "unconfirmed_ids": "orders in a list could not be confirmed as this account's",
}


def explain(incident: Incident) -> list[str]:
    kinds = [_KIND_TEXT.get(k, k.replace("_", " ")) for k in incident.kinds]
    return [
        "Click & Drop answered a request from this app with data that does not belong to this "
        "account: " + "; ".join(kinds) + ".",
        f"None of the {incident.suspect_records} suspect record"
        f"{'s' if incident.suspect_records != 1 else ''} "
        "was stored, shown or printed, and nothing else from that answer was kept. Only "
        "metadata was recorded: the time, the endpoint, counts and salted hashes of the order "
        "numbers — no names, addresses or references.",
        "Syncing for this account is paused so it cannot happen again unnoticed. Your cached "
        "orders and labels keep working offline.",
        "If you must keep a breach log (the ICO expects a record within 72 hours), export the "
        "incident record below and keep it with your notes.",
    ]


def when_text(detected_at: str) -> str:
    """'1 Mar 2026, 14:02' in local time, as the rest of the app shows dates (the record keeps
    the ISO UTC time); the raw text if it does not parse."""
    try:
        moment = datetime.fromisoformat(detected_at.replace("Z", "+00:00"))
    except ValueError:
        return detected_at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone()
    return f"{local.day} {local:%b %Y, %H:%M} ({local:%Z})"


class IsolationAlertDialog(QDialog):
    """Modal. `Resume sync` is offered only with `on_resume` (the user acknowledges)."""

    def __init__(
        self,
        account: str,
        incidents: Sequence[Incident],
        ask_path: AskPath,
        parent: QWidget | None = None,
        *,
        on_resume: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Data from another account was blocked")
        self.setModal(True)
        self.setMinimumWidth(560)
        self._account = account
        self._incidents = list(incidents)
        self._ask_path = ask_path
        self._on_resume = on_resume
        self.exported_to: Path | None = None
        latest = self._incidents[-1]
        t = theme.tokens()

        mark = QLabel()
        mark.setPixmap(icon("warning", t.bad_fg).pixmap(40, 40))
        title = QLabel("Click & Drop sent data that is not yours")
        title.setObjectName("Heading")
        head = QHBoxLayout()
        head.addWidget(mark)
        head.addSpacing(6)
        head.addWidget(title, 1)

        body = QVBoxLayout()
        body.setSpacing(8)
        for paragraph in explain(latest):
            body.addWidget(PlainLabel(paragraph, wrap=True))

        card = QFrame()
        card.setObjectName("Card")
        form = QFormLayout(card)
        form.setContentsMargins(12, 10, 12, 10)
        form.addRow(
            PlainLabel("When", object_name="FieldName"), PlainLabel(when_text(latest.detected_at))
        )
        form.addRow(PlainLabel("Request", object_name="FieldName"), PlainLabel(latest.endpoint))
        form.addRow(
            PlainLabel("Records", object_name="FieldName"),
            PlainLabel(
                f"{latest.suspect_records} suspect of {latest.records_in_response} in the answer"
            ),
        )
        form.addRow(
            PlainLabel("Incident", object_name="FieldName"),
            PlainLabel(latest.incident_id, selectable=True),
        )

        self.status = PlainLabel("", object_name="StatusLine", wrap=True)
        self.export_button = QPushButton(icon("export"), "Export incident record…")
        self.export_button.clicked.connect(self._on_export_clicked)
        self.resume_button = QPushButton("I have reviewed it: resume sync")
        self.resume_button.setVisible(on_resume is not None)
        self.resume_button.clicked.connect(self._on_resume_clicked)
        close = QPushButton("Close")
        close.setDefault(True)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(self.resume_button)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(12)
        layout.addLayout(head)
        layout.addLayout(body)
        layout.addWidget(card)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    def export_to(self, path: Path) -> None:
        atomic_write(path, export_json(self._account, self._incidents).encode("utf-8"))
        self.exported_to = path

    def _on_export_clicked(self) -> None:
        stamp = self._incidents[-1].detected_at[:10]
        path = self._ask_path(
            "Export incident record", f"clickdrop-incident-{stamp}.json", "JSON (*.json)"
        )
        if path is None:
            return
        try:
            self.export_to(path)
        except OSError as exc:
            self._set_status(f"Could not save: {exc.strerror or exc}", "bad")
            return
        self._set_status(f"Saved to {path}", "ok")

    def _on_resume_clicked(self) -> None:
        if self._on_resume is not None:
            self._on_resume()
        self.accept()

    def _set_status(self, text: str, tone: str) -> None:
        self.status.setText(text)
        self.status.setProperty("feedback", tone)
        theme.repolish(self.status)
