"""Repairing a damaged cache from the GUI: the dialog says what a rebuild keeps and loses; opening
an account whose real store file is damaged on disk (or whose rebuild did not finish) offers it,
rebuilds on a worker, and opens the account with its unsent change."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from clickdrop_desktop.cache_repair import MARK
from clickdrop_desktop.store import OutboxState
from clickdrop_desktop.vault import store_path
from tests.ui.conftest import answer_rebuild
from tests.unit.vault.cache_fixtures import (
    NAME,
    another_process_holding_it_open,
    damage,
    passphrase_vault,
    populate,
)
from ui.controllers.accounts import AccountsController
from ui.dialogs.rebuild_cache import RebuildCacheDialog

VAULT_TESTS = Path(__file__).resolve().parents[1] / "unit" / "vault"
TIMEOUT_MS = 60_000


# -- the dialog ----------------------------------------------------------------------------------


def test_the_dialog_says_what_a_rebuild_keeps_and_loses(qtbot) -> None:
    dialog = RebuildCacheDialog("<b>Shop</b>", "the order cache file is damaged")
    qtbot.addWidget(dialog)
    assert dialog.heading.text() == "The order cache of <b>Shop</b> is damaged"  # plain text
    assert dialog.heading.textFormat() is Qt.TextFormat.PlainText
    assert dialog.problem.text() == "The order cache file is damaged"
    keeps, loses = dialog.keeps.text(), dialog.loses.text()
    for kept in ("not yet sent", "outbox journal", "retention period", "trading names", "incident"):
        assert kept in keeps
    assert "moved aside, not deleted" in keeps
    assert "Cached labels, with their print history" in keeps
    assert "how many could not be kept" in keeps
    for lost in ("Cached labels on damaged parts", "may be billed"):
        assert lost in loses
    assert dialog.rebuild_button.text() == "Rebuild cache"
    assert dialog.rebuild_button.isDefault()
    dialog.open()
    qtbot.mouseClick(dialog.rebuild_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == RebuildCacheDialog.DialogCode.Accepted


def test_the_dialog_for_an_unfinished_rebuild_offers_to_finish_it(qtbot) -> None:
    dialog = RebuildCacheDialog("Shop", "a rebuild is unfinished", pending=True)
    qtbot.addWidget(dialog)
    assert "did not finish" in dialog.heading.text()
    assert dialog.rebuild_button.text() == "Finish the rebuild"
    dialog.open()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == RebuildCacheDialog.DialogCode.Rejected


# -- the flow, over a real damaged store -----------------------------------------------------------


def test_a_damaged_store_offers_a_rebuild_then_opens_with_the_unsent_change(
    qtbot, vault_controller: AccountsController
) -> None:
    ident = populate(passphrase_vault())
    path = damage(passphrase_vault(), page=0)  # bytes overwritten inside the file's first page
    old_key = passphrase_vault().registry.get(NAME).key_id
    asked = answer_rebuild(vault_controller, True)
    rebuilt: list[list[str]] = []
    vault_controller.cache_rebuilt.connect(lambda _name, lines: rebuilt.append(lines))
    with qtbot.waitSignal(vault_controller.workspace_opened, timeout=TIMEOUT_MS):
        vault_controller.open(NAME)
    assert len(asked) == 1
    name, problem, pending = asked[0]
    assert (name, pending) == (NAME, False)
    assert "damaged" in problem
    assert "clickdrop-desktop" not in problem  # the dialog is the repair, not the command
    assert rebuilt
    assert rebuilt[0][0].startswith(f"{NAME}: the order cache was rebuilt under a new key")
    workspace = vault_controller.workspace
    assert workspace is not None
    pending_ops = workspace.store.outbox.list([OutboxState.PENDING])
    assert [op.order_identifier for op in pending_ops] == [ident]
    # A first page that fails authentication yields nothing more: the report says what went.
    assert any(line.strip().startswith("not recoverable:") for line in rebuilt[0])
    assert passphrase_vault().registry.get(NAME).key_id != old_key
    assert list(path.parent.glob("store.db.damaged-*"))


def test_declining_the_rebuild_leaves_the_file_and_shows_the_error(
    qtbot, vault_controller: AccountsController
) -> None:
    populate(passphrase_vault())
    path = damage(passphrase_vault(), page=0)
    before = path.read_bytes()
    asked = answer_rebuild(vault_controller, False)
    with qtbot.waitSignal(vault_controller.open_failed, timeout=TIMEOUT_MS) as failed:
        vault_controller.open(NAME)
    assert len(asked) == 1
    assert failed.args[0].startswith(f"Could not open {NAME}: the order cache file is damaged")
    assert path.read_bytes() == before
    assert vault_controller.workspace is None


def test_an_unfinished_rebuild_is_offered_as_finish_and_completes(
    qtbot, vault_controller: AccountsController
) -> None:
    ident = populate(passphrase_vault())
    damage(passphrase_vault(), page=0)
    # A real rebuild killed with SIGKILL after its N-th step, for the first N that leaves it
    # marked unfinished (the mark is written once the new key is staged).
    for kill_at in range(1, 20):
        killed = subprocess.run(
            [sys.executable, str(VAULT_TESTS / "rebuild_worker.py"), str(kill_at)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert killed.returncode < 0, killed.stderr
        if MARK in passphrase_vault().registry.get(NAME).extra:
            break
    else:
        pytest.fail("no step of the rebuild left it unfinished")
    asked = answer_rebuild(vault_controller, True)
    with qtbot.waitSignal(vault_controller.workspace_opened, timeout=TIMEOUT_MS):
        vault_controller.open(NAME)
    assert [(a[0], a[2]) for a in asked] == [(NAME, True)]
    workspace = vault_controller.workspace
    assert workspace is not None
    assert [op.order_identifier for op in workspace.store.outbox.list([OutboxState.PENDING])] == [
        ident
    ]
    assert MARK not in passphrase_vault().registry.get(NAME).extra


def test_a_rebuild_refused_because_another_process_has_it_open_says_so(
    qtbot, vault_controller: AccountsController
) -> None:
    populate(passphrase_vault())
    with another_process_holding_it_open():
        with qtbot.waitSignal(vault_controller.open_failed, timeout=TIMEOUT_MS) as failed:
            vault_controller.rebuild_cache(NAME)
        assert failed.args[0] == (
            f"Could not rebuild the order cache of {NAME}: the account {NAME!r} is open in "
            "another Click & Drop Desktop window or command; close it and run "
            "'clickdrop-desktop cache --rebuild' again"
        )
        assert not list(
            store_path(passphrase_vault().registry.get(NAME)).parent.glob("*.damaged-*")
        )


# -- asking ----------------------------------------------------------------------------------------


def test_ask_rebuild_shows_the_dialog_modally_and_returns_the_choice(qtbot) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.dialogs.rebuild_cache import ask_rebuild

    def click(button: str) -> None:
        dialog = next(
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, RebuildCacheDialog) and w.isVisible()
        )
        qtbot.mouseClick(getattr(dialog, button), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, lambda: click("rebuild_button"))
    assert ask_rebuild("Shop", "damaged") is True
    QTimer.singleShot(0, lambda: click("cancel_button"))
    assert ask_rebuild("Shop", "damaged", pending=True) is False


def test_wrapped_bullets_stay_indented_under_their_text(qtbot) -> None:
    dialog = RebuildCacheDialog("Shop", "the order cache file is damaged")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    labels = dialog.keeps.findChildren(QLabel)
    marks = [label for label in labels if label.text() == "•"]
    lines = [label for label in labels if label.text() != "•"]
    assert len(marks) == len(lines) == 4
    assert min(line.x() for line in lines) > max(mark.x() + mark.width() for mark in marks)
    assert all(line.wordWrap() for line in lines)
