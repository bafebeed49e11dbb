"""Faults switched on at run time through `/_sandbox/faults` (see server.py for the control API)."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# kind -> allowed options (besides the common count, duration_s, account, path, method)
FAULT_OPTIONS: dict[str, frozenset[str]] = {
    "maintenance": frozenset({"retry_after", "body"}),
    "slow": frozenset({"delay_ms"}),
    "drop": frozenset({"when"}),
    "storm": frozenset({"retry_after"}),
    "error_500": frozenset(),
    "malformed": frozenset(),
    "truncated": frozenset(),
    "leak_mixed": frozenset({"from_account", "leak_count"}),
    "leak_extra_ids": frozenset({"from_account", "leak_count"}),
    "leak_shared_cache": frozenset({"from_account", "age"}),
    "leak_trading_name": frozenset({"from_account"}),
    "mutate_immutable": frozenset({"order", "fields"}),
}
_DEFAULTS: dict[str, Any] = {"when": "before", "body": "html"}
_COMMON = frozenset({"kind", "count", "duration_s", "account", "path", "method"})
IMMUTABLE_FIELDS = ("orderReference", "createdOn")


class FaultSpecError(ValueError):
    """A fault request the control API cannot honour; the message says which part."""


@dataclass(slots=True)
class Fault:
    """One active fault. `remaining` None fires until cleared; `until` is a monotonic time."""

    id: int
    kind: str
    remaining: int | None
    until: float | None
    account: str | None
    path: str | None
    method: str | None
    options: dict[str, Any] = field(default_factory=dict)
    fired: int = 0

    def public(self) -> dict[str, Any]:
        left = None if self.until is None else max(0.0, round(self.until - time.monotonic(), 3))
        return {
            "id": self.id,
            "kind": self.kind,
            "remaining": self.remaining,
            "seconds_left": left,
            "account": self.account,
            "path": self.path,
            "method": self.method,
            "fired": self.fired,
            **self.options,
        }

    def matches(self, method: str, path: str, account: str | None) -> bool:
        if self.until is not None and time.monotonic() >= self.until:
            return False
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.account is not None and self.account != account:
            return False
        if self.path is not None and self.path not in path:
            return False
        return self.method is None or self.method == method


def _opt_int(spec: dict[str, Any], key: str, low: int, high: int) -> int | None:
    value = spec.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FaultSpecError(f"{key} must be an integer from {low} to {high}")
    return value


class FaultRegistry:
    """The active faults. Thread-safe: request threads take faults while tests add them."""

    def __init__(self, account_names: list[str]) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._accounts = account_names

    def add(self, spec: object) -> Fault:
        if not isinstance(spec, dict):
            raise FaultSpecError("the body must be a JSON object with a 'kind'")
        kind = spec.get("kind")
        if kind not in FAULT_OPTIONS:
            raise FaultSpecError(f"kind must be one of {', '.join(sorted(FAULT_OPTIONS))}")
        unknown = set(spec) - _COMMON - FAULT_OPTIONS[kind]
        if unknown:
            raise FaultSpecError(f"unknown option(s) for {kind}: {', '.join(sorted(unknown))}")
        options = {k: v for k, v in spec.items() if k in FAULT_OPTIONS[kind]}
        self._check_options(kind, options)
        count = _opt_int(spec, "count", 1, 1_000_000)
        duration = spec.get("duration_s")
        if duration is not None and (
            isinstance(duration, bool) or not isinstance(duration, int | float) or duration <= 0
        ):
            raise FaultSpecError("duration_s must be a positive number")
        for key in ("account", "path", "method"):
            if spec.get(key) is not None and not isinstance(spec[key], str):
                raise FaultSpecError(f"{key} must be a string")
        if spec.get("account") is not None and spec["account"] not in self._accounts:
            raise FaultSpecError(f"no account named {spec['account']!r}")
        fault = Fault(
            id=next(self._ids),
            kind=kind,
            remaining=count,
            until=None if duration is None else time.monotonic() + float(duration),
            account=spec.get("account"),
            path=spec.get("path"),
            method=spec["method"].upper() if spec.get("method") else None,
            options=options,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def _check_options(self, kind: str, options: dict[str, Any]) -> None:
        _opt_int(options, "retry_after", 0, 86400)
        _opt_int(options, "delay_ms", 0, 600_000)
        _opt_int(options, "leak_count", 1, 100)
        _opt_int(options, "age", 0, 86400)
        _opt_int(options, "order", 1, 2**31 - 1)
        if kind == "slow" and "delay_ms" not in options:
            raise FaultSpecError("slow needs delay_ms")
        if options.get("when", "before") not in ("before", "after"):
            raise FaultSpecError("when must be 'before' or 'after'")
        if options.get("body", "html") not in ("html", "json", "empty"):
            raise FaultSpecError("body must be 'html', 'json' or 'empty'")
        source = options.get("from_account")
        if source is not None and source not in self._accounts:
            raise FaultSpecError(f"no account named {source!r}")
        fields = options.get("fields")
        if fields is not None and (
            not isinstance(fields, list) or not set(fields) <= set(IMMUTABLE_FIELDS) or not fields
        ):
            raise FaultSpecError(f"fields must be a non-empty subset of {list(IMMUTABLE_FIELDS)}")

    def take(
        self,
        kind: str,
        method: str,
        path: str,
        account: str | None,
        accept: Callable[[Fault], bool] | None = None,
        **option_filter: Any,
    ) -> Fault | None:
        """The first active fault of `kind` matching the request, counted as fired.

        `accept` can refuse a fault that cannot apply to this reply (it then stays unfired).
        """
        with self._lock:
            self._expire()
            for fault in self._faults:
                if fault.kind != kind or not fault.matches(method, path, account):
                    continue
                if any(
                    fault.options.get(k, _DEFAULTS.get(k)) != v for k, v in option_filter.items()
                ):
                    continue
                if accept is not None and not accept(fault):
                    continue
                fault.fired += 1
                if fault.remaining is not None:
                    fault.remaining -= 1
                return fault
        return None

    def _expire(self) -> None:
        now = time.monotonic()
        self._faults = [
            f
            for f in self._faults
            if (f.remaining is None or f.remaining > 0) and (f.until is None or f.until > now)
        ]

    def remove(self, fault_id: int) -> bool:
        with self._lock:
            before = len(self._faults)
            self._faults = [f for f in self._faults if f.id != fault_id]
            return len(self._faults) != before

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def public(self) -> list[dict[str, Any]]:
        with self._lock:
            self._expire()
            return [f.public() for f in self._faults]
