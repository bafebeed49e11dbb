"""Damage deep inside an open account's cache file (the store opened normally) surfaces from the
first job that reads it: the window offers the rebuild once, rebuilds, and reopens the account;
declined, it says what happened and does not ask again for that opening."""

from __future__ import annotations

from clickdrop_desktop.store import OutboxState, StoreCorrupt
from tests.ui.conftest import answer_rebuild
from tests.unit.vault.cache_fixtures import NAME, passphrase_vault, populate
from tests.unit.vault.test_cache_damage_surfaces import damage_orders_page
from ui.controllers.accounts import AccountsController
from ui.services.workspace import Workspace

TIMEOUT_MS = 60_000


def _open_damaged(qtbot, vault_controller: AccountsController) -> tuple[int, Workspace]:
    ident = populate(passphrase_vault())
    damage_orders_page(passphrase_vault())
    with qtbot.waitSignal(vault_controller.workspace_opened, timeout=TIMEOUT_MS):
        vault_controller.open(NAME)  # opens normally: the damage is deep inside the file
    workspace = vault_controller.workspace
    assert workspace is not None
    return ident, workspace


def _read_orders(qtbot, vault_controller: AccountsController, workspace: Workspace) -> None:
    """A job that reads the damaged page, as the table, a sync or a print would."""
    failures: list[BaseException] = []
    store = workspace.store
    vault_controller._tasks.run(
        lambda _ctx: store.query_orders(limit=1000), on_error=failures.append
    )
    qtbot.waitUntil(lambda: bool(failures), timeout=TIMEOUT_MS)
    assert isinstance(failures[0], StoreCorrupt)


def test_the_first_job_that_meets_the_damage_offers_the_rebuild_and_reopens(
    qtbot, vault_controller: AccountsController
) -> None:
    ident, damaged = _open_damaged(qtbot, vault_controller)
    asked = answer_rebuild(vault_controller, True)
    rebuilt: list[list[str]] = []
    vault_controller.cache_rebuilt.connect(lambda _name, lines: rebuilt.append(lines))
    with qtbot.waitSignal(vault_controller.workspace_opened, timeout=TIMEOUT_MS):
        _read_orders(qtbot, vault_controller, damaged)
    assert asked == [(NAME, "the order cache file is damaged", False)]
    assert rebuilt
    assert rebuilt[0][0].startswith(f"{NAME}: the order cache was rebuilt")
    workspace = vault_controller.workspace
    assert workspace is not None
    assert workspace is not damaged
    # The unsent change survived, and the rebuilt store reads.
    pending = workspace.store.outbox.list([OutboxState.PENDING])
    assert [op.order_identifier for op in pending] == [ident]
    workspace.store.query_orders(limit=1000)


def test_declined_it_says_so_once_and_keeps_the_account_open(
    qtbot, vault_controller: AccountsController
) -> None:
    _ident, damaged = _open_damaged(qtbot, vault_controller)
    asked = answer_rebuild(vault_controller, False)
    shown: list[str] = []
    vault_controller.open_failed.connect(shown.append)
    _read_orders(qtbot, vault_controller, damaged)
    qtbot.waitUntil(lambda: bool(shown), timeout=TIMEOUT_MS)
    _read_orders(qtbot, vault_controller, damaged)  # every later read fails the same way
    assert asked == [(NAME, "the order cache file is damaged", False)]
    assert shown == [
        f"{NAME}: the order cache file is damaged "
        "(the rebuild is offered again when the account reopens)"
    ]
    assert vault_controller.workspace is damaged  # what still reads (cached labels) stays usable


def test_other_failures_offer_nothing(qtbot, vault_controller: AccountsController) -> None:
    populate(passphrase_vault())
    with qtbot.waitSignal(vault_controller.workspace_opened, timeout=TIMEOUT_MS):
        vault_controller.open(NAME)
    asked = answer_rebuild(vault_controller, True)
    failures: list[BaseException] = []

    def fail(_ctx: object) -> None:
        raise OSError("the printer went away")

    vault_controller._tasks.run(fail, on_error=failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=TIMEOUT_MS)
    assert asked == []
