"""Retention has one source, the account's store: `cache --retention off` from the real CLI shows
as "Keep everything" in Settings and survives the GUI's after-sync purge; 30 days chosen in
Settings is what `cache --retention` then shows; a window's sync keeps to what the store holds."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import pytest

from clickdrop_desktop.connectivity import Connectivity
from clickdrop_desktop.store import OrderSource, Store
from tests.helpers.cli import cli
from tests.helpers.order_factory import full_orders
from tests.unit.vault.cache_fixtures import NAME, PASSPHRASE, passphrase_vault, populate
from ui.dialogs.settings_dialog import KEEP_EVERYTHING, SettingsDialog
from ui.preferences import Preferences
from ui.services.outbox_service import OutboxService
from ui.tasks import SyncTaskRunner

pytestmark = pytest.mark.e2e

OLD_ID = 9_100_001


def _old_despatched() -> object:
    return dataclasses.replace(
        full_orders(1, start=OLD_ID)[0], shipped_on=datetime.now(UTC) - timedelta(days=400)
    )


def _open_store() -> Store:
    vault = passphrase_vault()
    vault.unlock(NAME, passphrase=PASSPHRASE)
    return vault.open_store(NAME)


def _shown_by_cli() -> dict[str, object]:
    done = cli("cache", "--retention", "--account", NAME, "--json")
    assert done.returncode == 0, done.stderr
    shown: dict[str, object] = json.loads(done.stdout)
    return shown


def _settings(store: Store) -> SettingsDialog:
    return SettingsDialog(Preferences(), SyncTaskRunner(), retention=store.retention)


def test_cli_off_shows_in_settings_and_survives_a_gui_sync(qtbot) -> None:
    populate(passphrase_vault())  # records 30 days
    with _open_store() as store:
        store.upsert_orders([_old_despatched()], OrderSource.FULL)  # type: ignore[list-item]
    done = cli("cache", "--retention", "off", "--account", NAME)
    assert done.returncode == 0, done.stderr
    assert "kept however old (retention off)" in done.stdout

    with _open_store() as store:
        dialog = _settings(store)
        qtbot.addWidget(dialog)
        assert dialog.retention.isEnabled()
        assert dialog.retention.value() == KEEP_EVERYTHING
        assert dialog.retention.text() == "Keep everything"
        assert dialog.retention_days() is None
        # What the window runs after each sync, with the app's default preference (90 days).
        service = OutboxService(store, None, Connectivity())
        assert service.purge_expired(Preferences().retention_days) == 0
        assert store.get_order(OLD_ID) is not None
        assert store.retention.period_days() is None
        # Saving Settings unchanged writes nothing and keeps the preference as it was.
        dialog._on_save_clicked()
        assert dialog.result_prefs is not None
        assert dialog.result_prefs.retention_days == Preferences().retention_days
        again = _settings(store)
        qtbot.addWidget(again)
        assert again.retention_days() is None
    assert _shown_by_cli() == {"account": NAME, "retention_days": None, "recorded": True}


def test_thirty_days_from_settings_is_what_the_cli_shows(qtbot) -> None:
    populate(passphrase_vault())
    assert cli("cache", "--retention", "off", "--account", NAME).returncode == 0
    with _open_store() as store:
        dialog = _settings(store)
        qtbot.addWidget(dialog)
        dialog.retention.setValue(30)
        dialog._on_save_clicked()
        assert dialog.result() == dialog.DialogCode.Accepted
        assert store.retention.period_days() == 30
    assert _shown_by_cli() == {"account": NAME, "retention_days": 30, "recorded": True}
    done = cli("cache", "--retention", "--account", NAME)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        f"{NAME}: orders despatched more than 30 day(s) ago are not kept"
    )
    # And back: "Keep everything" chosen in Settings is `off` for the CLI.
    with _open_store() as store:
        dialog = _settings(store)
        qtbot.addWidget(dialog)
        assert dialog.retention.value() == 30
        dialog.retention.setValue(KEEP_EVERYTHING)
        dialog._on_save_clicked()
    assert _shown_by_cli()["retention_days"] is None


def test_an_account_that_never_recorded_a_period_adopts_the_preference_once(qtbot) -> None:
    vault = passphrase_vault()
    populate(vault)
    with _open_store() as store:
        store.retention.set_period(None)
        with store._db.transaction() as conn:  # as an account from before the store held it
            conn.execute("DELETE FROM meta WHERE key = 'retention_days'")
        dialog = _settings(store)
        qtbot.addWidget(dialog)
        assert dialog.retention.value() == Preferences().retention_days  # what a sync applies
        service = OutboxService(store, None, Connectivity())
        service.purge_expired(45)
        assert store.retention.period_days() == 45
        service.purge_expired(90)  # the preference changed later: the record stands
        assert store.retention.period_days() == 45


def test_the_window_sync_keeps_to_the_store_not_the_preference(qtbot, app_window) -> None:
    w = app_window
    store = w.logic.workspace.store
    assert w.ctx.prefs.retention_days < 400
    store.retention.set_period(None)  # what `cache --retention off` records
    store.upsert_orders([_old_despatched()], OrderSource.FULL)  # type: ignore[list-item]
    syncs = w.c.sync
    with qtbot.waitSignal(syncs.finished, timeout=60_000):
        syncs.sync_now()
    qtbot.waitUntil(lambda: w.ctx.tasks.active_count == 0, timeout=30_000)
    assert store.get_order(OLD_ID) is not None
    assert store.retention.recorded()
    assert store.retention.period_days() is None


def test_the_window_settings_dialog_shows_and_writes_the_store_record(qtbot, app_window) -> None:
    w = app_window
    store = w.logic.workspace.store
    store.retention.set_period(None)  # what `cache --retention off` records
    seen: list[int | None] = []

    def drive(dialog: SettingsDialog) -> int:
        # The record is read on the accounts lane; the box stays disabled until it arrives.
        qtbot.waitUntil(dialog.retention.isEnabled, timeout=30_000)
        seen.append(dialog.retention_days())
        dialog.retention.setValue(30)
        dialog._on_save_clicked()
        return int(dialog.result())

    w.ctx.dialogs.on_open["settings"] = drive
    w.logic.open_settings()
    assert seen == [None]
    qtbot.waitUntil(lambda: store.retention.period_days() == 30, timeout=30_000)
    assert w.ctx.prefs.retention_days == Preferences().retention_days  # the default, untouched
