"""The dialogs the main window opens: settings, passphrase change, incidents, shortcuts.

The base of `ui.window_logic.WindowLogic`, kept apart so each stays small. Every dialog is
built when first asked for (none is part of the first frame) and run through `ctx.dialogs`,
which tests answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from clickdrop_desktop.errors import describe

if TYPE_CHECKING:
    from clickdrop_desktop.errors import IsolationAlert
    from clickdrop_desktop.sync.incidents import Incident
    from ui.main_window import MainWindow
    from ui.services.workspace import Workspace


#: How long a passing message stays in the status bar (the state it reports is shown elsewhere).
STATUS_MESSAGE_MS = 12_000


class WindowDialogs:
    def __init__(self, window: MainWindow) -> None:
        self.w = window
        self.workspace: Workspace | None = None

    def status(self, text: str) -> None:
        """A passing message (a print queued, a change sent): it clears by itself, so an old
        one is never read as news."""
        self.w.statusBar().showMessage(text, STATUS_MESSAGE_MS)

    def show_error(self, text: str) -> None:
        self.status(text)
        self.w.ctx.dialogs.error(self.w, "Click & Drop Desktop", text)

    def open_settings(self) -> None:
        from ui.dialogs.settings_dialog import SettingsDialog
        from ui.services import printer_setup

        w = self.w
        dialog = SettingsDialog(
            w.ctx.prefs,
            w.ctx.tasks,
            w,
            discover=printer_setup.discover_printers,
            test_print=printer_setup.test_print,
            change_passphrase=self._passphrase_changer(),
            # Retention is the open account's store record (shown, and written on Save).
            retention=self.workspace.store.retention if self.workspace is not None else None,
        )
        if w.ctx.demo:  # the dialog's tooltip speaks of the keyring, which a demo never uses
            dialog.passphrase_button.setToolTip(
                "Demo mode: keys are kept only in memory and forgotten when the app closes; "
                "there is no passphrase to change"
            )
        if w.ctx.dialogs.open_dialog("settings", dialog) and dialog.result_prefs is not None:
            w.ctx.save_preferences(dialog.result_prefs)
            w.c.sync.set_interval(dialog.result_prefs.sync_interval_minutes)
            if self.workspace is not None:
                w.idle_lock.set_minutes(dialog.result_prefs.lock_after_idle_minutes)
            self.status("Settings saved")
        dialog.deleteLater()

    def _passphrase_changer(self) -> Callable[[], None] | None:
        """Settings' "Change passphrase…", only for an account whose keys use one."""
        w, workspace = self.w, self.workspace
        directory = w.c.accounts.directory
        uses = getattr(directory, "uses_passphrase", None)
        change = getattr(directory, "change_passphrase", None)
        if workspace is None or uses is None or change is None or not uses(workspace.name):
            return None
        name = workspace.name

        def run() -> None:
            old = w.ctx.dialogs.passphrase(w, "Change passphrase", "Current passphrase")
            new = old and w.ctx.dialogs.passphrase(w, "Change passphrase", "New passphrase")
            if not old or not new:
                return
            w.ctx.tasks.run(
                lambda _ctx: change(name, old, new),
                on_done=lambda _r: self.status("Passphrase changed"),
                on_error=lambda exc: self.show_error(describe(exc)[0]),
                owner=w,
                lane="accounts",
            )

        return run

    def _incidents(self) -> list[Incident]:
        from clickdrop_desktop.sync.store_adapter import StoreSyncStorage

        if self.workspace is None:
            return []
        return list(StoreSyncStorage(self.workspace.store).incidents())

    def show_isolation_alert(self, exc: IsolationAlert) -> None:
        from clickdrop_desktop.sync.incidents import Incident

        incident = getattr(exc, "incident", None)
        incidents = [incident] if isinstance(incident, Incident) else self._incidents()
        if incidents:
            self._open_incidents(incidents, resumable=True)

    def show_incidents(self) -> None:
        incidents = self._incidents()
        if not incidents:
            self.w.ctx.dialogs.info(self.w, "Incidents", "No isolation incident was recorded.")
            return
        self._open_incidents(incidents, resumable=False)

    def _open_incidents(self, incidents: list[Incident], *, resumable: bool) -> None:
        from clickdrop_desktop.sync.engine import acknowledge
        from clickdrop_desktop.sync.store_adapter import StoreSyncStorage
        from ui.dialogs.isolation_alert import IsolationAlertDialog

        w, workspace = self.w, self.workspace
        if workspace is None:
            return

        def resume() -> None:
            acknowledge(StoreSyncStorage(workspace.store))
            w.c.sync.sync_now()

        dialog = IsolationAlertDialog(
            workspace.name,
            incidents,
            lambda title, name, filters: w.ctx.dialogs.save_file(w, title, name, filters),
            w,
            on_resume=resume if resumable else None,
        )
        w.ctx.dialogs.open_dialog("isolation_alert", dialog)
        dialog.deleteLater()

    def show_shortcuts(self) -> None:
        from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout

        w = self.w
        dialog = QDialog(w)
        dialog.setWindowTitle("Keyboard shortcuts")
        form = QFormLayout()
        form.setVerticalSpacing(6)
        form.setHorizontalSpacing(24)
        for text, keys in w.commands.shortcut_table():
            key = QLabel(keys)
            key.setObjectName("Badge")
            form.addRow(text, key)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.addLayout(form)
        layout.addWidget(buttons)
        w.ctx.dialogs.open_dialog("shortcuts", dialog)
        dialog.deleteLater()
