"""Damage deep inside an open account's cache file (the store opened normally) surfaces from the
first job that reads it: the window offers the rebuild once, rebuilds, and reopens the account;
declined, it says what happened and does not ask again for that opening."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject

from clickdrop_desktop.store import OutboxState, StoreCorrupt
from tests.unit.vault.cache_fixtures import NAME, PASSPHRASE, passphrase_vault, populate
from tests.unit.vault.test_cache_damage_surfaces import damage_orders_page
from ui.controllers.accounts import AccountsController
from ui.services.accounts_adapter import VaultAccounts
from ui.services.workspace import Workspace
from ui.tasks import TaskRunner

TIMEOUT_MS = 60_000


@pytest.fixture
def controller(qtbot) -> Iterator[AccountsController]:
    owner = QObject()
    tasks = TaskRunner(owner)
    directory = VaultAccounts(passphrase_vault())
    directory.provide_passphrase(PASSPHRASE)
    made = AccountsController(tasks, directory, owner)
    yield made
    made.close_current()
    tasks.shutdown()


def _asked(controller: AccountsController, answer: bool) -> list[tuple[str, str, bool]]:
    asked: list[tuple[str, str, bool]] = []

    def confirm(name: str, problem: str, pending: bool) -> bool:
        asked.append((name, problem, pending))
        return answer

    controller.confirm_rebuild = confirm
    return asked


def _open_damaged(qtbot, controller: AccountsController) -> tuple[int, Workspace]:
    ident = populate(passphrase_vault())
    damage_orders_page(passphrase_vault())
    with qtbot.waitSignal(controller.workspace_opened, timeout=TIMEOUT_MS):
        controller.open(NAME)  # opens normally: the damage is deep inside the file
    workspace = controller.workspace
    assert workspace is not None
    return ident, workspace


def _read_orders(qtbot, controller: AccountsController, workspace: Workspace) -> None:
    """A job that reads the damaged page, as the table, a sync or a print would."""
    failures: list[BaseException] = []
    store = workspace.store
    controller._tasks.run(lambda _ctx: store.query_orders(limit=1000), on_error=failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=TIMEOUT_MS)
    assert isinstance(failures[0], StoreCorrupt)


def test_the_first_job_that_meets_the_damage_offers_the_rebuild_and_reopens(
    qtbot, controller: AccountsController
) -> None:
    ident, damaged = _open_damaged(qtbot, controller)
    asked = _asked(controller, True)
    rebuilt: list[list[str]] = []
    controller.cache_rebuilt.connect(lambda _name, lines: rebuilt.append(lines))
    with qtbot.waitSignal(controller.workspace_opened, timeout=TIMEOUT_MS):
        _read_orders(qtbot, controller, damaged)
    assert asked == [(NAME, "the order cache file is damaged", False)]
    assert rebuilt
    assert rebuilt[0][0].startswith(f"{NAME}: the order cache was rebuilt")
    workspace = controller.workspace
    assert workspace is not None
    assert workspace is not damaged
    # The unsent change survived, and the rebuilt store reads.
    pending = workspace.store.outbox.list([OutboxState.PENDING])
    assert [op.order_identifier for op in pending] == [ident]
    workspace.store.query_orders(limit=1000)


def test_declined_it_says_so_once_and_keeps_the_account_open(
    qtbot, controller: AccountsController
) -> None:
    _ident, damaged = _open_damaged(qtbot, controller)
    asked = _asked(controller, False)
    shown: list[str] = []
    controller.open_failed.connect(shown.append)
    _read_orders(qtbot, controller, damaged)
    qtbot.waitUntil(lambda: bool(shown), timeout=TIMEOUT_MS)
    _read_orders(qtbot, controller, damaged)  # every later read fails the same way
    assert asked == [(NAME, "the order cache file is damaged", False)]
    assert shown == [
        f"{NAME}: the order cache file is damaged "
        "(the rebuild is offered again when the account reopens)"
    ]
    assert controller.workspace is damaged  # what still reads (cached labels) stays usable


def test_other_failures_offer_nothing(qtbot, controller: AccountsController) -> None:
    populate(passphrase_vault())
    with qtbot.waitSignal(controller.workspace_opened, timeout=TIMEOUT_MS):
        controller.open(NAME)
    asked = _asked(controller, True)
    failures: list[BaseException] = []

    def fail(_ctx: object) -> None:
        raise OSError("the printer went away")

    controller._tasks.run(fail, on_error=failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=TIMEOUT_MS)
    assert asked == []
