"""Every command of the window as a QAction with a shortcut, so the app works keyboard-only."""

from __future__ import annotations

from dataclasses import dataclass, fields

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

from ui.icons import icon

# name: (text, shortcut, icon, tip)
_SPECS: dict[str, tuple[str, str, str | None, str]] = {
    "sync": ("&Sync now", "F5", "sync", "Fetch this account's new and changed orders"),
    "cancel_sync": ("S&top sync", "Shift+F5", "cancel", "Stop the running sync"),
    "prepare": (
        "Prepare &labels…",
        "Ctrl+L",
        "prepare",
        "Generate the selected orders' labels in Click & Drop and keep them here (billable)",
    ),
    "print": ("&Print labels", "Ctrl+P", "print", "Print the selected orders' labels"),
    "reprint": (
        "&Reprint labels",
        "Ctrl+Shift+P",
        "reprint",
        "Print again labels that were printed before",
    ),
    "slip": ("Print packing &slips", "Ctrl+K", "slip", "Print our packing slip with its barcode"),
    "batch": (
        "&Batch print…",
        "Ctrl+B",
        "queue",
        "Print the selected labels in the order chosen in Settings",
    ),
    "despatch": ("Mark &despatched", "Ctrl+D", "despatch", "Tell Click & Drop these are sent"),
    "new_order": ("&New order…", "Ctrl+N", None, "Type in an order; it is sent when online"),
    "import_csv": (
        "&Import orders from CSV…",
        "Ctrl+I",
        None,
        "Read a shop's CSV export, check every row, import all or none",
    ),
    "manifest": (
        "End-of-day &manifest…",
        "",
        "export",
        "Manifest every eligible labelled order in Click & Drop (OBA; irreversible, billed)",
    ),
    "manifests": (
        "Print or sa&ve manifests…",
        "Ctrl+Shift+M",
        None,
        "The manifests kept here: print one or save its PDF (works offline)",
    ),
    "find": ("&Find orders", "Ctrl+F", "search", "Search reference, name, postcode, tracking"),
    "bench": ("&Bench mode", "F2", "bench", "Scan a barcode to print its label at once"),
    "focus_orders": ("Go to &orders", "F6", None, "Move the keyboard to the orders table"),
    "show_queue": ("Go to print &queue", "Ctrl+Shift+J", "queue", "Show the print queue"),
    "show_outbox": ("Go to &outbox", "Ctrl+Shift+O", "outbox", "Show changes waiting to be sent"),
    "flush_outbox": ("Send &waiting changes", "Ctrl+Shift+U", "outbox", "Replay the outbox now"),
    "settings": ("Se&ttings…", "Ctrl+,", "settings", "Printers, media, auto-print, retention"),
    "add_account": ("&Add account…", "Ctrl+Shift+A", "key", "Sign in with an API key"),
    "switch_account": (
        "S&witch account…",
        "Ctrl+Shift+S",
        "account",
        "Open the account menu: another account on this computer, lock or sign out",
    ),
    "lock": ("&Lock", "Ctrl+Shift+L", "lock", "Forget the keys until unlocked; data is kept"),
    "sign_out": ("Sign &out…", "", "signout", "Delete this account's keys and cached data"),
    "incidents": (
        "Export &incident record…",
        "",
        "export",
        "Save the isolation incident records as JSON for your breach log",
    ),
    "shortcuts": ("&Keyboard shortcuts", "F1", "info", "Every shortcut on one page"),
    "quit": ("&Quit", "Ctrl+Q", None, "Close the app"),
}


_TOOLBAR_TEXT = {
    "sync": "Sync",
    "prepare": "Prepare labels",
    "print": "Print",
    "reprint": "Reprint",
    "slip": "Packing slip",
    "despatch": "Despatched",
    "bench": "Bench mode",
    "settings": "Settings",
}


