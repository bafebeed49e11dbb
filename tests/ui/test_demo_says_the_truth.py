"""What a new user is told: the demo offers its own sandbox and says keys stay in memory; the
welcome page says the demo exists."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from ui.demo import DemoEnvironment
from ui.dialogs.sign_in import PRODUCTION_URL, SignInDialog
from ui.tasks import SyncTaskRunner
from ui.widgets.welcome import WelcomePanel


def _texts(widget: Any) -> str:
    return "\n".join(label.text() for label in widget.findChildren(QLabel))


def test_add_account_in_the_demo_offers_the_sandbox_and_says_the_key_stays_in_memory(
    app_window, demo_env: DemoEnvironment
) -> None:
    seen: list[tuple[str, str]] = []

    def look(dialog: SignInDialog) -> int:
        seen.append((dialog.url_field.text(), _texts(dialog)))
        return 0  # cancelled

    app_window.ctx.dialogs.on_open["sign_in"] = look
    app_window.logic.sign_in()
    assert demo_env.info is not None
    assert len(seen) == 1
    url, texts = seen[0]
    assert url == demo_env.info.url != PRODUCTION_URL
    assert "only in memory" in texts
    assert "keyring" not in texts


def test_settings_in_the_demo_does_not_claim_a_keyring(app_window) -> None:
    tips: list[str] = []

    def look(dialog: Any) -> int:
        tips.append(dialog.passphrase_button.toolTip())
        return 0  # cancelled

    app_window.ctx.dialogs.on_open["settings"] = look
    app_window.logic.open_settings()
    assert len(tips) == 1
    assert "only in memory" in tips[0]
    assert "keyring" not in tips[0]


def test_outside_the_demo_sign_in_offers_royal_mails_api_and_the_keyring(qtbot) -> None:
    class Directory:  # a real account directory has no service of its own to offer
        pass

    dialog = SignInDialog(SyncTaskRunner(), Directory())  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    assert dialog.url_field.text() == PRODUCTION_URL
    assert "system's keyring" in _texts(dialog)
    explicit = SignInDialog(SyncTaskRunner(), Directory(), api_url="http://127.0.0.1:9/api/v1")  # type: ignore[arg-type]
    qtbot.addWidget(explicit)
    assert explicit.url_field.text() == "http://127.0.0.1:9/api/v1"


def test_the_welcome_page_mentions_the_demo_in_one_plain_line(qtbot) -> None:
    panel = WelcomePanel()
    qtbot.addWidget(panel)
    hint = panel.demo_hint
    assert "clickdrop-desktop --demo" in hint.text()
    assert "python3 dev.py demo" in hint.text()
    assert hint.textFormat() == Qt.TextFormat.PlainText
    assert hint.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    for width in (700, 1366):
        panel.resize(width, 560)
        panel.show()
        qtbot.waitExposed(panel)
        qtbot.waitUntil(lambda: hint.height() >= hint.heightForWidth(hint.width()))
        assert hint.isVisible()
        assert hint.width() <= 460
