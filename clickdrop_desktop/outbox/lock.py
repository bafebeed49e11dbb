"""One replay per account at a time, across processes (the app and a CLI flush): a file lock.

Why not only the claim's compare-and-set: a live replayer's request may take longer than the
settle time (a slow answer within the client's timeout); another process would then see its
op as settled, read it back before the server applied it, and send it again. With this lock
the only `sending` ops another process ever reconciles are those of a replayer that is gone
(the OS releases the lock of a killed process), whose requests settle in seconds.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from clickdrop_desktop.closing import Closing


class ReplayLock(Closing):
    """A non-blocking exclusive lock on `<store>.replay-lock`; `acquire()` says if it got it."""

    def __init__(self, store_path: Path) -> None:
        self.path = store_path.with_name(store_path.stem + ".replay-lock")
        self._fd: int | None = None

    def acquire(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if not _try_lock(fd):
                os.close(fd)
                return False
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            _unlock(fd)
        finally:
            os.close(fd)

    close = release  # what leaving a `with` block does (Closing)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
