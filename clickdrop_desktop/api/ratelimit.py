"""A thread-safe token bucket that keeps the client under Click & Drop's calls-per-second limit.

Click & Drop allows 5 calls/s (older accounts 1/s) and answers 429 beyond. Waiting on our side
is cheaper than a 429 round trip, and it is shared by every thread using one client, so a sync
worker and a print action together still stay under the limit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """`rate_per_s` calls per second on average, bursts of at most `burst` calls.

    `reserve()` takes a token and says how long the caller must wait before using it; the wait
    happens outside the lock, so threads queue up in order without blocking each other's
    bookkeeping. A token may be "borrowed" (the count goes negative): that is what puts later
    callers further back in the queue. `rate_per_s <= 0` turns the limit off.

    `clock` and `sleep` are injectable so tests run on a fake clock without real waiting.
    """

    def __init__(
        self,
        rate_per_s: float,
        *,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate_per_s < 0:
            raise ValueError("rate_per_s must be 0 (off) or positive")
        self._rate = float(rate_per_s)
        # Default burst of one call: the limit is per second and the real API counts calls
        # in a sliding second, so sending 5 at once after an idle spell risks a 429.
        self._capacity = max(1.0, float(burst)) if burst is not None else 1.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = self._capacity
        self._stamp = clock()
        self._paused_until = 0.0

    @property
    def rate_per_s(self) -> float:
        return self._rate

    @property
    def enabled(self) -> bool:
        return self._rate > 0

    def reserve(self) -> float:
        """Take one token; return the seconds to wait before the call may go (0.0 = now)."""
        with self._lock:
            now = self._clock()
            pause = max(0.0, self._paused_until - now)
            if not self.enabled:
                return pause
            elapsed = max(0.0, now - self._stamp)
            self._tokens = min(self._capacity, self._tokens + elapsed * self._rate)
            self._stamp = now
            self._tokens -= 1.0
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self._rate
            # Queue behind a pause rather than all firing the moment it ends.
            return pause + wait

    def acquire(self) -> float:
        """Take one token and sleep until it may be used; return the seconds waited."""
        wait = self.reserve()
        if wait > 0:
            self._sleep(wait)
        return wait

    def pause(self, seconds: float) -> None:
        """Hold every caller back for `seconds` from now (a 429's `Retry-After`)."""
        if seconds <= 0:
            return
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)
