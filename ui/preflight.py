"""Before Qt starts: what would make it abort the process without a word (no display, a missing
system library), said in one line instead, with what to do."""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

#: Qt's X11 platform plugin (Qt 6.5 and later) cannot load without it; Qt then aborts.
XCB_CURSOR = "libxcb-cursor.so.0"


def _loads(name: str) -> bool:
    try:
        ctypes.CDLL(name)
    except OSError:
        return False
    return True


def display_problem(
    environ: Mapping[str, str] | None = None,
    *,
    platform: str = sys.platform,
    loads: Callable[[str], bool] = _loads,
    bundle: Path | None = None,
) -> str | None:
    """Why Qt could not open a window here (one line), or None when it can try.

    Only Linux's X11 path is checked: Windows and macOS always have their platform, Wayland
    and `QT_QPA_PLATFORM=offscreen` need neither a DISPLAY nor libxcb-cursor.
    """
    env = os.environ if environ is None else environ
    if platform != "linux":
        return None
    chosen = env.get("QT_QPA_PLATFORM", "")
    if chosen and not chosen.startswith("xcb"):
        return None  # offscreen, wayland, vnc…: Qt's own choice, checked by Qt
    if not chosen and (env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE") == "wayland"):
        return None  # a Wayland session: Qt uses its Wayland plugin
    if not env.get("DISPLAY"):
        return (
            "there is no display to open a window on (DISPLAY is not set): start the app from "
            "a desktop session, or use the command line (clickdrop-desktop --help)"
        )
    if bundle is None and getattr(sys, "frozen", False):
        bundle = Path(getattr(sys, "_MEIPASS", ""))
    found = loads(XCB_CURSOR) or (bundle is not None and (bundle / XCB_CURSOR).is_file())
    if not found:
        return (
            "Qt needs the system library libxcb-cursor0 to open a window on X11: install it "
            "(Debian/Ubuntu: sudo apt install libxcb-cursor0; Fedora: sudo dnf install "
            "xcb-util-cursor) and start the app again"
        )
    return None
