"""kill -9 of a writer mid-transaction, many times: the store opens, passes its integrity
checks, and orders, sync state, outbox and journal agree (no half-written batch)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clickdrop_desktop.store import Store, journal_path
from clickdrop_desktop.store.journal import JournalState, OutboxJournal

WRITER = Path(__file__).with_name("crash_writer.py")
ACCOUNT = "acct-crash"
BATCH = 50


def _run_and_kill(path: Path, key: bytes, after_lines: int, kill_delay: float) -> int:
    """Start a writer, let it commit `after_lines` batches, SIGKILL it; the last total seen."""
    process = subprocess.Popen(
        [sys.executable, str(WRITER), str(path), ACCOUNT],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(key.hex() + "\n")
    process.stdin.flush()
    last = -1
    for _ in range(after_lines):
        line = process.stdout.readline()
        if not line:
            break
        last = int(line)
    # Right after a commit was reported the writer is inside its next transaction; a random
    # few milliseconds more pick a random point in it (upsert, journal fsync, COMMIT, marker).
    time.sleep(kill_delay)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process.stdout.close()
    process.stdin.close()
    return last


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX kill -9")
def test_killed_writer_leaves_a_consistent_store(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    key = os.urandom(32)
    rng = random.Random(1234)
    Store.open(path, key, account_id=ACCOUNT).close()
    for round_ in range(10):
        seen = _run_and_kill(path, key, rng.randint(1, 5), rng.uniform(0, 0.008))
        assert seen > 0, f"round {round_}: the writer never committed"
        # A WAL left behind: the next open runs the full integrity check itself.
        with Store.open(path, key, account_id=ACCOUNT, verify=True) as store:
            total = int(store.sync_state.get("total") or 0)
            assert total >= seen  # nothing acknowledged was lost
            assert total % BATCH == 0  # no half batch
            assert len(store.all_order_ids()) == total
            assert store.count_orders() + store.count_orders(status=None) >= total
            outbox = store.outbox.list()  # no op without its batch, no batch without its op
            assert len(outbox) == total // BATCH
            assert sorted(i.payload["through"] for i in outbox) == list(
                range(BATCH, total + 1, BATCH)
            )
            with store._db.read() as conn:
                conn.execute("INSERT INTO orders_fts (orders_fts) VALUES ('integrity-check')")
        contents = OutboxJournal(journal_path(path), key, ACCOUNT).read()
        assert contents.state in (JournalState.OK, JournalState.MISSING)
        assert {op["payload"]["through"] for op in contents.ops.values()} == {
            i.payload["through"] for i in outbox
        }
