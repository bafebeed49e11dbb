"""Run-time hook in place of PyInstaller's `pyi_rth_pyside6`: Qt's paths without importing Qt.

PyInstaller's own hook imports PySide6.QtCore when any executable of the bundle starts, so every
CLI command (`sync`, `print`, `--version`) would load Qt and ICU for nothing (DESIGN.md: a CLI
command never pays for Qt start-up). Qt finds its plugins through QT_PLUGIN_PATH, which is all
this app needs from the relocation (no QML, no translations, no QtWebEngine helpers).
"""

import os
import sys


def _rthook() -> None:
    base = sys._MEIPASS  # type: ignore[attr-defined]  # set by the PyInstaller bootloader
    if sys.platform.startswith("win"):
        qt = os.path.join(base, "PySide6")
        # Qt's plugins load Qt DLLs collected next to them or in the bundle's top folder.
        os.environ["PATH"] = base + os.pathsep + os.environ.get("PATH", "")
    else:
        qt = os.path.join(base, "PySide6", "Qt")
    os.environ["QT_PLUGIN_PATH"] = os.path.join(qt, "plugins")


_rthook()
del _rthook
