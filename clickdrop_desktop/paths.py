"""Where the app keeps its data: one place, `CLICKDROP_DATA_DIR` overrides everything."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

APP_NAME = "ClickDropDesktop"
_ACCOUNT_DIR_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def data_dir() -> Path:
    """The app's data directory, created `0700` if missing."""
    override = os.environ.get("CLICKDROP_DATA_DIR")
    if override:
        path = Path(override)
    else:
        # Imported only here: with the override set (tests, benches, portable installs) the
        # app starts without loading platformdirs at all.
        import platformdirs

        path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    ensure_private_dir(path)
    return path


def accounts_dir() -> Path:
    path = data_dir() / "accounts"
    ensure_private_dir(path)
    return path


def account_dir(account_name: str) -> Path:
    """One folder per account; the name is made filesystem-safe but stays recognisable."""
    safe = _ACCOUNT_DIR_SAFE.sub("_", account_name.strip()) or "_"
    path = accounts_dir() / safe
    ensure_private_dir(path)
    return path


def ensure_private_dir(path: Path) -> None:
    """Create `path` (and parents) and make it `0700`, so other local users cannot read it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        os.chmod(path, 0o700)


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically: temp file, `0600` before any byte, fsync, replace."""
    ensure_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        if os.name == "posix":
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if os.name == "posix":
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
