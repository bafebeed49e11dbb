"""Fixtures for the desktop app's tests."""

from __future__ import annotations

import pytest

# The offscreen platform plugin warns on every top-level show that it cannot pass size hints to
# a window manager it does not have (qoffscreen: "This plugin does not support
# propagateSizeHints()"). It says nothing about our code; every other Qt warning still fails.
_OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/ui/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(_OFFSCREEN_NOISE))


# -- the whole app against the in-process sandbox and virtual printer ------------------------------

from collections.abc import Iterator  # noqa: E402 - fixtures below share these imports

from PySide6.QtCore import QObject  # noqa: E402

from clickdrop_desktop.paths import data_dir  # noqa: E402
from tests.helpers.stubs import ScriptedDialogs, UiBeeps  # noqa: E402
from ui.context import AppContext  # noqa: E402
from ui.controllers.bundle import Controllers  # noqa: E402
from ui.demo import DemoAccounts, DemoEnvironment  # noqa: E402
from ui.feedback import Feedback  # noqa: E402
from ui.preferences import Preferences, open_settings  # noqa: E402
from ui.tasks import TaskRunner  # noqa: E402

SYNC_TIMEOUT_MS = 30_000


@pytest.fixture
def demo_env() -> Iterator[DemoEnvironment]:
    env = DemoEnvironment(data_dir(), orders=30, rate_limit=0)
    env.start()
    yield env
    env.stop()


@pytest.fixture
def beeps() -> UiBeeps:
    return UiBeeps()


@pytest.fixture
def app_window(qtbot, demo_env: DemoEnvironment, beeps: UiBeeps):
    from ui.main_window import MainWindow

    owner = QObject()
    ctx = AppContext(
        tasks=TaskRunner(owner),
        settings=open_settings(),
        feedback=Feedback(owner, beep=beeps),
        dialogs=ScriptedDialogs(),  # type: ignore[arg-type]
        demo=True,
        prefs=demo_env.preferences(Preferences()),
    )
    assert demo_env.info is not None
    directory = DemoAccounts(demo_env.info)
    window = MainWindow(ctx, Controllers.create(ctx, directory, owner))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.c.accounts.restore_last()
    wait_synced(qtbot, window)
    # The first sync's after-sync work (outbox pass, retention purge of despatched orders past
    # 90 days, the table's re-read) runs after its rows show: every test starts from a quiet
    # app, not racing that purge (a tab's count read before it, the store's count after).
    qtbot.waitUntil(
        lambda: ctx.tasks.active_count == 0 and window.model.settled, timeout=SYNC_TIMEOUT_MS
    )
    yield window
    window.close()
    assert ctx.tasks.shutdown(10_000)
    owner.deleteLater()
    assert_no_workers_left()


#: Threads the app starts for an open account; all stopped and joined once it closes.
_WORKER_THREADS = ("connectivity-probe", "sync-prefetch", "sync-confirm", "print-render-ahead")


def assert_no_workers_left(timeout_s: float = 10.0) -> None:
    """A worker outliving its window would fail (or print into) whichever test runs next."""
    import threading
    import time

    deadline = time.monotonic() + timeout_s
    left = []
    for thread in threading.enumerate():
        if thread.name.startswith(_WORKER_THREADS):
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                left.append(thread.name)
    assert left == [], f"worker threads left running after the window closed: {left}"


def wait_synced(qtbot, window) -> None:
    qtbot.waitUntil(
        lambda: (
            window.logic.workspace is not None
            and not window.c.sync.running
            and window.model.settled
            and window.model.rowCount() > 0
        ),
        timeout=SYNC_TIMEOUT_MS,
    )


# -- an accounts controller over a real vault whose cache a test damages -------------------------


@pytest.fixture
def vault_controller(qtbot):
    """`AccountsController` over the passphrase vault of tests/unit/vault/cache_fixtures.py."""
    from tests.unit.vault.cache_fixtures import PASSPHRASE, passphrase_vault
    from ui.controllers.accounts import AccountsController
    from ui.services.accounts_adapter import VaultAccounts

    owner = QObject()
    tasks = TaskRunner(owner)
    directory = VaultAccounts(passphrase_vault())
    directory.provide_passphrase(PASSPHRASE)
    made = AccountsController(tasks, directory, owner)
    yield made
    made.close_current()
    tasks.shutdown()


def answer_rebuild(controller, answer: bool) -> list[tuple[str, str, bool]]:
    """Answer the controller's rebuild offers with `answer`; returns the offers made."""
    asked: list[tuple[str, str, bool]] = []

    def confirm(name: str, problem: str, pending: bool) -> bool:
        asked.append((name, problem, pending))
        return answer

    controller.confirm_rebuild = confirm
    return asked
