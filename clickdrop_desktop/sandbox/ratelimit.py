"""Per-account rate limiting (upstream: 5 calls/s, older accounts 1/s, 429 beyond)."""

from __future__ import annotations

import threading
import time


class RateLimiter:
    """A token bucket per account: `rate` calls a second, bursts of up to `rate` calls.

    A rate of 0 turns limiting off. Rates can be changed at run time, for all accounts or one.
    """

    def __init__(self, rate: float) -> None:
        self.default_rate = rate
        self._rates: dict[str, float] = {}
        self._buckets: dict[str, tuple[float, float]] = {}  # account -> (tokens, last time)
        self._lock = threading.Lock()

    def rate_for(self, account: str) -> float:
        return self._rates.get(account, self.default_rate)

    def set_rate(self, rate: float, account: str | None = None) -> None:
        with self._lock:
            if account is None:
                self.default_rate = rate
                self._rates.clear()
            else:
                self._rates[account] = rate
            self._buckets.clear()

    def allow(self, account: str) -> bool:
        rate = self.rate_for(account)
        if rate <= 0:
            return True
        capacity = max(1.0, rate)
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(account, (capacity, now))
            tokens = min(capacity, tokens + (now - last) * rate)
            if tokens < 1.0:
                self._buckets[account] = (tokens, now)
                return False
            self._buckets[account] = (tokens - 1.0, now)
            return True
