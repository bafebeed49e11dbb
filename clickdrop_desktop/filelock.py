"""Advisory file locks across processes: shared or exclusive, never waiting, gone with the process.

POSIX: `fcntl.flock` (LOCK_SH / LOCK_EX with LOCK_NB). The kernel drops a flock when the last
descriptor of its open file closes, so a process killed with SIGKILL leaves no stale lock.

Windows (UNTESTED here, kept deliberately simple): `msvcrt.locking` has byte-range locks but no
shared mode. A shared holder locks ONE byte of its own in a range of `_SLOTS` bytes (the first
free one); an exclusive holder locks byte 0 and the whole range at once, which fails while any
shared holder holds its byte, and makes every shared attempt fail while it is held. Windows
also releases a dead process's byte-range locks. More than `_SLOTS` concurrent shared holders
of one file would be refused (far beyond the handful of windows and commands one user runs).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from clickdrop_desktop.closing import Closing

_SLOTS = 64  # Windows only: concurrent shared holders of one lock file


class FileLock(Closing):
    """A non-blocking lock on `path` (created 0600 if absent; never deleted: unlinking a lock
    file while another process holds or is about to take it would split the lock in two)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._held: tuple[int, int] | None = None  # Windows: (offset, length) locked
        self.shared: bool | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_acquire(self, *, shared: bool) -> bool:
        """Take the lock now or return False (another process holds a conflicting one).

        A lock already held by this object is kept as it is (True).
        """
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            held = _try_lock(fd, shared=shared)
        except BaseException:
            os.close(fd)
            raise
        if held is None:
            os.close(fd)
            return False
        self._fd, self._held, self.shared = fd, held, shared
        return True

    def release(self) -> None:
        if self._fd is None:
            return
        fd, held, self._fd, self._held = self._fd, self._held, None, None
        self.shared = None
        try:
            _unlock(fd, held)
        finally:
            os.close(fd)

    close = release  # what leaving a `with` block does (Closing)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds only
    import msvcrt

    def _lock_range(fd: int, offset: int, length: int) -> bool:
        os.lseek(fd, offset, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, length)
        except OSError:
            return False
        return True

    def _try_lock(fd: int, *, shared: bool) -> tuple[int, int] | None:
        if not shared:
            return (0, _SLOTS + 1) if _lock_range(fd, 0, _SLOTS + 1) else None
        # Start at a slot picked by the pid so two openers rarely probe the same bytes.
        first = os.getpid() % _SLOTS
        for step in range(_SLOTS):
            offset = 1 + (first + step) % _SLOTS
            if _lock_range(fd, offset, 1):
                return (offset, 1)
        return None

    def _unlock(fd: int, held: tuple[int, int] | None) -> None:
        if held is not None:
            os.lseek(fd, held[0], os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, held[1])

else:
    import fcntl

    def _try_lock(fd: int, *, shared: bool) -> tuple[int, int] | None:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        return (0, 0)

    def _unlock(fd: int, held: tuple[int, int] | None) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def in_use_lock(store_path: Path) -> FileLock:
    """The lock every opener of an account's store holds shared while it is open, and a cache
    rebuild holds exclusive: `<store stem>.in-use` in the account's folder."""
    return FileLock(store_path.with_name(store_path.stem + ".in-use"))
