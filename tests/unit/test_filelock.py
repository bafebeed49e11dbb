"""The cross-process file lock: shared holders coexist, an exclusive one excludes them, and a
process killed with SIGKILL leaves no stale lock (the kernel drops a flock with its files)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from clickdrop_desktop.filelock import FileLock, in_use_lock
from clickdrop_desktop.outbox.lock import ReplayLock

HOLD = """
import sys
from pathlib import Path
from clickdrop_desktop.filelock import FileLock
lock = FileLock(Path(sys.argv[1]))
assert lock.try_acquire(shared=sys.argv[2] == "shared")
print("held", flush=True)
sys.stdin.read()
"""


def _holder(path: Path, mode: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_shared_holders_coexist_and_exclude_an_exclusive_one(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    with FileLock(path) as a, FileLock(path) as b, FileLock(path) as c:
        assert a.try_acquire(shared=True)
        assert b.try_acquire(shared=True)
        assert not c.try_acquire(shared=False)
        assert not c.held
        a.release()
        assert not c.try_acquire(shared=False)  # b still holds it
        b.release()
        assert c.try_acquire(shared=False)
        assert c.held
        assert c.shared is False
        assert not a.try_acquire(shared=True)  # exclusive excludes shared too
    assert path.exists()  # never unlinked: another process may be about to take it


def test_acquire_twice_keeps_the_lock_and_release_is_idempotent(tmp_path: Path) -> None:
    lock = FileLock(tmp_path / "x.lock")
    assert lock.try_acquire(shared=True)
    assert lock.try_acquire(shared=False)  # already held: kept as it is
    assert lock.shared is True
    lock.release()
    lock.release()
    assert not lock.held


def test_the_in_use_lock_lives_in_the_account_folder(tmp_path: Path) -> None:
    store = tmp_path / "acct" / "store.db"
    assert in_use_lock(store).path == tmp_path / "acct" / "store.in-use"
    assert ReplayLock(store).path == tmp_path / "acct" / "store.replay-lock"


@pytest.mark.parametrize("mode", ["shared", "exclusive"])
def test_a_holder_killed_with_sigkill_leaves_no_stale_lock(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "x.lock"
    proc = _holder(path, mode)
    try:
        with FileLock(path) as other:
            assert not other.try_acquire(shared=False)
            proc.send_signal(signal.SIGKILL)
            assert proc.wait(timeout=30) == -signal.SIGKILL
            assert other.try_acquire(shared=False)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()
