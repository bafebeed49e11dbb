"""kill -9 of `cache --rebuild` after each of its steps, then run again: the rebuild finishes,
the unsent change is there once, the account opens with its new key, the old key is gone and
the damaged file is kept aside (once)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from clickdrop_desktop.cache_repair import BUILD_FILE, MARK, check_cache
from clickdrop_desktop.store import OutboxState
from clickdrop_desktop.vault import WRAPPED_FILE, store_path
from clickdrop_desktop.vault.wrapping import unwrap
from tests.unit.vault.cache_fixtures import NAME, PASSPHRASE, damage, passphrase_vault, populate

pytestmark = pytest.mark.e2e

WORKER = Path(__file__).with_name("rebuild_worker.py")


def _rebuild(kill_at: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(WORKER), str(kill_at)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _check_finished(old_key_id: str, ident: int) -> None:
    vault = passphrase_vault()
    record = vault.registry.get(NAME)
    assert MARK not in record.extra
    assert record.key_id != old_key_id
    blob = (record.directory / WRAPPED_FILE).read_bytes()
    keys = unwrap(blob, passphrase=PASSPHRASE, account_id=record.account_id, name=NAME)
    assert set(keys) == {"api_key", "store_key"}  # no staged key left, one live key
    folder = store_path(record).parent
    assert not (folder / BUILD_FILE).exists()
    aside = [p for p in folder.glob("store.db.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
    assert len(aside) == 1
    assert not list(folder.glob("*.old-*"))  # the old wrapped keys were overwritten, then gone
    vault.unlock(NAME, passphrase=PASSPHRASE)
    with vault.open_store(NAME) as store:
        pending = store.outbox.list([OutboxState.PENDING])
        assert [p.order_identifier for p in pending] == [ident]
        assert store.retention.period_days() == 30
    assert check_cache(vault, NAME, passphrase=PASSPHRASE).ok


def test_a_rebuild_killed_after_any_step_finishes_when_run_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kill_at = 1
    while True:
        monkeypatch.setenv("CLICKDROP_DATA_DIR", str(tmp_path / f"kill-{kill_at}"))
        vault = passphrase_vault()
        ident = populate(vault)
        old_key_id = vault.registry.get(NAME).key_id
        damage(vault)
        vault.lock()
        done = _rebuild(kill_at)
        if done.returncode == 0:
            steps = int(done.stdout.split()[0])
            _check_finished(old_key_id, ident)
            break
        assert done.returncode == -signal.SIGKILL, done.stderr
        record = passphrase_vault().registry.get(NAME)
        if MARK in record.extra or record.key_id == old_key_id:  # else killed after the end
            again = _rebuild(0)
            assert again.returncode == 0, again.stderr
            assert again.stdout.split()[1] == "1"  # the unsent change, restored once
        _check_finished(old_key_id, ident)
        kill_at += 1
    assert steps == kill_at - 1  # every step was a kill point once
    assert steps >= 10
