"""Sign in with a Click & Drop API key: masked, verified in the background, capabilities shown.

The key is only ever in the (masked) field and in the worker that checks it; it is not logged,
and the field is wiped when the dialog closes. Labels are shown as available only for accounts
the API gives labels to (OBA), with a plain explanation for the others.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clickdrop_desktop.api.capabilities import Capabilities
from clickdrop_desktop.errors import describe
from ui import theme
from ui.controllers.accounts import AccountDirectory, SignInOutcome
from ui.icons import icon
from ui.tasks import TaskRunner
from ui.widgets.plain import PlainLabel

PRODUCTION_URL = "https://api.parcel.royalmail.com/api/v1"

_TYPE_TEXT = {
    "OBA": "Online Business Account (OBA)",
    "OLP": "Pay-as-you-go (OLP)",
    "ChannelShipper": "ChannelShipper",
}


def capability_lines(caps: Capabilities) -> list[tuple[bool, str]]:
    """(available, text) for each thing the user cares about, in plain words."""
    lines = [(True, "Orders: this key can read the account's orders")]
    if caps.labels:
        lines.append((True, "Labels available: prints labels directly, and offline once cached"))
    else:
        lines.append(
            (
                False,
                "Labels are not available through the API for this account type (Click & Drop "
                "gives labels to OBA accounts only). Print postage labels from the Click & Drop "
                "website; this app still syncs orders, prints packing slips and marks despatch.",
            )
        )
    if caps.full:
        lines.append((True, "Full order details: addresses, items and status"))
    else:
        lines.append(
            (
                False,
                "Addresses and items are not in this account's API (ChannelShipper only); "
                "labels from Click & Drop carry the address.",
            )
        )
    return lines


class SignInDialog(QDialog):
    def __init__(
        self,
        tasks: TaskRunner,
        directory: AccountDirectory,
        parent: QWidget | None = None,
        *,
        api_url: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in to Click & Drop")
        self.setModal(True)
        self.setMinimumWidth(520)
        self._tasks = tasks
        self._directory = directory
        self.capabilities: Capabilities | None = None
        self.outcome: SignInOutcome | None = None

        kept = (
            "only in memory (demo mode), forgotten when the app closes"
            if getattr(directory, "keys_in_memory", False)
            else "in your system's keyring, never in a file"
        )
        intro = PlainLabel(
            "Paste the API key of your Click & Drop integration (Settings › Integrations › "
            f"Click & Drop API in the Click & Drop website). The key is kept {kept}.",
            object_name="Muted",
            wrap=True,
        )
        self.name_field = QLineEdit()
        self.name_field.setPlaceholderText("e.g. My shop")
        self.name_field.setAccessibleName("Account name")
        # A directory may know its own service (the demo's sandbox); else Royal Mail's API.
        default_url = getattr(directory, "default_api_url", None)
        self.url_field = QLineEdit(api_url or default_url or PRODUCTION_URL)
        self.url_field.setAccessibleName("API address")
        self.key_field = QLineEdit()
        self.key_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_field.setPlaceholderText("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")
        self.key_field.setAccessibleName("API key")
        self.key_field.setInputMethodHints(
            Qt.InputMethodHint.ImhHiddenText | Qt.InputMethodHint.ImhSensitiveData
        )
        self._reveal = QAction(icon("key"), "Show the key", self.key_field)
        self._reveal.setCheckable(True)
        self._reveal.toggled.connect(self._on_reveal_toggled)
        self.key_field.addAction(self._reveal, QLineEdit.ActionPosition.TrailingPosition)
        self.check_button = QPushButton("&Check key")
        self.check_button.clicked.connect(self._on_check_clicked)

        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(8)
        form.addRow("Account &name", self.name_field)
        form.addRow("API a&ddress", self.url_field)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_field, 1)
        key_row.addWidget(self.check_button)
        key_caption = QLabel("API &key")
        key_caption.setBuddy(self.key_field)
        form.addRow(key_caption, key_row)

        self.status = PlainLabel("", object_name="StatusLine", wrap=True)
        self.caps_box = QFrame()
        self.caps_box.setObjectName("Card")
        self.caps_layout = QVBoxLayout(self.caps_box)
        self.caps_layout.setContentsMargins(12, 10, 12, 10)
        self.caps_layout.setSpacing(6)
        self.caps_box.setVisible(False)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.sign_in_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_in_button.setText("&Sign in")
        self.sign_in_button.setEnabled(False)
        # Enter checks the pasted key until it is checked, then signs in (Sign in stayed the
        # default while disabled, so Enter after pasting did nothing).
        self.check_button.setDefault(True)
        self.buttons.accepted.connect(self._on_sign_in_clicked)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(12)
        heading = QLabel("Sign in")
        heading.setObjectName("Heading")
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.caps_box)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        # A new key or address must be checked again; a new name need not.
        for field in (self.url_field, self.key_field):
            field.textChanged.connect(self._on_fields_changed)

    # -- checking ---------------------------------------------------------------------------------

    def _on_reveal_toggled(self, shown: bool) -> None:
        self.key_field.setEchoMode(
            QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        )

    def _on_fields_changed(self) -> None:
        self.capabilities = None
        self.sign_in_button.setEnabled(False)
        self.check_button.setDefault(True)
        self.caps_box.setVisible(False)
        self._set_status("", "")

    def _inputs(self) -> tuple[str, str, str] | None:
        name = self.name_field.text().strip()
        url = self.url_field.text().strip()
        key = self.key_field.text().strip()
        if not key:
            self._set_status("Paste the API key first.", "bad")
            return None
        if not url.startswith(("https://", "http://")):
            self._set_status("The API address must start with https://", "bad")
            return None
        return name, url, key

    def _on_check_clicked(self) -> None:
        inputs = self._inputs()
        if inputs is None:
            return
        _name, url, key = inputs
        self._set_busy(True, "Checking the key with Click & Drop…")
        self._tasks.run(
            lambda _ctx: self._directory.verify(url, key),
            on_done=self._on_verified,
            on_error=self._on_failed,
            owner=self,
        )

    def _on_verified(self, caps: Capabilities) -> None:
        self._set_busy(False, "")
        if not caps.key_valid:
            self._set_status(
                "Click & Drop did not accept this key. Check it was copied whole.", "bad"
            )
            return
        self.capabilities = caps
        kind = _TYPE_TEXT.get(caps.account_type or "", "Click & Drop account")
        self._set_status(f"Key accepted: {kind}.", "ok")
        self._show_capabilities(caps)
        if not self.name_field.text().strip():
            self.name_field.blockSignals(True)
            self.name_field.setText(kind.split(" (")[0])
            self.name_field.blockSignals(False)
        self.sign_in_button.setEnabled(True)
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setFocus()

    def _show_capabilities(self, caps: Capabilities) -> None:
        while self.caps_layout.count():
            item = self.caps_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        t = theme.tokens()
        for available, text in capability_lines(caps):
            row = QHBoxLayout()
            mark = QLabel()
            mark.setPixmap(
                icon("check" if available else "info", t.ok_fg if available else t.muted).pixmap(
                    18, 18
                )
            )
            mark.setAlignment(Qt.AlignmentFlag.AlignTop)
            row.addWidget(mark)
            row.addWidget(PlainLabel(text, wrap=True), 1)
            holder = QWidget()
            holder.setLayout(row)
            row.setContentsMargins(0, 0, 0, 0)
            self.caps_layout.addWidget(holder)
        self.caps_box.setVisible(True)

    def _on_failed(self, exc: BaseException) -> None:
        self._set_busy(False, "")
        self._set_status(describe(exc)[0], "bad")

    # -- signing in -------------------------------------------------------------------------------

    def _on_sign_in_clicked(self) -> None:
        inputs = self._inputs()
        if inputs is None or self.capabilities is None:
            return
        name, url, key = inputs
        if not name:
            self._set_status("Give the account a name (it is how you pick it later).", "bad")
            self.name_field.setFocus()
            return
        self._set_busy(True, "Signing in…")
        self._tasks.run(
            lambda _ctx: self._directory.sign_in(name, url, key),
            on_done=self._on_signed_in,
            on_error=self._on_failed,
            owner=self,
        )

    def _on_signed_in(self, outcome: SignInOutcome) -> None:
        self._set_busy(False, "")
        self.outcome = outcome
        self.accept()

    # -- helpers ----------------------------------------------------------------------------------

    def _set_busy(self, busy: bool, text: str) -> None:
        for widget in (self.check_button, self.name_field, self.url_field, self.key_field):
            widget.setEnabled(not busy)
        self.sign_in_button.setEnabled(not busy and self.capabilities is not None)
        if text:
            self._set_status(text, "")

    def _set_status(self, text: str, tone: str) -> None:
        self.status.setText(text)
        self.status.setProperty("feedback", tone)
        theme.repolish(self.status)

    def done(self, result: int) -> None:
        self.key_field.clear()  # the key does not outlive the dialog
        super().done(result)
