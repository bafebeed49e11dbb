"""Real accounts in the GUI: sign in through the dialog (keys to the vault's keyring), sync,
lock, sign out (crypto-shred). The keyring is python-keyring's API over an in-memory backend."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt

from clickdrop_desktop.accounts import AccountRegistry
from clickdrop_desktop.paths import data_dir
from clickdrop_desktop.vault import DEFAULT_ALLOWED_BACKENDS, ScryptParams, Vault
from tests.helpers.memory_keyring import (  # noqa: F401 - fixtures
    MEMORY_KEYRING,
    MemoryKeyring,
    _restore_keyring,
    memory_keyring,
)
from tests.helpers.stubs import ScriptedDialogs, UiBeeps
from tests.ui.conftest import wait_synced
from ui.context import AppContext
from ui.controllers.bundle import Controllers
from ui.feedback import Feedback
from ui.preferences import Preferences, open_settings
from ui.services.accounts_adapter import VaultAccounts
from ui.tasks import TaskRunner


def _window(qtbot, directory: VaultAccounts):
    from ui.main_window import MainWindow

    owner = QObject()
    ctx = AppContext(
        tasks=TaskRunner(owner),
        settings=open_settings(),
        feedback=Feedback(owner, beep=UiBeeps()),
        dialogs=ScriptedDialogs(),  # type: ignore[arg-type]
        prefs=Preferences(),
    )
    window = MainWindow(ctx, Controllers.create(ctx, directory, owner))
    qtbot.addWidget(window)
    window.show()
    return window, ctx, owner


def test_sign_in_sync_lock_and_sign_out(qtbot, memory_keyring: MemoryKeyring, demo_env) -> None:  # noqa: F811
    vault = Vault(
        AccountRegistry(),
        allowed_backends=DEFAULT_ALLOWED_BACKENDS | {MEMORY_KEYRING},
        kdf=ScryptParams(n=2**12),
    )
    directory = VaultAccounts(vault)
    window, ctx, owner = _window(qtbot, directory)
    window.c.accounts.restore_last()
    assert window.stack.currentWidget() is window.welcome  # nobody signed in yet
    api_key = demo_env.info.account("oba").api_key

    def fill_in(dialog) -> int:
        dialog.url_field.setText(demo_env.info.url)
        dialog.key_field.setText(api_key)
        qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(dialog.sign_in_button.isEnabled, timeout=20_000)
        dialog.name_field.setText("Shop")
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=20_000)
        return 1

    ctx.dialogs.on_open["sign_in"] = fill_in
    window.logic.sign_in()
    wait_synced(qtbot, window)
    assert window.logic.workspace.name == "Shop"
    assert window.account_switcher.text().startswith("Shop")
    # The API key went to the keyring, and into no file under the data dir.
    assert any(api_key == v for v in memory_keyring.entries.values())
    for path in Path(data_dir()).rglob("*"):
        if path.is_file():
            assert api_key.encode() not in path.read_bytes(), path

    window.c.accounts.lock()
    assert window.logic.workspace is None
    assert window.model.rowCount() == 0

    ctx.dialogs.confirm_answers = [True]
    window.logic.sign_out("Shop")
    qtbot.waitUntil(lambda: AccountRegistry().list() == [], timeout=30_000)
    assert not any(api_key == v for v in memory_keyring.entries.values())
    assert not list((Path(data_dir()) / "accounts").glob("Shop-*"))
    window.close()
    assert ctx.tasks.shutdown(10_000)
    owner.deleteLater()


def test_without_a_trusted_keyring_a_passphrase_protects_the_keys(
    qtbot,
    memory_keyring: MemoryKeyring,  # noqa: F811 - selected, but not on the vault's allowlist
    demo_env,
) -> None:
    vault = Vault(AccountRegistry(), kdf=ScryptParams(n=2**12))
    directory = VaultAccounts(vault)
    window, ctx, owner = _window(qtbot, directory)
    first, second = "correct horse battery staple", "tr0ub4dor & 3 more words"
    ctx.dialogs.passphrases = [first]

    def fill_in(dialog) -> int:
        dialog.url_field.setText(demo_env.info.url)
        dialog.key_field.setText(demo_env.info.account("oba").api_key)
        qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(dialog.sign_in_button.isEnabled, timeout=20_000)
        dialog.name_field.setText("Laptop")
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=20_000)
        return 1

    ctx.dialogs.on_open["sign_in"] = fill_in
    window.logic.sign_in()
    wait_synced(qtbot, window)
    assert (
        "passphrase",
        "This computer has no secure keyring, so a passphrase protects the keys.",
    ) in ctx.dialogs.asked
    assert memory_keyring.entries == {}
    assert list((Path(data_dir()) / "accounts").glob("Laptop-*/keys.wrapped"))

    ctx.dialogs.passphrases = [first, second]
    changer = window.logic._passphrase_changer()
    assert changer is not None
    changer()
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage() == "Passphrase changed", timeout=20_000
    )

    # Locked, then opened again from a fresh vault: only the new passphrase opens it.
    window.c.accounts.lock()
    window.close()
    assert ctx.tasks.shutdown(10_000)
    fresh = VaultAccounts(Vault(AccountRegistry(), kdf=ScryptParams(n=2**12)))
    assert fresh.needs_passphrase("Laptop")
    fresh.provide_passphrase(second)
    session = fresh.open_session("Laptop")
    assert session.store.count_orders() > 0
    session.close()
    owner.deleteLater()
