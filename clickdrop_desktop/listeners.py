"""Callbacks that any thread may add or remove while events are being told: one small registry
for the session's call events, the connectivity state and the print queue's jobs."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, ParamSpec

P = ParamSpec("P")

log = logging.getLogger(__name__)


class Listeners(Generic[P]):
    """Listeners told in the order they were added, each on the thread that tells them.

    `isolate`: a listener's exception is logged under that text and the others are still told
    (for events whose sender must not fail because a view did); without it, it propagates.
    """

    def __init__(self, *, isolate: str | None = None) -> None:
        self._lock = threading.Lock()
        self._listeners: list[Callable[P, None]] = []
        self._isolate = isolate

    def add(self, listener: Callable[P, None]) -> Callable[[], None]:
        """Tell `listener` from now on; returns the function that removes it (twice is fine)."""
        with self._lock:
            self._listeners.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove

    def tell(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Call every listener with these arguments (those added meanwhile wait for the next)."""
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            if self._isolate is None:
                listener(*args, **kwargs)
                continue
            try:
                listener(*args, **kwargs)
            except Exception:
                log.exception("%s", self._isolate)

    def clear(self) -> None:
        with self._lock:
            self._listeners.clear()
