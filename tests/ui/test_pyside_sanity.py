"""Guards against Qt binding bugs that would crash the app long after start-up."""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal()


def test_signal_emit_keeps_bool_refcounts(qtbot) -> None:
    # PySide6 6.12.0 drops a reference to Py_True on every emit(); on Python 3.11 the process
    # then aborts ("bool_dealloc") after enough signals. pyproject.toml excludes that release.
    emitter = _Emitter()
    gc.collect()
    before = sys.getrefcount(True)
    for _ in range(200):
        emitter.fired.emit()
    gc.collect()
    assert sys.getrefcount(True) >= before - 5
