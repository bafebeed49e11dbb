"""One replay per account at a time, across processes (the app and a CLI flush): a file lock.

Why not only the claim's compare-and-set: a live replayer's request may take longer than the
settle time (a slow answer within the client's timeout); another process would then see its
op as settled, read it back before the server applied it, and send it again. With this lock
the only `sending` ops another process ever reconciles are those of a replayer that is gone
(the OS releases the lock of a killed process), whose requests settle in seconds.
"""

from __future__ import annotations

from pathlib import Path

from clickdrop_desktop.filelock import FileLock


class ReplayLock(FileLock):
    """A non-blocking exclusive lock on `<store>.replay-lock`; `acquire()` says if it got it."""

    def __init__(self, store_path: Path) -> None:
        super().__init__(store_path.with_name(store_path.stem + ".replay-lock"))

    def acquire(self) -> bool:
        return self.try_acquire(shared=False)
