"""The sandbox's request log: every API call, so tests can assert exactly-once replay."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime
from typing import Any

_MAX_ENTRIES = 200_000  # a long benchmark must not grow the log without bound


class RequestLog:
    """Entries in arrival order; `mutating` marks calls that change upstream state."""

    def __init__(self) -> None:
        self._entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._seq = itertools.count(1)

    def record(
        self,
        *,
        method: str,
        path: str,
        account: str | None,
        body: Any,
        status: int | None,
        delivered: bool,
        mutating: bool,
        fault: str | None,
    ) -> None:
        entry = {
            "seq": next(self._seq),
            "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "method": method,
            "path": path,
            "account": account,
            "body": body,
            "status": status,
            "delivered": delivered,
            "mutating": mutating,
            "fault": fault,
        }
        with self._lock:
            self._entries.append(entry)
            if len(self._entries) > _MAX_ENTRIES:
                del self._entries[: len(self._entries) - _MAX_ENTRIES]

    def query(self, *, everything: bool = False, since: int = 0) -> list[dict[str, Any]]:
        with self._lock:
            return [e for e in self._entries if e["seq"] > since and (everything or e["mutating"])]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
