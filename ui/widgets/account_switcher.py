"""The toolbar's account button: which account is active (always visible), switch, add, lock,
sign out."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from ui.icons import icon
from ui.services.views import AccountInfo

_TYPE_TEXT = {"OBA": "Business (OBA)", "OLP": "Pay as you go", "ChannelShipper": "ChannelShipper"}


class AccountSwitcher(QToolButton):
    switch_requested = Signal(str)
    add_requested = Signal()
    lock_requested = Signal()
    sign_out_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AccountSwitcher")
        self.setAccessibleName("Account")
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setIcon(icon("account"))
        self._menu = QMenu(self)
        self.setMenu(self._menu)
        self._accounts: list[AccountInfo] = []
        self.set_accounts([])

    @property
    def active(self) -> AccountInfo | None:
        return next((a for a in self._accounts if a.active), None)

    def set_accounts(self, accounts: list[AccountInfo]) -> None:
        self._accounts = list(accounts)
        active = self.active
        if active is None:
            self.setText("Not signed in")
            self.setToolTip("Sign in to a Click & Drop account")
        else:
            kind = _TYPE_TEXT.get(active.account_type, active.account_type)
            self.setText(f"{active.name}" + (f"  ·  {kind}" if kind else ""))
            self.setToolTip(f"Signed in to {active.name}. Click to switch account or sign out.")
        self._rebuild_menu()

    def _rebuild_menu(self) -> None:
        menu = self._menu
        menu.clear()
        if self._accounts:
            menu.addSection("Accounts on this computer")
        for account in self._accounts:
            kind = _TYPE_TEXT.get(account.account_type, account.account_type)
            action = QAction(f"{account.name}" + (f"  ({kind})" if kind else ""), menu)
            action.setCheckable(True)
            action.setChecked(account.active)
            action.triggered.connect(lambda _c=False, n=account.name: self.switch_requested.emit(n))
            menu.addAction(action)
        menu.addSeparator()
        add = menu.addAction(icon("key"), "Add account…")
        add.triggered.connect(self.add_requested)
        active = self.active
        if active is not None:
            lock = menu.addAction(icon("lock"), "Lock")
            lock.setToolTip("Forget the keys until you unlock again (data is kept)")
            lock.triggered.connect(self.lock_requested)
            out = menu.addAction(icon("signout"), f"Sign out of {active.name}…")
            out.triggered.connect(lambda _c=False, n=active.name: self.sign_out_requested.emit(n))
