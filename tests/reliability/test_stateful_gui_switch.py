"""Switching account while a sync of the previous account is still running, in the real window.

The previous account's session is closed under its sync (the sync is cancelled, but a page may
be in flight): its failure is not the new account's news, and the new account must still get
its own first sync. Found by the plain-text walk (test_plaintext_widgets.py), which switches
accounts right after Click & Drop comes back online (and a sync starts by itself).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QObject

from clickdrop_desktop.paths import data_dir
from tests.helpers.stubs import ScriptedDialogs, UiBeeps
from tests.reliability.ledger import Tally
from ui.context import AppContext
from ui.controllers.bundle import Controllers
from ui.demo import DemoAccounts, DemoEnvironment
from ui.feedback import Feedback
from ui.preferences import Preferences, open_settings
from ui.tasks import TaskRunner

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")

TIMEOUT_MS = 30_000


@pytest.fixture
def window_and_env(qtbot: Any) -> Iterator[tuple[Any, DemoEnvironment]]:
    env = DemoEnvironment(data_dir(), orders=400, rate_limit=0)
    info = env.start()
    from ui.main_window import MainWindow

    owner = QObject()
    ctx = AppContext(
        tasks=TaskRunner(owner),
        settings=open_settings(),
        feedback=Feedback(owner, beep=UiBeeps()),
        dialogs=ScriptedDialogs(),  # type: ignore[arg-type]
        demo=True,
        prefs=env.preferences(Preferences()),
    )
    window = MainWindow(ctx, Controllers.create(ctx, DemoAccounts(info), owner))
    qtbot.addWidget(window)
    window.show()
    try:
        yield window, env
    finally:
        window.close()
        assert ctx.tasks.shutdown(10_000)
        owner.deleteLater()
        env.stop()


def opened(window: Any, name: str) -> bool:
    return window.logic.workspace is not None and window.logic.workspace.name == name


@pytest.mark.parametrize("cycles", [3])
def test_switching_account_mid_sync_syncs_the_new_account(
    qtbot: Any, window_and_env: tuple[Any, DemoEnvironment], cycles: int
) -> None:
    window, env = window_and_env
    failures: list[str] = []
    window.c.sync.failed.connect(failures.append)
    tally = Tally("GUI: account switch while a sync runs", unit="switches")
    accounts = ["Demo shop", "Demo marketplace"]
    window.c.accounts.open(accounts[0])
    qtbot.waitUntil(lambda: opened(window, accounts[0]), timeout=TIMEOUT_MS)
    for n in range(cycles * 2):
        other = accounts[(n + 1) % 2]
        env.info.set_fault("slow", delay_ms=150)  # a sync of this account is running ...
        window.c.sync.sync_now()
        qtbot.waitUntil(lambda: window.c.sync.running, timeout=TIMEOUT_MS)
        window.c.accounts.open(other)  # ... when the user switches
        qtbot.waitUntil(lambda other=other: opened(window, other), timeout=TIMEOUT_MS)
        env.info.clear_faults()
        qtbot.waitUntil(
            lambda: not window.c.sync.running and window.model.rowCount() > 0,
            timeout=TIMEOUT_MS,
        )
        assert opened(window, other)
        tally.runs += 1
        tally.faults += 1
    tally.notes["failures_shown"] = len(failures)
    tally.record()
    assert failures == [], failures
