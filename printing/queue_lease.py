"""A print worker's lease: proof, to other processes, that the worker sending a job is alive.

Each `PrintQueue` holds an exclusive lock on its own file, `<dir>/<id>.lock`, for its lifetime,
and every job it moves to `sending` names that id. A lock held with flock (POSIX) or
`msvcrt.locking` (Windows) dies with its process, kill -9 included, so a job in `sending` whose
lease file can be locked by someone else was left behind by a dead worker.
"""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
import weakref
from pathlib import Path
from typing import IO


class WorkerLease:
    """This worker's identity while it lives (see the module docstring)."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.directory = directory
        self.id = f"w{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.path = directory / f"{self.id}.lock"
        self._handle: IO[bytes] | None = open(self.path, "wb")  # noqa: SIM115 - held for life
        if not _try_lock(self._handle):
            self._handle.close()
            raise RuntimeError(f"cannot lock {self.path}")
        # A queue dropped without close() must not leak its file (or hold the lease forever).
        self._finalizer = weakref.finalize(self, self._handle.close)

    @property
    def held(self) -> bool:
        return self._handle is not None

    def is_alive(self, lease_id: str | None) -> bool:
        """Does a live worker hold the lease `lease_id`? (This one's, while not released.)"""
        if not lease_id:
            return False
        if lease_id == self.id:
            return self.held
        if os.sep in lease_id or (os.altsep and os.altsep in lease_id) or lease_id.startswith("."):
            return False  # not one of ours: never a path outside the lease folder
        path = self.directory / f"{lease_id}.lock"
        try:
            handle = open(path, "ab")  # noqa: SIM115 - closed below
        except OSError:
            return False
        try:
            if not _try_lock(handle):
                return True
            _unlock(handle)
        finally:
            handle.close()
        with contextlib.suppress(OSError):
            path.unlink()  # a dead worker's file: tidy up
        return False

    def release(self) -> None:
        if self._handle is None:
            return
        handle, self._handle = self._handle, None
        self._finalizer.detach()
        with contextlib.suppress(OSError):
            _unlock(handle)
        handle.close()
        with contextlib.suppress(OSError):
            self.path.unlink()


def _try_lock(handle: IO[bytes]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