@dataclass
class Actions:
    sync: QAction
    cancel_sync: QAction
    prepare: QAction
    print: QAction
    reprint: QAction
    slip: QAction
    batch: QAction
    despatch: QAction
    new_order: QAction
    import_csv: QAction
    manifest: QAction
    manifests: QAction
    find: QAction
    bench: QAction
    focus_orders: QAction
    show_queue: QAction
    show_outbox: QAction
    flush_outbox: QAction
    settings: QAction
    add_account: QAction
    switch_account: QAction
    lock: QAction
    sign_out: QAction
    incidents: QAction
    shortcuts: QAction
    quit: QAction

    @classmethod
    def create(cls, parent: QObject) -> Actions:
        made: dict[str, QAction] = {}
        for name, (text, shortcut, icon_name, tip) in _SPECS.items():
            action = QAction(text, parent)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))  # the window's (Qt's default)
            if icon_name:
                action.setIcon(icon(icon_name))
            action.setToolTip(_tooltip(text, tip, shortcut))
            action.setStatusTip(tip)
            made[name] = action
        # Short words on the toolbar; the menus keep the full names.
        for name, short in _TOOLBAR_TEXT.items():
            made[name].setIconText(short)
        made["bench"].setCheckable(True)
        made["quit"].setMenuRole(QAction.MenuRole.QuitRole)
        made["settings"].setMenuRole(QAction.MenuRole.PreferencesRole)
        return cls(**made)

    def all(self) -> list[QAction]:
        return [getattr(self, f.name) for f in fields(self)]

    def needs_account(self) -> list[QAction]:
        """Enabled only while an account is open."""
        return [
            self.sync,
            self.prepare,
            self.print,
            self.reprint,
            self.slip,
            self.batch,
            self.despatch,
            self.new_order,
            self.import_csv,
            self.manifest,
            self.manifests,
            self.find,
            self.bench,
            self.lock,
            self.sign_out,
            self.incidents,
            self.flush_outbox,
        ]

    def needs_api(self) -> dict[QAction, str]:
        """Disabled while offline, with the reason as tooltip."""
        return {
            self.sync: "Click & Drop cannot be reached; cached orders stay usable",
            self.prepare: "Labels can only be made while Click & Drop answers",
            self.flush_outbox: "Waiting changes are sent when Click & Drop answers again",
            self.manifest: "A manifest can only be made while Click & Drop answers",
        }

    def set_api_available(self, available: bool, reason: str = "") -> None:
        for action, why in self.needs_api().items():
            spec = _SPECS[_name_of(self, action)]
            action.setToolTip(
                _tooltip(spec[0], spec[3], spec[1])
                if available
                else f"{_plain(spec[0])}: not now. {reason or why}"
            )
            action.setData(None if available else why)

    def shortcut_table(self) -> list[tuple[str, str]]:
        rows = []
        for action in self.all():
            if not action.shortcut().isEmpty():
                rows.append(
                    (
                        _plain(action.text()),
                        action.shortcut().toString(QKeySequence.SequenceFormat.NativeText),
                    )
                )
        rows += [
            ("Scan: print the label", "Enter (in the scan field)"),
            ("Scan: reprint deliberately", "Ctrl+Enter (in the scan field)"),
            ("Status tabs", "Alt+1 … Alt+5"),
            ("Clear the search", "Esc (in the search field)"),
            ("From the search to the orders", "Down (in the search field)"),
            ("New order: add a package", "Ctrl+Shift+N (in the New order dialog)"),
            ("New order: remove the last package", "Ctrl+Shift+Backspace (New order)"),
            ("Manifests: print / save the PDF", "Ctrl+P / Ctrl+S (in the Manifests dialog)"),
        ]
        return rows


def _name_of(actions: Actions, action: QAction) -> str:
    for f in fields(actions):
        if getattr(actions, f.name) is action:
            return f.name
    raise KeyError("unknown action")


def _plain(text: str) -> str:
    return text.replace("&", "").replace("…", "")


def _tooltip(text: str, tip: str, shortcut: str) -> str:
    shown = QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
    return f"{tip} ({shown})" if shortcut else tip
