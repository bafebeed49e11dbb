"""PyInstaller entry for both executables: the same `clickdrop-desktop` front end as `pip install`."""

from __future__ import annotations

import os
import sys


def _ensure_stdio() -> None:
    # A windowed Windows/macOS executable starts with sys.stdout/stderr = None; a library that
    # writes to them unguarded would crash the app, so give them a sink (the log has the details).
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115


if __name__ == "__main__":
    _ensure_stdio()
    from clickdrop_desktop.cli import main

    raise SystemExit(main())
